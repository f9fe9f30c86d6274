import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createCharacterProxy, toNodeHandler, type CharacterProxyOptions, type FetchHandler } from '../../src/server/index.js';
import { createSimulator } from '../../src/testing/index.js';
import { nodeFastPathStats } from '../../src/server/respond.js';
import { placeholderPng } from '../../src/testing/png.js';
import { countingProxy, Evidence, fakeKey, listen, rawRequest, type Listening } from './helpers.js';

/*
 * A Host the proxy cannot read is the client's fault: every route of the proxy answers 400 with
 * its one error body, logs nothing, calls nothing upstream and stores nothing, on the status
 * poll's fast path and the ordinary path alike, so no answer (an upload URL, the origin check)
 * is ever built on a stand-in host. Paths outside basePath still go to next().
 */

const key = fakeKey();
const BASE = '/api/character';
const UPSTREAM = 'http://upstream.invalid/api/v1';
const RUN = `${BASE}/models/ideogram-character/run`;
const INPUT = JSON.stringify({ prompt: 'A knight in the rain', character_reference_image: 'https://example.com/me.png' });
const servers: Listening[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/**
 * A proxy with memory uploads in a real node:http server (with `requireHostHeader: false`, so a
 * request without Host reaches the proxy), counting upstream calls and what was stored.
 */
async function setUp(options: Partial<CharacterProxyOptions> = {}, wrap?: (proxy: FetchHandler) => FetchHandler) {
  const { proxy, evidence, seen } = countingProxy(key, 7, { upstreamUrl: UPSTREAM, ...options });
  const server = await listen(toNodeHandler(wrap ? wrap(proxy) : proxy), undefined, { requireHostHeader: false });
  servers.push(server);
  return { server, evidence, seen };
}

/** How a request carries its Host: the request line's HTTP version and the header lines. */
interface HostForm {
  version?: '1.0' | '1.1';
  lines: string[];
}

function head(requestLine: string, form: HostForm, ...more: string[]): string {
  return [`${requestLine} HTTP/${form.version ?? '1.1'}`, ...form.lines, ...more].join('\r\n');
}

function poll(server: Listening, form: HostForm, jobId = 'job_abc123') {
  return rawRequest(server.port, head(`GET ${BASE}/jobs/${jobId}`, form));
}

function submit(server: Listening, form: HostForm, ...more: string[]) {
  return rawRequest(server.port, head(`POST ${RUN}`, form, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(INPUT)}`, ...more), INPUT);
}

/** A multipart upload of a small PNG, written by hand (Content-Length included). */
async function upload(server: Listening, form: HostForm, ...more: string[]) {
  const data = new FormData();
  data.append('file', new Blob([placeholderPng({ width: 16, height: 16, index: 0, hue: 90 }) as BlobPart], { type: 'image/png' }), 'me.png');
  const encoded = new Request('http://x/', { method: 'POST', body: data });
  const body = new Uint8Array(await encoded.arrayBuffer());
  const raw = head(`POST ${BASE}/uploads`, form, `Content-Type: ${encoded.headers.get('content-type')}`, `Content-Length: ${body.byteLength}`, ...more);
  return rawRequest(server.port, raw, body);
}

const NOT_A_HOST = 'The Host header is not a valid host name';
const TWO_HOSTS = 'The request has more than one Host header';
const NO_HOST = 'The request has no Host header';

function expectBadHost(answer: { status: number; headers: Record<string, string>; body: string }, message: string) {
  expect(answer.status).toBe(400);
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(JSON.parse(answer.body)).toEqual({ error: { code: 'bad_request', message, status: 400 } });
}

const refused: Array<{ what: string; form: HostForm; message: string }> = [
  { what: 'Host: [1] (HOST takes it, the URL parser refuses it)', form: { lines: ['Host: [1]'] }, message: NOT_A_HOST },
  { what: 'Host: xn--a (HOST takes it, the URL parser refuses it)', form: { lines: ['Host: xn--a'] }, message: NOT_A_HOST },
  { what: 'Host: a.example:99999 (a port past 65535)', form: { lines: ['Host: a.example:99999'] }, message: NOT_A_HOST },
  { what: 'Host: bad host (no host name)', form: { lines: ['Host: bad host'] }, message: NOT_A_HOST },
  { what: 'Host: a.example/@evil.example (a path in the Host)', form: { lines: ['Host: a.example/@evil.example'] }, message: NOT_A_HOST },
  { what: 'an empty Host on HTTP/1.1', form: { lines: ['Host: '] }, message: NOT_A_HOST },
  { what: 'Host: bad host on HTTP/1.0 (a Host sent must be valid there too)', form: { version: '1.0', lines: ['Host: bad host'] }, message: NOT_A_HOST },
  { what: 'Host: example.com.. (more than one trailing dot)', form: { lines: ['Host: example.com..'] }, message: NOT_A_HOST },
  { what: 'Host: 127.0.0.1. (a trailing dot after an IPv4 address)', form: { lines: ['Host: 127.0.0.1.'] }, message: NOT_A_HOST },
  { what: 'Host: [::1]. (a trailing dot after an IPv6 literal)', form: { lines: ['Host: [::1].'] }, message: NOT_A_HOST },
  { what: 'two different Host headers', form: { lines: ['Host: 127.0.0.1', 'Host: evil.example'] }, message: TWO_HOSTS },
  { what: 'the same Host header twice, in two letter cases', form: { lines: ['Host: 127.0.0.1', 'HOST: 127.0.0.1'] }, message: TWO_HOSTS },
  { what: 'no Host on HTTP/1.1 (a server with requireHostHeader: false)', form: { lines: [] }, message: NO_HOST },
];

describe.each(refused)('given a request with $what', ({ form, message }) => {
  it('when a status poll reaches a proxy without hooks (the fast path), it answers 400 with the error body, logs nothing and calls no upstream', async () => {
    const { server, evidence, seen } = await setUp();
    expectBadHost(await poll(server, form), message);
    expect(evidence.logLines).toEqual([]);
    expect(seen.upstream).toBe(0);
  });

  it('when a status poll reaches a proxy with an authorize hook, it answers 400 before the hook runs and logs nothing', async () => {
    let authorized = 0;
    const { server, evidence, seen } = await setUp({ authorize: () => ++authorized > 0 });
    expectBadHost(await poll(server, form), message);
    expect(authorized).toBe(0);
    expect(evidence.logLines).toEqual([]);
    expect(seen.upstream).toBe(0);
  });

  it('when a status poll goes through a wrapping handler (no fast path, as in the Vite plugin), the answer is the same 400', async () => {
    const { server, evidence } = await setUp({}, (proxy) => (request) => proxy(request));
    expectBadHost(await poll(server, form), message);
    expect(evidence.logLines).toEqual([]);
  });

  it('when a job is submitted, it answers 400 with the error body, logs nothing and submits nothing upstream', async () => {
    const { server, evidence, seen } = await setUp({ authorize: () => true });
    expectBadHost(await submit(server, form), message);
    expect(evidence.logLines).toEqual([]);
    expect(seen.upstream).toBe(0);
  });

  it('when a reference is uploaded, it answers 400 and stores nothing (no upload URL on a stand-in host)', async () => {
    const { server, evidence, seen } = await setUp();
    expectBadHost(await upload(server, form), message);
    expect(seen.stored).toBe(0);
    expect(evidence.logLines).toEqual([]);
  });

  it('when the proxy trusts a reverse proxy that sent a valid X-Forwarded-Host, the unreadable Host is still refused', async () => {
    const { server, seen } = await setUp({ trustProxy: true });
    expectBadHost(await upload(server, form, 'X-Forwarded-Host: app.example', 'X-Forwarded-Proto: https'), message);
    expect(seen.stored).toBe(0);
  });

  it('when the proxy is middleware (Express, Connect, Vite), a path outside basePath still goes to next() and a path inside answers 400', async () => {
    const evidence = new Evidence();
    const handler = toNodeHandler(createCharacterProxy({ apiKey: key, basePath: BASE, upstreamUrl: UPSTREAM, logger: evidence.logger, fetch: createSimulator({ apiKey: key }) }));
    const server = await listen(
      (req: IncomingMessage, res: ServerResponse) =>
        handler(req, res, () => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('the app');
        }),
      undefined,
      { requireHostHeader: false },
    );
    servers.push(server);
    const outside = await rawRequest(server.port, head('GET /about', form));
    expect(outside.status).toBe(200);
    expect(outside.body).toBe('the app');
    expectBadHost(await poll(server, form), message);
    expect(evidence.logLines).toEqual([]);
  });
});

describe('given a request with a valid Host', () => {
  it('when a job is submitted and polled, the proxy answers as always (202, then the job)', async () => {
    const { server, evidence } = await setUp();
    const form = { lines: [`Host: 127.0.0.1:${server.port}`] };
    const submitted = await submit(server, form);
    expect(submitted.status).toBe(202);
    const { jobId } = JSON.parse(submitted.body) as { jobId: string };
    const polled = await poll(server, form, jobId);
    expect(polled.status).toBe(200);
    expect(JSON.parse(polled.body)).toMatchObject({ jobId });
    expect(evidence.logLines).toEqual([]);
  });

  it('when it is an nginx upstream name with an underscore (app_backend), the upload URL is on that host', async () => {
    const { server } = await setUp();
    const uploaded = await upload(server, { lines: ['Host: app_backend:8080'] });
    expect(uploaded.status).toBe(201);
    expect(JSON.parse(uploaded.body).url).toMatch(/^http:\/\/app_backend:8080\/api\/character\/uploads\/[0-9a-f-]{36}\.png$/);
  });

  it('when it is a fully qualified name with a trailing dot (example.com.), its own page may upload and gets a URL on that host; a page on example.com is another origin, as for the browser', async () => {
    const { server, seen } = await setUp();
    const form = { lines: ['Host: example.com.:8080'] };
    const own = await upload(server, form, 'Origin: http://example.com.:8080', 'Sec-Fetch-Site: same-origin');
    expect(own.status).toBe(201);
    expect(JSON.parse(own.body).url).toMatch(/^http:\/\/example\.com\.:8080\/api\/character\/uploads\/[0-9a-f-]{36}\.png$/);
    const other = await upload(server, form, 'Origin: http://example.com:8080', 'Sec-Fetch-Site: cross-site');
    expect(other.status).toBe(403);
    expect(seen.stored).toBe(1);
  });

  it('when the proxy trusts a reverse proxy that sent X-Forwarded-Host: app.example. (fully qualified), the upload URL is on it, dot kept', async () => {
    const { server } = await setUp({ trustProxy: true });
    const uploaded = await upload(server, { lines: ['Host: 127.0.0.1'] }, 'X-Forwarded-Host: app.example.', 'X-Forwarded-Proto: https');
    expect(uploaded.status).toBe(201);
    expect(JSON.parse(uploaded.body).url).toMatch(/^https:\/\/app\.example\.\/api\/character\/uploads\//);
  });

  it.each(['a.example:99999', 'bad host', '[1]'])(
    'when the proxy trusts a reverse proxy and X-Forwarded-Host is invalid (%s), it is ignored: the upload URL is on the Host',
    async (forwarded) => {
      const { server } = await setUp({ trustProxy: true });
      const uploaded = await upload(server, { lines: ['Host: app.example'] }, `X-Forwarded-Host: ${forwarded}`, 'X-Forwarded-Proto: https');
      expect(uploaded.status).toBe(201);
      expect(JSON.parse(uploaded.body).url).toMatch(/^https:\/\/app\.example\/api\/character\/uploads\//);
    },
  );
});

describe('given an HTTP/1.0 request without a Host header (HTTP/1.0 has none)', () => {
  const form: HostForm = { version: '1.0', lines: [] };

  it('when a job is submitted and polled, the proxy serves it, read as localhost, on the fast path too', async () => {
    const { server, evidence } = await setUp();
    const submitted = await submit(server, form);
    expect(submitted.status).toBe(202);
    const { jobId } = JSON.parse(submitted.body) as { jobId: string };
    const before = nodeFastPathStats.answered;
    const polled = await poll(server, form, jobId);
    expect(nodeFastPathStats.answered - before).toBe(1);
    expect(polled.status).toBe(200);
    expect(JSON.parse(polled.body)).toMatchObject({ jobId });
    expect(evidence.logLines).toEqual([]);
  });

  it('when a reference is uploaded, its URL is on localhost (or on X-Forwarded-Host with trustProxy)', async () => {
    const plain = await setUp();
    expect(JSON.parse((await upload(plain.server, form)).body).url).toMatch(/^http:\/\/localhost\/api\/character\/uploads\//);
    const behind = await setUp({ trustProxy: true });
    expect(JSON.parse((await upload(behind.server, form, 'X-Forwarded-Host: app.example', 'X-Forwarded-Proto: https')).body).url).toMatch(/^https:\/\/app\.example\/api\/character\/uploads\//);
  });
});
