import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ASPECT_RATIOS,
  characterInputSchema,
  MAGIC_PROMPT_OPTIONS,
  RENDERING_SPEEDS,
  RESOLUTIONS,
  STYLE_TYPES,
} from '../../src/core/schemas.js';
import { createCharacterProxy, memoryStorage, toNodeHandler, type FetchHandler } from '../../src/server/index.js';
import { createSimulator, type Simulator } from '../../src/testing/index.js';
import { fakeKey, listen, rawRequest, type Listening } from '../server/helpers.js';
import { jpegHeader, pngHeader, webpVp8x } from '../server/images.js';
import { BASE_PATH, FULL, RUN_PATH } from './harness.js';

const RUNS = FULL ? 3000 : 300;
const SOCKET_RUNS = FULL ? 400 : 40;
const PROXY_ORIGIN = 'http://proxy.test';
const UPSTREAM = 'http://upstream.test/api/v1';
/** The only requests the proxy may ever send upstream. */
const ALLOWED_UPSTREAM = [/^POST \/api\/v1\/models\/ideogram-character\/run$/, /^GET \/api\/v1\/jobs\/job_[A-Za-z0-9_-]{1,128}$/];

const key = fakeKey();
/** The random tail of the key: a partial leak is a leak too. */
const keySecret = key.slice('pd_test_'.length);

interface Forwarded {
  method: string;
  url: URL;
  authorization: string | null;
  body: string | null;
}

let simulator: Simulator;
let proxy: FetchHandler;
const forwarded: Forwarded[] = [];

beforeAll(() => {
  simulator = createSimulator({ apiKey: key, durationMs: 0, credits: 1e12, logLimit: 100_000, seed: 4 });
  proxy = createCharacterProxy({
    apiKey: key,
    basePath: BASE_PATH,
    upstreamUrl: UPSTREAM,
    uploads: { storage: memoryStorage({ maxFiles: 20 }) },
    // The upstream is the simulator; on the way we note what the proxy sent (body included).
    fetch: async (request) => {
      forwarded.push({
        method: request.method,
        url: new URL(request.url),
        authorization: request.headers.get('authorization'),
        body: request.body ? await request.clone().text() : null,
      });
      return simulator(request);
    },
  });
});

beforeEach(() => {
  forwarded.length = 0;
  simulator.reset();
});

/** What must hold for every answer and every upstream request after one hostile request. */
async function checkAnswer(response: Response, forwardedBefore: number): Promise<{ status: number; body: string }> {
  const body = await response.text();
  const head = `${response.status} ${response.statusText} ${JSON.stringify([...response.headers])}`;
  expect(response.status, body).not.toBe(500);
  // The upstream is healthy here, so no 5xx at all: a 502/504 would mean the proxy broke something.
  expect(response.status, body).toBeLessThan(500);
  for (const text of [head, body]) {
    expect(text.includes(key)).toBe(false);
    expect(text.includes(keySecret)).toBe(false);
  }
  for (const sent of forwarded.slice(forwardedBefore)) {
    expect(ALLOWED_UPSTREAM.some((route) => route.test(`${sent.method} ${sent.url.pathname}`)), `${sent.method} ${sent.url.href}`).toBe(true);
    expect(sent.url.origin).toBe('http://upstream.test');
    expect(sent.url.search).toBe('');
    expect(sent.authorization).toBe(`Bearer ${key}`);
    if (sent.method === 'POST') {
      const parsed = characterInputSchema.safeParse(JSON.parse(sent.body ?? 'null'));
      expect(parsed.success, sent.body ?? '').toBe(true);
    }
  }
  return { status: response.status, body };
}

/** The simulator (the upstream) only ever saw allowlisted paths and accepted every submit as valid. */
function checkUpstreamLog(): void {
  for (const entry of simulator.log) {
    expect(ALLOWED_UPSTREAM.some((route) => route.test(`${entry.method} ${entry.path}`)), `${entry.method} ${entry.path}`).toBe(true);
    if (entry.method === 'POST') expect(entry.status).toBe(202);
  }
}

// ---- arbitraries ----

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }));
const hostile = fc.constantFrom(
  '<img src=x onerror=alert(1)>',
  '"><script>alert(1)</script>',
  'javascript:alert(1)',
  '${process.env.PIXELDOJO_API_KEY}',
  '{{apiKey}}',
  '\u0000',
  '\r\nX-Injected: 1',
  '../../../../etc/passwd',
  '%2e%2e%2f',
  '\u202e\u0301',
  '__proto__',
  'constructor',
);
const anyString = fc.oneof(text, hostile);

/** Percent-encode every byte outside visible ASCII (a lone surrogate becomes U+FFFD's bytes, as on the wire). */
const pctEncode = (value: string) =>
  [...Buffer.from(value, 'utf8')].map((byte) => (byte > 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`)).join('');

const referenceUrl = fc.oneof(
  fc.webUrl(),
  fc.constantFrom('https://example.com/me.png', 'javascript:alert(1)', 'data:image/png;base64,AAAA', 'file:///etc/passwd', 'ftp://x/y.png', '//example.com/a.png', '/me.png', ''),
  anyString,
);

const inputLike = fc.record(
  {
    prompt: fc.oneof(fc.constant('A knight in the rain'), anyString, fc.integer(), fc.constant(null)),
    character_reference_image: fc.oneof(referenceUrl, fc.constant(42)),
    rendering_speed: fc.oneof(fc.constantFrom(...RENDERING_SPEEDS), anyString),
    style_type: fc.oneof(fc.constantFrom(...STYLE_TYPES), anyString),
    aspect_ratio: fc.oneof(fc.constantFrom(...ASPECT_RATIOS), anyString),
    resolution: fc.oneof(fc.constantFrom(...RESOLUTIONS), anyString),
    magic_prompt_option: fc.oneof(fc.constantFrom(...MAGIC_PROMPT_OPTIONS), anyString),
    seed: fc.oneof(fc.integer({ min: 0, max: 2_147_483_647 }), fc.double(), fc.integer(), fc.bigInt().map(String)),
    numberOfImages: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer(), fc.double()),
  },
  { requiredKeys: [] },
);

/** Bodies as bytes on the wire: near-valid inputs, extra keys, any JSON, duplicate keys, junk. */
const body: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { arbitrary: inputLike.map((input) => JSON.stringify(input)), weight: 4 },
  {
    arbitrary: fc.tuple(inputLike, fc.dictionary(anyString, fc.jsonValue(), { maxKeys: 3 })).map(([input, extra]) => JSON.stringify({ ...extra, ...input })),
    weight: 2,
  },
  { arbitrary: fc.json(), weight: 2 },
  {
    arbitrary: fc.tuple(anyString, anyString).map(([a, b]) => `{"prompt":${JSON.stringify(a)},"prompt":${JSON.stringify(b)},"character_reference_image":"https://example.com/me.png"}`),
    weight: 1,
  },
  { arbitrary: fc.constant('{"__proto__":{"polluted":true},"prompt":"x","character_reference_image":"https://example.com/me.png"}'), weight: 1 },
  { arbitrary: anyString, weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 256 }), weight: 1 },
);

const segment = fc.oneof(
  fc.constantFrom('models', 'ideogram-character', 'run', 'jobs', 'uploads', 'api', 'character', 'v1', 'simulator', 'images', '..', '.', '', '%2e%2e', '%2E', '%2f', '%2F', '%5c', '%00', '%252e%252e', '%u002e', '..;', 'job_abc', 'job_', '~'),
  fc.stringMatching(/^job_[A-Za-z0-9_-]{1,24}$/),
  anyString.map(pctEncode),
  anyString,
);
const path = fc.oneof(
  fc.constantFrom(RUN_PATH, `${BASE_PATH}/jobs/job_abc`, `${BASE_PATH}/uploads`, BASE_PATH, `${BASE_PATH}/`),
  fc.array(segment, { maxLength: 6 }).map((segments) => `${BASE_PATH}/${segments.join('/')}`),
  fc.array(segment, { maxLength: 6 }).map((segments) => `/${segments.join('/')}`),
);
const query = fc.option(anyString.map((q) => `?${q}`), { nil: '' });

const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/vnd.api+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; boundary=--',
      '',
    ),
    'idempotency-key': anyString,
    authorization: fc.oneof(anyString, anyString.map((value) => `Bearer ${value}`)),
    'x-forwarded-host': anyString,
    extra: fc.dictionary(headerName, anyString, { maxKeys: 4 }),
  },
  { requiredKeys: [] },
);

function buildRequest(method: string, target: string, headerSet: Record<string, unknown>, payload: BodyInit | null): Request | undefined {
  try {
    const init = new Headers();
    for (const [name, value] of Object.entries(headerSet)) {
      if (name === 'extra') for (const [n, v] of Object.entries(value as Record<string, string>)) init.set(n, v);
      else init.set(name, value as string);
    }
    const withBody = method !== 'GET' && method !== 'HEAD';
    return new Request(new URL(target, PROXY_ORIGIN), { method, headers: init, body: withBody ? payload : null });
  } catch {
    // Not expressible as a fetch Request (a header value with a newline, say): not a request anyone can send.
    return undefined;
  }
}

const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS');

// ---- properties ----

describe('given hostile requests straight to the proxy handler, with the simulator upstream', () => {
  it(`any method, path, query, headers and body (${RUNS} runs): never a 5xx, nothing invalid upstream, the key nowhere`, async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(method, path, query, headers, body, async (verb, target, search, headerSet, payload) => {
        const request = buildRequest(verb, `${target}${search}`, headerSet, payload as BodyInit);
        fc.pre(request !== undefined);
        const before = forwarded.length;
        await checkAnswer(await proxy(request!), before);
        answered++;
      }),
      { numRuns: RUNS },
    );
    checkUpstreamLog();
    expect(answered).toBeGreaterThan(RUNS / 2);
  }, 120_000);

  it(`submits with arbitrary bodies and headers (${RUNS} runs): only schema-valid inputs go upstream, and every valid one does`, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(headers, body, async (headerSet, payload) => {
        const request = buildRequest('POST', RUN_PATH, { ...headerSet, 'content-type': 'application/json' }, payload as BodyInit);
        fc.pre(request !== undefined);
        const before = forwarded.length;
        const { status, body: answer } = await checkAnswer(await proxy(request!), before);
        const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
        let valid: boolean;
        try {
          valid = characterInputSchema.safeParse(JSON.parse(text)).success;
        } catch {
          valid = false;
        }
        const keyOk = request!.headers.get('idempotency-key') === null || /^[\x21-\x7e]{1,255}$/.test(request!.headers.get('idempotency-key')!);
        if (valid && keyOk) {
          // 202, or 409 when an earlier run used the same Idempotency-Key with other parameters.
          expect([202, 409], answer).toContain(status);
          if (status === 202) accepted++;
        } else {
          expect(status, answer).toBeGreaterThanOrEqual(400);
          expect(forwarded.length).toBe(before);
        }
      }),
      { numRuns: RUNS },
    );
    checkUpstreamLog();
    // The generators reach the valid region too, or this property proves little.
    expect(accepted).toBeGreaterThan(0);
  }, 120_000);

  // Mostly plausible sizes, sometimes zero or bomb-sized ones.
  const side = fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 0, max: 65_535 }));
  const imageBytes = fc.oneof(
    fc.tuple(side, side).map(([w, h]) => pngHeader(w, h)),
    fc.tuple(side, side).map(([w, h]) => jpegHeader(w, h)),
    fc.tuple(side.filter((n) => n > 0), side.filter((n) => n > 0)).map(([w, h]) => webpVp8x(w, h)),
    fc.constant(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')),
    fc.constant(new TextEncoder().encode('GIF89a\x01\x00\x01\x00')),
    fc.uint8Array({ maxLength: 128 }),
  );
  const part = fc.record({
    name: fc.oneof(fc.constant('file'), anyString),
    value: fc.oneof(
      fc.tuple(imageBytes, fc.uint8Array({ maxLength: 64 }), fc.constantFrom('image/png', 'image/jpeg', 'image/webp', 'image/svg+xml', 'text/html', ''), anyString).map(
        ([head, tail, type, filename]) => ({ bytes: new Uint8Array([...head, ...tail]), type, filename }),
      ),
      anyString,
    ),
  });

  it(`multipart uploads with any parts, names and bytes (${Math.ceil(RUNS / 2)} runs): never a 5xx, nothing upstream, only sniffed images stored`, async () => {
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(part.map((one) => [{ ...one, name: 'file' }]), fc.array(part, { maxLength: 3 })), fc.boolean(), async (parts, mangle) => {
        const form = new FormData();
        for (const { name, value } of parts) {
          if (typeof value === 'string') form.append(name, value);
          else form.append(name, new Blob([value.bytes], { type: value.type }), value.filename);
        }
        let request = new Request(`${PROXY_ORIGIN}${BASE_PATH}/uploads`, { method: 'POST', body: form });
        if (mangle) {
          // The same bytes under a boundary that does not match them.
          const bytes = await request.arrayBuffer();
          request = new Request(`${PROXY_ORIGIN}${BASE_PATH}/uploads`, { method: 'POST', body: bytes, headers: { 'content-type': 'multipart/form-data; boundary=nope' } });
        }
        const before = forwarded.length;
        const { status, body: answer } = await checkAnswer(await proxy(request), before);
        expect(forwarded.length).toBe(before);
        if (status === 201) {
          stored++;
          const { url } = JSON.parse(answer) as { url: string };
          expect(url).toMatch(/^http:\/\/proxy\.test\/api\/character\/uploads\/[0-9a-f-]{36}\.(png|jpg|webp)$/);
          const only = parts[0]!.value as { bytes: Uint8Array };
          expect(parts).toHaveLength(1);
          expect([0x89, 0xff, 0x52]).toContain(only.bytes[0]);
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
    expect(stored).toBeGreaterThan(0);
  }, 120_000);
});

describe('given hostile bytes on a real socket to the proxy in node:http', () => {
  const servers: Listening[] = [];
  let proxyServer: Listening;

  beforeAll(async () => {
    const upstream = await listen(toNodeHandler(simulator));
    servers.push(upstream);
    const handler = createCharacterProxy({ apiKey: key, basePath: BASE_PATH, upstreamUrl: `${upstream.url}/api/v1`, uploads: { storage: memoryStorage({ maxFiles: 20 }) } });
    proxyServer = await listen(toNodeHandler(handler));
    servers.push(proxyServer);
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  const rawTarget = fc.oneof(
    path.map(pctEncode),
    fc.constantFrom(
      `${BASE_PATH}/../../etc/passwd`,
      `${BASE_PATH}/jobs/..%2f..%2fsimulator`,
      `${BASE_PATH}/jobs/%2e%2e/%2e%2e/models/ideogram-character/run`,
      `${BASE_PATH}\\jobs\\job_abc`,
      `http://evil.test${BASE_PATH}/jobs/job_abc`,
      '*',
      `${BASE_PATH}/jobs/job_abc%00.png`,
      `${BASE_PATH}/jobs/job_abc?url=http://169.254.169.254/`,
      `//evil.test${BASE_PATH}/jobs/job_abc`,
    ),
  );
  const headerLine = fc.tuple(headerName, fc.string({ maxLength: 30 }).map((v) => v.replace(/[\r\n]/g, ' '))).map(([n, v]) => `${n}: ${v}`);

  it(`raw targets, header lines and bodies (${SOCKET_RUNS} runs): never a 5xx and the key nowhere on the wire`, async () => {
    await fc.assert(
      fc.asyncProperty(method, rawTarget, fc.array(headerLine, { maxLength: 4 }), body, async (verb, target, lines, payload) => {
        const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('latin1');
        const wireBody = verb === 'GET' || verb === 'HEAD' ? '' : text;
        const head = [`${verb} ${target} HTTP/1.1`, `Host: 127.0.0.1:${proxyServer.port}`, 'Content-Type: application/json', ...lines, `Content-Length: ${Buffer.byteLength(wireBody)}`].join('\r\n');
        const before = simulator.log.length;
        const answer = await rawRequest(proxyServer.port, head, wireBody);
        expect(answer.status, answer.text).toBeGreaterThanOrEqual(200);
        expect(answer.status, answer.text).toBeLessThan(500);
        expect(answer.text.includes(key)).toBe(false);
        expect(answer.text.includes(keySecret)).toBe(false);
        for (const entry of simulator.log.slice(before)) {
          expect(ALLOWED_UPSTREAM.some((route) => route.test(`${entry.method} ${entry.path}`)), `${entry.method} ${entry.path}`).toBe(true);
        }
      }),
      { numRuns: SOCKET_RUNS },
    );
    checkUpstreamLog();
  }, 120_000);
});
