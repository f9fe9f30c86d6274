import { connect as connectHttp2, createServer as createHttp2Server, type ClientHttp2Session, type Http2Server, type OutgoingHttpHeaders } from 'node:http2';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createViteServer } from 'vite';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { characterProxyPlugin, memoryStorage, toNodeHandler, type CharacterProxyOptions } from '../../src/server/index.js';
import { nodeFastPathStats } from '../../src/server/respond.js';
import { placeholderPng } from '../../src/testing/png.js';
import { countingProxy, fakeKey, type Evidence } from './helpers.js';

/*
 * HTTP/2 requests carry their host in `:authority`, not in a Host header. Vite's dev server
 * speaks HTTP/2 whenever `server.https` is set (without `server.proxy`), through node:http2's
 * compat API, so the proxy must read the host from there: same-origin POSTs pass the origin
 * check, upload URLs keep the port, and a host that cannot be read answers 400 as on HTTP/1.1.
 * These run over h2c (HTTP/2 without TLS) with node:http2's own client.
 */

const key = fakeKey();
const BASE = '/api/character';
const RUN = `${BASE}/models/ideogram-character/run`;
const INPUT = JSON.stringify({ prompt: 'A knight in the rain', character_reference_image: 'https://example.com/me.png' });
const NOT_A_HOST = 'The Host header is not a valid host name';
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
});

interface H2Server {
  port: number;
  origin: string;
  handled: number;
  upstream: number;
  stored: number;
  evidence: Evidence;
  session: ClientHttp2Session;
}

/** A proxy with memory uploads behind `http2.createServer`, and a client session to it. */
async function setUp(options: Partial<CharacterProxyOptions> = {}): Promise<H2Server> {
  const { proxy, evidence, seen: counted } = countingProxy(key, 11, options);
  const seen = Object.assign(counted, { handled: 0 });
  const server: Http2Server = createHttp2Server(toNodeHandler(proxy));
  server.on('request', () => seen.handled++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const session = connectHttp2(`http://127.0.0.1:${port}`);
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        session.destroy();
        server.close(() => resolve());
      }),
  );
  const state = { port, origin: `http://127.0.0.1:${port}`, evidence, session, ...seen };
  return Object.defineProperties(state, {
    handled: { get: () => seen.handled },
    upstream: { get: () => seen.upstream },
    stored: { get: () => seen.stored },
  });
}

interface H2Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  bytes: Uint8Array;
  body: string;
}

/** One request on the session; `headers` may override the pseudo-headers the client adds. */
function request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Uint8Array | string): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    const chunks: Buffer[] = [];
    let head: H2Answer['headers'] = {};
    stream.on('response', (received) => (head = received as H2Answer['headers']));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const bytes = new Uint8Array(Buffer.concat(chunks));
      resolve({ status: Number(head[':status']), headers: head, bytes, body: new TextDecoder().decode(bytes) });
    });
    stream.on('error', reject);
    if (body !== undefined) stream.end(body);
  });
}

/** A multipart body with one small PNG, and its Content-Type. */
async function multipart(png: Uint8Array): Promise<{ body: Uint8Array; type: string }> {
  const form = new FormData();
  form.append('file', new Blob([png as BlobPart], { type: 'image/png' }), 'me.png');
  const encoded = new Request('http://x/', { method: 'POST', body: form });
  return { body: new Uint8Array(await encoded.arrayBuffer()), type: encoded.headers.get('content-type')! };
}

const PNG = placeholderPng({ width: 16, height: 16, index: 0, hue: 90 });

async function upload(server: H2Server, headers: OutgoingHttpHeaders = {}) {
  const { body, type } = await multipart(PNG);
  return request(server.session, { ':method': 'POST', ':path': `${BASE}/uploads`, 'content-type': type, ...headers }, body);
}

function poll(server: H2Server, jobId: string, headers: OutgoingHttpHeaders = {}) {
  return request(server.session, { ':method': 'GET', ':path': `${BASE}/jobs/${jobId}`, ...headers });
}

function expectBadHost(answer: H2Answer, message: string) {
  expect(answer.status).toBe(400);
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(JSON.parse(answer.body)).toEqual({ error: { code: 'bad_request', message, status: 400 } });
}

const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));
beforeEach(() => {
  warnings.length = 0;
});

describe('given the proxy under http2.createServer (h2c), reached as a browser would, with :authority and no Host', () => {
  it('when the page uploads a reference from its own origin, it answers 201 with a URL on that host and port, and serves the bytes back', async () => {
    const server = await setUp();
    const uploaded = await upload(server, { origin: server.origin, 'sec-fetch-site': 'same-origin' });
    expect(uploaded.status).toBe(201);
    const { url } = JSON.parse(uploaded.body) as { url: string };
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/api/character/uploads/[0-9a-f-]{36}\\.png$`));

    // The stored file is streamed back through the compat response, not buffered.
    const served = await request(server.session, { ':method': 'GET', ':path': new URL(url).pathname });
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.bytes).toEqual(PNG);
    expect(server.evidence.logLines).toEqual([]);
  });

  it('when a job is submitted from the page and polled, it answers 202 then the job, the poll on the fast path', async () => {
    const server = await setUp();
    const submitted = await request(server.session, { ':method': 'POST', ':path': RUN, origin: server.origin, 'content-type': 'application/json' }, INPUT);
    expect(submitted.status).toBe(202);
    const { jobId } = JSON.parse(submitted.body) as { jobId: string };
    const before = nodeFastPathStats.answered;
    const polled = await poll(server, jobId);
    expect(nodeFastPathStats.answered - before).toBe(1);
    expect(polled.status).toBe(200);
    expect(JSON.parse(polled.body)).toMatchObject({ jobId, status: 'completed' });
    expect(server.evidence.logLines).toEqual([]);
  });

  it('when an authorize hook runs on the poll, it gets a Request on the :authority host with the ordinary headers and no pseudo-headers', async () => {
    const seen: Array<{ url: string; headers: string[] }> = [];
    const server = await setUp({
      authorize: (request) => {
        seen.push({ url: request.url, headers: [...request.headers.keys()] });
        return request.headers.get('cookie') === 'session=ok';
      },
    });
    const submitted = await request(server.session, { ':method': 'POST', ':path': RUN, origin: server.origin, cookie: 'session=ok', 'content-type': 'application/json' }, INPUT);
    expect(submitted.status).toBe(202);
    const { jobId } = JSON.parse(submitted.body) as { jobId: string };
    expect((await poll(server, jobId, { cookie: 'session=ok' })).status).toBe(200);
    expect((await poll(server, jobId)).status).toBe(401);
    expect(seen.map(({ url }) => url)).toEqual([`${server.origin}${RUN}`, `${server.origin}${BASE}/jobs/${jobId}`, `${server.origin}${BASE}/jobs/${jobId}`]);
    expect(seen.flatMap(({ headers }) => headers).filter((name) => name.startsWith(':'))).toEqual([]);
  });

  it('when a page on another site posts an upload, it answers 403 and stores nothing', async () => {
    const server = await setUp();
    const refused = await upload(server, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ error: { code: 'forbidden', message: 'Requests from other sites are not allowed', status: 403 } });
    expect(server.stored).toBe(0);
  });

  it('when a refused upload leaves a 1 MB body unread, the answer still arrives, Node warns about nothing, and the session serves the next request', async () => {
    const server = await setUp();
    const { type } = await multipart(PNG);
    const big = new Uint8Array(1024 * 1024);
    const refused = await request(server.session, { ':method': 'POST', ':path': `${BASE}/uploads`, origin: 'http://evil.example', 'content-type': type }, big);
    expect(refused.status).toBe(403);
    expect(warnings).toEqual([]);
    expect((await upload(server, { origin: server.origin })).status).toBe(201);
  });
});

describe('given an HTTP/2 request whose host cannot be read', () => {
  it.each([
    ['a port past 65535', 'a.example:99999'],
    ['user info before the host', 'evil.example@a.example'],
    ['an IP literal the URL parser refuses', '[1]'],
  ])('when its :authority has %s (%s), a poll (fast path) and an upload both answer 400, with nothing sent upstream or stored', async (_, authority) => {
    const server = await setUp();
    expectBadHost(await poll(server, 'job_abc123', { ':authority': authority }), NOT_A_HOST);
    expectBadHost(await upload(server, { ':authority': authority, origin: `http://${authority}` }), NOT_A_HOST);
    expect(server.upstream).toBe(0);
    expect(server.stored).toBe(0);
    expect(server.evidence.logLines).toEqual([]);
  });

  it('when it carries both an :authority and a Host header naming another host, it answers 400 (RFC 9113 §8.3.1)', async () => {
    const server = await setUp();
    const answer = await upload(server, { ':authority': `127.0.0.1:${server.port}`, host: 'evil.example', origin: 'http://evil.example' });
    expectBadHost(answer, 'The Host header differs from the :authority');
    expect(server.stored).toBe(0);
  });

  it('when it carries neither :authority nor Host, Node resets the stream before the proxy runs, so nothing is served on a stand-in host', async () => {
    const server = await setUp();
    const frames = await rawHttp2(server.port, [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', `${BASE}/jobs/job_abc123`],
    ]);
    expect(frames.map((frame) => frame.type)).toContain(RST_STREAM);
    expect(frames.some((frame) => frame.type === DATA)).toBe(false);
    expect(server.handled).toBe(0);
    expect(server.upstream).toBe(0);
  });
});

describe('given an HTTP/2 request with a Host header and no :authority (RFC 9113 allows either)', () => {
  it('when a reference is uploaded, the Host is read as the authority: the upload URL is on it', async () => {
    const server = await setUp();
    // node:http2's client adds no :authority of its own when the headers name a host.
    const uploaded = await upload(server, { host: 'app.example:8443', origin: 'http://app.example:8443' });
    expect(uploaded.status).toBe(201);
    expect(JSON.parse(uploaded.body).url).toMatch(/^http:\/\/app\.example:8443\/api\/character\/uploads\//);
  });
});

describe('given a Vite dev server with server.https (Vite then serves HTTP/2) and characterProxyPlugin on the simulator', () => {
  it('when the page uploads a reference, submits a job with it and polls, each answers on its own https origin and the image embeds the reference', async () => {
    vi.stubEnv('PIXELDOJO_API_KEY', '');
    const root = await mkdtemp(join(tmpdir(), 'ric-vite-h2-'));
    cleanups.push(async () => {
      vi.unstubAllEnvs();
      await rm(root, { recursive: true, force: true });
    });
    // A throwaway self-signed certificate, made here so no private key lives in the repo.
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(root, 'key.pem'), '-out', join(root, 'cert.pem')], { stdio: 'ignore' });
    } catch (cause) {
      throw new Error('This spec needs the openssl command to make its certificate (Debian: apt-get install openssl)', { cause });
    }
    const vite = await createViteServer({
      configFile: false,
      root,
      appType: 'custom',
      logLevel: 'silent',
      optimizeDeps: { noDiscovery: true, include: [] },
      server: { port: 0, host: '127.0.0.1', ws: false, https: { key: await readFile(join(root, 'key.pem')), cert: await readFile(join(root, 'cert.pem')) } },
      plugins: [characterProxyPlugin({ uploads: { storage: memoryStorage() }, simulator: { durationMs: 0 } })],
    });
    await vite.listen();
    const { port } = vite.httpServer!.address() as AddressInfo;
    const origin = `https://127.0.0.1:${port}`;
    const session = connectHttp2(origin, { rejectUnauthorized: false });
    cleanups.push(async () => {
      session.destroy();
      await vite.close();
    });
    const page = { origin, 'sec-fetch-site': 'same-origin' };

    const { body, type } = await multipart(PNG);
    const uploaded = await request(session, { ':method': 'POST', ':path': `${BASE}/uploads`, 'content-type': type, ...page }, body);
    expect(uploaded.status).toBe(201);
    const reference = (JSON.parse(uploaded.body) as { url: string }).url;
    expect(reference.startsWith(`${origin}${BASE}/uploads/`)).toBe(true);

    const input = JSON.stringify({ prompt: 'A knight in the rain', character_reference_image: reference });
    const submitted = await request(session, { ':method': 'POST', ':path': RUN, 'content-type': 'application/json', ...page }, input);
    expect(submitted.status).toBe(202);
    const { jobId } = JSON.parse(submitted.body) as { jobId: string };
    const polled = await request(session, { ':method': 'GET', ':path': `${BASE}/jobs/${jobId}` });
    const job = JSON.parse(polled.body) as { status: string; output: { images: string[] } };
    expect(job.status).toBe('completed');
    expect(job.output.images[0]).toBe(`${origin}/api/simulator/images/${jobId}/0.svg`);

    const image = await request(session, { ':method': 'GET', ':path': new URL(job.output.images[0]!).pathname });
    expect(image.status).toBe(200);
    expect(image.body).toContain('data:image/png;base64,');
  });
});

const DATA = 0x0;
const HEADERS = 0x1;
const RST_STREAM = 0x3;
const SETTINGS = 0x4;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/**
 * Send one HEADERS frame by hand (HPACK literals without indexing, no Huffman: node:http2's
 * client always adds `:authority`) and collect the server's frames on stream 1 until it ends
 * (END_STREAM or RST_STREAM) or the connection closes.
 */
function rawHttp2(port: number, headers: Array<[string, string]>): Promise<Array<{ type: number; flags: number }>> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const frames: Array<{ type: number; flags: number }> = [];
    let pending = Buffer.alloc(0);
    const done = () => {
      socket.destroy();
      resolve(frames);
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 9 && pending.length >= 9 + pending.readUIntBE(0, 3)) {
        const [type, flags] = [pending[3]!, pending[4]!];
        const stream = pending.readUInt32BE(5) & 0x7fffffff;
        pending = pending.subarray(9 + pending.readUIntBE(0, 3));
        if (stream !== 1) continue;
        frames.push({ type, flags });
        if (type === RST_STREAM || (flags & END_STREAM) !== 0) return done();
      }
    });
    socket.on('close', () => resolve(frames));
    socket.on('error', reject);
    const block = Buffer.concat(headers.map(([name, value]) => Buffer.concat([Buffer.from([0x00, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value)])));
    socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(SETTINGS, 0, 0, Buffer.alloc(0)), frame(HEADERS, END_STREAM | END_HEADERS, 1, block)]));
  });
}
