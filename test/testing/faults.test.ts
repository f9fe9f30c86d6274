import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSimulator, SimulatedNetworkError, type SimulatorOptions } from '../../src/testing/index.js';
import { INPUT, jobRequest, pollJob, RUN_URL, submitJob, submitRequest } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 10, 24, 12) });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('given rateLimitRate 1', () => {
  it('answers every API request 429 with Retry-After of 1–5 s and the error shape, creating nothing', async () => {
    const simulator = createSimulator({ rateLimitRate: 1 });
    for (let i = 0; i < 20; i++) {
      const response = await simulator(i % 2 ? submitRequest() : jobRequest('job_x'));
      expect(response.status).toBe(429);
      const seconds = Number(response.headers.get('retry-after'));
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(5);
      expect(Number.isInteger(seconds)).toBe(true);
      expect(await response.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String), status: 429, retryAfterMs: seconds * 1000 } });
    }
    expect(simulator.stats.faults.rateLimited).toBe(20);
    expect(simulator.stats.jobsCreated).toBe(0);
    expect(simulator.credits).toBe(1000);
  });
});

describe('given serverErrorRate 1', () => {
  it('answers 500 or 502 with an HTML body, both kinds over a run', async () => {
    const simulator = createSimulator({ serverErrorRate: 1 });
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const response = await simulator(submitRequest());
      statuses.add(response.status);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toMatch(/^<html>[\s\S]*(Bad Gateway|Internal Server Error)[\s\S]*<\/html>/);
    }
    expect([...statuses].sort()).toEqual([500, 502]);
    expect(simulator.stats.faults.serverErrors).toBe(20);
    expect(simulator.stats.jobsCreated).toBe(0);
  });
});

describe('given dropRate 1', () => {
  it('rejects like a real fetch does: a TypeError "fetch failed" marked dropConnection', async () => {
    const simulator = createSimulator({ dropRate: 1 });
    const error = await simulator.fetch(RUN_URL, submitRequest()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SimulatedNetworkError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ name: 'TypeError', message: 'fetch failed', dropConnection: true });
    expect(simulator.log.at(-1)?.status).toBe('dropped');
    expect(simulator.stats.faults.dropped).toBe(1);
  });

  it('by default handles a dropped submit before losing the answer: the job exists and a retry with the same key gets it', async () => {
    const simulator = createSimulator({ dropRate: 1 });
    await expect(simulator(submitRequest(INPUT, { 'idempotency-key': 'k1' }))).rejects.toBeInstanceOf(SimulatedNetworkError);
    expect(simulator.jobs()).toHaveLength(1);
    expect(simulator.credits).toBe(995);
    const [created] = simulator.jobs();

    await expect(simulator(submitRequest(INPUT, { 'idempotency-key': 'k1' }))).rejects.toBeInstanceOf(SimulatedNetworkError);
    expect(simulator.jobs()).toEqual([created]);
    expect(simulator.stats).toMatchObject({ jobsCreated: 1, submits: 1, replays: 1 });
  });

  it("with dropAt 'request' drops before handling: no job is created", async () => {
    const simulator = createSimulator({ dropRate: 1, dropAt: 'request' });
    await expect(simulator(submitRequest())).rejects.toBeInstanceOf(SimulatedNetworkError);
    expect(simulator.jobs()).toHaveLength(0);
    expect(simulator.credits).toBe(1000);
  });
});

describe('given failureRate 1', () => {
  it('ends every job failed with an error message once its duration has passed, and serves no images', async () => {
    const simulator = createSimulator({ failureRate: 1, durationMs: 5_000 });
    const { jobId } = await submitJob(simulator);
    expect((await pollJob(simulator, jobId)).body.status).toBe('pending');
    vi.advanceTimersByTime(5_000);
    const { body } = await pollJob(simulator, jobId);
    expect(body.status).toBe('failed');
    expect(body.error).toEqual(expect.stringContaining('simulated failure'));
    expect(body.output).toBeUndefined();
    expect(simulator.stats.faults.failedJobs).toBe(1);
    expect((await simulator(new Request(`http://sim.test/api/v1/simulator/images/${jobId}/0.svg`))).status).toBe(404);
  });
});

describe('given latencyMs', () => {
  it('holds each answer back by the fixed latency', async () => {
    const simulator = createSimulator({ latencyMs: 300 });
    let settled = false;
    const pending = simulator(jobRequest('job_x')).then((response) => {
      settled = true;
      return response;
    });
    await vi.advanceTimersByTimeAsync(299);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await pending).status).toBe(404);
  });

  it('draws a latency within [min, max]', async () => {
    const simulator = createSimulator({ latencyMs: [100, 200] });
    let settled = false;
    const pending = simulator(jobRequest('job_x')).then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(101);
    await pending;
    expect(settled).toBe(true);
  });

  it('rejects with AbortError when the request is aborted during the latency', async () => {
    const simulator = createSimulator({ latencyMs: 1_000 });
    const controller = new AbortController();
    const pending = simulator.fetch(RUN_URL, { method: 'POST', signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('given mixed fault rates and a seed', () => {
  const options: SimulatorOptions = { rateLimitRate: 0.2, serverErrorRate: 0.2, dropRate: 0.1, failureRate: 0.3, durationMs: 0 };

  async function run(seed: number): Promise<string[]> {
    const simulator = createSimulator({ ...options, seed });
    const outcomes: string[] = [];
    for (let i = 0; i < 60; i++) {
      const request = i % 3 === 0 ? submitRequest() : jobRequest(simulator.jobs().at(-1)?.jobId ?? 'job_none');
      try {
        const response = await simulator(request);
        const text = await response.text();
        outcomes.push(`${response.status}:${response.status === 200 ? JSON.parse(text).status : ''}:${response.status === 202 ? JSON.parse(text).jobId : ''}`);
      } catch (error) {
        outcomes.push(error instanceof SimulatedNetworkError ? 'dropped' : 'other');
      }
    }
    return outcomes;
  }

  it('gives the same faults, failures and job ids for the same seed and request sequence', async () => {
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect(first).toContain('dropped');
    expect(first.some((outcome) => outcome.startsWith('429'))).toBe(true);
    expect(first.some((outcome) => /^50[02]/.test(outcome))).toBe(true);
  });

  it('gives a different sequence for another seed', async () => {
    expect(await run(43)).not.toEqual(await run(42));
  });

  it('injects faults at roughly the configured rates', async () => {
    const simulator = createSimulator({ rateLimitRate: 0.25, seed: 9 });
    for (let i = 0; i < 400; i++) await simulator(jobRequest('job_x'));
    expect(simulator.stats.faults.rateLimited).toBeGreaterThan(70);
    expect(simulator.stats.faults.rateLimited).toBeLessThan(130);
  });

  it('does not fault image requests, so pages always get their pictures', async () => {
    // A dropped submit is still handled, so the job exists though every API request faults.
    const simulator = createSimulator({ durationMs: 0, dropRate: 1, rateLimitRate: 1, serverErrorRate: 1 });
    await expect(simulator(submitRequest())).rejects.toBeInstanceOf(SimulatedNetworkError);
    const [job] = simulator.jobs();
    for (const format of ['svg', 'png']) {
      const image = await simulator(new Request(`http://sim.test/api/v1/simulator/images/${job!.jobId}/0.${format}`));
      expect(image.status).toBe(200);
    }
    expect(simulator.stats.faults.dropped).toBe(1);
  });
});
