import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { wireJobSchema } from '../../src/core/index.js';
import { createSimulator, SIMULATOR_CREDIT_COSTS } from '../../src/testing/index.js';
import { BASE, INPUT, jobRequest, ORIGIN, pollJob, RUN_URL, submitJob, submitRequest } from './helpers.js';

const START = Date.UTC(2026, 10, 24, 12, 0, 0);

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('given a simulator with a 10 s job duration', () => {
  describe('when a job is submitted', () => {
    it('answers 202 with a job id, a status URL on the request origin, its cost, the balance left and an expiry', async () => {
      const simulator = createSimulator({ durationMs: 10_000, credits: 100 });
      const response = await simulator(submitRequest());
      expect(response.status).toBe(202);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await response.json();
      expect(body).toEqual({
        jobId: expect.stringMatching(/^job_[A-Za-z0-9_-]{1,128}$/),
        status: 'pending',
        statusUrl: `${BASE}/jobs/${body.jobId}`,
        creditCost: SIMULATOR_CREDIT_COSTS.Default,
        creditsRemaining: 100 - SIMULATOR_CREDIT_COSTS.Default,
        // Expiry counts from completion: 10 s of work + 1 hour.
        expiresAt: new Date(START + 10_000 + 3_600_000).toISOString(),
      });
      expect(wireJobSchema.safeParse(body).success).toBe(true);
    });
  });

  describe('when the job is polled as the clock moves', () => {
    it('goes pending → processing after 15 % of the duration → completed with one image URL per requested image', async () => {
      const simulator = createSimulator({ durationMs: 10_000 });
      const { jobId } = await submitJob(simulator, { ...INPUT, numberOfImages: 3 });

      expect((await pollJob(simulator, jobId)).body.status).toBe('pending');
      vi.advanceTimersByTime(1_499);
      expect((await pollJob(simulator, jobId)).body.status).toBe('pending');
      vi.advanceTimersByTime(1);
      expect((await pollJob(simulator, jobId)).body.status).toBe('processing');
      vi.advanceTimersByTime(8_499);
      const running = await pollJob(simulator, jobId);
      expect(running.body.status).toBe('processing');
      expect(running.body.output).toBeUndefined();
      vi.advanceTimersByTime(1);
      const done = await pollJob(simulator, jobId);
      expect(done.status).toBe(200);
      expect(done.body.status).toBe('completed');
      expect(done.body.output?.images).toEqual([0, 1, 2].map((i) => `${BASE}/simulator/images/${jobId}/${i}.svg`));
      expect(wireJobSchema.safeParse(done.body).success).toBe(true);
    });

    it('reports the same timeline through jobs(), normalised', async () => {
      const simulator = createSimulator({ durationMs: 10_000 });
      const { jobId } = await submitJob(simulator);
      expect(simulator.jobs()).toEqual([expect.objectContaining({ jobId, status: 'pending', images: [] })]);
      vi.advanceTimersByTime(10_000);
      expect(simulator.jobs()).toEqual([expect.objectContaining({ jobId, status: 'completed', images: [`${BASE}/simulator/images/${jobId}/0.svg`] })]);
    });
  });

  describe('when speed is 5', () => {
    it('divides the duration: the job completes after 2 s', async () => {
      const simulator = createSimulator({ durationMs: 10_000, speed: 5 });
      const { jobId } = await submitJob(simulator);
      vi.advanceTimersByTime(1_999);
      expect((await pollJob(simulator, jobId)).body.status).toBe('processing');
      vi.advanceTimersByTime(1);
      expect((await pollJob(simulator, jobId)).body.status).toBe('completed');
    });
  });

  describe('when durationMs is a function', () => {
    it('is called with the input and a seeded random source', async () => {
      const durationMs = vi.fn((input: { numberOfImages?: number }) => (input.numberOfImages ?? 1) * 1_000);
      const simulator = createSimulator({ durationMs });
      const { jobId } = await submitJob(simulator, { ...INPUT, numberOfImages: 4 });
      expect(durationMs).toHaveBeenCalledWith(expect.objectContaining({ numberOfImages: 4 }), expect.any(Function));
      vi.advanceTimersByTime(4_000);
      expect((await pollJob(simulator, jobId)).body.status).toBe('completed');
    });
  });

  describe('when imageFormat is png', () => {
    it('lists .png image URLs', async () => {
      const simulator = createSimulator({ durationMs: 0, imageFormat: 'png' });
      const { jobId } = await submitJob(simulator);
      expect((await pollJob(simulator, jobId)).body.output?.images).toEqual([`${BASE}/simulator/images/${jobId}/0.png`]);
    });
  });
});

describe('given imagePath', () => {
  it('lists image URLs under {basePath}{imagePath} and serves them there, and no longer under /simulator/images', async () => {
    const simulator = createSimulator({ durationMs: 0, basePath: '/api/simulator', imagePath: '/images/' });
    const response = await simulator(new Request(`${ORIGIN}/api/simulator/models/ideogram-character/run`, submitRequest()));
    const { jobId } = (await response.json()) as { jobId: string };
    const polled = await simulator(new Request(`${ORIGIN}/api/simulator/jobs/${jobId}`, { headers: { authorization: 'Bearer test-key' } }));
    const url = `${ORIGIN}/api/simulator/images/${jobId}/0.svg`;
    expect(((await polled.json()) as { output: { images: string[] } }).output.images).toEqual([url]);
    const image = await simulator(new Request(url));
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect((await simulator(new Request(`${ORIGIN}/api/simulator/simulator/images/${jobId}/0.svg`))).status).toBe(404);
  });

  it.each(['', 'images', '/images/../x', '/a b'])('when imagePath is %j, createSimulator throws', (imagePath) => {
    expect(() => createSimulator({ imagePath })).toThrow(TypeError);
  });
});

describe('given the default duration', () => {
  it('draws job durations from 13–23 s with a median near 16.2 s, the same for the same seed', async () => {
    const durations = async (seed: number) => {
      const simulator = createSimulator({ seed, credits: 10_000 });
      for (let i = 0; i < 100; i++) await submitJob(simulator);
      return simulator.jobs().map((job) => Date.parse(job.expiresAt!) - 3_600_000 - START);
    };
    const first = await durations(3);
    expect(await durations(3)).toEqual(first);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(13_000);
    expect(Math.max(...first)).toBeLessThanOrEqual(23_000);
    const sorted = [...first].sort((a, b) => a - b);
    const median = (sorted[49]! + sorted[50]!) / 2;
    expect(median).toBeGreaterThan(15_000);
    expect(median).toBeLessThan(17_500);
  });
});

describe('given a job that has expired', () => {
  it('answers 410 with the error body for the job and for its images', async () => {
    const simulator = createSimulator({ durationMs: 1_000, expiresInMs: 60_000 });
    const { jobId } = await submitJob(simulator);
    vi.advanceTimersByTime(1_000);
    const image = `${BASE}/simulator/images/${jobId}/0.svg`;
    expect((await simulator(new Request(image))).status).toBe(200);
    vi.advanceTimersByTime(59_999);
    expect((await pollJob(simulator, jobId)).status).toBe(200);
    vi.advanceTimersByTime(1);
    const expired = await pollJob(simulator, jobId);
    expect(expired.status).toBe(410);
    expect(expired.body).toEqual({ error: { code: 'expired', message: expect.any(String), status: 410 } });
    expect((await simulator(new Request(image))).status).toBe(410);
    expect((await simulator(new Request(image.replace('.svg', '.png')))).status).toBe(410);
  });
});

describe('given jobs that expired longer ago than retainExpiredMs', () => {
  it('answers 410 until retainExpiredMs after expiry, then 404 like any unknown id, for the job and its images', async () => {
    const simulator = createSimulator({ durationMs: 1_000, expiresInMs: 60_000, retainExpiredMs: 120_000 });
    const { jobId } = await submitJob(simulator);
    const image = `${BASE}/simulator/images/${jobId}/0.svg`;
    vi.advanceTimersByTime(1_000 + 60_000 + 119_999);
    expect((await pollJob(simulator, jobId)).status).toBe(410);
    expect((await simulator(new Request(image))).status).toBe(410);
    expect(simulator.jobs()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    const forgotten = await pollJob(simulator, jobId);
    expect(forgotten.status).toBe(404);
    expect(forgotten.body).toEqual({ error: { code: 'not_found', message: 'No job with this id', status: 404 } });
    expect((await simulator(new Request(image))).status).toBe(404);
    expect(simulator.jobs()).toEqual([]);
  });

  it('frees them as requests come in, without anyone asking for them: a long session does not grow without bound', async () => {
    const simulator = createSimulator({ durationMs: 0, expiresInMs: 1_000, retainExpiredMs: 1_000, credits: 100_000 });
    const old: string[] = [];
    for (let i = 0; i < 50; i++) old.push((await submitJob(simulator, INPUT, { 'idempotency-key': `k${i}` })).jobId);
    vi.advanceTimersByTime(60_000);
    const fresh = await submitJob(simulator);
    expect(simulator.stats.jobsForgotten).toBe(50);
    expect(simulator.jobs().map((job) => job.jobId)).toEqual([fresh.jobId]);
    for (const jobId of old.slice(0, 3)) expect((await pollJob(simulator, jobId)).status).toBe(404);
  });

  it('when an Idempotency-Key comes back after its job was forgotten, it starts a new job instead of failing', async () => {
    const simulator = createSimulator({ durationMs: 0, expiresInMs: 1_000, retainExpiredMs: 1_000, idempotencyWindowMs: 600_000 });
    const first = await submitJob(simulator, INPUT, { 'idempotency-key': 'again' });
    vi.advanceTimersByTime(2_000);
    const second = await submitJob(simulator, INPUT, { 'idempotency-key': 'again' });
    expect(second.jobId).not.toBe(first.jobId);
    expect(simulator.stats).toMatchObject({ jobsCreated: 2, replays: 0 });
    expect((await pollJob(simulator, second.jobId)).status).toBe(200);
  });

  it('with retainExpiredMs: Infinity, an expired job answers 410 for the simulator\'s lifetime', async () => {
    const simulator = createSimulator({ durationMs: 0, expiresInMs: 1_000, retainExpiredMs: Infinity });
    const { jobId } = await submitJob(simulator);
    vi.advanceTimersByTime(365 * 24 * 3_600_000);
    expect((await pollJob(simulator, jobId)).status).toBe(410);
    expect(simulator.stats.jobsForgotten).toBe(0);
  });
});

describe('given authentication', () => {
  it('answers 401 with the error shape when Authorization is missing, for submits and polls', async () => {
    const simulator = createSimulator();
    const response = await simulator(submitRequest(INPUT, { authorization: '' }));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String), status: 401 } });
    expect((await simulator(jobRequest('job_x', {}))).status).toBe(401);
    expect(simulator.stats.jobsCreated).toBe(0);
  });

  it('accepts any non-empty Bearer token when no apiKey is set, and refuses other schemes', async () => {
    const simulator = createSimulator();
    expect((await simulator(submitRequest(INPUT, { authorization: 'Bearer anything' }))).status).toBe(202);
    expect((await simulator(submitRequest(INPUT, { authorization: 'Bearer ' }))).status).toBe(401);
    expect((await simulator(submitRequest(INPUT, { authorization: 'Basic dXNlcjpwYXNz' }))).status).toBe(401);
  });

  it('requires exactly `Bearer <apiKey>` when an apiKey is set', async () => {
    const simulator = createSimulator({ apiKey: 'pd_secret' });
    expect((await simulator(submitRequest(INPUT, { authorization: 'Bearer pd_wrong' }))).status).toBe(401);
    expect((await simulator(submitRequest(INPUT, { authorization: 'Bearer pd_secret' }))).status).toBe(202);
  });

  it('accepts requests without Authorization when requireAuth is false (standing in for the proxy)', async () => {
    const simulator = createSimulator({ requireAuth: false, durationMs: 0 });
    const { jobId } = await submitJob(simulator, INPUT, { authorization: '' });
    expect((await simulator(jobRequest(jobId, {}))).status).toBe(200);
  });

  it('serves images without a key (like a temporary CDN URL)', async () => {
    const simulator = createSimulator({ durationMs: 0 });
    const { jobId } = await submitJob(simulator);
    expect((await simulator(new Request(`${BASE}/simulator/images/${jobId}/0.svg`))).status).toBe(200);
  });
});

describe('given an invalid body', () => {
  it('answers 422 invalid_input with field errors per field', async () => {
    const simulator = createSimulator();
    const response = await simulator(submitRequest({ prompt: '  ', character_reference_image: 'javascript:alert(1)', numberOfImages: 9 }));
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.error).toMatchObject({ code: 'invalid_input', status: 422, message: expect.any(String) });
    expect(Object.keys(body.error.fieldErrors).sort()).toEqual(['character_reference_image', 'numberOfImages', 'prompt']);
    expect(body.error.fieldErrors.prompt).toEqual(['Enter a prompt']);
    expect(simulator.stats.jobsCreated).toBe(0);
    expect(simulator.credits).toBe(1000);
  });

  it('answers 400 invalid_input naming each unknown field', async () => {
    const simulator = createSimulator();
    const response = await simulator(submitRequest({ ...INPUT, model: 'flux', webhook: 'https://evil.test' }));
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error).toMatchObject({ code: 'invalid_input', status: 400 });
    expect(body.error.fieldErrors).toEqual({ model: ['Unknown field "model"'], webhook: ['Unknown field "webhook"'] });
    expect(body.error.message).toContain('model');
  });

  it('answers 422 with a prompt field error, charging nothing, when the prompt fails the (simulated) safety check', async () => {
    const simulator = createSimulator({ unsafePrompt: /forbidden/i });
    expect((await simulator(submitRequest({ ...INPUT, prompt: 'A knight in the rain' }))).status).toBe(202);
    const refused = await simulator(submitRequest({ ...INPUT, prompt: 'Something FORBIDDEN' }));
    expect(refused.status).toBe(422);
    expect((await refused.json()).error).toEqual({
      code: 'invalid_input',
      status: 422,
      message: expect.stringContaining('safety check'),
      fieldErrors: { prompt: [expect.stringContaining('safety check')] },
    });
    expect(simulator.stats.jobsCreated).toBe(1);
    expect(simulator.credits).toBe(995);
  });

  it('answers 415 for a non-JSON content type and 400 for malformed JSON', async () => {
    const simulator = createSimulator();
    const form = await simulator(submitRequest('prompt=x', { 'content-type': 'application/x-www-form-urlencoded' }));
    expect(form.status).toBe(415);
    expect((await form.json()).error.code).toBe('unsupported_media_type');
    const broken = await simulator(submitRequest('{"prompt":', {}));
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: { code: 'invalid_json', message: expect.any(String), status: 400 } });
  });
});

describe('given a credit balance', () => {
  it('charges 3, 5 or 7 credits by rendering speed and answers 402 when the balance is too low, charging nothing', async () => {
    const simulator = createSimulator({ credits: 15 });
    expect((await submitJob(simulator, { ...INPUT, rendering_speed: 'Turbo' })).creditsRemaining).toBe(12);
    expect((await submitJob(simulator, { ...INPUT, rendering_speed: 'Quality' })).creditsRemaining).toBe(5);
    expect((await submitJob(simulator)).creditsRemaining).toBe(0);
    const refused = await simulator(submitRequest({ ...INPUT, rendering_speed: 'Turbo' }));
    expect(refused.status).toBe(402);
    expect(await refused.json()).toEqual({ error: { code: 'insufficient_credits', message: expect.stringContaining('3'), status: 402 } });
    expect(simulator.credits).toBe(0);
    expect(simulator.stats.jobsCreated).toBe(3);
  });

  it('lets tests top the balance up through `credits`', async () => {
    const simulator = createSimulator({ credits: 0 });
    expect((await simulator(submitRequest())).status).toBe(402);
    simulator.credits = 5;
    expect((await simulator(submitRequest())).status).toBe(202);
    expect(simulator.credits).toBe(0);
  });
});

describe('given an Idempotency-Key', () => {
  it('answers a repeated submit within 10 minutes with the same job, charges once and counts a replay', async () => {
    const simulator = createSimulator({ credits: 100 });
    const first = await submitJob(simulator, INPUT, { 'idempotency-key': 'key-1' });
    vi.advanceTimersByTime(9 * 60_000);
    const again = await submitJob(simulator, { character_reference_image: INPUT.character_reference_image, prompt: INPUT.prompt }, { 'idempotency-key': 'key-1' });
    expect(again.jobId).toBe(first.jobId);
    expect(simulator.credits).toBe(95);
    expect(simulator.stats).toMatchObject({ submits: 1, replays: 1, jobsCreated: 1 });
  });

  it('makes a new job for the same key after 10 minutes, and for another key at once', async () => {
    const simulator = createSimulator();
    const first = await submitJob(simulator, INPUT, { 'idempotency-key': 'key-1' });
    const other = await submitJob(simulator, INPUT, { 'idempotency-key': 'key-2' });
    vi.advanceTimersByTime(10 * 60_000);
    const later = await submitJob(simulator, INPUT, { 'idempotency-key': 'key-1' });
    expect(new Set([first.jobId, other.jobId, later.jobId]).size).toBe(3);
    expect(simulator.stats.jobsCreated).toBe(3);
  });

  it('answers 409 when the same key comes with a different body', async () => {
    const simulator = createSimulator();
    await submitJob(simulator, INPUT, { 'idempotency-key': 'key-1' });
    const response = await simulator(submitRequest({ ...INPUT, prompt: 'Something else' }, { 'idempotency-key': 'key-1' }));
    expect(response.status).toBe(409);
    expect((await response.json()).error.code).toBe('idempotency_key_reused');
    expect(simulator.stats.jobsCreated).toBe(1);
  });
});

describe('given requests outside the protocol', () => {
  it('answers 404 for unknown jobs, other models and unknown paths, and 405 with Allow for wrong methods', async () => {
    const simulator = createSimulator();
    const unknown = await pollJob(simulator, 'job_doesnotexist');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'not_found', message: expect.any(String), status: 404 } });
    const otherModel = await simulator(new Request(`${BASE}/models/flux-pro/run`, { method: 'POST', headers: { authorization: 'Bearer k' } }));
    expect(otherModel.status).toBe(404);
    expect((await simulator(new Request(`${ORIGIN}/elsewhere`))).status).toBe(404);
    const get = await simulator(new Request(RUN_URL));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const del = await simulator(new Request(`${BASE}/jobs/job_x`, { method: 'DELETE' }));
    expect(del.status).toBe(405);
  });

  it('serves under a custom basePath', async () => {
    const simulator = createSimulator({ basePath: '/api/character/', durationMs: 0 });
    const response = await simulator(new Request(`${ORIGIN}/api/character/models/ideogram-character/run`, submitRequest()));
    const body = await response.json();
    expect(body.statusUrl).toBe(`${ORIGIN}/api/character/jobs/${body.jobId}`);
    expect((await simulator(new Request(body.statusUrl, { headers: { authorization: 'Bearer k' } }))).status).toBe(200);
  });
});

describe('given the log and stats', () => {
  it('records method, path, status, the Authorization received, the Idempotency-Key and the time of every request', async () => {
    const simulator = createSimulator({ durationMs: 0 });
    const { jobId } = await submitJob(simulator, INPUT, { 'idempotency-key': 'abc' });
    vi.advanceTimersByTime(5);
    await pollJob(simulator, jobId);
    await simulator(new Request(`${BASE}/simulator/images/${jobId}/0.svg`));
    expect(simulator.log).toEqual([
      { method: 'POST', path: '/api/v1/models/ideogram-character/run', status: 202, authorization: 'Bearer test-key', idempotencyKey: 'abc', at: START },
      { method: 'GET', path: `/api/v1/jobs/${jobId}`, status: 200, authorization: 'Bearer test-key', idempotencyKey: null, at: START + 5 },
      { method: 'GET', path: `/api/v1/simulator/images/${jobId}/0.svg`, status: 200, authorization: null, idempotencyKey: null, at: START + 5 },
    ]);
    expect(simulator.stats).toMatchObject({ requests: 3, submits: 1, polls: 1, images: 1, jobsCreated: 1 });
  });

  it('keeps at most logLimit entries, newest last', async () => {
    const simulator = createSimulator({ logLimit: 3 });
    for (let i = 0; i < 10; i++) await simulator(jobRequest(`job_${i}`));
    expect(simulator.log.map((entry) => entry.path)).toEqual(['/api/v1/jobs/job_7', '/api/v1/jobs/job_8', '/api/v1/jobs/job_9']);
    expect(simulator.stats.requests).toBe(10);
  });

  it('reset() forgets jobs, keys, counters and log, restores credits and replays the same ids', async () => {
    const simulator = createSimulator({ credits: 50 });
    const first = await submitJob(simulator, INPUT, { 'idempotency-key': 'k' });
    simulator.reset();
    expect(simulator.jobs()).toEqual([]);
    expect(simulator.log).toEqual([]);
    expect(simulator.stats.requests).toBe(0);
    expect(simulator.credits).toBe(50);
    const again = await submitJob(simulator, INPUT, { 'idempotency-key': 'k' });
    expect(again.jobId).toBe(first.jobId);
    expect(simulator.stats.replays).toBe(0);
  });
});

describe('given fetch injection', () => {
  it('accepts fetch(url, init) with absolute and relative URLs (relative to the origin option)', async () => {
    const simulator = createSimulator({ origin: 'http://app.test', durationMs: 0 });
    const response = await simulator.fetch('/api/v1/models/ideogram-character/run', {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: JSON.stringify(INPUT),
    });
    const body = await response.json();
    expect(body.statusUrl).toBe(`http://app.test/api/v1/jobs/${body.jobId}`);
    const job = await simulator.fetch(new URL(body.statusUrl), { headers: { authorization: 'Bearer k' } });
    expect((await job.json()).status).toBe('completed');
  });

  it('rejects with the signal reason when the request is already aborted', async () => {
    const simulator = createSimulator();
    const controller = new AbortController();
    controller.abort();
    await expect(simulator.fetch(RUN_URL, { method: 'POST', signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(simulator.stats.requests).toBe(0);
  });
});
