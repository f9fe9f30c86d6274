import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CharacterApiError, createCharacterClient, createPollPolicy, type Job } from '../../src/core/index.js';
import { createSimulator } from '../../src/testing/index.js';
import { ENDPOINT, INPUT, JOB_ID, completed, fakeServer, fixedPolicy, html, json, processing, scripted, settle } from './helpers.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A job that is pending, then processing from 2 s, completed from `doneAtMs` (fake clock). */
function timelineServer(doneAtMs: number, extra: Record<string, unknown> = {}) {
  return fakeServer(() => {
    const elapsed = Date.now() - T0;
    if (elapsed >= doneAtMs) return completed(extra);
    return json({ jobId: JOB_ID, status: elapsed >= 2000 ? 'processing' : 'pending', ...extra });
  });
}

describe('waitForJob', () => {
  it('given a job that completes, resolves it, reports each status once and leaves no timer behind', async () => {
    const server = timelineServer(5000);
    const policy = fixedPolicy(1000);
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: policy });
    const updates: Job[] = [];
    const result = settle(client.waitForJob(JOB_ID, { onUpdate: (job) => updates.push(job), renderingSpeed: 'Turbo' }));
    await vi.advanceTimersByTimeAsync(5000);
    expect(result.done).toBe(true);
    expect(result.value).toEqual({ jobId: JOB_ID, status: 'completed', images: ['https://cdn.example/1.png'] });
    expect(updates.map((job) => job.status)).toEqual(['pending', 'processing', 'completed']);
    expect(server.requests.map((r) => r.at - T0)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(server.requests.every((r) => r.url === `${ENDPOINT}/jobs/${JOB_ID}`)).toBe(true);
    expect(policy.contexts[0]).toMatchObject({ attempt: 0, elapsedMs: 0, status: 'pending', renderingSpeed: 'Turbo' });
    expect(policy.contexts.at(-1)).toMatchObject({ attempt: 4, elapsedMs: 4000, status: 'processing' });
    expect(policy.observed).toEqual([5000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given the first answer is already processing, reports it once as the first update', async () => {
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: scripted(processing(), processing(), completed()).fetch, pollPolicy: fixedPolicy(500) });
    const updates: string[] = [];
    const result = settle(client.waitForJob(JOB_ID, { onUpdate: (job) => updates.push(job.status) }));
    await vi.advanceTimersByTimeAsync(1500);
    expect(result.value?.status).toBe('completed');
    expect(updates).toEqual(['processing', 'completed']);
  });

  it('given a failed job, rejects job_failed with the upstream message and the job id', async () => {
    const client = createCharacterClient({
      endpoint: ENDPOINT,
      fetch: scripted(processing(), json({ jobId: JOB_ID, status: 'failed', error: 'Prompt failed the safety check' })).fetch,
      pollPolicy: fixedPolicy(1000),
    });
    const result = settle(client.waitForJob(JOB_ID));
    await vi.advanceTimersByTimeAsync(2000);
    expect(result.error).toMatchObject({ code: 'job_failed', message: 'Prompt failed the safety check', jobId: JOB_ID });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rides out network errors, 5xx pages and 429s (waiting at least Retry-After), then completes', async () => {
    const server = scripted(
      new TypeError('fetch failed'),
      html(502),
      json({ error: { message: 'Internal' } }, 500),
      json({ error: 'Too many requests' }, 429, { 'Retry-After': '8' }),
      processing(),
      completed(),
    );
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: fixedPolicy(1000) });
    const transient: CharacterApiError[] = [];
    const result = settle(client.waitForJob(JOB_ID, { onTransientError: (e) => transient.push(e as CharacterApiError) }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(result.value?.status).toBe('completed');
    expect(transient.map((e) => e.code)).toEqual(['network', 'upstream', 'upstream', 'rate_limited']);
    const at = server.requests.map((r) => r.at - T0);
    expect(at[4]! - at[3]!).toBeGreaterThanOrEqual(8000);
    // Consecutive failures back off instead of hammering a failing server.
    expect(at[1]! - at[0]!).toBe(1000);
    expect(at[3]! - at[2]!).toBeGreaterThanOrEqual(2000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes retryAfterMs to the poll policy', async () => {
    const policy = fixedPolicy(1000);
    const client = createCharacterClient({
      endpoint: ENDPOINT,
      fetch: scripted(json({ error: 'Too many' }, 429, { 'Retry-After': '4' }), completed()).fetch,
      pollPolicy: policy,
    });
    const result = settle(client.waitForJob(JOB_ID));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(result.value?.status).toBe('completed');
    expect(policy.contexts[1]).toMatchObject({ attempt: 1, retryAfterMs: 4000 });
  });

  it.each([
    ['not_found', () => json({ error: 'Job not found' }, 404)],
    ['unauthorized', () => json({ error: 'Bad key' }, 401)],
    ['expired', () => json({ error: 'Job expired' }, 410)],
    ['upstream', () => html(405)],
    ['invalid_response', () => json({ jobId: JOB_ID, status: 'completed', output: { images: ['data:image/png;base64,AA'] } })],
  ])('given %s, rejects at once instead of polling on', async (code, answer) => {
    const server = scripted(answer());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: fixedPolicy(1000) });
    const result = settle(client.waitForJob(JOB_ID));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(result.error).toMatchObject({ code });
    expect(server.requests).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given deadlineMs, rejects timeout at the deadline after one last look there', async () => {
    const server = scripted(processing());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: fixedPolicy(3000) });
    const result = settle(client.waitForJob(JOB_ID, { deadlineMs: 10_000 }));
    await vi.advanceTimersByTimeAsync(9999);
    expect(result.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(result.error).toMatchObject({ code: 'timeout', jobId: JOB_ID });
    expect(server.requests.map((r) => r.at - T0)).toEqual([3000, 6000, 9000, 10_000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given no deadline and no expiresAt, gives up after 10 minutes', async () => {
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: scripted(processing()).fetch, pollPolicy: fixedPolicy(60_000) });
    const result = settle(client.waitForJob(JOB_ID));
    await vi.advanceTimersByTimeAsync(599_999);
    expect(result.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(result.error).toMatchObject({ code: 'timeout' });
  });

  it('given the job’s expiresAt passes while it still runs, rejects expired', async () => {
    const expiresAt = new Date(T0 + 7000).toISOString();
    const server = scripted(processing({ expiresAt }));
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: fixedPolicy(5000) });
    const result = settle(client.waitForJob(JOB_ID));
    await vi.advanceTimersByTimeAsync(7000);
    expect(result.error).toMatchObject({ code: 'expired', jobId: JOB_ID });
    expect(server.requests.map((r) => r.at - T0)).toEqual([5000, 7000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given a job that vanished after its expiresAt, rejects expired rather than not_found', async () => {
    const expiresAt = new Date(T0 + 1500).toISOString();
    const client = createCharacterClient({
      endpoint: ENDPOINT,
      fetch: scripted(processing({ expiresAt }), json({ error: 'Job not found' }, 404)).fetch,
      pollPolicy: fixedPolicy(1000),
    });
    const result = settle(client.waitForJob(JOB_ID, { deadlineMs: 60_000 }));
    await vi.advanceTimersByTimeAsync(1000);
    vi.setSystemTime(T0 + 1400);
    await vi.advanceTimersByTimeAsync(2000);
    expect(result.error).toMatchObject({ code: 'expired' });
  });

  it('given a resumed wait told the job’s expiresAt, reads the job gone after it as expired at the first look', async () => {
    // After a reload: the saved job expired while the page was closed, and the upstream has deleted it.
    const server = scripted(json({ error: 'Job not found' }, 404));
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: fixedPolicy(1000) });
    const expiresAt = new Date(T0 - 60_000).toISOString();
    const result = settle(client.waitForJob(JOB_ID, { startedAt: T0 - 3_600_000, expiresAt }));
    await vi.advanceTimersByTimeAsync(0);
    expect(result.error).toMatchObject({ code: 'expired', jobId: JOB_ID, status: 404 });
    expect(server.requests).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given a startedAt that is no time (NaN), waits as if started now: polls by the policy and gives up after 10 minutes', async () => {
    const server = scripted(processing());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: fixedPolicy(5000) });
    const result = settle(client.waitForJob(JOB_ID, { startedAt: Number.NaN }));
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(result.error).toMatchObject({ code: 'timeout', jobId: JOB_ID });
    expect(server.requests).toHaveLength(120);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given a resumed wait told the job’s expiresAt, never polls past it', async () => {
    const server = scripted(processing(), processing(), processing());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: fixedPolicy(5000) });
    const result = settle(client.waitForJob(JOB_ID, { expiresAt: new Date(T0 + 7000).toISOString() }));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(result.error).toMatchObject({ code: 'expired', jobId: JOB_ID });
    expect(server.requests.map((r) => r.at - T0)).toEqual([5000, 7000]);
  });

  it('given an abort while waiting on a timer, rejects aborted at once and leaves no timer or request', async () => {
    const server = scripted(processing());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: fixedPolicy(5000) });
    const controller = new AbortController();
    const result = settle(client.waitForJob(JOB_ID, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(7000);
    expect(server.requests).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await Promise.resolve();
    await Promise.resolve();
    expect(result.error).toMatchObject({ code: 'aborted', jobId: JOB_ID });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.requests).toHaveLength(1);
  });

  it('given an abort while a request is in flight, rejects aborted and aborts the request', async () => {
    const server = fakeServer(() => new Promise<Response>(() => {}));
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: fixedPolicy(1000) });
    const controller = new AbortController();
    const result = settle(client.waitForJob(JOB_ID, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.requests).toHaveLength(1);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(result.error).toMatchObject({ code: 'aborted' });
    expect(server.requests[0]!.request.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given a status request that never answers, gives it up after statusTimeoutMs as a network error and polls on to completed', async () => {
    const server = fakeServer((_request, index) => (index === 0 ? new Promise<Response>(() => {}) : completed()));
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: fixedPolicy(1000), statusTimeoutMs: 5000 });
    const transient: string[] = [];
    const result = settle(client.waitForJob(JOB_ID, { onTransientError: (error) => transient.push(`${error.code}: ${error.message}`) }));
    await vi.advanceTimersByTimeAsync(1000 + 4999);
    expect(server.requests).toHaveLength(1);
    expect(transient).toEqual([]);
    await vi.advanceTimersByTimeAsync(1 + 1000);
    expect(transient).toEqual([`network: No answer from ${ENDPOINT}/jobs/${JOB_ID} within 5 s`]);
    // The stalled request is aborted, not left open.
    expect(server.requests[0]!.request.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(2000);
    expect(result.value?.status).toBe('completed');
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([0, Infinity])('given statusTimeoutMs %s, never gives a slow status request up', async (statusTimeoutMs) => {
    const server = fakeServer(() => new Promise<Response>((resolve) => setTimeout(() => resolve(completed()), 60_000)));
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: fixedPolicy(1000), statusTimeoutMs });
    const result = settle(client.waitForJob(JOB_ID));
    await vi.advanceTimersByTimeAsync(61_000);
    expect(server.requests).toHaveLength(1);
    expect(result.value?.status).toBe('completed');
  });

  it('given headers() that throws, getJob rejects with that error and leaves no timer or listener', async () => {
    const server = scripted(processing());
    const trouble = new Error('no session');
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, headers: () => { throw trouble; } });
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, 'addEventListener');
    const result = settle(client.getJob(JOB_ID, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(0);
    expect(result.error).toBe(trouble);
    expect(vi.getTimerCount()).toBe(0);
    expect(added).not.toHaveBeenCalled();
    expect(server.requests).toHaveLength(0);
  });

  it('given an already aborted signal, rejects aborted without a request or timer', async () => {
    const server = scripted(processing());
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    const result = settle(client.waitForJob(JOB_ID, { signal: AbortSignal.abort() }));
    await vi.advanceTimersByTimeAsync(0);
    expect(result.error).toMatchObject({ code: 'aborted' });
    expect(server.requests).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given a resumed wait (startedAt long ago), looks at once and does not learn from it', async () => {
    const server = scripted(completed());
    const policy = fixedPolicy(2000);
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch, pollPolicy: policy });
    const result = settle(client.waitForJob(JOB_ID, { startedAt: T0 - 60_000 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(result.value?.status).toBe('completed');
    expect(server.requests.map((r) => r.at - T0)).toEqual([0]);
    expect(policy.observed).toEqual([]);
  });

  it('with the default policy, polls a ~16 s job a few times instead of every 500 ms, and learns from it', async () => {
    const server = timelineServer(16_200);
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    const before = client.pollPolicy.expectedDurationMs();
    const result = settle(client.waitForJob(JOB_ID));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(result.value?.status).toBe('completed');
    expect(server.requests.length).toBeLessThanOrEqual(4);
    expect(server.requests.at(-1)!.at - T0 - 16_200).toBeLessThan(1500);
    expect(client.pollPolicy.expectedDurationMs()).not.toBe(before);
  });
});

describe('against the PixelDojo simulator (src/testing)', () => {
  it('submits and waits through rate limits and 5xx pages to the images, with one job charged', async () => {
    const simulator = createSimulator({ seed: 7, durationMs: 15_000, rateLimitRate: 0.2, serverErrorRate: 0.2, origin: 'http://sim.test' });
    const client = createCharacterClient({
      endpoint: 'http://sim.test/api/v1',
      fetch: simulator.fetch,
      headers: { Authorization: 'Bearer test-key' },
      pollPolicy: createPollPolicy(),
    });
    const run = (async () => {
      let job: Job | undefined;
      for (let tries = 0; !job; tries++) {
        try {
          job = await client.submit(INPUT, { idempotencyKey: 'one-logical-submit', retries: 0 });
        } catch (error) {
          if (!(error instanceof CharacterApiError) || !error.transient || tries > 10) throw error;
          await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 1000));
        }
      }
      return client.waitForJob(job.jobId);
    })();
    const result = settle(run);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(result.error).toBeUndefined();
    expect(result.value?.status).toBe('completed');
    expect(result.value?.images.length).toBeGreaterThan(0);
    expect(simulator.stats.jobsCreated).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
