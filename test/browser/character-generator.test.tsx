import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import { CharacterGenerator } from '../../src/components/character-generator/index.js';
import { createCharacterClient } from '../../src/core/client.js';
import type { CharacterClient } from '../../src/core/types.js';
import { createSimulator } from '../../src/testing/index.js';
import '../../src/styles/styles.css';
import { expectNoAxeViolations } from '../helpers/axe.js';
import { refuseAFileThenALink } from '../helpers/refusals.js';
import { trackBox } from '../helpers/track-box.js';

/** A real 512 × 512 JPEG served by the test server, for typed links that must load. */
const PORTRAIT = `${location.origin}/stories/assets/reference-portrait.jpg`;

/** A real image file, encoded by the browser. */
async function makeImage(width: number, height: number): Promise<File> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#6366f1';
  context.fillRect(0, 0, width, height);
  return new File([await canvas.convertToBlob({ type: 'image/png' })], 'portrait.png', { type: 'image/png' });
}

/**
 * The real client in front of the simulator; uploads (not part of the upstream) are answered
 * with the portrait's URL after `uploadMs`, as an app's storage would, so every step of a file's
 * way (checking, uploading, ready) is on screen for a while.
 */
function setup({ uploadMs = 300 } = {}) {
  const sim = createSimulator({ durationMs: 60_000, seed: 3 });
  const submitted: Array<Record<string, unknown>> = [];
  const client = createCharacterClient({
    endpoint: 'https://sim.test/api/v1',
    headers: { Authorization: 'Bearer pd_test_x' },
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname.endsWith('/uploads')) {
        await new Promise((resolve) => setTimeout(resolve, uploadMs));
        return Response.json({ url: PORTRAIT }, { status: 201 });
      }
      if (request.method === 'POST') submitted.push((await request.clone().json()) as Record<string, unknown>);
      return sim.fetch(request);
    }) as typeof fetch,
  });
  return { client: client as CharacterClient, submitted };
}

const previewLoaded = () =>
  vi.waitFor(
    () => {
      const preview = page.getByRole('img', { name: 'Reference image preview' }).element() as HTMLImageElement;
      expect(preview.complete && preview.naturalWidth).toBeGreaterThan(0);
    },
    { timeout: 5_000 },
  );

beforeEach(async () => {
  // Tall enough that the whole generator shows without scrolling, at either width.
  await page.viewport(1100, 1600);
});

afterEach(() => {
  vi.restoreAllMocks();
});

// The two layouts of the ready generator: the form beside the results, and stacked.
for (const width of [1000, 360]) {
  describe(`given the ready CharacterGenerator with styles.css, ${width} px wide`, () => {
    const mount = async (client: CharacterClient) => {
      const screen = await render(
        <div style={{ width }}>
          <CharacterGenerator client={client} generationOptions={{ persist: false }} />
        </div>,
      );
      const root = document.querySelector('[data-slot="character-generator"]')!;
      return { screen, root, generate: page.getByRole('button', { name: 'Generate' }).element() };
    };

    it('when a file is chosen, checked, uploaded and previewed, the Generate button never moves', async () => {
      const { client } = setup({ uploadMs: 300 });
      const { screen, root, generate } = await mount(client);
      const stop = trackBox(generate, root);
      await screen.getByLabelText('Reference image').upload(await makeImage(640, 800));
      await expect.element(page.getByRole('button', { name: 'Remove reference image' })).toBeVisible();
      await previewLoaded();
      await new Promise((resolve) => requestAnimationFrame(resolve));
      expect(stop()).toHaveLength(1);
      await expectNoAxeViolations(screen.container);
    });

    it('when a typed link is used after its pause and its image loads, the Generate button never moves', async () => {
      const { client } = setup();
      const { root, generate } = await mount(client);
      const stop = trackBox(generate, root);
      await page.getByRole('textbox', { name: 'Image URL' }).fill(PORTRAIT);
      await expect.element(page.getByRole('img', { name: 'Reference image preview' })).toBeInTheDocument();
      await previewLoaded();
      await new Promise((resolve) => requestAnimationFrame(resolve));
      expect(stop()).toHaveLength(1);
    });

    it('when a chosen file and then a typed link are refused, each error line shows and the Generate button never moves', async () => {
      const { client } = setup();
      const { screen, root, generate } = await mount(client);
      const stop = trackBox(generate, root);
      // The longest default refusal: two lines in the narrow layout.
      await refuseAFileThenALink(screen.getByLabelText('Reference image'));
      expect(stop()).toHaveLength(1);
      await expectNoAxeViolations(screen.container);
    });

    it('when a filled-in link is used by the blur of a press on Generate, the point pressed is still on Generate', async () => {
      const { client } = setup();
      await mount(client);
      const generate = page.getByRole('button', { name: 'Generate' }).element();
      const pressed = generate.getBoundingClientRect();
      const point = { x: pressed.left + pressed.width / 2, y: pressed.top + pressed.height / 2 };
      expect(document.elementFromPoint(point.x, point.y)).toBe(generate);
      const url = page.getByRole('textbox', { name: 'Image URL' });
      await url.fill(PORTRAIT);
      // Pressing the button blurs the field first, which uses the link before the button is released.
      (url.element() as HTMLInputElement).blur();
      await expect.element(page.getByRole('img', { name: 'Reference image preview' })).toBeInTheDocument();
      await new Promise((resolve) => requestAnimationFrame(resolve));
      expect(window.scrollY).toBe(0);
      expect(document.elementFromPoint(point.x, point.y)).toBe(generate);
    });
  });
}
