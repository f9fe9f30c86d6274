import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCharacterClient, type Job } from '../../src/core/index.js';
import { createSimulator, type SimulatorOptions } from '../../src/testing/index.js';
import { BASE, INPUT } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 10, 24, 12) });
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(options: SimulatorOptions = {}) {
  const simulator = createSimulator(options);
  const client = createCharacterClient({ endpoint: BASE, fetch: simulator.fetch, headers: { authorization: 'Bearer test-key' } });
  return { simulator, client };
}

/** Run a promise to settlement while the fake clock moves on. */
async function settle<T>(promise: Promise<T>, ms = 120_000): Promise<PromiseSettledResult<T>> {
  const settled = Promise.allSettled([promise]).then(([result]) => result!);
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}

describe('given a real createCharacterClient with the simulator injected as fetch', () => {
  it('submits, watches the job go pending → processing → completed and gets one image URL per requested image', async () => {
    const { simulator, client } = setup({ durationMs: 16_000 });
    const job = await client.submit({ ...INPUT, numberOfImages: 2 });
    expect(job).toMatchObject({ status: 'pending', creditCost: 5, creditsRemaining: 995 });
    const seen: string[] = [];
    const result = await settle(client.waitForJob(job.jobId, { onUpdate: (update: Job) => seen.push(update.status) }));
    expect(result).toEqual({ status: 'fulfilled', value: expect.objectContaining({ jobId: job.jobId, status: 'completed' }) });
    const done = (result as PromiseFulfilledResult<Job>).value;
    expect(done.images).toHaveLength(2);
    expect(seen.at(-1)).toBe('completed');
    expect(seen).toContain('processing');
    // Every image URL the job lists is served.
    for (const url of done.images) expect((await simulator.fetch(url)).status).toBe(200);
    expect(simulator.stats.jobsCreated).toBe(1);
  });

  it('sends an Idempotency-Key, so a submit whose answer was dropped is retried without a second job', async () => {
    const { simulator, client } = setup({ dropRate: 1 });
    const result = await settle(client.submit(INPUT), 10_000);
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'network' });
    expect(simulator.stats).toMatchObject({ jobsCreated: 1 });
    expect(simulator.stats.replays).toBe(simulator.log.length - 1);
    expect(new Set(simulator.log.map((entry) => entry.idempotencyKey)).size).toBe(1);
  });

  it('rejects job_failed with the message of a failed job', async () => {
    const { client } = setup({ failureRate: 1, durationMs: 5_000 });
    const job = await client.submit(INPUT);
    const result = await settle(client.waitForJob(job.jobId));
    expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'job_failed', message: expect.stringContaining('simulated failure') });
  });

  it('rejects insufficient_credits (402) when the balance is too low', async () => {
    const { client } = setup({ credits: 2 });
    await expect(client.submit(INPUT)).rejects.toMatchObject({ code: 'insufficient_credits', status: 402 });
  });

  it('rejects unauthorized (401) when the key is wrong', async () => {
    const simulator = createSimulator({ apiKey: 'pd_right' });
    const client = createCharacterClient({ endpoint: BASE, fetch: simulator.fetch, headers: { authorization: 'Bearer pd_wrong' } });
    await expect(client.submit(INPUT)).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
  });

  it('reads the Retry-After of a 429 as retryAfterMs', async () => {
    const { client } = setup({ rateLimitRate: 1 });
    const result = await settle(client.getJob('job_abc'));
    const reason = (result as PromiseRejectedResult).reason;
    expect(reason).toMatchObject({ code: 'rate_limited', status: 429 });
    expect([1000, 2000, 3000, 4000, 5000]).toContain(reason.retryAfterMs);
  });

  it('rejects not_found for an unknown job', async () => {
    const { client } = setup();
    await expect(client.getJob('job_unknown')).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });

  it('answers an expired job with status 410', async () => {
    const { client } = setup({ durationMs: 0, expiresInMs: 1_000 });
    const job = await client.submit(INPUT);
    vi.advanceTimersByTime(1_000);
    await expect(client.getJob(job.jobId)).rejects.toMatchObject({ status: 410, jobId: job.jobId });
  });
});
