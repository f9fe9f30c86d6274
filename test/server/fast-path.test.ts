import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createCharacterProxy, memoryStorage, toNodeHandler, type CharacterProxyOptions, type FetchHandler } from '../../src/server/index.js';
import { nodeFastPathStats } from '../../src/server/respond.js';
import { createSimulator } from '../../src/testing/index.js';
import { Evidence, fakeKey, listen, rawRequest, type Listening } from './helpers.js';

/*
 * The status poll under toNodeHandler takes a fast path (no Response built; a Request only for
 * the hooks). These specs hold it to the fetch-standard handler's answers in every
 * configuration, and read the (internal) fast-path counter to show the fast path really ran:
 * its answers are meant to be indistinguishable otherwise.
 */

const key = fakeKey();
const BASE = '/api/character';
const UPSTREAM = 'http://upstream.invalid/api/v1';
const SESSION = 'session=ok';
const servers: Listening[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

afterEach(() => {
  vi.useRealTimers();
});

/** Headers every HTTP/1.1 server adds on the wire; not part of the proxy's answer. */
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function read(response: Response): Promise<Answer> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!TRANSPORT_HEADERS.has(name)) headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

/** What a hook was handed, and by which hook, in call order. */
interface HookCall {
  hook: 'authorize' | 'rateLimit';
  method: string;
  url: string;
  session: string | null;
}

type Hooks = (calls: HookCall[]) => Partial<CharacterProxyOptions>;

function seen(calls: HookCall[], hook: HookCall['hook'], request: Request): void {
  calls.push({ hook, method: request.method, url: request.url, session: request.headers.get('cookie') });
}

/**
 * One proxy (simulator injected as its `fetch`) in a real node:http server, and one completed job
 * to poll, submitted straight to the simulator so no hook sees it.
 */
async function setUp(hooks: Hooks) {
  const simulator = createSimulator({ apiKey: key, durationMs: 0, seed: 5 });
  const calls: HookCall[] = [];
  const evidence = new Evidence();
  const proxy = createCharacterProxy({ apiKey: key, basePath: BASE, upstreamUrl: UPSTREAM, fetch: simulator, logger: evidence.logger, ...hooks(calls) });
  const server = await listen(toNodeHandler(proxy));
  servers.push(server);
  const submitted = await simulator(
    new Request(`${UPSTREAM}/models/ideogram-character/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'A knight in the rain', character_reference_image: 'https://example.com/me.png' }),
    }),
  );
  const { jobId } = (await submitted.json()) as { jobId: string };
  return { proxy, server, calls, evidence, url: `${server.url}${BASE}/jobs/${jobId}` };
}

/**
 * Poll once over the socket (toNodeHandler) and once through the fetch-standard handler, with the
 * same URL and session cookie; each side's hook calls and log lines are kept apart.
 */
async function pollBothWays(proxy: FetchHandler, url: string, calls: HookCall[], evidence: Evidence) {
  const before = nodeFastPathStats.answered;
  const node = await read(await fetch(url, { headers: { cookie: SESSION } }));
  const fastPathRuns = nodeFastPathStats.answered - before;
  const nodeCalls = calls.splice(0);
  const nodeLog = evidence.logLines.splice(0);
  const direct = await read(await proxy(new Request(url, { headers: { cookie: SESSION } })));
  const directCalls = calls.splice(0);
  const directLog = evidence.logLines.splice(0);
  return { node, direct, fastPathRuns, nodeCalls, directCalls, nodeLog, directLog };
}

const allow: Hooks = (calls) => ({
  authorize: async (request) => {
    seen(calls, 'authorize', request);
    return request.headers.get('cookie') === SESSION;
  },
});

const cases: Array<{ when: string; hooks: Hooks; status: number; hookCalls: HookCall['hook'][]; logged?: RegExp }> = [
  { when: 'no hook is configured', hooks: () => ({}), status: 200, hookCalls: [] },
  { when: 'authorize allows the session', hooks: allow, status: 200, hookCalls: ['authorize'] },
  {
    when: 'authorize answers false',
    hooks: (calls) => ({
      authorize: (request) => {
        seen(calls, 'authorize', request);
        return false;
      },
    }),
    status: 401,
    hookCalls: ['authorize'],
  },
  {
    when: 'authorize answers its own Response',
    hooks: (calls) => ({
      authorize: (request) => {
        seen(calls, 'authorize', request);
        return new Response('Sign in first', { status: 403, headers: { 'content-type': 'text/plain', 'www-authenticate': 'Session', 'set-cookie': 'session=; Max-Age=0' } });
      },
    }),
    status: 403,
    hookCalls: ['authorize'],
  },
  {
    when: 'authorize throws',
    hooks: (calls) => ({
      authorize: (request) => {
        seen(calls, 'authorize', request);
        throw new Error('The session store is unreachable');
      },
    }),
    status: 500,
    hookCalls: ['authorize'],
    logged: /^error authorize\(\) threw .*session store is unreachable/,
  },
  {
    when: 'rateLimit refuses with a wait',
    hooks: (calls) => ({
      rateLimit: (request) => {
        seen(calls, 'rateLimit', request);
        return { retryAfterMs: 1500 };
      },
    }),
    status: 429,
    hookCalls: ['rateLimit'],
  },
  {
    when: 'rateLimit throws',
    hooks: (calls) => ({
      rateLimit: async (request) => {
        seen(calls, 'rateLimit', request);
        throw new Error('The counter store is unreachable');
      },
    }),
    status: 500,
    hookCalls: ['rateLimit'],
    logged: /^error rateLimit\(\) threw .*counter store is unreachable/,
  },
  {
    when: 'authorize allows and rateLimit refuses',
    hooks: (calls) => ({
      ...allow(calls),
      rateLimit: (request) => {
        seen(calls, 'rateLimit', request);
        return { retryAfterMs: 250 };
      },
    }),
    status: 429,
    hookCalls: ['authorize', 'rateLimit'],
  },
  {
    when: 'authorize refuses before rateLimit is asked',
    hooks: (calls) => ({
      authorize: (request) => {
        seen(calls, 'authorize', request);
        return false;
      },
      rateLimit: (request) => {
        seen(calls, 'rateLimit', request);
        return null;
      },
    }),
    status: 401,
    hookCalls: ['authorize'],
  },
  { when: 'uploads are configured', hooks: () => ({ uploads: { storage: memoryStorage() } }), status: 200, hookCalls: [] },
  { when: 'uploads and authorize are configured', hooks: (calls) => ({ ...allow(calls), uploads: { storage: memoryStorage() } }), status: 200, hookCalls: ['authorize'] },
];

describe('given a status poll through toNodeHandler', () => {
  for (const c of cases) {
    describe(`when ${c.when}`, () => {
      it(`answers ${c.status} exactly as the fetch-standard handler does, through the fast path`, async () => {
        const { proxy, url, calls, evidence } = await setUp(c.hooks);
        const both = await pollBothWays(proxy, url, calls, evidence);
        expect(both.node.status).toBe(c.status);
        expect(both.node).toEqual(both.direct);
        expect(both.fastPathRuns).toBe(1);
        expect(both.nodeCalls.map((call) => call.hook)).toEqual(c.hookCalls);
        // Each hook saw the same request either way: method, full URL and the session cookie.
        expect(both.nodeCalls).toEqual(both.directCalls);
        for (const call of both.nodeCalls) expect(call).toMatchObject({ method: 'GET', url, session: SESSION });
        expect(both.nodeLog).toEqual(both.directLog);
        if (c.logged) expect(both.nodeLog).toEqual([expect.stringMatching(c.logged)]);
        else expect(both.nodeLog).toEqual([]);
      });
    });
  }

  it('when rateLimit refuses, the 429 carries Retry-After in whole seconds and retryAfterMs in the body', async () => {
    const { proxy, url, calls, evidence } = await setUp(cases.find((c) => c.when === 'rateLimit refuses with a wait')!.hooks);
    const { node } = await pollBothWays(proxy, url, calls, evidence);
    expect(node.headers['retry-after']).toBe('2');
    expect(JSON.parse(node.body)).toMatchObject({ error: { code: 'rate_limited', status: 429, retryAfterMs: 1500 } });
  });

  it("when authorize answers its own Response, the client gets that Response's status, headers (cookies too) and body", async () => {
    const { proxy, url, calls, evidence } = await setUp(cases.find((c) => c.when === 'authorize answers its own Response')!.hooks);
    const { node } = await pollBothWays(proxy, url, calls, evidence);
    expect(node).toMatchObject({ status: 403, body: 'Sign in first', headers: { 'www-authenticate': 'Session', 'set-cookie': 'session=; Max-Age=0' } });
  });

  it('when the stored files are served under the jobs path, that path keeps going to the stored files (the ordinary path)', async () => {
    const storage = memoryStorage({ publicUrl: `http://127.0.0.1${BASE}/jobs` });
    const { proxy, url, calls, evidence } = await setUp(() => ({ uploads: { storage } }));
    const both = await pollBothWays(proxy, url, calls, evidence);
    expect(both.fastPathRuns).toBe(0);
    expect(both.node).toEqual(both.direct);
    expect(JSON.parse(both.node.body)).toMatchObject({ error: { code: 'not_found', message: 'No such file' } });
  });

  describe('when a hook is configured and the Host header is one the proxy cannot read (any client can send one)', () => {
    /** Poll over a raw socket with that Host through the fast path and through the ordinary path (a wrapper has no fast path). */
    async function pollWithHost(host: string) {
      const { proxy, url, calls, evidence } = await setUp(allow);
      const ordinary = await listen(toNodeHandler((request) => proxy(request)));
      servers.push(ordinary);
      const path = new URL(url).pathname;
      const answers = [];
      for (const port of [new URL(url).port, String(ordinary.port)]) {
        const before = nodeFastPathStats.answered;
        const raw = await rawRequest(Number(port), `GET ${path} HTTP/1.1\nHost: ${host}\nCookie: ${SESSION}`);
        const headers = Object.fromEntries(Object.entries(raw.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name)));
        answers.push({ answer: { status: raw.status, headers, body: raw.body }, fastPathRuns: nodeFastPathStats.answered - before, log: evidence.logLines.splice(0) });
      }
      return { fast: answers[0]!, ordinary: answers[1]!, calls };
    }

    it.each(['a.example:99999', 'bad host', '[1]'])('with Host %s (no host the proxy can read), both paths answer the same 400, call no hook or upstream and log nothing (see host-header.test.ts)', async (host) => {
      const { fast, ordinary, calls } = await pollWithHost(host);
      expect(fast.answer.status).toBe(400);
      expect(fast.answer).toEqual(ordinary.answer);
      expect(calls).toEqual([]);
      expect(fast.log).toEqual([]);
      expect(ordinary.log).toEqual([]);
    });
  });

  it("when the upstream times out after authorize allowed the poll, the 504 is the same and the hook's Request is not aborted", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const handed: Request[] = [];
    let upstreamCalled: () => void = () => undefined;
    const hanging = (request: Request) =>
      new Promise<Response>((_, reject) => {
        upstreamCalled();
        request.signal.addEventListener('abort', () => reject(request.signal.reason));
      });
    const proxy = createCharacterProxy({
      apiKey: key,
      basePath: BASE,
      upstreamUrl: UPSTREAM,
      timeoutMs: 5_000,
      fetch: hanging,
      authorize: (request) => {
        handed.push(request);
        return true;
      },
    });
    const server = await listen(toNodeHandler(proxy));
    servers.push(server);
    const url = `${server.url}${BASE}/jobs/job_hanging`;
    const answers: Answer[] = [];
    for (const poll of [() => fetch(url), () => proxy(new Request(url))]) {
      const called = new Promise<void>((resolve) => (upstreamCalled = resolve));
      let answered = false;
      const answer = poll().finally(() => (answered = true));
      await called;
      // Past the proxy's 5 s timeout, a second at a time until the answer is in: no assumption on
      // which event-loop turn the timer (or a timer of the HTTP client's) was set in. Fake time
      // only: the 504 comes from the proxy's timeout, whatever the machine's load.
      for (let second = 0; second < 30 && !answered; second++) await vi.advanceTimersByTimeAsync(1_000);
      answers.push(await read(await answer));
    }
    expect(answers[0]!.status).toBe(504);
    expect(answers[0]).toEqual(answers[1]);
    expect(handed.map((request) => request.signal.aborted)).toEqual([false, false]);
  });
});
