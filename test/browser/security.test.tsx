import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import { CharacterGenerator } from '../../src/components/character-generator/index.js';
import { ResultGrid } from '../../src/components/result-grid/index.js';
import { createCharacterClient } from '../../src/core/client.js';
import { createPollPolicy } from '../../src/core/poll-policy.js';
import '../../src/styles/styles.css';

declare global {
  interface Window {
    __ricPwned?: string;
  }
}

/** Every payload sets this flag (or opens a dialog, which sets it too) if it ever runs. */
const FLAG = "window.__ricPwned='ran'";
const HTML_PAYLOAD = `<img src=x onerror="${FLAG}"><script>${FLAG}</script><a href="javascript:${FLAG}">click</a>`;
/**
 * An SVG with an inline <script> and onload, served over http by the test server (built at run
 * time: Vite would inline `new URL(…, import.meta.url)` as a data: URL).
 */
const SCRIPT_SVG = `${location.origin}/test/reliability/fixtures/script.svg`;
const SCRIPT_URLS = [
  `javascript:${FLAG}`,
  ` JaVaScRiPt:${FLAG}`,
  `java\tscript:${FLAG}`,
  `data:text/html,<script>${FLAG}</script>`,
  `data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" onload="${FLAG}"><script>${FLAG}</script></svg>`,
  `vbscript:${FLAG}`,
  `//evil.test/x.png`,
];

const originals = { alert: window.alert, confirm: window.confirm, prompt: window.prompt };

beforeEach(() => {
  delete window.__ricPwned;
  // A dialog is how most payloads announce themselves: any call counts as execution.
  window.alert = () => void (window.__ricPwned = 'alert');
  window.confirm = () => ((window.__ricPwned = 'confirm'), false);
  window.prompt = () => ((window.__ricPwned = 'prompt'), null);
});

afterEach(() => {
  Object.assign(window, originals);
});

/** Give images, error handlers and SVGs time to load (or fail) and run whatever they would run. */
async function settle(): Promise<void> {
  await Promise.all(
    [...document.images].map((img) => (img.complete ? undefined : new Promise((resolve) => {
      img.addEventListener('load', resolve, { once: true });
      img.addEventListener('error', resolve, { once: true });
    }))),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
}

/** Nothing ran, nothing became a script link, every image source is http(s). */
function expectInert(): void {
  expect(window.__ricPwned).toBeUndefined();
  expect([...document.querySelectorAll('script')].filter((script) => script.textContent?.includes('__ricPwned'))).toEqual([]);
  const links = [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')!);
  for (const href of links) expect(href).toMatch(/^https?:\/\//);
  expect(document.querySelector('a[href^="javascript:" i], a[href^=" javascript:" i], a[href^="data:" i]')).toBeNull();
  for (const img of document.images) expect(img.getAttribute('src')).toMatch(/^https?:\/\//);
  // Script inside an <img> SVG never runs; in <object>, <embed> or <iframe> it would.
  expect(document.querySelector('object, embed, iframe')).toBeNull();
}

describe('given hostile data in the ResultGrid, in Chromium', () => {
  it('when image URLs carry javascript:, data: or protocol-relative sources, none becomes a src or a link, and nothing runs', async () => {
    const screen = await render(<ResultGrid status="completed" images={SCRIPT_URLS} prompt="a knight" onUseAsReference={() => {}} />);
    await settle();
    expectInert();
    expect(document.images.length).toBe(0);
    expect(screen.container.querySelectorAll('a').length).toBe(0);
  });

  it('when an http(s) image is an SVG with <script> and onload, it shows as an image, opens large, and nothing runs', async () => {
    const screen = await render(<ResultGrid status="completed" images={[SCRIPT_SVG, ...SCRIPT_URLS]} prompt="a knight" />);
    expect([...document.images].map((img) => img.getAttribute('src'))).toEqual([SCRIPT_SVG]);
    await settle();
    expectInert();
    // The SVG really was fetched and decoded as an image (so its script had its chance).
    expect(document.images[0]!.naturalWidth).toBe(64);

    await screen.getByRole('button', { name: 'View image 1 of 1 larger' }).click();
    const dialog = page.getByRole('dialog', { name: 'Image 1 of 1' });
    await expect.element(dialog).toBeVisible();
    await settle();
    expectInert();
    expect(dialog.getByRole('link', { name: 'Download' }).element().getAttribute('href')).toBe(SCRIPT_SVG);
  });

  it('when an image URL tries to break out of its attribute, it stays one src value and nothing runs', async () => {
    const breakout = `${location.origin}/missing.png"><img src=x onerror="${FLAG}">`;
    await render(<ResultGrid status="completed" images={[breakout]} prompt="a knight" />);
    expect([...document.images].map((img) => img.getAttribute('src'))).toEqual([breakout]);
    expect(document.querySelector('img[src="x"]')).toBeNull();
    await settle();
    expectInert();
  });

  it('when the prompt and the error message carry HTML, they show as text and never become elements', async () => {
    const completed = await render(<ResultGrid status="completed" images={[SCRIPT_SVG]} prompt={HTML_PAYLOAD} />);
    await settle();
    expectInert();
    expect(document.images[0]!.getAttribute('alt')).toBe(HTML_PAYLOAD);
    await completed.unmount();

    const failed = await render(<ResultGrid status="failed" error={new Error(HTML_PAYLOAD)} onRetry={() => {}} />);
    await settle();
    expectInert();
    expect(failed.container.textContent).toContain(HTML_PAYLOAD);
    expect(failed.container.querySelector('img, script, a')).toBeNull();
  });
});

/**
 * A compromised upstream (or proxy) behind the real client: what it answers is what the
 * CharacterGenerator renders. It answers every submit with a job and every poll with `job`.
 */
function hostileClient(job: Record<string, unknown>) {
  const hostile: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const headers = { 'content-type': 'application/json' };
    if (request.method === 'POST') {
      return new Response(JSON.stringify({ jobId: 'job_hostile', status: 'pending', statusUrl: `javascript:${FLAG}` }), { status: 202, headers });
    }
    return new Response(JSON.stringify({ jobId: 'job_hostile', ...job }), { status: 200, headers });
  };
  return createCharacterClient({
    endpoint: 'https://proxy.test/api/character',
    fetch: hostile,
    pollPolicy: createPollPolicy({ minIntervalMs: 50, maxIntervalMs: 200, priors: { Default: [100, 200] } }),
  });
}

async function generate(prompt: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
  await page.getByRole('textbox', { name: 'Image URL' }).fill('https://images.example/me.png');
  // Leave the URL field first: a click on Generate straight from it submits nothing (see the report).
  await userEvent.tab();
  await page.getByRole('button', { name: 'Generate' }).click();
}

describe('given a hostile upstream behind the CharacterGenerator, in Chromium', () => {
  it('when a job fails with an HTML error message after an HTML prompt, the message shows as text and nothing runs', async () => {
    const screen = await render(<CharacterGenerator client={hostileClient({ status: 'failed', error: { message: HTML_PAYLOAD } })} generationOptions={{ persist: false }} />);
    await generate(HTML_PAYLOAD);
    // The failure's reason, as text inside the results (the prompt field and the live region hold the same string).
    await expect.element(screen.getByRole('region', { name: 'Results' }).getByText(HTML_PAYLOAD, { exact: true })).toBeVisible();
    await settle();
    expectInert();
  });

  it('when a completed job lists javascript: and data: images, the client refuses the answer and nothing becomes a link or a source', async () => {
    const screen = await render(
      <CharacterGenerator client={hostileClient({ status: 'completed', output: { images: SCRIPT_URLS } })} generationOptions={{ persist: false }} />,
    );
    await generate('a knight');
    await expect.element(screen.getByText(/unexpected answer/i).first()).toBeVisible();
    await settle();
    expectInert();
  });

  it('when a completed job holds an SVG with script, it renders as an image and nothing runs', async () => {
    const screen = await render(
      <CharacterGenerator client={hostileClient({ status: 'completed', output: { images: [SCRIPT_SVG] } })} generationOptions={{ persist: false }} />,
    );
    await generate(HTML_PAYLOAD);
    await expect.element(screen.getByRole('button', { name: /view image 1 of 1 larger/i })).toBeVisible();
    await settle();
    expectInert();
    expect([...document.images].some((img) => img.getAttribute('src') === SCRIPT_SVG && img.getAttribute('alt') === HTML_PAYLOAD)).toBe(true);
  });
});
