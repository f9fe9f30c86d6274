import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCharacterProxy, toNodeHandler, type CharacterProxyOptions } from '../../src/server/index.js';
import { createSimulator, type Simulator } from '../../src/testing/index.js';
import { errorBodySchema } from '../../src/core/schemas.js';
import { Evidence, fakeKey, listen, rawRequest, type Listening, type SeenRequest } from './helpers.js';

const key = fakeKey();
const evidence = new Evidence();
const input = { prompt: 'A knight in the rain', character_reference_image: 'https://example.com/me.png' };
const RUN = '/api/character/models/ideogram-character/run';

let clock = Date.parse('2026-01-01T00:00:00Z');
let simulator: Simulator;
let upstream: Listening;
const seen: SeenRequest[] = [];
const servers: Listening[] = [];

/** The proxy in a real node:http server, in front of the simulator in another one. */
async function startProxy(options: Partial<CharacterProxyOptions> = {}, upstreamUrl = `${upstream.url}/api/v1`): Promise<Listening> {
  const proxy = createCharacterProxy({ apiKey: key, basePath: '/api/character', upstreamUrl, logger: evidence.logger, ...options });
  const server = await listen(toNodeHandler(proxy));
  servers.push(server);
  return server;
}

/** The fields the tests read from proxy answers (jobs and errors). */
interface AnswerBody {
  jobId: string;
  status: string;
  statusUrl: string;
  output: { images: string[] };
  error: { code: string; message: string; status: number; fieldErrors: Record<string, string[]>; retryAfterMs?: number; upstreamStatus?: number };
}

async function call(server: Listening, path: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await evidence.keep(response);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as AnswerBody };
}

function submit(server: Listening, body: unknown = input, headers: Record<string, string> = {}) {
  return call(server, RUN, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

let proxy: Listening;

beforeAll(async () => {
  simulator = createSimulator({ apiKey: key, durationMs: 10_000, seed: 3, now: () => clock });
  const simulatorHandler = toNodeHandler(simulator);
  upstream = await listen((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    simulatorHandler(req, res);
  });
  servers.push(upstream);
  proxy = await startProxy();
});

beforeEach(() => {
  simulator.reset();
  seen.length = 0;
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe('given the proxy in front of the simulator', () => {
  it('when a valid job is submitted and polled, it answers the job with statusUrl on the proxy and the images once completed', async () => {
    const submitted = await submit(proxy, input, { 'idempotency-key': 'first-job' });
    expect(submitted.status).toBe(202);
    expect(submitted.json.jobId).toMatch(/^job_/);
    // The simulator put its own host in statusUrl; the browser must only ever see the proxy's path.
    expect(submitted.json.statusUrl).toBe(`/api/character/jobs/${submitted.json.jobId}`);

    clock += 11_000;
    const polled = await call(proxy, `/api/character/jobs/${submitted.json.jobId}`);
    expect(polled.status).toBe(200);
    expect(polled.json.status).toBe('completed');
    expect(polled.json.output.images).toHaveLength(1);
    expect(polled.json.statusUrl).toBe(`/api/character/jobs/${submitted.json.jobId}`);
  });

  it('sends upstream only its own key, the JSON type and the idempotency key: never the client cookies or Authorization', async () => {
    await submit(proxy, input, { authorization: 'Bearer browser-session', cookie: 'session=abc', 'x-forwarded-for': '10.0.0.1', 'idempotency-key': 'hdrs' });
    expect(seen).toHaveLength(1);
    const headers = seen[0]!.headers;
    expect(headers.authorization).toBe(`Bearer ${key}`);
    expect(headers.cookie).toBeUndefined();
    expect(headers['x-forwarded-for']).toBeUndefined();
    expect(headers['idempotency-key']).toBe('hdrs');
    expect(headers['content-type']).toBe('application/json');
  });

  it('forwards the validated parameters re-serialised, so a duplicate key cannot smuggle a second value past validation', async () => {
    const body = `{"prompt":"A knight","character_reference_image":"https://example.com/me.png","numberOfImages":2,"numberOfImages":1}`;
    const answer = await call(proxy, RUN, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(answer.status).toBe(202);
    expect(simulator.jobs()[0]).toBeDefined();
    clock += 11_000;
    const job = await call(proxy, `/api/character/jobs/${answer.json.jobId}`);
    expect(job.json.output.images).toHaveLength(1);
  });
});

interface HostileCase {
  name: string;
  head: string;
  body?: string;
  status: number;
  allow?: string;
}

const json = (body: string) => `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}`;
const valid = JSON.stringify(input);

const hostile: HostileCase[] = [
  { name: 'dot segments', head: 'GET /api/character/jobs/../models/ideogram-character/run HTTP/1.1', status: 400 },
  { name: 'dot segments out of the base path', head: 'GET /api/character/../../etc/passwd HTTP/1.1', status: 400 },
  { name: 'encoded dots %2e%2e', head: 'GET /api/character/jobs/%2e%2e/%2e%2e/admin HTTP/1.1', status: 400 },
  { name: 'mixed .%2e', head: 'GET /api/character/jobs/.%2E/x HTTP/1.1', status: 400 },
  { name: 'encoded slash %2f', head: 'GET /api/character/jobs/job_a%2f..%2fadmin HTTP/1.1', status: 400 },
  { name: 'double-encoded %252e%252e%252f', head: 'GET /api/character/jobs/%252e%252e%252fadmin HTTP/1.1', status: 400 },
  { name: 'backslashes', head: 'GET /api/character/jobs\\..\\..\\admin HTTP/1.1', status: 400 },
  { name: 'encoded backslash %5c', head: 'GET /api/character/jobs/job_a%5c..%5cadmin HTTP/1.1', status: 400 },
  { name: 'an absolute-URL request target', head: 'GET http://evil.example/api/character/jobs/job_abc HTTP/1.1', status: 400 },
  { name: 'an absolute-URL submit target', head: `POST http://evil.example${RUN} HTTP/1.1\r\n${json(valid)}`, body: valid, status: 400 },
  { name: 'another model id', head: `POST /api/character/models/flux-pro/run HTTP/1.1\r\n${json(valid)}`, body: valid, status: 404 },
  { name: 'a model id with a suffix', head: `POST /api/character/models/ideogram-character-v2/run HTTP/1.1\r\n${json(valid)}`, body: valid, status: 404 },
  { name: 'a path outside the base path', head: 'GET /api/v1/jobs/job_abc HTTP/1.1', status: 404 },
  { name: 'an unknown route under the base path', head: 'GET /api/character/account HTTP/1.1', status: 404 },
  { name: 'a double slash', head: 'GET /api/character//jobs/job_abc HTTP/1.1', status: 404 },
  { name: 'X-HTTP-Method-Override: GET on a POST to a job', head: 'POST /api/character/jobs/job_abc HTTP/1.1\r\nX-HTTP-Method-Override: GET\r\nContent-Length: 0', status: 405, allow: 'GET' },
  {
    name: 'every method-override header on a GET to submit',
    head: 'GET /api/character/models/ideogram-character/run HTTP/1.1\r\nX-HTTP-Method-Override: POST\r\nX-HTTP-Method: POST\r\nX-Method-Override: POST',
    status: 405,
    allow: 'POST',
  },
  { name: 'DELETE on a job', head: 'DELETE /api/character/jobs/job_abc HTTP/1.1', status: 405, allow: 'GET' },
  { name: 'PUT on submit', head: `PUT ${RUN} HTTP/1.1\r\n${json(valid)}`, body: valid, status: 405, allow: 'POST' },
  { name: 'POST to uploads when uploads are not configured', head: 'POST /api/character/uploads HTTP/1.1\r\nContent-Length: 0', status: 404 },
  { name: 'CR LF through the job id', head: 'GET /api/character/jobs/job_a%0d%0aSet-Cookie:%20stolen=1 HTTP/1.1', status: 404 },
  { name: 'an encoded query in the job id', head: 'GET /api/character/jobs/job_abc%3Fdebug=1 HTTP/1.1', status: 404 },
  { name: 'a job id that does not start with job_', head: 'GET /api/character/jobs/abc HTTP/1.1', status: 404 },
  { name: 'a job id of 129 characters', head: `GET /api/character/jobs/job_${'a'.repeat(129)} HTTP/1.1`, status: 404 },
  { name: 'a text/plain submit', head: `POST ${RUN} HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: ${valid.length}`, body: valid, status: 415 },
  { name: 'a submit without Content-Type', head: `POST ${RUN} HTTP/1.1\r\nContent-Length: ${valid.length}`, body: valid, status: 415 },
  { name: 'a form-encoded submit', head: `POST ${RUN} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 8`, body: 'prompt=x', status: 415 },
  { name: 'a declared body over 64 KB', head: `POST ${RUN} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 70000`, body: 'x'.repeat(70_000), status: 413 },
  {
    name: 'a chunked body over 64 KB with no Content-Length',
    head: `POST ${RUN} HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`,
    body: `${(70_000).toString(16)}\r\n${'x'.repeat(70_000)}\r\n0\r\n\r\n`,
    status: 413,
  },
  { name: 'invalid JSON', head: `POST ${RUN} HTTP/1.1\r\n${json('{"prompt": ')}`, body: '{"prompt": ', status: 400 },
  { name: 'a JSON array', head: `POST ${RUN} HTTP/1.1\r\n${json('[1]')}`, body: '[1]', status: 422 },
  {
    name: 'an unknown field',
    head: `POST ${RUN} HTTP/1.1\r\n${json(JSON.stringify({ ...input, webhook: 'http://evil' }))}`,
    body: JSON.stringify({ ...input, webhook: 'http://evil' }),
    status: 400,
  },
  {
    name: 'a javascript: reference image',
    head: `POST ${RUN} HTTP/1.1\r\n${json(JSON.stringify({ ...input, character_reference_image: 'javascript:alert(1)' }))}`,
    body: JSON.stringify({ ...input, character_reference_image: 'javascript:alert(1)' }),
    status: 422,
  },
  {
    name: 'a CR LF idempotency key',
    head: `POST ${RUN} HTTP/1.1\r\n${json(valid)}\r\nIdempotency-Key: a b`,
    body: valid,
    status: 400,
  },
];

describe('given hostile requests on the wire', () => {
  it.each(hostile)('when it gets $name, it answers $status in the one error shape and nothing reaches upstream', async (row) => {
    const answer = evidence.keepRaw(await rawRequest(proxy.port, `${row.head}\r\nHost: 127.0.0.1:${proxy.port}`, row.body));
    expect(answer.status).toBe(row.status);
    expect(errorBodySchema.safeParse(JSON.parse(answer.body)).success).toBe(true);
    expect(JSON.parse(answer.body).error.status).toBe(row.status);
    if (row.allow) expect(answer.headers.allow).toBe(row.allow);
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('when the query string carries a URL, it is not forwarded: upstream sees only the job path', async () => {
    const answer = evidence.keepRaw(await rawRequest(proxy.port, `GET /api/character/jobs/job_abc?url=http://evil.example/&..=/ HTTP/1.1\r\nHost: x`));
    expect(answer.status).toBe(404);
    expect(seen.map((request) => request.url)).toEqual(['/api/v1/jobs/job_abc']);
  });

  it('when the input is invalid, it answers 422 with field errors and spends no upstream request', async () => {
    const answer = await submit(proxy, { ...input, prompt: '   ', numberOfImages: 9 });
    expect(answer.status).toBe(422);
    expect(answer.json.error.code).toBe('invalid_input');
    expect(Object.keys(answer.json.error.fieldErrors).sort()).toEqual(['numberOfImages', 'prompt']);
    expect(simulator.stats.requests).toBe(0);
  });
});

describe('given an upstream that misbehaves', () => {
  it('when the upstream answers an HTML 500, it answers 502 JSON with the upstream status', async () => {
    const failing = createSimulator({ apiKey: key, serverErrorRate: 1 });
    const failingServer = await listen(toNodeHandler(failing));
    servers.push(failingServer);
    const server = await startProxy({}, `${failingServer.url}/api/v1`);
    const answer = await submit(server);
    expect(answer.status).toBe(502);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.json.error).toMatchObject({ code: 'upstream', status: 502 });
    expect([500, 502]).toContain(answer.json.error.upstreamStatus);
    expect(answer.text).not.toContain('<html');
  });

  it('when the upstream never answers, it answers 504 JSON after timeoutMs', async () => {
    const hung = await listen(() => undefined);
    servers.push(hung);
    const server = await startProxy({ timeoutMs: 150 }, `${hung.url}/api/v1`);
    const answer = await call(server, '/api/character/jobs/job_hung');
    expect(answer.status).toBe(504);
    expect(answer.json.error).toMatchObject({ code: 'timeout', status: 504 });
  });

  it('when the upstream rate-limits, it answers 429 with Retry-After, retryAfterMs and the rate-limit headers only', async () => {
    const limited = createSimulator({ apiKey: key, rateLimitRate: 1 });
    const limitedServer = await listen(toNodeHandler(limited));
    servers.push(limitedServer);
    const server = await startProxy({}, `${limitedServer.url}/api/v1`);
    const answer = await submit(server);
    expect(answer.status).toBe(429);
    const seconds = Number(answer.headers.get('retry-after'));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(answer.json.error).toMatchObject({ code: 'rate_limited', retryAfterMs: seconds * 1000 });
    expect(answer.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('when the upstream drops the connection, it answers 502 JSON', async () => {
    const dropping = createSimulator({ apiKey: key, dropRate: 1 });
    const droppingServer = await listen(toNodeHandler(dropping));
    servers.push(droppingServer);
    const server = await startProxy({}, `${droppingServer.url}/api/v1`);
    const answer = await call(server, '/api/character/jobs/job_abc');
    expect(answer.status).toBe(502);
    expect(answer.json.error.code).toBe('upstream');
  });

  it('when the upstream refuses the key, it answers 502 (not the browser’s fault) and logs an error without the key', async () => {
    const other = createSimulator({ apiKey: fakeKey() });
    const otherServer = await listen(toNodeHandler(other));
    servers.push(otherServer);
    const server = await startProxy({}, `${otherServer.url}/api/v1`);
    const lines = evidence.logLines.length;
    const answer = await submit(server);
    expect(answer.status).toBe(502);
    expect(answer.json.error.upstreamStatus).toBe(401);
    expect(evidence.logLines.slice(lines).join('\n')).toMatch(/refused the proxy's API key/);
  });

  it('when the upstream puts the key in a message, the key is scrubbed from what the browser sees', async () => {
    const echo = await listen((_req, res) => {
      res.writeHead(422, { 'content-type': 'application/json', 'x-ratelimit-note': `key ${key}` });
      res.end(JSON.stringify({ error: { code: 'invalid_input', message: `Bad key ${key} for prompt`, fieldErrors: { prompt: [`no ${key}`] } } }));
    });
    servers.push(echo);
    const server = await startProxy({}, echo.url);
    const answer = await submit(server);
    expect(answer.status).toBe(422);
    expect(answer.json.error.message).toBe('Bad key [redacted] for prompt');
    expect(answer.json.error.fieldErrors.prompt).toEqual(['no [redacted]']);
    expect(answer.headers.get('x-ratelimit-note')).toBe('key [redacted]');
  });

  it('when the upstream answers a job id that is not a job id, it answers 502 and forwards nothing of it', async () => {
    const odd = await listen((_req, res) => {
      res.writeHead(202, { 'content-type': 'application/json', 'set-cookie': 'upstream=1' });
      res.end(JSON.stringify({ jobId: '../../admin', status: 'pending' }));
    });
    servers.push(odd);
    const server = await startProxy({}, odd.url);
    const answer = await submit(server);
    expect(answer.status).toBe(502);
    expect(answer.json.error.code).toBe('invalid_response');
    expect(answer.headers.get('set-cookie')).toBeNull();
  });
});

describe('given the API key setting', () => {
  it('when no key is set anywhere, it answers 500 misconfigured without saying anything secret and sends nothing upstream', async () => {
    vi.stubEnv('PIXELDOJO_API_KEY', '');
    try {
      const server = await startProxy({ apiKey: undefined });
      const answer = await submit(server);
      expect(answer.status).toBe(500);
      expect(answer.json.error).toEqual({ code: 'misconfigured', message: 'The generation service is not configured', status: 500 });
      expect(seen).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('when the key comes from PIXELDOJO_API_KEY, it is read at request time', async () => {
    const server = await startProxy({ apiKey: undefined });
    vi.stubEnv('PIXELDOJO_API_KEY', key);
    try {
      expect((await submit(server)).status).toBe(202);
      expect(seen[0]!.headers.authorization).toBe(`Bearer ${key}`);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('given idempotency keys', () => {
  it('when the same submit is retried with the same key, it answers the first job and submits once upstream', async () => {
    const first = await submit(proxy, input, { 'idempotency-key': 'retry-me' });
    const second = await submit(proxy, input, { 'idempotency-key': 'retry-me' });
    expect(second.status).toBe(202);
    expect(second.json.jobId).toBe(first.json.jobId);
    expect(simulator.stats.submits).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('when duplicates arrive at the same time, they share one upstream request', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => submit(proxy, input, { 'idempotency-key': 'together' })));
    expect(new Set(answers.map((answer) => answer.json.jobId)).size).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('when the same key comes with other parameters, it answers 409 and sends nothing upstream', async () => {
    await submit(proxy, input, { 'idempotency-key': 'reused' });
    const other = await submit(proxy, { ...input, prompt: 'Another scene' }, { 'idempotency-key': 'reused' });
    expect(other.status).toBe(409);
    expect(seen).toHaveLength(1);
  });

  it('when different keys are used, each is a new job', async () => {
    const a = await submit(proxy, input, { 'idempotency-key': 'key-a' });
    const b = await submit(proxy, input, { 'idempotency-key': 'key-b' });
    expect(a.json.jobId).not.toBe(b.json.jobId);
    expect(simulator.stats.submits).toBe(2);
  });

  it('when the first attempt failed upstream, a retry with the same key goes upstream again', async () => {
    simulator.credits = 0;
    const failed = await submit(proxy, input, { 'idempotency-key': 'after-402' });
    expect(failed.status).toBe(402);
    expect(failed.json.error.code).toBe('insufficient_credits');
    simulator.credits = 100;
    const retried = await submit(proxy, input, { 'idempotency-key': 'after-402' });
    expect(retried.status).toBe(202);
  });
});

describe('given authorize and rateLimit hooks', () => {
  it('when authorize answers false, it answers 401 and nothing reaches upstream', async () => {
    const server = await startProxy({ authorize: (request) => request.headers.get('cookie') === 'session=ok' });
    expect((await submit(server)).status).toBe(401);
    expect(seen).toEqual([]);
    expect((await submit(server, input, { cookie: 'session=ok' })).status).toBe(202);
  });

  it('when authorize answers a Response, that response is sent', async () => {
    const server = await startProxy({ authorize: async () => new Response('{"error":{"code":"forbidden","message":"No","status":403}}', { status: 403 }) });
    const answer = await call(server, '/api/character/jobs/job_abc');
    expect(answer.status).toBe(403);
    expect(answer.json.error.code).toBe('forbidden');
    expect(seen).toEqual([]);
  });

  it('when rateLimit refuses, it answers 429 with Retry-After in whole seconds and nothing reaches upstream', async () => {
    const server = await startProxy({ rateLimit: () => ({ retryAfterMs: 1500 }) });
    const answer = await submit(server);
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('2');
    expect(answer.json.error).toMatchObject({ code: 'rate_limited', retryAfterMs: 1500 });
    expect(seen).toEqual([]);
  });

  it('when a hook throws, it answers 500 JSON and logs the error', async () => {
    const server = await startProxy({
      authorize: () => {
        throw new Error(`database down (${key})`);
      },
    });
    const lines = evidence.logLines.length;
    const answer = await submit(server);
    expect(answer.status).toBe(500);
    expect(evidence.logLines.slice(lines).join('\n')).toContain('database down ([redacted])');
  });
});

describe('given toNodeHandler', () => {
  it('when the client disconnects mid-request, the upstream request is aborted', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<string>((resolve) => (upstreamClosed = () => resolve('closed')));
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const hung = await listen((req) => {
      req.socket.on('close', upstreamClosed);
      arrived();
    });
    servers.push(hung);
    const server = await startProxy({ timeoutMs: 60_000 }, hung.url);
    const controller = new AbortController();
    const pending = fetch(`${server.url}/api/character/jobs/job_abc`, { signal: controller.signal }).catch((error: unknown) => error);
    await reached;
    controller.abort();
    await pending;
    await expect(closed).resolves.toBe('closed');
  });

  it('when the handler throws a dropConnection error, the socket closes with no answer', async () => {
    const dropping = createSimulator({ dropRate: 1 });
    const server = await listen(toNodeHandler(dropping));
    servers.push(server);
    const answer = await rawRequest(server.port, 'GET /api/v1/jobs/job_abc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t');
    expect(answer.text).toBe('');
  });

  it('when the handler throws anything else, it answers 500 JSON', async () => {
    const server = await listen(
      toNodeHandler(async () => {
        throw new Error('boom');
      }),
    );
    servers.push(server);
    const answer = await call(server, '/anything');
    expect(answer.status).toBe(500);
    expect(answer.json.error.code).toBe('internal');
  });

  it('when mounted as middleware, paths outside basePath go to next()', async () => {
    const handler = toNodeHandler(createCharacterProxy({ apiKey: key, basePath: '/api/character', upstreamUrl: `${upstream.url}/api/v1` }));
    const server = await listen((req, res) =>
      handler(req, res, async () => {
        let body = '';
        for await (const chunk of req) body += String(chunk);
        res.end(`next ${req.method} ${body}`);
      }),
    );
    servers.push(server);
    expect((await call(server, '/index.html')).text).toBe('next GET ');
    // The proxy did not touch the body of a request it passed on.
    expect((await call(server, '/api/login', { method: 'POST', body: 'user=ada' })).text).toBe('next POST user=ada');
    expect((await call(server, '/api/character/jobs/nope')).status).toBe(404);
  });
});

describe('given everything this suite saw', () => {
  it('finds the key in no response body, header or log line', () => {
    expect(evidence.texts.length).toBeGreaterThan(40);
    expect(evidence.leaks(key)).toEqual([]);
  });
});
