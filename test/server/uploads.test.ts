import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadResultSchema } from '../../src/core/schemas.js';
import {
  createCharacterProxy,
  fileSystemStorage,
  memoryStorage,
  toNodeHandler,
  type CharacterProxyOptions,
  type CharacterProxyPluginOptions,
} from '../../src/server/index.js';
import { placeholderPng } from '../../src/testing/png.js';
import { Evidence, fakeKey, listen, rawRequest, type Listening } from './helpers.js';
import { gif, jpegHeader, pngHeader, svg, webpVp8l, webpVp8x } from './images.js';

const key = fakeKey();
const evidence = new Evidence();
const servers: Listening[] = [];
let directory: string;

async function startProxy(options: Partial<CharacterProxyOptions>): Promise<Listening> {
  const proxy = createCharacterProxy({ apiKey: key, basePath: '/api/character', upstreamUrl: 'http://127.0.0.1:9/never', logger: evidence.logger, ...options });
  const server = await listen(toNodeHandler(proxy));
  servers.push(server);
  return server;
}

async function upload(server: Listening, data: Uint8Array, { type = 'image/png', name = 'me.png', field = 'file' } = {}) {
  const form = new FormData();
  form.append(field, new Blob([data as BlobPart], { type }), name);
  const response = await fetch(`${server.url}/api/character/uploads`, { method: 'POST', body: form });
  const text = await evidence.keep(response);
  return { status: response.status, body: JSON.parse(text) as { url: string; expiresAt?: string; error: { code: string; status: number; fieldErrors?: Record<string, string[]> } } };
}

let memory: Listening;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ric-uploads-'));
  memory = await startProxy({ uploads: { storage: memoryStorage(), maxBytes: 64 * 1024 } });
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(directory, { recursive: true, force: true });
});

describe('given uploads with memory storage', () => {
  it('when a PNG is uploaded, it answers 201 with an http URL the proxy serves back byte for byte, typed and nosniff', async () => {
    const png = placeholderPng({ width: 48, height: 64, index: 1, hue: 200 });
    const answer = await upload(memory, png);
    expect(answer.status).toBe(201);
    expect(uploadResultSchema.safeParse(answer.body).success).toBe(true);
    expect(answer.body.url.startsWith(`${memory.url}/api/character/uploads/`)).toBe(true);
    expect(Date.parse(answer.body.expiresAt!)).toBeGreaterThan(Date.now());

    const served = await fetch(answer.body.url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);
  });

  it.each([
    ['a JPEG', jpegHeader(800, 600), 'image/jpeg'],
    ['a WebP', webpVp8x(800, 600), 'image/webp'],
  ])('when %s is uploaded, the type comes from its bytes, not from what the browser declared', async (_name, data, type) => {
    const answer = await upload(memory, data, { type: 'application/octet-stream', name: 'x.bin' });
    expect(answer.status).toBe(201);
    const served = await fetch(answer.body.url);
    expect(served.headers.get('content-type')).toBe(type);
    await served.arrayBuffer();
  });

  it.each([
    ['an SVG declared as PNG', svg, 'image/png'],
    ['an SVG', svg, 'image/svg+xml'],
    ['a GIF', gif, 'image/gif'],
    ['HTML named .jpg', new TextEncoder().encode('<html><script>alert(1)</script>'), 'image/jpeg'],
  ])('when %s is uploaded, it answers 415', async (_name, data, type) => {
    const answer = await upload(memory, data, { type });
    expect(answer.status).toBe(415);
    expect(answer.body.error.code).toBe('unsupported_media_type');
  });

  it.each([
    ['100000 × 100000 (a decompression bomb)', pngHeader(100_000, 100_000)],
    ['20000 px wide', webpVp8l(16_384, 10).length ? pngHeader(20_000, 10) : pngHeader(0, 0)],
    ['8000 × 8000 (64 megapixels)', jpegHeader(8000, 8000)],
    ['0 × 0', pngHeader(0, 0)],
  ])('when an image declares %s, it answers 422 before storing anything', async (_name, data) => {
    const answer = await upload(memory, data);
    expect(answer.status).toBe(422);
    expect(answer.body.error.fieldErrors?.file).toHaveLength(1);
  });

  it('when the file is over maxBytes, it answers 413', async () => {
    const big = new Uint8Array(200 * 1024);
    big.set(pngHeader(100, 100));
    const answer = await upload(memory, big);
    expect(answer.status).toBe(413);
  });

  it('when the field is not named "file", it answers 400', async () => {
    expect((await upload(memory, pngHeader(10, 10), { field: 'image' })).status).toBe(400);
  });

  it('when the body is not multipart, it answers 415', async () => {
    const response = await fetch(`${memory.url}/api/character/uploads`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: pngHeader(10, 10) as BodyInit });
    await evidence.keep(response);
    expect(response.status).toBe(415);
  });

  it("when a stored file's name is asked for one segment deeper than the uploads path, it is not served (404), and a POST there answers 405", async () => {
    const answer = await upload(memory, placeholderPng({ width: 8, height: 8, index: 1, hue: 10 }));
    const name = answer.body.url.slice(answer.body.url.lastIndexOf('/') + 1);
    expect((await fetch(answer.body.url)).status).toBe(200);
    const deeper = await fetch(`${memory.url}/api/character/uploads/x/${name}`);
    expect(deeper.status).toBe(404);
    expect(await deeper.json()).toEqual({ error: { code: 'not_found', message: 'No such file', status: 404 } });
    expect((await fetch(`${memory.url}/api/character/uploads/x/${name}`, { method: 'POST' })).status).toBe(405);
  });

  it('when a stored name is guessed or traversed, it answers 404 or 400 and serves nothing', async () => {
    expect((await fetch(`${memory.url}/api/character/uploads/00000000-0000-0000-0000-000000000000.png`)).status).toBe(404);
    const traversal = await rawRequest(memory.port, 'GET /api/character/uploads/..%2f..%2fpackage.json HTTP/1.1\r\nHost: x');
    expect(traversal.status).toBe(400);
  });
});

describe('given uploads with memory storage behind a TLS-terminating reverse proxy', () => {
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example' };
  async function uploadVia(server: Listening, headers: Record<string, string>) {
    const form = new FormData();
    form.append('file', new Blob([placeholderPng({ width: 16, height: 16, index: 2, hue: 30 }) as BlobPart], { type: 'image/png' }), 'me.png');
    const response = await fetch(`${server.url}/api/character/uploads`, { method: 'POST', body: form, headers });
    return { status: response.status, body: JSON.parse(await evidence.keep(response)) as { url: string } };
  }

  it('with trustProxy, the upload URL is on the public https origin, and its path is served by the proxy', async () => {
    const behind = await startProxy({ uploads: { storage: memoryStorage() }, trustProxy: true });
    const answer = await uploadVia(behind, { ...forwarded, origin: 'https://app.example' });
    expect(answer.status).toBe(201);
    const url = new URL(answer.body.url);
    expect(url.origin).toBe('https://app.example');
    expect(url.pathname).toMatch(/^\/api\/character\/uploads\/[0-9a-f-]{36}\.png$/);
    const served = await fetch(`${behind.url}${url.pathname}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    await served.arrayBuffer();
  });

  it('with trustProxy and a list of forwarded values, the first (the client-facing hop) wins', async () => {
    const behind = await startProxy({ uploads: { storage: memoryStorage() }, trustProxy: true });
    const answer = await uploadVia(behind, { 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'app.example, 10.0.0.7:8080' });
    expect(new URL(answer.body.url).origin).toBe('https://app.example');
  });

  it('with trustProxy and malformed forwarded values, they are ignored for the request origin', async () => {
    const behind = await startProxy({ uploads: { storage: memoryStorage() }, trustProxy: true });
    const answer = await uploadVia(behind, { 'x-forwarded-proto': 'javascript', 'x-forwarded-host': 'evil.example/@x' });
    expect(answer.body.url.startsWith(`${behind.url}/api/character/uploads/`)).toBe(true);
  });

  it('without trustProxy, forwarded headers are not believed: the URL is on the origin the request arrived at', async () => {
    const answer = await uploadVia(memory, forwarded);
    expect(answer.status).toBe(201);
    expect(answer.body.url.startsWith(`${memory.url}/api/character/uploads/`)).toBe(true);
  });
});

describe('given uploads with file-system storage', () => {
  let server: Listening;
  beforeAll(async () => {
    // The URL the storage hands out is where the proxy serves the files: under its own base path.
    const storageFor = (origin: string) => fileSystemStorage({ directory, publicUrl: `${origin}/api/character/files` });
    const probe = await listen(() => undefined);
    const { port } = probe;
    await probe.close();
    const origin = `http://127.0.0.1:${port}`;
    const proxy = createCharacterProxy({ apiKey: key, basePath: '/api/character', uploads: { storage: storageFor(origin) }, logger: evidence.logger });
    server = await listen(toNodeHandler(proxy));
    if (server.port !== port) {
      // The probe's port was taken in between: restart on a port we know is ours.
      await server.close();
      const again = await listen(() => undefined);
      const retry = createCharacterProxy({ apiKey: key, basePath: '/api/character', uploads: { storage: storageFor(again.url) } });
      await again.close();
      server = await new Promise<Listening>((resolve) => {
        again.server.removeAllListeners('request');
        again.server.on('request', toNodeHandler(retry));
        again.server.listen(again.port, '127.0.0.1', () => resolve(again));
      });
    }
    servers.push(server);
  });

  it('when a WebP is uploaded, it lands in the directory and is served back under publicUrl with its type and nosniff', async () => {
    const webp = webpVp8x(320, 240);
    const answer = await upload(server, webp, { type: 'image/webp', name: 'me.webp' });
    expect(answer.status).toBe(201);
    expect(answer.body.url).toMatch(new RegExp(`^${server.url}/api/character/files/[0-9a-f-]{36}\\.webp$`));
    expect(await readdir(directory)).toEqual([answer.body.url.split('/').pop()]);
    const served = await fetch(answer.body.url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(webp);
  });

  it('when another file sits in the directory, or a path leaves it, nothing is served', async () => {
    await writeFile(join(directory, 'secret.txt'), 'do not serve');
    expect((await fetch(`${server.url}/api/character/files/secret.txt`)).status).toBe(404);
    for (const target of ['/api/character/files/../secret.txt', '/api/character/files/%2e%2e%2fsecret.txt', '/api/character/files/..\\secret.txt']) {
      const answer = await rawRequest(server.port, `GET ${target} HTTP/1.1\r\nHost: x`);
      expect(answer.status, target).toBe(400);
      expect(answer.body).not.toContain('do not serve');
    }
  });

  it('when a stored file is requested with another method, it answers 405', async () => {
    const response = await fetch(`${server.url}/api/character/files/x.png`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });
});

describe('given uploads: false', () => {
  it("when the Vite plugin's options are passed to createCharacterProxy as they are, uploads answer 404 and nothing is stored", async () => {
    // One options object for the dev server and the production proxy: `uploads: false` is valid for both.
    const shared: CharacterProxyPluginOptions = { apiKey: key, basePath: '/api/character', uploads: false, logger: evidence.logger };
    const server = await listen(toNodeHandler(createCharacterProxy(shared)));
    servers.push(server);
    const answer = await upload(server, placeholderPng({ width: 8, height: 8, index: 1, hue: 10 }));
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not_found');
  });
});

describe('given everything this suite saw', () => {
  it('finds the key in no response or log line', () => {
    expect(evidence.texts.length).toBeGreaterThan(10);
    expect(evidence.leaks(key)).toEqual([]);
  });
});
