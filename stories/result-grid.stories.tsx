import type { Meta, StoryObj } from '@storybook/react-vite';
import { http, HttpResponse } from 'msw';
import { useState, type ComponentProps } from 'react';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { ResultGrid } from '../src/components/result-grid/index.js';
import type { AspectRatio } from '../src/core/schemas.js';
import { referenceDataUri, renderSvg } from '../src/testing/images.js';
import { PORTRAIT, readPortrait } from './portrait.js';

const PROMPT = 'The same explorer reading a map in a rainy Tokyo alley, neon reflections';

/** The portrait as the simulator embeds it (read once). */
let embedded: Promise<string | undefined> | undefined;

/**
 * Images are served by MSW from the simulator's renderer, at absolute http(s) URLs on the
 * Storybook origin: the grid refuses data: URLs by design, and stories must work offline. Each
 * shows the stories' portrait, embedded (an SVG in `<img>` loads no linked image).
 */
const imageHandler = http.get('*/story-images/:ratio/:index', async ({ params }) => {
  const ratio = String(params.ratio).replace('x', ':') as AspectRatio;
  const index = Number.parseInt(String(params.index), 10) || 0;
  // (A failed read is not kept: the next image asks again, and this one shows the silhouette.)
  embedded ??= readPortrait(PORTRAIT).then(
    (portrait) => portrait && referenceDataUri(portrait, 4 * 1024 * 1024),
    () => (embedded = undefined),
  );
  const svg = renderSvg(
    {
      jobId: 'job_story',
      index,
      count: 4,
      input: { prompt: PROMPT, character_reference_image: PORTRAIT, aspect_ratio: ratio },
    },
    await embedded,
  );
  return new HttpResponse(svg, { headers: { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' } });
});

const origin = typeof window === 'undefined' ? 'http://localhost:6006' : window.location.origin;
const images = (ratio: AspectRatio, count: number) =>
  Array.from({ length: count }, (_, index) => `${origin}/story-images/${ratio.replace(':', 'x')}/${index}.svg`);

/** The grid's props, plus `expiresInMs` counted from when the story mounts (so the countdown is live). */
type ResultGridStoryArgs = ComponentProps<typeof ResultGrid> & { expiresInMs?: number };

function ResultGridWithExpiry({ expiresInMs, ...props }: ResultGridStoryArgs) {
  const [expiresAt] = useState(() => (expiresInMs === undefined ? undefined : Date.now() + expiresInMs));
  return <ResultGrid {...props} expiresAt={props.expiresAt ?? expiresAt} />;
}

const meta = {
  title: 'Components/ResultGrid',
  component: ResultGrid,
  render: (args) => <ResultGridWithExpiry {...args} />,
  args: {
    prompt: PROMPT,
    onRetry: fn(),
    onUseAsReference: fn(),
  },
  parameters: {
    msw: { handlers: [imageHandler] },
    docs: {
      description: {
        component:
          'Shows a generation: placeholders in the job\'s aspect ratio while it runs, then the images (each opens larger in a dialog with Download, Copy link and Use as reference), an expiry countdown, "Expired" cards once the URLs are gone, the failure with "Try again", and a polite live region. Unstyled unless you import `react-ideogram-character/styles.css`; for no default look at all, simply do not import it.',
      },
    },
  },
} satisfies Meta<ResultGridStoryArgs>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Nothing generated yet. */
export const Idle: Story = {
  args: { status: 'idle' },
};

/** A job is running: one placeholder per requested image, each box already the final size. */
export const Generating: Story = {
  args: { status: 'processing', count: 4, aspectRatio: '16:9' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getAllByRole('img', { name: /Generating image/ })).toHaveLength(4);
    await expect(canvas.getByRole('status')).toHaveTextContent('Generating…');
  },
};

/** The images arrived; click one to open it larger. */
export const Completed: Story = {
  args: { status: 'completed', count: 4, aspectRatio: '3:4', images: images('3:4', 4), expiresInMs: 59 * 60_000 },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    // The images really load (served by MSW), so nothing shows a broken image; the portrait
    // inside them too (embedded: an SVG in <img> would draw a broken-image mark for a link).
    const first = canvas.getAllByRole('img', { name: PROMPT })[0] as HTMLImageElement;
    await waitFor(() => expect(first.naturalWidth).toBeGreaterThan(0));
    await expect(await (await fetch(first.src)).text()).toContain('href="data:image/jpeg;base64,');
    const opener = canvas.getByRole('button', { name: 'View image 2 of 4 larger' });
    await userEvent.click(opener);
    const dialog = within(canvasElement.ownerDocument.body).getByRole('dialog', { name: 'Image 2 of 4' });
    await expect(dialog).toBeVisible();
    await userEvent.keyboard('{Escape}');
    await expect(opener).toHaveFocus();
  },
};

/** Fewer than five minutes left: the badge turns urgent. */
export const ExpiringSoon: Story = {
  args: { status: 'completed', aspectRatio: '1:1', images: images('1:1', 2), expiresInMs: 4 * 60_000 + 30_000 },
};

/** The image URLs have expired: the cards say so instead of showing broken images. */
export const Expired: Story = {
  args: { status: 'completed', aspectRatio: '1:1', images: images('1:1', 2), expiresAt: '2020-01-01T00:00:00Z' },
};

/** The job failed: the reason and "Try again". */
export const Failed: Story = {
  args: { status: 'failed', error: new Error('The prompt failed the safety check. Try rewording it.') },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Try again' }));
    await expect(args.onRetry).toHaveBeenCalled();
  },
};

/** Every string comes from `labels`. */
export const Translated: Story = {
  args: {
    status: 'completed',
    images: images('1:1', 2),
    expiresInMs: 30 * 60_000,
    labels: {
      completed: 'Fertig',
      download: 'Herunterladen',
      copyLink: 'Link kopieren',
      linkCopied: 'Link kopiert',
      useAsReference: 'Als Referenz',
      expiresIn: (time) => `Läuft ab in ${time}`,
      openImage: (n, total) => `Bild ${n} von ${total} vergrößern`,
      imageGroup: (n, total) => `Bild ${n} von ${total}`,
      close: 'Schließen',
    },
  },
};
