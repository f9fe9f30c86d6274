import { describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import { ResultGrid } from '../../src/components/result-grid/index.js';
import '../../src/styles/styles.css';
import { expectNoAxeViolations } from '../helpers/axe.js';
import portraitPath from '../../stories/assets/reference-portrait.jpg';

// Real images the test server serves (absolute http URLs), so nothing shows as unavailable.
const IMAGES = [1, 2].map((n) => new URL(`${portraitPath}?n=${n}`, window.location.origin).href);
const PROMPT = 'the same knight reading in a library';

describe('ResultGrid in Chromium', () => {
  describe('given completed images', () => {
    it('opens the image in a real modal dialog, Escape closes it and focus returns to the opener', async () => {
      const screen = await render(<ResultGrid status="completed" images={IMAGES} prompt={PROMPT} />);
      const opener = screen.getByRole('button', { name: 'View image 2 of 2 larger' });
      await opener.click();

      const dialog = page.getByRole('dialog', { name: 'Image 2 of 2' });
      await expect.element(dialog).toBeVisible();
      const element = dialog.element() as HTMLDialogElement;
      expect(element.open).toBe(true);
      expect(element.matches(':modal')).toBe(true);
      expect(element.contains(document.activeElement)).toBe(true);

      await userEvent.keyboard('{Escape}');
      await expect.element(dialog).not.toBeInTheDocument();
      expect(element.open).toBe(false);
      await expect.element(opener).toHaveFocus();
    });

    it('opens from the keyboard, closes with its Close button, and focus returns', async () => {
      const screen = await render(<ResultGrid status="completed" images={IMAGES} prompt={PROMPT} />);
      const opener = screen.getByRole('button', { name: 'View image 1 of 2 larger' });
      (opener.element() as HTMLElement).focus();
      await userEvent.keyboard('{Enter}');
      const dialog = page.getByRole('dialog', { name: 'Image 1 of 2' });
      await expect.element(dialog).toBeVisible();

      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect.element(dialog).not.toBeInTheDocument();
      await expect.element(opener).toHaveFocus();
    });

    it('makes the rest of the page inert while open, and tabs through the dialog in order', async () => {
      const screen = await render(<ResultGrid status="completed" images={IMAGES} prompt={PROMPT} onUseAsReference={() => {}} />);
      const opener = screen.getByRole('button', { name: 'View image 1 of 2 larger' });
      await opener.click();
      const dialog = page.getByRole('dialog');
      await expect.element(dialog).toBeVisible();

      // An element behind a modal dialog cannot take focus.
      (screen.getByRole('button', { name: 'View image 2 of 2 larger' }).element() as HTMLElement).focus();
      expect((dialog.element() as HTMLElement).contains(document.activeElement)).toBe(true);

      await expect.element(dialog.getByRole('button', { name: 'Close' })).toHaveFocus();
      await userEvent.tab();
      await expect.element(dialog.getByRole('link', { name: 'Download' })).toHaveFocus();
      await userEvent.tab();
      await expect.element(dialog.getByRole('button', { name: 'Copy link' })).toHaveFocus();
      await userEvent.tab();
      await expect.element(dialog.getByRole('button', { name: 'Use as reference' })).toHaveFocus();
      await expectNoAxeViolations(document.body);
    });
  });

  describe('given a mouse (this Chromium reports a pointer that can hover)', () => {
    /** The computed opacity of each image's action bar. */
    const actionOpacities = () =>
      [...document.querySelectorAll('[data-slot="result-grid-item"] [data-slot="result-grid-actions"]')].map((bar) => getComputedStyle(bar).opacity);

    it('an image’s actions show while the pointer is on it or focus is in it, and leave the image uncovered otherwise', async () => {
      expect(matchMedia('(hover: hover) and (pointer: fine)').matches).toBe(true);
      const screen = await render(<ResultGrid status="completed" images={IMAGES} prompt={PROMPT} />);
      const first = screen.getByRole('button', { name: 'View image 1 of 2 larger' });
      // The pointer may still rest where an earlier test clicked: move it off.
      await userEvent.unhover(first);
      await expect.poll(actionOpacities).toEqual(['0', '0']);

      await userEvent.hover(first);
      await expect.poll(actionOpacities).toEqual(['1', '0']);

      await userEvent.unhover(first);
      (screen.getByRole('button', { name: 'View image 2 of 2 larger' }).element() as HTMLElement).focus();
      await expect.poll(actionOpacities).toEqual(['0', '1']);
      // Tabbing on reaches the (now shown) actions of the same image.
      await userEvent.tab();
      await expect.element(screen.getByRole('link', { name: 'Download' }).nth(1)).toHaveFocus();
      await expect.poll(actionOpacities).toEqual(['0', '1']);
    });
  });

  describe('when the images arrive', () => {
    it('keeps every box exactly where the placeholder was (no layout shift)', async () => {
      const screen = await render(
        <div style={{ width: 640 }}>
          <ResultGrid status="processing" count={2} aspectRatio="9:16" prompt={PROMPT} />
        </div>,
      );
      const boxes = () =>
        [...document.querySelectorAll('[data-slot="result-grid-item"]')].map((item) => {
          const { x, y, width, height } = item.getBoundingClientRect();
          return { x, y, width, height };
        });
      await expect.element(screen.getByRole('img', { name: 'Generating image 2 of 2' })).toBeVisible();
      const before = boxes();
      expect(before[0]!.height / before[0]!.width).toBeCloseTo(16 / 9, 1);

      await screen.rerender(
        <div style={{ width: 640 }}>
          <ResultGrid status="completed" images={IMAGES} count={2} aspectRatio="9:16" prompt={PROMPT} />
        </div>,
      );
      await expect.element(screen.getByRole('status')).toHaveTextContent('Completed');
      expect(boxes()).toEqual(before);
    });
  });

  describe('given many images, most of them off-screen', () => {
    it('gives every box, rendered or skipped, its exact size, so scrolling never shifts the layout', async () => {
      const many = Array.from({ length: 60 }, (_, i) => `${IMAGES[0]!}&i=${i}`);
      const screen = await render(
        <div style={{ width: 640 }}>
          <ResultGrid status="completed" images={many} aspectRatio="2:3" prompt={PROMPT} />
        </div>,
      );
      await expect.element(screen.getByRole('status')).toHaveTextContent('Completed');
      const items = [...document.querySelectorAll('[data-slot="result-grid-item"]')];
      const last = items[items.length - 1]!.getBoundingClientRect();
      expect(last.top).toBeGreaterThan(window.innerHeight);
      for (const item of items) {
        const { width, height } = item.getBoundingClientRect();
        expect(height / width).toBeCloseTo(3 / 2, 2);
      }
      const before = last.top;
      items[items.length - 1]!.scrollIntoView();
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const after = items[items.length - 1]!.getBoundingClientRect();
      expect(after.top + window.scrollY).toBeCloseTo(before, 0);
    });
  });

  describe('given an image URL that no longer answers', () => {
    it('shows "Image unavailable" in its box instead of a broken image', async () => {
      const gone = new URL('/__gone__/image.png', window.location.origin).href;
      const screen = await render(<ResultGrid status="completed" images={[IMAGES[0]!, gone]} prompt={PROMPT} />);
      await expect.element(screen.getByText('Image unavailable')).toBeVisible();
      const items = document.querySelectorAll('[data-slot="result-grid-item"]');
      expect(items[1]).toHaveAttribute('data-state', 'failed');
      expect(items[0]).toHaveAttribute('data-state', 'completed');
      const first = items[0]!.querySelector('img')!;
      await expect.poll(() => first.complete && first.naturalWidth > 0).toBe(true);
      await expectNoAxeViolations(screen.container);
    });
  });

  describe('colour contrast', () => {
    for (const theme of ['light', 'dark']) {
      it(`passes axe (contrast included) in the ${theme} theme: idle, failed, completed with badge, expired`, async () => {
        const screen = await render(
          <div data-ic-theme={theme} style={{ background: 'var(--ic-bg)', padding: 8 }}>
            <ResultGrid status="idle" />
            <ResultGrid status="failed" error="The prompt failed the safety check" onRetry={() => {}} />
            <ResultGrid status="completed" images={IMAGES} prompt={PROMPT} expiresAt={Date.now() + 60_000} />
            <ResultGrid status="completed" images={IMAGES} prompt={PROMPT} expiresAt={Date.now() - 1000} />
          </div>,
        );
        await expect.element(screen.getByRole('button', { name: 'Try again' })).toBeVisible();
        await expectNoAxeViolations(screen.container);
      });
    }
  });
});
