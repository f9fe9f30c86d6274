import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorBodySchema } from '../../src/core/schemas.js';
import { createCharacterProxy, fileSystemStorage, toNodeHandler, type CharacterProxyOptions } from '../../src/server/index.js';
import { createSimulator, type Simulator } from '../../src/testing/index.js';
import { placeholderPng } from '../../src/testing/png.js';
import { Evidence, fakeKey, listen, type Listening } from './helpers.js';

const key = fakeKey();
const evidence = new Evidence();
const input = { prompt: 'A knight in the rain', character_reference_image: 'https://example.com/me.png' };
const RUN = '/api/character/models/ideogram-character/run';
const servers: Listening[] = [];
let directory: string;
let simulator: Simulator;
let upstream: Listening;

/** The proxy in a real node:http server with file-system uploads, in front of the simulator in another one. */
async function startProxy(options: Partial<CharacterProxyOptions> = {}): Promise<Listening> {
  const proxy = createCharacterProxy({
    apiKey: key,
    basePath: '/api/character',
    upstreamUrl: `${upstream.url}/api/v1`,
    uploads: { storage: fileSystemStorage({ directory, publicUrl: 'http://127.0.0.1/api/character/files' }) },
    logger: evidence.logger,
    ...options,
  });
  const server = await listen(toNodeHandler(proxy));
  servers.push(server);
  return server;
}

async function upload(server: Listening, headers: Record<string, string> = {}) {
  const form = new FormData();
  form.append('file', new Blob([placeholderPng({ width: 32, height: 32, index: 0, hue: 120 }) as BlobPart], { type: 'image/png' }), 'me.png');
  const response = await fetch(`${server.url}/api/character/uploads`, { method: 'POST', body: form, headers });
  return { status: response.status, body: JSON.parse(await evidence.keep(response)) as { url?: string; error?: { code: string; message: string; status: number } } };
}

async function submit(server: Listening, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${RUN}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(input) });
  return { status: response.status, body: JSON.parse(await evidence.keep(response)) as { jobId?: string; error?: { code: string; status: number } } };
}

let proxy: Listening;
const stored = async () => readdir(directory);

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ric-origin-'));
  simulator = createSimulator({ apiKey: key });
  upstream = await listen(toNodeHandler(simulator));
  servers.push(upstream);
  proxy = await startProxy();
});

beforeEach(async () => {
  simulator.reset();
  evidence.logLines.length = 0;
  for (const name of await stored()) await rm(join(directory, name));
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(directory, { recursive: true, force: true });
});


describe('given the proxy with uploads and no allowedOrigins', () => {
  it('when a page of its own origin uploads, it stores the file and answers 201', async () => {
    const answer = await upload(proxy, { origin: proxy.url, 'sec-fetch-site': 'same-origin' });
    expect(answer.status).toBe(201);
    expect(await stored()).toHaveLength(1);
  });

  it('when its own page has Referrer-Policy: no-referrer (the browser sends Origin: null with Sec-Fetch-Site: same-origin), uploads and submits pass', async () => {
    const headers = { origin: 'null', 'sec-fetch-site': 'same-origin' };
    expect((await upload(proxy, headers)).status).toBe(201);
    expect((await submit(proxy, headers)).status).toBe(202);
    expect(await stored()).toHaveLength(1);
    expect(evidence.logLines).toEqual([]);
  });

  it('when a request carries no Origin (curl, another server), it passes', async () => {
    expect((await upload(proxy)).status).toBe(201);
    expect((await submit(proxy)).status).toBe(202);
  });

  it.each([
    ['another site', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
    ['the same host on another port', { origin: 'http://127.0.0.1:1' }],
    ['an opaque origin (sandboxed iframe, file:)', { origin: 'null' }],
    ['an opaque origin the browser marked Sec-Fetch-Site: cross-site', { origin: 'null', 'sec-fetch-site': 'cross-site' }],
    ['Origin: null from a sibling site (Sec-Fetch-Site: same-site)', { origin: 'null', 'sec-fetch-site': 'same-site' }],
    ['no Origin but Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
  ])('when %s posts an upload, it answers 403 in the one error shape and stores nothing', async (_name, headers) => {
    const answer = await upload(proxy, headers);
    expect(answer.status).toBe(403);
    expect(errorBodySchema.safeParse(answer.body).success).toBe(true);
    expect(answer.body.error).toEqual({ code: 'forbidden', status: 403, message: 'Requests from other sites are not allowed' });
    expect(await stored()).toEqual([]);
  });

  it('when another site posts a submit, it answers 403 and nothing reaches upstream or costs credits', async () => {
    const answer = await submit(proxy, { origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe('forbidden');
    expect(simulator.stats.requests).toBe(0);
  });

  it('tells the app developer in the log which origin was refused and how to allow it', async () => {
    await upload(proxy, { origin: 'https://evil.example' });
    expect(evidence.logLines).toEqual([expect.stringMatching(/^warn Refused a cross-site POST \/api\/character\/uploads \(Origin https:\/\/evil\.example\).*allowedOrigins/)]);
  });

  it('when a page on https:// posts to the same host reached over http:// (TLS ended in front), it passes', async () => {
    const answer = await submit(proxy, { origin: proxy.url.replace('http:', 'https:') });
    expect(answer.status).toBe(202);
  });

  it('when another site polls a job (a read), it is answered: only state-changing requests are checked', async () => {
    const { body } = await submit(proxy);
    const polled = await fetch(`${proxy.url}/api/character/jobs/${body.jobId}`, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(polled.status).toBe(200);
    await evidence.keep(polled);
  });
});

describe('given the proxy with allowedOrigins', () => {
  let withAllowed: Listening;
  beforeAll(async () => {
    withAllowed = await startProxy({ allowedOrigins: ['https://admin.example/'] });
  });

  it('when a listed site uploads and submits, both pass', async () => {
    expect((await upload(withAllowed, { origin: 'https://admin.example', 'sec-fetch-site': 'cross-site' })).status).toBe(201);
    expect((await submit(withAllowed, { origin: 'https://admin.example' })).status).toBe(202);
    expect(await stored()).toHaveLength(1);
  });

  it('when an unlisted site uploads, it still answers 403', async () => {
    expect((await upload(withAllowed, { origin: 'https://admin.example.evil.example' })).status).toBe(403);
    expect(await stored()).toEqual([]);
  });

  it.each(['admin.example', 'https://admin.example/path', 'ftp://admin.example'])('when an entry is not an origin (%s), createCharacterProxy throws', (entry) => {
    expect(() => createCharacterProxy({ allowedOrigins: [entry] })).toThrow(TypeError);
  });
});

describe('given the proxy behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto and X-Forwarded-Host', () => {
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example' };

  it('with trustProxy, a page on the public origin may upload, and another site still may not', async () => {
    const behind = await startProxy({ trustProxy: true });
    expect((await upload(behind, { ...forwarded, origin: 'https://app.example' })).status).toBe(201);
    expect((await upload(behind, { ...forwarded, origin: 'https://evil.example' })).status).toBe(403);
    expect(await stored()).toHaveLength(1);
  });

  it.each(['a.example:99999', 'a.example:65536', '[1]'])(
    'with trustProxy and an X-Forwarded-Host that is no valid host (%s), it falls back to the request host: the own page still uploads and submits and no error is logged',
    async (badHost) => {
      const behind = await startProxy({ trustProxy: true });
      const headers = { 'x-forwarded-host': badHost, origin: behind.url };
      expect((await upload(behind, headers)).status).toBe(201);
      expect((await submit(behind, headers)).status).toBe(202);
      expect((await upload(behind, { 'x-forwarded-host': badHost, origin: 'https://evil.example' })).status).toBe(403);
      expect(evidence.logLines).toEqual([expect.stringMatching(/^warn Refused a cross-site POST/)]);
      expect(await stored()).toHaveLength(1);
    },
  );

  it('without trustProxy, the public origin is another host: it answers 403 (list it in allowedOrigins or set trustProxy)', async () => {
    expect((await upload(proxy, { ...forwarded, origin: 'https://app.example' })).status).toBe(403);
    expect(await stored()).toEqual([]);
  });
});

describe('given everything this suite saw', () => {
  it('finds the key in no response or log line', () => {
    expect(evidence.texts.length).toBeGreaterThan(10);
    expect(evidence.leaks(key)).toEqual([]);
  });
});
