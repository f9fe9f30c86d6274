import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createCharacterProxy, toNodeHandler, type CharacterProxyOptions, type FetchHandler } from '../../src/server/index.js';
import { createSimulator } from '../../src/testing/index.js';
import { Evidence, fakeKey, listen, rawRequest, type Listening } from './helpers.js';

/*
 * A Host header that the proxy's HOST pattern takes but the URL parser refuses (`[1]`, `xn--a`)
 * is the client's fault: every route of the proxy answers 400 with its one error body, logs
 * nothing and calls nothing upstream, on the status poll's fast path and the ordinary path alike.
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

/** A proxy in a real node:http server, counting upstream calls and authorize calls. */
async function setUp(options: Partial<CharacterProxyOptions> = {}, wrap?: (proxy: FetchHandler) => FetchHandler) {
  const simulator = createSimulator({ apiKey: key, durationMs: 0, seed: 7 });
  const evidence = new Evidence();
  const seen = { upstream: 0 };
  const proxy = createCharacterProxy({
    apiKey: key,
    basePath: BASE,
    upstreamUrl: UPSTREAM,
    logger: evidence.logger,
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      seen.upstream++;
      return simulator(new Request(input, init));
    },
    ...options,
  });
  const server = await listen(toNodeHandler(wrap ? wrap(proxy) : proxy));
  servers.push(server);
  return { server, evidence, seen };
}

function poll(server: Listening, host: string) {
  return rawRequest(server.port, `GET ${BASE}/jobs/job_abc123 HTTP/1.1\r\nHost: ${host}`);
}

function submit(server: Listening, host: string) {
  return rawRequest(server.port, `POST ${RUN} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(INPUT)}`, INPUT);
}

function expectBadHost(answer: { status: number; headers: Record<string, string>; body: string }) {
  expect(answer.status).toBe(400);
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(JSON.parse(answer.body)).toEqual({ error: { code: 'bad_request', message: 'The Host header is not a valid host name', status: 400 } });
}

const errorLines = (evidence: Evidence) => evidence.logLines.filter((line) => line.startsWith('error'));

describe.each(['[1]', 'xn--a'])('given a request with Host: %s (HOST takes it, the URL parser refuses it)', (host) => {
  it('when a status poll reaches a proxy without hooks (the fast path), it answers 400 with the error body, logs nothing and calls no upstream', async () => {
    const { server, evidence, seen } = await setUp();
    expectBadHost(await poll(server, host));
    expect(evidence.logLines).toEqual([]);
    expect(seen.upstream).toBe(0);
  });

  it('when a status poll reaches a proxy with an authorize hook, it answers 400 before the hook runs and logs nothing', async () => {
    let authorized = 0;
    const { server, evidence, seen } = await setUp({ authorize: () => ++authorized > 0 });
    expectBadHost(await poll(server, host));
    expect(authorized).toBe(0);
    expect(errorLines(evidence)).toEqual([]);
    expect(evidence.logLines).toEqual([]);
    expect(seen.upstream).toBe(0);
  });

  it('when a status poll goes through a wrapping handler (no fast path), the answer is the same 400', async () => {
    const { server, evidence } = await setUp({}, (proxy) => (request) => proxy(request));
    expectBadHost(await poll(server, host));
    expect(evidence.logLines).toEqual([]);
  });

  it('when a job is submitted, it answers 400 with the error body, logs nothing and submits nothing upstream', async () => {
    const { server, evidence, seen } = await setUp({ authorize: () => true });
    expectBadHost(await submit(server, host));
    expect(evidence.logLines).toEqual([]);
    expect(seen.upstream).toBe(0);
  });

  it('when the proxy is middleware (Express, Connect, Vite), a path outside basePath still goes to next() and a path inside answers 400', async () => {
    const evidence = new Evidence();
    const handler = toNodeHandler(createCharacterProxy({ apiKey: key, basePath: BASE, upstreamUrl: UPSTREAM, logger: evidence.logger, fetch: createSimulator({ apiKey: key }) }));
    const server = await listen((req: IncomingMessage, res: ServerResponse) =>
      handler(req, res, () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('the app');
      }),
    );
    servers.push(server);
    const outside = await rawRequest(server.port, `GET /about HTTP/1.1\r\nHost: ${host}`);
    expect(outside.status).toBe(200);
    expect(outside.body).toBe('the app');
    expectBadHost(await poll(server, host));
    expect(evidence.logLines).toEqual([]);
  });
});

describe('given a request with a valid Host', () => {
  it('when a job is submitted and polled, the proxy answers as always (202, then the job)', async () => {
    const { server, evidence } = await setUp();
    const host = `127.0.0.1:${server.port}`;
    const submitted = await submit(server, host);
    expect(submitted.status).toBe(202);
    const { jobId } = JSON.parse(submitted.body) as { jobId: string };
    const polled = await rawRequest(server.port, `GET ${BASE}/jobs/${jobId} HTTP/1.1\r\nHost: ${host}`);
    expect(polled.status).toBe(200);
    expect(JSON.parse(polled.body)).toMatchObject({ jobId });
    expect(evidence.logLines).toEqual([]);
  });
});
