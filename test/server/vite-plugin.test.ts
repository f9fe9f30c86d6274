import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, createServer, type Logger, type PluginOption, type ViteDevServer } from 'vite';
import { characterProxyPlugin, memoryStorage, toNodeHandler } from '../../src/server/index.js';
import { createSimulator } from '../../src/testing/index.js';
import { placeholderPng } from '../../src/testing/png.js';
import { fakeKey, listen } from './helpers.js';

const input = { prompt: 'A knight in the rain', character_reference_image: 'https://example.com/me.png' };

/** A Vite dev server in `root` with these plugins, listening on a free loopback port. */
async function startDevServer(root: string, plugins: PluginOption[], logger?: Logger): Promise<{ server: ViteDevServer; origin: string }> {
  const server = await createServer({
    configFile: false,
    root,
    appType: 'custom',
    ...(logger ? { customLogger: logger } : { logLevel: 'silent' }),
    optimizeDeps: { noDiscovery: true, include: [] },
    server: { port: 0, host: '127.0.0.1', strictPort: false, ws: false },
    plugins,
  });
  try {
    await server.listen();
  } catch (error) {
    await server.close();
    throw error;
  }
  const { port } = server.httpServer!.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

/** POST a PNG to the dev server's `/api/character/uploads`; the answer. */
function postPng(origin: string, png: Uint8Array): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([png as BlobPart], { type: 'image/png' }), 'me.png');
  return fetch(`${origin}/api/character/uploads`, { method: 'POST', body: form });
}

/** Upload a PNG through the dev server's proxy; the URL it is served at. */
async function uploadPngTo(origin: string, png: Uint8Array): Promise<string> {
  const uploaded = await postPng(origin, png);
  expect(uploaded.status).toBe(201);
  return ((await uploaded.json()) as { url: string }).url;
}

/** Submit a job with this reference (it completes at once), poll it and fetch its first SVG image. */
async function firstImageOn(origin: string, reference: string): Promise<string> {
  const submitted = await fetch(`${origin}/api/character/models/ideogram-character/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...input, character_reference_image: reference }),
  });
  expect(submitted.status).toBe(202);
  const { statusUrl } = (await submitted.json()) as { statusUrl: string };
  const job = (await (await fetch(`${origin}${statusUrl}`)).json()) as { status: string; output: { images: string[] } };
  expect(job.status).toBe('completed');
  const image = await fetch(job.output.images[0]!);
  expect(image.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  return image.text();
}

describe('given a Vite dev server with characterProxyPlugin and no key', () => {
  let server: ViteDevServer;
  let origin: string;
  let root: string;
  const lines: string[] = [];

  beforeAll(async () => {
    vi.stubEnv('PIXELDOJO_API_KEY', '');
    root = await mkdtemp(join(tmpdir(), 'ric-vite-'));
    const logger = createLogger('info');
    logger.info = (message) => lines.push(message);
    ({ server, origin } = await startDevServer(root, [characterProxyPlugin({ simulator: { durationMs: 0 } })], logger));
  });

  afterAll(async () => {
    await server?.close();
    vi.unstubAllEnvs();
    await rm(root, { recursive: true, force: true });
  });

  it('says in the terminal that the playground runs on the simulator', () => {
    expect(lines.filter((line) => line.includes('simulated PixelDojo'))).toHaveLength(1);
  });

  it('takes a dropped photo with no uploads option set (kept in memory), and the simulated images show that photo', async () => {
    const png = placeholderPng({ width: 16, height: 20, index: 2, hue: 200 });
    const url = await uploadPngTo(origin, png);
    expect(url.startsWith(`${origin}/api/character/uploads/`)).toBe(true);
    const served = await fetch(url);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);
    expect(await firstImageOn(origin, url)).toContain(`<image href="data:image/png;base64,${Buffer.from(png).toString('base64')}"`);
  });

  it("refuses an upload posted by another site's page (403), as every POST of the proxy", async () => {
    const form = new FormData();
    form.append('file', new Blob([placeholderPng({ width: 8, height: 8, index: 1, hue: 0 }) as BlobPart], { type: 'image/png' }), 'me.png');
    const refused = await fetch(`${origin}/api/character/uploads`, { method: 'POST', body: form, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it('with uploads: false, takes no uploads (404, which the uploader reads as "uploads unavailable")', async () => {
    const bare = await startDevServer(root, [characterProxyPlugin({ simulator: { durationMs: 0 }, uploads: false })]);
    try {
      const refused = await postPng(bare.origin, placeholderPng({ width: 8, height: 8, index: 1, hue: 0 }));
      expect(refused.status).toBe(404);
      await refused.arrayBuffer();
    } finally {
      await bare.server.close();
    }
  });

  it('when a job is submitted from the page and polled over HTTP, it completes with image URLs the browser can load from the same server', async () => {
    const submitted = await fetch(`${origin}/api/character/models/ideogram-character/run`, {
      method: 'POST',
      // What a browser sends from the dev server's own page (the Storybook playground).
      headers: { 'content-type': 'application/json', 'idempotency-key': 'vite-1', origin, 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify(input),
    });
    expect(submitted.status).toBe(202);
    const job = (await submitted.json()) as { jobId: string; statusUrl: string };
    expect(job.statusUrl).toBe(`/api/character/jobs/${job.jobId}`);

    const polled = await fetch(`${origin}${job.statusUrl}`);
    const body = (await polled.json()) as { status: string; output: { images: string[] } };
    expect(body.status).toBe('completed');
    expect(body.output.images[0]).toBe(`${origin}/api/simulator/images/${job.jobId}/0.svg`);

    const image = await fetch(body.output.images[0]!);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await image.text()).toContain('<svg');
    // The PNG of the same image is served under the same path.
    const png = await fetch(body.output.images[0]!.replace(/\.svg$/, '.png'));
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await png.arrayBuffer()).subarray(1, 4)).toEqual(new TextEncoder().encode('PNG'));
  });

  it('when a page on another site posts a submit, it answers 403 forbidden', async () => {
    const refused = await fetch(`${origin}/api/character/models/ideogram-character/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: JSON.stringify(input),
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it('does not expose the simulator API to the browser: it needs the in-process key', async () => {
    const direct = await fetch(`${origin}/api/simulator/models/ideogram-character/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer guess' },
      body: JSON.stringify(input),
    });
    expect(direct.status).toBe(404);
    await direct.arrayBuffer();
  });

  it('after a restart, hands out new job ids, so a job saved in the browser never resumes against another job', async () => {
    const firstJobIdOfAFreshServer = async () => {
      const fresh = await startDevServer(root, [characterProxyPlugin({ simulator: { durationMs: 0 } })]);
      try {
        const response = await fetch(`${fresh.origin}/api/character/models/ideogram-character/run`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input),
        });
        return ((await response.json()) as { jobId: string }).jobId;
      } finally {
        await fresh.server.close();
      }
    };
    const before = await firstJobIdOfAFreshServer();
    const afterRestart = await firstJobIdOfAFreshServer();
    expect(before).toMatch(/^job_/);
    expect(afterRestart).not.toBe(before);
  });

  it('leaves every other path to Vite', async () => {
    const response = await fetch(`${origin}/@vite/client`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    await response.arrayBuffer();
  });
});

describe('given a Vite dev server with characterProxyPlugin and a key', () => {
  it('when the key is in the .env file and a job is submitted, it goes to upstreamUrl with that key', async () => {
    const key = fakeKey();
    const simulator = createSimulator({ apiKey: key });
    const upstream = await listen(toNodeHandler(simulator));
    const root = await mkdtemp(join(tmpdir(), 'ric-vite-'));
    await writeFile(join(root, '.env'), `PIXELDOJO_API_KEY=${key}\n`);
    vi.stubEnv('PIXELDOJO_API_KEY', undefined);
    const { server, origin } = await startDevServer(root, [characterProxyPlugin({ upstreamUrl: `${upstream.url}/api/v1` })]);
    try {
      const submitted = await fetch(`${origin}/api/character/models/ideogram-character/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      expect(submitted.status).toBe(202);
      await submitted.arrayBuffer();
      expect(simulator.log.map((entry) => entry.authorization)).toEqual([`Bearer ${key}`]);
      // No default uploads with a key: PixelDojo could not fetch a file kept on this machine.
      const upload = await postPng(origin, placeholderPng({ width: 8, height: 8, index: 1, hue: 0 }));
      expect(upload.status).toBe(404);
      await upload.arrayBuffer();
    } finally {
      vi.unstubAllEnvs();
      await server.close();
      await upstream.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('given the playground: a Vite dev server with characterProxyPlugin, upload storage and no key', () => {
  const PAGE_ASSET = '/assets/portrait.png';
  const pageAsset = placeholderPng({ width: 10, height: 10, index: 4, hue: 300 });
  let server: ViteDevServer;
  let origin: string;
  let root: string;

  beforeAll(async () => {
    vi.stubEnv('PIXELDOJO_API_KEY', '');
    root = await mkdtemp(join(tmpdir(), 'ric-vite-'));
    ({ server, origin } = await startDevServer(root, [
      characterProxyPlugin({
        // The app's own reader, for a page asset (as the playground's default portrait could use).
        simulator: { durationMs: 0, readReference: (url) => (new URL(url).pathname === PAGE_ASSET ? { bytes: pageAsset, contentType: 'image/png' } : undefined) },
        uploads: { storage: memoryStorage() },
      }),
    ]));
  });

  afterAll(async () => {
    await server?.close();
    vi.unstubAllEnvs();
    await rm(root, { recursive: true, force: true });
  });

  const uploadPng = (png: Uint8Array) => uploadPngTo(origin, png);
  const firstImageFor = (reference: string) => firstImageOn(origin, reference);

  it('when a reference PNG is uploaded and used for a job, the simulated SVG embeds its very bytes as a data: URI (an <img> shows it)', async () => {
    const png = placeholderPng({ width: 20, height: 24, index: 3, hue: 15 });
    const url = await uploadPng(png);
    const svg = await firstImageFor(url);
    expect(svg).toContain(`<image href="data:image/png;base64,${Buffer.from(png).toString('base64')}"`);
    expect(svg).not.toContain(url);
  });

  it('when the reference is an external URL, the SVG keeps the link and its silhouette, and nothing requests that URL', async () => {
    const requests: string[] = [];
    const elsewhere = await listen((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(placeholderPng({ width: 8, height: 8, index: 1, hue: 0 }));
    });
    try {
      const external = `${elsewhere.url}/me.png`;
      const svg = await firstImageFor(external);
      expect(svg).toContain(`<image href="${external}"`);
      expect(svg).toContain('<circle');
      expect(svg).not.toContain('data:');
      expect(requests).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it("when the app gave a readReference of its own, a URL the plugin did not issue is read through it (uploads still embed, as above)", async () => {
    const svg = await firstImageFor(`${origin}${PAGE_ASSET}`);
    expect(svg).toContain(`<image href="data:image/png;base64,${Buffer.from(pageAsset).toString('base64')}"`);
  });

  it('when a URL names an uploaded file but is not the URL the plugin issued (another host), the SVG does not embed it', async () => {
    const url = await uploadPng(placeholderPng({ width: 16, height: 16, index: 2, hue: 200 }));
    const lookalike = url.replace('127.0.0.1', 'localhost');
    expect(lookalike).not.toBe(url);
    const svg = await firstImageFor(lookalike);
    expect(svg).toContain(`<image href="${lookalike}"`);
    expect(svg).not.toContain('data:');
  });
});

describe('given the playground with upload storage whose publicUrl is on another path (https://cdn.example/refs/)', () => {
  it('when a reference is uploaded, the dev server serves it under /refs/ and a job using its URL embeds its bytes', async () => {
    vi.stubEnv('PIXELDOJO_API_KEY', '');
    const root = await mkdtemp(join(tmpdir(), 'ric-vite-'));
    const { server, origin } = await startDevServer(root, [
      characterProxyPlugin({ simulator: { durationMs: 0 }, uploads: { storage: memoryStorage({ publicUrl: 'https://cdn.example/refs/' }) } }),
    ]);
    try {
      const png = placeholderPng({ width: 12, height: 14, index: 5, hue: 120 });
      const form = new FormData();
      form.append('file', new Blob([png as BlobPart], { type: 'image/png' }), 'me.png');
      const uploaded = await fetch(`${origin}/api/character/uploads`, { method: 'POST', body: form });
      const { url } = (await uploaded.json()) as { url: string };
      expect(url).toMatch(/^https:\/\/cdn\.example\/refs\/[0-9a-f-]{36}\.png$/);
      const served = await fetch(`${origin}${new URL(url).pathname}`);
      expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);

      const submitted = await fetch(`${origin}/api/character/models/ideogram-character/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...input, character_reference_image: url }),
      });
      const { statusUrl } = (await submitted.json()) as { statusUrl: string };
      const job = (await (await fetch(`${origin}${statusUrl}`)).json()) as { output: { images: string[] } };
      const svg = await (await fetch(job.output.images[0]!)).text();
      expect(svg).toContain(`<image href="data:image/png;base64,${Buffer.from(png).toString('base64')}"`);
    } finally {
      await server.close();
      vi.unstubAllEnvs();
      await rm(root, { recursive: true, force: true });
    }
  });
});
