import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CharacterApiError } from '../../src/core/errors.js';
import { ResultGrid } from '../../src/components/result-grid/index.js';
import { expectNoAxeViolations } from '../helpers/axe.js';

const A = 'https://images.sim.test/out/job_1/0.png';
const B = 'https://images.sim.test/out/job_1/1.png';
const PROMPT = 'the same knight reading in a library';

afterEach(() => {
  vi.useRealTimers();
});

describe('ResultGrid', () => {
  describe('given nothing has been generated (idle)', () => {
    it('shows a hint, an empty live region and no list', async () => {
      const { container } = render(<ResultGrid status="idle" />);
      expect(screen.getByText('Generated images will appear here.')).toBeInTheDocument();
      expect(screen.getByRole('status')).toHaveTextContent('');
      expect(screen.queryByRole('list')).not.toBeInTheDocument();
      expect(container.firstElementChild).toHaveAttribute('data-state', 'idle');
      await expectNoAxeViolations(container);
    });
  });

  describe('given a job is running', () => {
    it('shows one placeholder per requested image, each box with the aspect ratio, and announces "Generating…"', async () => {
      const { container } = render(<ResultGrid status="processing" count={4} aspectRatio="16:9" prompt={PROMPT} />);
      const placeholders = screen.getAllByRole('img', { name: /^Generating image \d of 4$/ });
      expect(placeholders).toHaveLength(4);
      const items = within(screen.getByRole('list', { name: 'Generated images' })).getAllByRole('listitem');
      expect(items).toHaveLength(4);
      for (const item of items) {
        expect(item).toHaveAttribute('data-state', 'pending');
        expect(item.style.aspectRatio).toBe('1024 / 576');
      }
      expect(screen.getByRole('status')).toHaveTextContent('Generating…');
      await expectNoAxeViolations(container);
    });

    it('sizes the boxes by the resolution when one is chosen (it overrides the aspect ratio)', () => {
      render(<ResultGrid status="pending" count={2} aspectRatio="16:9" resolution="832x1216" />);
      for (const item of screen.getAllByRole('listitem')) expect(item.style.aspectRatio).toBe('832 / 1216');
    });

    it('treats "submitting" as running too', () => {
      render(<ResultGrid status="submitting" count={1} />);
      expect(screen.getByRole('img', { name: 'Generating image 1 of 1' })).toBeInTheDocument();
    });
  });

  describe('when the images arrive', () => {
    it('replaces each placeholder inside the same box (no layout shift)', () => {
      const { rerender } = render(<ResultGrid status="processing" count={2} aspectRatio="3:4" prompt={PROMPT} />);
      const before = screen.getAllByRole('listitem');
      const boxes = before.map((item) => item.style.aspectRatio);

      rerender(<ResultGrid status="completed" images={[A, B]} count={2} aspectRatio="3:4" prompt={PROMPT} />);
      const after = screen.getAllByRole('listitem');
      expect(after).toHaveLength(2);
      after.forEach((item, index) => {
        expect(item).toBe(before[index]);
        expect(item.style.aspectRatio).toBe(boxes[index]);
        expect(item).toHaveAttribute('data-state', 'completed');
      });
      expect(screen.queryByRole('img', { name: /Generating image/ })).not.toBeInTheDocument();
    });

    it('shows the images with the prompt as alt text, lazy-loaded, and announces "Completed"', async () => {
      const { container } = render(<ResultGrid status="completed" images={[A, B]} prompt={PROMPT} onUseAsReference={() => {}} />);
      const images = screen.getAllByRole('img', { name: PROMPT });
      expect(images.map((image) => image.getAttribute('src'))).toEqual([A, B]);
      for (const image of images) {
        expect(image).toHaveAttribute('loading', 'lazy');
        expect(image).toHaveAttribute('decoding', 'async');
      }
      expect(screen.getByRole('status')).toHaveTextContent('Completed');
      await expectNoAxeViolations(container);
    });

    it('falls back to "Generated image n of m" as alt text when there is no prompt', () => {
      render(<ResultGrid status="completed" images={[A, B]} />);
      expect(screen.getByRole('img', { name: 'Generated image 2 of 2' })).toHaveAttribute('src', B);
    });

    it('shows "Image unavailable" instead of a broken image when one fails to load', async () => {
      const { container, rerender } = render(<ResultGrid status="completed" images={[A, B]} prompt={PROMPT} />);
      fireEvent.error(screen.getAllByRole('img', { name: PROMPT })[0]!);

      const [first, second] = screen.getAllByRole('listitem');
      expect(first).toHaveAttribute('data-state', 'failed');
      expect(within(first!).getByText('Image unavailable')).toBeInTheDocument();
      expect(within(first!).queryByRole('img')).not.toBeInTheDocument();
      expect(within(first!).queryByRole('button')).not.toBeInTheDocument();
      expect(within(second!).getByRole('img', { name: PROMPT })).toHaveAttribute('src', B);
      await expectNoAxeViolations(container);

      // A new image in that place gets its own chance to load.
      rerender(<ResultGrid status="completed" images={['https://images.sim.test/out/job_2/0.png', B]} prompt={PROMPT} />);
      expect(within(screen.getAllByRole('listitem')[0]!).getByRole('img', { name: PROMPT })).toBeInTheDocument();
    });

    it('never renders a URL that is not http(s), as an image or as a link', () => {
      const { container } = render(
        <ResultGrid
          status="completed"
          images={[A, 'javascript:alert(1)', 'data:image/png;base64,iVBORw0KGgo=', '/relative.png']}
          prompt={PROMPT}
        />,
      );
      expect(screen.getAllByRole('img', { name: PROMPT })).toHaveLength(1);
      const urls = [...container.querySelectorAll('[src], [href]')].map((el) => el.getAttribute('src') ?? el.getAttribute('href'));
      expect(urls.every((url) => url === A)).toBe(true);
    });
  });

  describe('given completed images', () => {
    it('offers Download as a link to the image that opens in a new tab', () => {
      render(<ResultGrid status="completed" images={[A, B]} prompt={PROMPT} />);
      const group = screen.getByRole('group', { name: 'Image 2 of 2' });
      const link = within(group).getByRole('link', { name: 'Download' });
      expect(link).toHaveAttribute('href', B);
      expect(link).toHaveAttribute('download');
      expect(link).toHaveAttribute('target', '_blank');
      expect(link).toHaveAttribute('rel', expect.stringContaining('noopener'));
    });

    it('copies the link to the clipboard, says so on the button and announces it', async () => {
      const user = userEvent.setup();
      render(<ResultGrid status="completed" images={[A, B]} prompt={PROMPT} />);
      const group = screen.getByRole('group', { name: 'Image 1 of 2' });
      await user.click(within(group).getByRole('button', { name: 'Copy link' }));

      await expect(navigator.clipboard.readText()).resolves.toBe(A);
      expect(await within(group).findByRole('button', { name: 'Link copied' })).toBeInTheDocument();
      expect(screen.getByRole('status')).toHaveTextContent('Link copied');
    });

    it('goes back to "Copy link" on the button two seconds later', async () => {
      // shouldAdvanceTime: Testing Library's async wrapper waits on a real macrotask.
      vi.useFakeTimers({ shouldAdvanceTime: true });
      const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime.bind(vi) });
      render(<ResultGrid status="completed" images={[A]} prompt={PROMPT} />);
      await user.click(screen.getByRole('button', { name: 'Copy link' }));
      expect(await screen.findByRole('button', { name: 'Link copied' })).toBeInTheDocument();
      act(() => vi.advanceTimersByTime(2000));
      expect(screen.getByRole('button', { name: 'Copy link' })).toBeInTheDocument();
    });

    it('announces when the clipboard refuses', async () => {
      const user = userEvent.setup();
      vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValueOnce(new Error('denied'));
      render(<ResultGrid status="completed" images={[A]} prompt={PROMPT} />);
      await user.click(screen.getByRole('button', { name: 'Copy link' }));
      expect(await screen.findByText('Could not copy the link')).toHaveAttribute('role', 'status');
      expect(screen.getByRole('button', { name: 'Copy link' })).toBeInTheDocument();
    });

    it('hands the image URL to onUseAsReference', async () => {
      const user = userEvent.setup();
      const onUseAsReference = vi.fn();
      render(<ResultGrid status="completed" images={[A, B]} prompt={PROMPT} onUseAsReference={onUseAsReference} />);
      await user.click(within(screen.getByRole('group', { name: 'Image 2 of 2' })).getByRole('button', { name: 'Use as reference' }));
      expect(onUseAsReference).toHaveBeenCalledWith(B);
      expect(screen.getByRole('status')).toHaveTextContent('Image set as the reference');
    });

    it('has no "Use as reference" button without onUseAsReference', () => {
      render(<ResultGrid status="completed" images={[A]} prompt={PROMPT} />);
      expect(screen.queryByRole('button', { name: 'Use as reference' })).not.toBeInTheDocument();
    });
  });

  describe('the dialog', () => {
    it('opens the clicked image larger, labelled, with focus inside', async () => {
      const user = userEvent.setup();
      const { container } = render(<ResultGrid status="completed" images={[A, B]} prompt={PROMPT} onUseAsReference={() => {}} />);
      await user.click(screen.getByRole('button', { name: 'View image 2 of 2 larger' }));

      const dialog = screen.getByRole('dialog', { name: 'Image 2 of 2' });
      expect(within(dialog).getByRole('img', { name: PROMPT })).toHaveAttribute('src', B);
      expect(within(dialog).getByRole('img', { name: PROMPT })).toHaveAttribute('loading', 'eager');
      expect(dialog).toContainElement(document.activeElement as HTMLElement);
      expect(within(dialog).getByRole('link', { name: 'Download' })).toHaveAttribute('href', B);
      await expectNoAxeViolations(container);
    });

    it('opens from the keyboard with Enter and closes with Escape, giving focus back to the image', async () => {
      const user = userEvent.setup();
      render(<ResultGrid status="completed" images={[A, B]} prompt={PROMPT} />);
      const opener = screen.getByRole('button', { name: 'View image 1 of 2 larger' });
      opener.focus();
      await user.keyboard('{Enter}');
      expect(screen.getByRole('dialog', { name: 'Image 1 of 2' })).toBeInTheDocument();

      await user.keyboard('{Escape}');
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
      expect(opener).toHaveFocus();
    });

    it('closes with its Close button and keeps Tab inside while open', async () => {
      const user = userEvent.setup();
      render(<ResultGrid status="completed" images={[A]} prompt={PROMPT} />);
      const opener = screen.getByRole('button', { name: 'View image 1 of 1 larger' });
      await user.click(opener);
      const dialog = screen.getByRole('dialog');
      for (let i = 0; i < 5; i += 1) {
        await user.tab();
        expect(dialog).toContainElement(document.activeElement as HTMLElement);
      }
      await user.click(within(dialog).getByRole('button', { name: 'Close' }));
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
      expect(opener).toHaveFocus();
    });

    it('closes after "Use as reference" inside it', async () => {
      const user = userEvent.setup();
      const onUseAsReference = vi.fn();
      render(<ResultGrid status="completed" images={[A]} prompt={PROMPT} onUseAsReference={onUseAsReference} />);
      await user.click(screen.getByRole('button', { name: 'View image 1 of 1 larger' }));
      await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Use as reference' }));
      expect(onUseAsReference).toHaveBeenCalledWith(A);
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
  });

  describe('expiry', () => {
    it('counts down to expiresAt once a second, then says "Expired" instead of showing broken images', async () => {
      vi.useFakeTimers();
      vi.setSystemTime(new Date('2026-01-01T12:00:00Z'));
      const expiresAt = '2026-01-01T12:01:30Z';
      const { container, unmount } = render(
        <ResultGrid status="completed" images={[A, B]} prompt={PROMPT} expiresAt={expiresAt} />,
      );
      expect(screen.getByText('Expires in 1:30')).toBeInTheDocument();
      act(() => vi.advanceTimersByTime(1000));
      expect(screen.getByText('Expires in 1:29')).toBeInTheDocument();
      act(() => vi.advanceTimersByTime(29_000));
      expect(screen.getByText('Expires in 1:00')).toBeInTheDocument();

      act(() => vi.advanceTimersByTime(60_000));
      expect(screen.queryByText(/Expires in/)).not.toBeInTheDocument();
      expect(screen.queryAllByRole('img', { name: PROMPT })).toHaveLength(0);
      expect(screen.queryByRole('link', { name: 'Download' })).not.toBeInTheDocument();
      const items = screen.getAllByRole('listitem');
      expect(items).toHaveLength(2);
      for (const item of items) {
        expect(item).toHaveAttribute('data-state', 'expired');
        expect(within(item).getByText('Expired')).toBeInTheDocument();
        expect(within(item).getByText(/kept for a limited time/)).toBeInTheDocument();
      }
      expect(screen.getByRole('status')).toHaveTextContent('Expired');
      vi.useRealTimers();
      await expectNoAxeViolations(container);
      unmount();
    });

    it('marks the badge as expiring soon under five minutes, and leaves no timer behind on unmount', () => {
      vi.useFakeTimers();
      vi.setSystemTime(new Date('2026-01-01T12:00:00Z'));
      const { unmount } = render(
        <ResultGrid status="completed" images={[A]} prompt={PROMPT} expiresAt={Date.now() + 5 * 60_000 + 2000} />,
      );
      const badge = screen.getByText('Expires in 5:02');
      expect(badge).not.toHaveAttribute('data-expiring-soon');
      act(() => vi.advanceTimersByTime(3000));
      expect(screen.getByText('Expires in 4:59')).toHaveAttribute('data-expiring-soon');
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      unmount();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('leaves the countdown out of server HTML, so hydration never mismatches on the clock', () => {
      const html = renderToString(<ResultGrid status="completed" images={[A]} prompt={PROMPT} expiresAt={Date.now() + 60_000} />);
      expect(html).not.toContain('Expires in');
      expect(html).toContain(A);
    });

    it('shows images that expired before they arrived as expired', () => {
      render(<ResultGrid status="completed" images={[A]} prompt={PROMPT} expiresAt={Date.now() - 1000} />);
      expect(screen.queryByRole('img', { name: PROMPT })).not.toBeInTheDocument();
      expect(within(screen.getByRole('listitem')).getByText('Expired')).toBeInTheDocument();
    });
  });

  describe('given the generation failed', () => {
    it('shows the reason and a "Try again" action, and announces the error', async () => {
      const user = userEvent.setup();
      const onRetry = vi.fn();
      const error = new CharacterApiError('invalid_input', 'The prompt failed the safety check', { status: 422 });
      const { container } = render(<ResultGrid status="failed" error={error} count={2} onRetry={onRetry} />);

      expect(screen.getByText('Generation failed')).toBeInTheDocument();
      expect(screen.getByText('The prompt failed the safety check')).toBeInTheDocument();
      expect(screen.getByRole('status')).toHaveTextContent('Generation failed: The prompt failed the safety check');
      expect(screen.queryByRole('list')).not.toBeInTheDocument();
      await user.click(screen.getByRole('button', { name: 'Try again' }));
      expect(onRetry).toHaveBeenCalledTimes(1);
      await expectNoAxeViolations(container);
    });

    it('treats a job that expired before producing images as failed, with its reason and "Try again"', async () => {
      const user = userEvent.setup();
      const onRetry = vi.fn();
      const error = new CharacterApiError('timeout', 'Stopped waiting for the job after 600 s.');
      render(<ResultGrid status="expired" error={error} count={2} onRetry={onRetry} />);
      expect(screen.getByText('Stopped waiting for the job after 600 s.')).toBeInTheDocument();
      expect(screen.queryByText(/kept for a limited time/)).not.toBeInTheDocument();
      await user.click(screen.getByRole('button', { name: 'Try again' }));
      expect(onRetry).toHaveBeenCalledTimes(1);
    });

    it('says "Something went wrong." when the error has no message', () => {
      render(<ResultGrid status="failed" />);
      expect(screen.getByText('Something went wrong.')).toBeInTheDocument();
      expect(screen.queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
    });
  });

  describe('the live region', () => {
    it('announces each change of the same region: Generating…, Completed, then an error', () => {
      const { rerender } = render(<ResultGrid status="idle" />);
      const region = screen.getByRole('status');
      expect(region).toHaveAttribute('aria-live', 'polite');
      rerender(<ResultGrid status="pending" />);
      expect(region).toHaveTextContent('Generating…');
      rerender(<ResultGrid status="completed" images={[A]} />);
      expect(region).toHaveTextContent('Completed');
      rerender(<ResultGrid status="failed" error="Upstream unavailable" />);
      expect(region).toHaveTextContent('Generation failed: Upstream unavailable');
      rerender(<ResultGrid status="canceled" />);
      expect(region).toHaveTextContent('Canceled');
    });
  });

  describe('with a generation result', () => {
    it('reads status, images, expiry and error from it', () => {
      vi.useFakeTimers();
      vi.setSystemTime(new Date('2026-01-01T12:00:00Z'));
      render(
        <ResultGrid
          generation={{ status: 'completed', images: [A], job: { expiresAt: '2026-01-01T13:00:00Z' }, error: null }}
          prompt={PROMPT}
        />,
      );
      expect(screen.getByRole('img', { name: PROMPT })).toHaveAttribute('src', A);
      expect(screen.getByText('Expires in 1:00:00')).toBeInTheDocument();
    });
  });

  describe('for translation and design systems', () => {
    it('shows every string from labels', async () => {
      const user = userEvent.setup();
      render(
        <ResultGrid
          status="completed"
          images={[A]}
          prompt={PROMPT}
          onUseAsReference={() => {}}
          labels={{
            completed: 'Fertig',
            download: 'Herunterladen',
            copyLink: 'Link kopieren',
            useAsReference: 'Als Referenz verwenden',
            openImage: (n, total) => `Bild ${n} von ${total} vergrößern`,
            imageGroup: (n, total) => `Bild ${n} von ${total}`,
            close: 'Schließen',
          }}
        />,
      );
      expect(screen.getByRole('status')).toHaveTextContent('Fertig');
      expect(screen.getByRole('link', { name: 'Herunterladen' })).toBeInTheDocument();
      expect(screen.getByRole('button', { name: 'Link kopieren' })).toBeInTheDocument();
      expect(screen.getByRole('button', { name: 'Als Referenz verwenden' })).toBeInTheDocument();
      await user.click(screen.getByRole('button', { name: 'Bild 1 von 1 vergrößern' }));
      expect(screen.getByRole('dialog', { name: 'Bild 1 von 1' })).toBeInTheDocument();
      expect(screen.getByRole('button', { name: 'Schließen' })).toBeInTheDocument();
    });

    it('labels set to undefined keep their defaults instead of erasing them (or throwing where they are called)', () => {
      render(<ResultGrid status="processing" count={2} labels={{ placeholder: undefined, list: undefined, generating: 'Wird erzeugt…' }} />);
      expect(screen.getByRole('list', { name: 'Generated images' })).toBeInTheDocument();
      expect(screen.getAllByRole('img', { name: /^Generating image \d of 2$/ })).toHaveLength(2);
      expect(screen.getByRole('status')).toHaveTextContent('Wird erzeugt…');
    });

    it('composes from parts with class names, data-slot/data-state and asChild', () => {
      render(
        <ResultGrid.Root status="completed" images={[A]} prompt={PROMPT} className="grid">
          <ResultGrid.Status className="sr-only" />
          <ResultGrid.List className="list">
            <ResultGrid.Item index={0} className="cell">
              <ResultGrid.Image className="photo" />
              <ResultGrid.Actions className="bar">
                <ResultGrid.Download asChild>
                  <a className="my-link">Save</a>
                </ResultGrid.Download>
              </ResultGrid.Actions>
            </ResultGrid.Item>
          </ResultGrid.List>
        </ResultGrid.Root>,
      );
      const image = screen.getByRole('img', { name: PROMPT });
      expect(image).toHaveClass('photo');
      expect(image).toHaveAttribute('data-slot', 'result-grid-image');
      expect(image.closest('[data-slot="result-grid"]')).toHaveClass('grid');
      expect(image.closest('li')).toHaveAttribute('data-state', 'completed');
      const link = screen.getByRole('link', { name: 'Save' });
      expect(link).toHaveClass('my-link');
      expect(link).toHaveAttribute('href', A);
      expect(link).toHaveAttribute('data-slot', 'result-grid-download');
    });
  });
});
