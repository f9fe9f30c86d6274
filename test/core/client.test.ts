import { afterEach, describe, expect, it, vi } from 'vitest';
import { CharacterApiError, createCharacterClient, type CharacterApiErrorCode } from '../../src/core/index.js';
import { ENDPOINT, INPUT, JOB_ID, RUN_URL, completed, fakeServer, html, json, pending, processing, scripted } from './helpers.js';

async function failure(promise: Promise<unknown>): Promise<CharacterApiError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CharacterApiError);
  return error as CharacterApiError;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('submit', () => {
  it('given invalid input, rejects invalid_input with field errors and sends no request', async () => {
    const server = scripted(pending());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    const error = await failure(client.submit({ ...INPUT, prompt: ' ', numberOfImages: 9, cfg: 7 } as never));
    expect(error.code).toBe('invalid_input');
    expect(Object.keys(error.fieldErrors!).sort()).toEqual(['cfg', 'numberOfImages', 'prompt']);
    expect(server.requests).toHaveLength(0);
  });

  it('posts the parameters as JSON to {endpoint}/models/ideogram-character/run and returns the normalised job', async () => {
    const server = scripted(pending({ statusUrl: 'https://evil.example/x', creditCost: 5, creditsRemaining: 95, expiresAt: '2030-01-01T00:00:00Z' }));
    const client = createCharacterClient({ endpoint: `${ENDPOINT}/`, fetch: server.fetch, headers: { 'X-Session': 's1' } });
    const job = await client.submit({ ...INPUT, rendering_speed: 'Turbo', seed: 42 });
    expect(job).toEqual({ jobId: JOB_ID, status: 'pending', images: [], creditCost: 5, creditsRemaining: 95, expiresAt: '2030-01-01T00:00:00Z' });
    const [{ request, url, body }] = server.requests as [(typeof server.requests)[number]];
    expect(url).toBe(RUN_URL);
    expect(request.method).toBe('POST');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.headers.get('x-session')).toBe('s1');
    expect(request.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(JSON.parse(body!)).toEqual({ ...INPUT, rendering_speed: 'Turbo', seed: 42 });
    expect(client.endpoint).toBe(ENDPOINT);
  });

  it('given headers as a function, reads them on every request', async () => {
    let token = 'a';
    const server = scripted(pending());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, headers: () => ({ Authorization: `Session ${token}` }) });
    await client.submit(INPUT);
    token = 'b';
    await client.submit(INPUT);
    expect(server.requests.map((r) => r.request.headers.get('authorization'))).toEqual(['Session a', 'Session b']);
  });

  it('uses one fresh Idempotency-Key per logical submit, or the one given', async () => {
    const server = scripted(pending());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    await client.submit(INPUT);
    await client.submit(INPUT);
    await client.submit(INPUT, { idempotencyKey: 'my-key-1' });
    const keys = server.requests.map((r) => r.request.headers.get('idempotency-key'));
    expect(new Set(keys).size).toBe(3);
    expect(keys[2]).toBe('my-key-1');
  });

  it('given a 503 and then success, retries once with the same Idempotency-Key', async () => {
    vi.useFakeTimers();
    const server = scripted(html(503), pending());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    const result = client.submit(INPUT);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(result).resolves.toMatchObject({ jobId: JOB_ID, status: 'pending' });
    const keys = server.requests.map((r) => r.request.headers.get('idempotency-key'));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]).toBeTruthy();
  });

  it('given a dropped connection, retries with the same key, after the Retry-After of a 429 when there is one', async () => {
    vi.useFakeTimers();
    const server = scripted(json({ error: 'slow down' }, 429, { 'Retry-After': '3' }), pending());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    const result = client.submit(INPUT, { idempotencyKey: 'k-429' });
    await vi.advanceTimersByTimeAsync(2999);
    expect(server.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({ status: 'pending' });
    expect(server.requests.map((r) => r.request.headers.get('idempotency-key'))).toEqual(['k-429', 'k-429']);

    const dropped = scripted(new TypeError('fetch failed'), pending());
    const again = createCharacterClient({ endpoint: ENDPOINT, fetch: dropped.fetch });
    const second = again.submit(INPUT);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(second).resolves.toMatchObject({ status: 'pending' });
    const keys = dropped.requests.map((r) => r.request.headers.get('idempotency-key'));
    expect(keys[0]).toBe(keys[1]);
  });

  it('given a long Retry-After, does not retry and reports it', async () => {
    const server = scripted(json({ error: 'slow down' }, 429, { 'Retry-After': '60' }), pending());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    const error = await failure(client.submit(INPUT));
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 60_000 });
    expect(server.requests).toHaveLength(1);
  });

  it('given a refusal that will not change (402), does not retry', async () => {
    const server = scripted(json({ error: { message: 'Not enough credits' } }, 402), pending());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    expect((await failure(client.submit(INPUT))).code).toBe('insufficient_credits');
    expect(server.requests).toHaveLength(1);
  });

  it('given a relative endpoint, requests relative URLs under it', async () => {
    const urls: string[] = [];
    const fetchImpl = (async (input: RequestInfo | URL) => {
      urls.push(String(input));
      return pending();
    }) as typeof fetch;
    const client = createCharacterClient({ endpoint: '/api/character/', fetch: fetchImpl });
    await client.submit(INPUT);
    await client.getJob(JOB_ID);
    expect(urls).toEqual(['/api/character/models/ideogram-character/run', `/api/character/jobs/${JOB_ID}`]);
  });
});

describe('error mapping', () => {
  const cases: Array<[string, () => Response | Error, CharacterApiErrorCode, Record<string, unknown>]> = [
    ['401', () => json({ error: { code: 401, message: 'Invalid API key' } }, 401), 'unauthorized', { status: 401, message: 'Invalid API key' }],
    ['402', () => json({ error: 'Payment required' }, 402), 'insufficient_credits', { status: 402 }],
    ['403 about credits', () => json({ error: { message: 'Insufficient credits: 2 left, 5 needed' } }, 403), 'insufficient_credits', { status: 403 }],
    ['403 with a credits code', () => json({ error: { code: 'insufficient_credits', message: 'No.' } }, 403), 'insufficient_credits', {}],
    ['403 otherwise', () => json({ error: 'Forbidden' }, 403), 'unauthorized', { status: 403 }],
    [
      '400 with field errors',
      () => json({ error: { message: 'Invalid input', fieldErrors: { seed: ['Too big'] } } }, 400),
      'invalid_input',
      { status: 400, fieldErrors: { seed: ['Too big'] } },
    ],
    [
      '422 safety check (no field)',
      () => json({ error: 'Prompt failed the safety check' }, 422),
      'invalid_input',
      { status: 422, message: 'Prompt failed the safety check', fieldErrors: { _form: ['Prompt failed the safety check'] } },
    ],
    ['404', () => json({ error: { message: 'Job not found' } }, 404), 'not_found', { status: 404, jobId: JOB_ID }],
    ['409 idempotency key reused with other parameters', () => json({ error: { code: 'invalid_input', message: 'Idempotency-Key reused with different parameters' } }, 409), 'invalid_input', { status: 409 }],
        ['410 Gone', () => json({ error: { code: 'expired', message: 'Job expired' } }, 410), 'expired', { status: 410, jobId: JOB_ID }],
    ['410 with an HTML body', () => html(410), 'expired', { status: 410 }],
    ['429 + Retry-After seconds', () => json({ error: 'Too many' }, 429, { 'Retry-After': '7' }), 'rate_limited', { status: 429, retryAfterMs: 7000 }],
    ['429 + retryAfterMs in the body', () => json({ error: { message: 'Too many', retryAfterMs: 1500 } }, 429), 'rate_limited', { retryAfterMs: 1500 }],
    ['429 with an HTML body', () => html(429, { 'Retry-After': '2' }), 'rate_limited', { retryAfterMs: 2000 }],
    ['500 JSON', () => json({ error: { message: 'Internal error' } }, 500), 'upstream', { status: 500, message: 'Internal error' }],
    ['502 HTML page', () => html(502), 'upstream', { status: 502 }],
    ['503 empty body', () => new Response(null, { status: 503 }), 'upstream', { status: 503 }],
    ['200 that is not JSON', () => new Response('<html>ok</html>', { status: 200 }), 'invalid_response', { status: 200 }],
    ['fetch rejects', () => new TypeError('fetch failed'), 'network', {}],
  ];

  it.each(cases)('given %s, rejects with the right code', async (_name, answer, code, fields) => {
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: scripted(answer()).fetch });
    const error = await failure(client.getJob(JOB_ID));
    expect(error.code).toBe(code);
    expect(error).toMatchObject(fields);
  });

  it('given Retry-After as an HTTP date, converts it to ms from now', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-24T10:00:00Z') });
    const server = scripted(json({ error: 'Too many' }, 429, { 'Retry-After': 'Tue, 24 Nov 2026 10:00:12 GMT' }));
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    expect(await failure(client.getJob(JOB_ID))).toMatchObject({ code: 'rate_limited', retryAfterMs: 12_000 });
  });

  it('given the body cannot be read, rejects network', async () => {
    const broken = new Response(
      new ReadableStream({
        start(controller) {
          controller.error(new TypeError('terminated'));
        },
      }),
      { status: 200 },
    );
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: scripted(broken).fetch });
    expect((await failure(client.getJob(JOB_ID))).code).toBe('network');
  });

  it('given an aborted signal, rejects aborted without a request; given an abort mid-request, rejects aborted at once', async () => {
    const server = fakeServer(() => new Promise<Response>(() => {}));
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    const before = new AbortController();
    before.abort();
    expect((await failure(client.getJob(JOB_ID, { signal: before.signal }))).code).toBe('aborted');
    expect((await failure(client.submit(INPUT, { signal: before.signal }))).code).toBe('aborted');
    expect(server.requests).toHaveLength(0);

    const during = new AbortController();
    const result = client.getJob(JOB_ID, { signal: during.signal });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    during.abort();
    expect((await failure(result)).code).toBe('aborted');
    expect(server.requests[0]!.request.signal.aborted).toBe(true);
  });
});

describe('getJob', () => {
  it('requests {endpoint}/jobs/{jobId} and never an upstream statusUrl', async () => {
    const server = scripted(processing({ statusUrl: 'https://pixeldojo.ai/api/v1/jobs/job_abc123' }));
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    await expect(client.getJob(JOB_ID)).resolves.toMatchObject({ status: 'processing' });
    expect(server.requests.map((r) => r.url)).toEqual([`${ENDPOINT}/jobs/${JOB_ID}`]);
  });

  it('given something that is not a job id, rejects invalid_input without a request', async () => {
    const server = scripted(processing());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    for (const id of ['../admin', 'job_', 'job_a/b', 'abc', `job_${'x'.repeat(129)}`]) {
      expect(await failure(client.getJob(id))).toMatchObject({ code: 'invalid_input', fieldErrors: { jobId: expect.any(Array) } });
    }
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['output.images', { output: { images: ['https://cdn.example/a.png', 'https://cdn.example/b.png'] } }, ['https://cdn.example/a.png', 'https://cdn.example/b.png']],
    ['output.image', { output: { image: 'https://cdn.example/a.png' } }, ['https://cdn.example/a.png']],
    ['assets[].url', { assets: [{ url: 'https://cdn.example/a.png' }, { url: 'http://cdn.example/b.webp' }] }, ['https://cdn.example/a.png', 'http://cdn.example/b.webp']],
  ])('given a completed job with %s, normalises to images[]', async (_shape, output, images) => {
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: scripted(json({ jobId: JOB_ID, status: 'completed', ...output })).fetch });
    await expect(client.getJob(JOB_ID)).resolves.toEqual({ jobId: JOB_ID, status: 'completed', images });
  });

  it('given an unknown status, reads it as still running; given a failed job, carries its message', async () => {
    const client = createCharacterClient({
      endpoint: ENDPOINT,
      fetch: scripted(json({ jobId: JOB_ID, status: 'warming_up' }), json({ jobId: JOB_ID, status: 'failed', error: { message: 'NSFW' } })).fetch,
    });
    await expect(client.getJob(JOB_ID)).resolves.toMatchObject({ status: 'processing' });
    await expect(client.getJob(JOB_ID)).resolves.toMatchObject({ status: 'failed', error: 'NSFW' });
  });

  it.each([
    ['a non-http image URL', { jobId: JOB_ID, status: 'completed', output: { images: ['https://a.example/1.png', 'javascript:alert(1)'] } }, 'output.images[1]'],
    ['an asset without a URL', { jobId: JOB_ID, status: 'completed', assets: [{ href: 'https://a.example/1.png' }] }, 'assets[0].url'],
    ['no jobId', { status: 'pending' }, 'jobId'],
    ['a jobId that is not one', { jobId: '../../admin', status: 'pending' }, 'jobId'],
    ['a number for creditCost', { jobId: JOB_ID, creditCost: 'five' }, 'creditCost'],
    ['an array', [1, 2], '(root)'],
  ])('given an answer with %s, rejects invalid_response naming the path', async (_name, body, path) => {
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: scripted(json(body)).fetch });
    const error = await failure(client.getJob(JOB_ID));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain(path);
  });

  it('given an answer about another job, rejects invalid_response', async () => {
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: scripted(json({ jobId: 'job_other', status: 'pending' })).fetch });
    expect((await failure(client.getJob(JOB_ID))).code).toBe('invalid_response');
  });

  it('given a malformed submit answer, rejects invalid_response too', async () => {
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: scripted(json({ ok: true }, 202)).fetch });
    const error = await failure(client.submit(INPUT));
    expect(error).toMatchObject({ code: 'invalid_response', status: 202 });
    expect(error.message).toContain('jobId');
  });

  it('keeps completed output intact when the answer also carries unknown fields', async () => {
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: scripted(completed({ seed: 3, model: 'ideogram' })).fetch });
    await expect(client.getJob(JOB_ID)).resolves.toEqual({ jobId: JOB_ID, status: 'completed', images: ['https://cdn.example/1.png'] });
  });
});
