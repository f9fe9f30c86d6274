import { QueryClient } from '@tanstack/react-query';
import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isTransientError, type CharacterApiError } from '../../src/core/errors.js';
import { createPollPolicy } from '../../src/core/poll-policy.js';
import type { Job } from '../../src/core/schemas.js';
import { handleStorageKey } from '../../src/react/persistence.js';
import { CharacterGenerationProvider } from '../../src/react/provider.js';
import {
  useCharacterGeneration,
  type GenerationStatus,
  type UseCharacterGenerationOptions,
} from '../../src/react/use-character-generation.js';
import {
  advance,
  advanceUntil,
  createRig,
  type Rig,
  ENDPOINT,
  INPUT,
  memoryStorage,
  withPollFaults,
  withSlowSubmitAnswers,
} from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: false });
});
afterEach(() => {
  vi.useRealTimers();
});

const STORAGE_KEY = handleStorageKey(ENDPOINT);
/** The handle saved in the default slot, as stored. */
const readSlot = (rig: Rig) => {
  const saved = rig.storage.data.get(STORAGE_KEY);
  return saved ? (JSON.parse(saved) as { jobId: string; settled?: string }) : undefined;
};

function renderGeneration(rig: ReturnType<typeof createRig>, options: UseCharacterGenerationOptions = {}) {
  return renderHook((props: UseCharacterGenerationOptions) => useCharacterGeneration(props), {
    wrapper: rig.wrapper,
    initialProps: options,
  });
}

/** Every distinct status the hook went through, in order. */
function statusTrail(onStatusChange: ReturnType<typeof vi.fn>): GenerationStatus[] {
  return onStatusChange.mock.calls.map((call) => call[0] as GenerationStatus);
}

describe('useCharacterGeneration', () => {
  describe('given a simulator whose jobs take 16 s', () => {
    it('when a generation is submitted, it goes submitting → pending → processing → completed with the images', async () => {
      const rig = createRig();
      const onStatusChange = vi.fn();
      const onSubmitted = vi.fn();
      const onCompleted = vi.fn();
      const onError = vi.fn();
      const { result } = renderGeneration(rig, { onStatusChange, onSubmitted, onCompleted, onError });
      expect(result.current.status).toBe('idle');
      expect(result.current.images).toEqual([]);

      act(() => result.current.generate(INPUT));
      expect(result.current.status).toBe('submitting');
      expect(result.current.isBusy).toBe(true);

      await advanceUntil(() => result.current.status === 'pending');
      expect(onSubmitted).toHaveBeenCalledTimes(1);
      expect(result.current.job?.jobId).toMatch(/^job_/);
      expect(result.current.input?.prompt).toBe(INPUT.prompt);

      await advanceUntil(() => result.current.status === 'completed');
      expect(result.current.images).toHaveLength(2);
      for (const src of result.current.images) expect(src).toMatch(/^https?:\/\//);
      expect(result.current.progress).toBe(1);
      expect(result.current.error).toBeNull();
      expect(result.current.isBusy).toBe(false);
      expect(onCompleted).toHaveBeenCalledTimes(1);
      expect(onCompleted.mock.calls[0]![0].images).toEqual(result.current.images);
      expect(onError).not.toHaveBeenCalled();
      expect(statusTrail(onStatusChange)).toEqual(['submitting', 'pending', 'processing', 'completed']);
      expect(rig.simulator.stats.submits).toBe(1);

      // Done means done: no more polls, whatever time passes.
      const polls = rig.simulator.stats.polls;
      await advance(60_000);
      expect(rig.simulator.stats.polls).toBe(polls);
    });

    it('progress grows while waiting but never reaches 1 before completed', async () => {
      const rig = createRig({ simulator: { durationMs: 60_000 } });
      const { result, rerender } = renderGeneration(rig);
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.status === 'pending');
      const seen: number[] = [];
      for (let t = 0; t < 55_000; t += 5_000) {
        await advance(5_000);
        rerender({});
        seen.push(result.current.progress);
      }
      expect(result.current.status).not.toBe('completed');
      expect(seen.every((p, i) => p >= (seen[i - 1] ?? 0))).toBe(true);
      expect(Math.max(...seen)).toBeLessThan(1);
      expect(seen.at(-1)).toBeGreaterThan(0.9);
    });
  });

  describe('given a job that fails upstream', () => {
    it('ends failed with a job_failed error, reported once', async () => {
      const rig = createRig({ simulator: { failureRate: 1 } });
      const onError = vi.fn();
      const onCompleted = vi.fn();
      const { result } = renderGeneration(rig, { onError, onCompleted });
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.status === 'failed');
      expect(result.current.error?.code).toBe('job_failed');
      expect(result.current.error?.message).toMatch(/simulated failure/);
      expect(result.current.images).toEqual([]);
      expect(result.current.progress).toBeLessThan(1);
      await advance(30_000);
      expect(onError).toHaveBeenCalledTimes(1);
      expect(onError.mock.calls[0]![0].code).toBe('job_failed');
      expect(onCompleted).not.toHaveBeenCalled();
    });
  });

  describe('given the upstream refuses the submit', () => {
    it('ends failed with the error code (no polling)', async () => {
      const rig = createRig({ simulator: { credits: 0 } });
      const onError = vi.fn();
      const { result } = renderGeneration(rig, { onError });
      let rejected: unknown;
      await act(async () => {
        await result.current.generateAsync(INPUT).catch((error: unknown) => (rejected = error));
      });
      await advance(0);
      expect(result.current.status).toBe('failed');
      expect(result.current.error?.code).toBe('insufficient_credits');
      expect(rejected).toBe(result.current.error);
      expect(onError).toHaveBeenCalledTimes(1);
      expect(rig.simulator.stats.polls).toBe(0);
    });
  });

  describe('given transient trouble while polling', () => {
    it('a 429 on a poll shows as transientError, polling goes on, and the job still completes', async () => {
      const rig = createRig({ fetch: (sim) => withPollFaults(sim, { 1: 'rate-limit' }) });
      const onError = vi.fn();
      const { result } = renderGeneration(rig, { onError });
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.transientError !== null, { limitMs: 30_000 });
      expect(result.current.transientError?.code).toBe('rate_limited');
      expect(isTransientError(result.current.transientError)).toBe(true);
      expect(['pending', 'processing']).toContain(result.current.status);
      expect(result.current.error).toBeNull();

      await advanceUntil(() => result.current.status === 'completed');
      expect(result.current.transientError).toBeNull();
      expect(result.current.images).toHaveLength(2);
      expect(onError).not.toHaveBeenCalled();
    });

    it('a dropped connection mid-poll never turns the generation failed', async () => {
      const rig = createRig({ fetch: (sim) => withPollFaults(sim, { 2: 'drop', 3: 'server-error' }) });
      const seen = new Set<GenerationStatus>();
      const { result } = renderGeneration(rig, { onStatusChange: (status) => seen.add(status) });
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.transientError?.code === 'network', { limitMs: 30_000 });
      expect(['pending', 'processing']).toContain(result.current.status);
      await advanceUntil(() => result.current.status === 'completed');
      expect(seen.has('failed')).toBe(false);
      expect(result.current.images).toHaveLength(2);
    });

    it('a resumed job whose first polls fail keeps showing the last transient error between tries, until an answer arrives', async () => {
      // Each answer takes 200 ms, as over a real network: a render happens while a try is in flight.
      const rig = createRig({
        fetch: (sim) => {
          const faulty = withPollFaults(sim, { 1: 'server-error', 2: 'drop', 3: 'rate-limit' });
          return (async (...args: Parameters<typeof fetch>) => {
            await new Promise((resolve) => setTimeout(resolve, 200));
            return faulty(...args);
          }) as typeof fetch;
        },
      });
      let submitted: Job | undefined;
      void rig.client.submit(INPUT).then((job) => (submitted = job));
      await advanceUntil(() => submitted !== undefined, { stepMs: 100 });
      // Every render's view of the job and of the trouble, as a status line would show it.
      const renders: Array<{ job: boolean; transient: string | null }> = [];
      const { result } = renderHook(
        () => {
          const generation = useCharacterGeneration();
          renders.push({ job: generation.job !== null, transient: generation.transientError?.code ?? null });
          return generation;
        },
        { wrapper: rig.wrapper },
      );
      act(() => result.current.resume(submitted!.jobId, { startedAt: Date.now() }));
      await advanceUntil(() => result.current.job !== null, { limitMs: 60_000 });

      const firstTrouble = renders.findIndex((render) => render.transient !== null);
      const firstAnswer = renders.findIndex((render) => render.job);
      expect(firstTrouble).toBeGreaterThan(-1);
      expect(firstAnswer).toBeGreaterThan(firstTrouble);
      // No render between the first failed try and the first answer says "no trouble".
      expect(renders.slice(firstTrouble, firstAnswer).filter((render) => render.transient === null)).toEqual([]);
      expect(new Set(renders.map((render) => render.transient).filter(Boolean))).toEqual(new Set(['upstream', 'network', 'rate_limited']));
      expect(result.current.transientError).toBeNull();
      await advanceUntil(() => result.current.status === 'completed');
      expect(result.current.images).toHaveLength(2);
    });

    it('a status request that never answers (a stalled connection) is given up, and the job that completed meanwhile shows its images', async () => {
      let polls = 0;
      const rig = createRig({
        fetch: (sim) =>
          (async (input: RequestInfo | URL, init?: RequestInit) => {
            const request = new Request(input, init);
            if (request.method === 'GET' && ++polls === 1) return new Promise<Response>(() => {});
            return sim.fetch(request);
          }) as typeof fetch,
      });
      const onError = vi.fn();
      const { result } = renderGeneration(rig, { onError });
      act(() => result.current.generate(INPUT));
      const spent = await advanceUntil(() => !result.current.isBusy, { stepMs: 1_000, limitMs: 15 * 60_000 });
      expect(result.current.status).toBe('completed');
      expect(result.current.images).toHaveLength(2);
      expect(spent).toBeLessThan(60_000);
      expect(onError).not.toHaveBeenCalled();
    });

    it('a random mix of drops, 5xx and 429s from the simulator still ends completed', async () => {
      const rig = createRig({ simulator: { dropRate: 0.2, serverErrorRate: 0.15, rateLimitRate: 0.15, dropAt: 'request', seed: 11 } });
      const { result } = renderGeneration(rig);
      // The submit itself may hit a fault; retry like a user would until one is accepted.
      for (let i = 0; i < 10 && result.current.status !== 'pending'; i++) {
        await act(async () => {
          await result.current.generateAsync(INPUT).catch(() => undefined);
        });
        await advance(0);
      }
      expect(result.current.status).toBe('pending');
      await advanceUntil(() => result.current.status === 'completed' || result.current.status === 'failed', { limitMs: 180_000 });
      expect(result.current.status).toBe('completed');
      expect(rig.simulator.stats.faults.dropped + rig.simulator.stats.faults.serverErrors + rig.simulator.stats.faults.rateLimited).toBeGreaterThan(0);
    });
  });

  describe('given a job that outlives its expiry or the deadline', () => {
    it('stops at the job expiresAt and ends expired', async () => {
      // The job would take 10 minutes but expires 30 s after submit.
      const rig = createRig({ simulator: { durationMs: 600_000, expiresInMs: -570_000 } });
      const onError = vi.fn();
      const { result } = renderGeneration(rig, { onError });
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.status === 'expired', { limitMs: 60_000 });
      expect(result.current.status).toBe('expired');
      expect(result.current.error?.code).toBe('expired');
      const polls = rig.simulator.stats.polls;
      await advance(120_000);
      expect(rig.simulator.stats.polls).toBe(polls);
      expect(onError).toHaveBeenCalledTimes(1);
    });

    it.each([25_000, 28_000, 29_500])('a job that completes at %i ms, inside a 30 s deadline, shows its images: the last look is at the deadline', async (durationMs) => {
      const rig = createRig({ simulator: { durationMs } });
      const onError = vi.fn();
      const onCompleted = vi.fn();
      const { result } = renderGeneration(rig, { deadlineMs: 30_000, onError, onCompleted });
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => !result.current.isBusy, { limitMs: 60_000 });
      await advance(30_000);
      expect(result.current.status).toBe('completed');
      expect(result.current.images).toHaveLength(2);
      expect(onCompleted).toHaveBeenCalledTimes(1);
      expect(onError).not.toHaveBeenCalled();
    });

    it('a last look at the deadline that never answers ends expired (timeout) a few seconds later, not never', async () => {
      let hang = false;
      const rig = createRig({
        simulator: { durationMs: 600_000 },
        fetch: (sim) => (async (input: RequestInfo | URL, init?: RequestInit) => (hang ? new Promise<Response>(() => {}) : sim.fetch(new Request(input, init)))) as typeof fetch,
      });
      const { result } = renderGeneration(rig, { deadlineMs: 30_000 });
      act(() => result.current.generate(INPUT));
      await advance(29_000);
      hang = true;
      const spent = await advanceUntil(() => result.current.status === 'expired', { limitMs: 60_000 });
      expect(result.current.error?.code).toBe('timeout');
      expect(spent).toBeLessThanOrEqual(15_000);
    });

    it('stops at deadlineMs and ends expired with a timeout error', async () => {
      const rig = createRig({ simulator: { durationMs: 600_000 } });
      const { result } = renderGeneration(rig, { deadlineMs: 20_000 });
      act(() => result.current.generate(INPUT));
      const spent = await advanceUntil(() => result.current.status === 'expired', { limitMs: 60_000 });
      expect(result.current.error?.code).toBe('timeout');
      expect(spent).toBeLessThanOrEqual(21_000);
      const polls = rig.simulator.stats.polls;
      await advance(60_000);
      expect(rig.simulator.stats.polls).toBe(polls);
    });
  });

  describe('given a job that completed before a reload', () => {
    it('a reload after its expiry shows it expired and calls no callback again (onCompleted was the one)', async () => {
      const storage = memoryStorage();
      const before = createRig({ storage, simulator: { durationMs: 16_000, expiresInMs: 60_000 } });
      const events: string[] = [];
      const options = { onCompleted: () => events.push('completed'), onError: (error: CharacterApiError) => events.push(`error ${error.code}`) };
      const page1 = renderGeneration(before, options);
      act(() => page1.result.current.generate(INPUT));
      await advanceUntil(() => page1.result.current.status === 'completed', { limitMs: 60_000 });
      page1.unmount();
      await advance(300_000);

      const reloaded = createRig({ storage, queryClient: new QueryClient(), fetch: () => before.simulator.fetch });
      const page2 = renderGeneration(reloaded, options);
      await advanceUntil(() => !page2.result.current.isBusy, { limitMs: 10_000 });
      expect(page2.result.current.status).toBe('expired');
      expect(events).toEqual(['completed']);
    });
  });

  describe('given hooks with their own deadlines on one job', () => {
    it('a hook with a shorter deadlineMs ends expired alone: the other watcher goes on to completed', async () => {
      const rig = createRig({ simulator: { durationMs: 60_000 } });
      const onError = vi.fn();
      const patient = renderGeneration(rig, { onError });
      act(() => patient.result.current.generate(INPUT));
      await advanceUntil(() => patient.result.current.status === 'pending');
      // A second view of the same generation (same id, same saved handle) that gives up at 20 s.
      const hastyEvents: string[] = [];
      const hasty = renderGeneration(rig, {
        deadlineMs: 20_000,
        onError: (error) => hastyEvents.push(`error ${error.code}`),
        onCompleted: (job) => hastyEvents.push(`completed ${job.images.length}`),
      });
      await advanceUntil(() => hasty.result.current.status === 'expired', { limitMs: 60_000 });
      expect(hasty.result.current.error?.code).toBe('timeout');
      expect(patient.result.current.isBusy).toBe(true);

      await advanceUntil(() => patient.result.current.status === 'completed', { limitMs: 120_000 });
      expect(patient.result.current.images).toHaveLength(2);
      expect(onError).not.toHaveBeenCalled();
      // The paid images are never hidden: the hook that gave up shows them once the other
      // watcher's poll sees the job completed, and says so to its callbacks, each once.
      expect(hasty.result.current.status).toBe('completed');
      expect(hasty.result.current.images).toEqual(patient.result.current.images);
      expect(hasty.result.current.error).toBeNull();
      expect(hastyEvents).toEqual(['error timeout', 'completed 2']);
    });

    it('a hook that gave up at its deadline stays expired when another watcher later sees the job fail: one ending, one onError', async () => {
      const rig = createRig({ simulator: { durationMs: 60_000, failureRate: 1 } });
      const patient = renderGeneration(rig);
      act(() => patient.result.current.generate(INPUT));
      await advanceUntil(() => patient.result.current.status === 'pending');
      const hastyErrors: string[] = [];
      const hasty = renderGeneration(rig, { deadlineMs: 20_000, onError: (error) => hastyErrors.push(error.code) });
      await advanceUntil(() => hasty.result.current.status === 'expired', { limitMs: 60_000 });

      await advanceUntil(() => patient.result.current.status === 'failed', { limitMs: 120_000 });
      expect(patient.result.current.error?.code).toBe('job_failed');
      expect(hasty.result.current.status).toBe('expired');
      expect(hasty.result.current.error?.code).toBe('timeout');
      expect(hastyErrors).toEqual(['timeout']);
    });

    it('a reload after a hook gave up at its deadline still reports a job that completed meanwhile (onCompleted, once)', async () => {
      const storage = memoryStorage();
      const before = createRig({ storage, simulator: { durationMs: 40_000 } });
      const page1 = renderGeneration(before, { deadlineMs: 20_000 });
      act(() => page1.result.current.generate(INPUT));
      await advanceUntil(() => page1.result.current.status === 'expired', { limitMs: 60_000 });
      page1.unmount();
      await advance(60_000);

      const reload = (onCompleted: (job: Job) => void) =>
        renderGeneration(createRig({ storage, queryClient: new QueryClient(), fetch: () => before.simulator.fetch }), { onCompleted });
      const reported: Job[] = [];
      const page2 = reload((job) => reported.push(job));
      await advanceUntil(() => page2.result.current.status === 'completed', { limitMs: 10_000 });
      expect(reported.map((job) => job.images.length)).toEqual([2]);

      // Reported now: a later reload shows the images without reporting them again.
      page2.unmount();
      const again: Job[] = [];
      const page3 = reload((job) => again.push(job));
      await advanceUntil(() => page3.result.current.status === 'completed', { limitMs: 10_000 });
      expect(again).toEqual([]);
    });

    it('a hook remounted after it gave up stays expired when another watcher later sees the job fail: still one onError', async () => {
      const rig = createRig({ simulator: { durationMs: 60_000, failureRate: 1 } });
      const patient = renderGeneration(rig);
      act(() => patient.result.current.generate(INPUT));
      await advanceUntil(() => patient.result.current.status === 'pending');
      const hastyErrors: string[] = [];
      const options = { deadlineMs: 20_000, onError: (error: CharacterApiError) => hastyErrors.push(error.code) };
      const hasty = renderGeneration(rig, options);
      await advanceUntil(() => hasty.result.current.status === 'expired', { limitMs: 60_000 });
      hasty.unmount();
      await advance(1_000);
      const remounted = renderGeneration(rig, options);
      await advanceUntil(() => patient.result.current.status === 'failed', { limitMs: 120_000 });
      expect(remounted.result.current.status).toBe('expired');
      expect(hastyErrors).toEqual(['timeout']);
    });

    it("a hook remounted before its own deadline reports the job's failure although another hook's timeout was saved for the slot", async () => {
      const rig = createRig({ simulator: { durationMs: 60_000, failureRate: 1 } });
      const patientErrors: string[] = [];
      const patientOptions = { onError: (error: CharacterApiError) => patientErrors.push(error.code) };
      const patient = renderGeneration(rig, patientOptions);
      act(() => patient.result.current.generate(INPUT));
      await advanceUntil(() => patient.result.current.status === 'pending');
      const hasty = renderGeneration(rig, { deadlineMs: 20_000 });
      await advanceUntil(() => hasty.result.current.status === 'expired', { limitMs: 60_000 });
      expect(readSlot(rig)?.settled).toBe('timeout');
      patient.unmount();
      const remounted = renderGeneration(rig, patientOptions);
      await advanceUntil(() => remounted.result.current.status === 'failed', { limitMs: 120_000 });
      expect(patientErrors).toEqual(['job_failed']);
      expect(readSlot(rig)?.settled).toBe('failed');
    });

    it("a hook remounted before its own deadline still reports its own timeout, although another hook's timeout was saved for the slot", async () => {
      const rig = createRig({ simulator: { durationMs: 300_000 } });
      const patientErrors: string[] = [];
      const patientOptions = { deadlineMs: 60_000, onError: (error: CharacterApiError) => patientErrors.push(error.code) };
      const patient = renderGeneration(rig, patientOptions);
      act(() => patient.result.current.generate(INPUT));
      await advanceUntil(() => patient.result.current.status === 'pending');
      const hasty = renderGeneration(rig, { deadlineMs: 20_000 });
      await advanceUntil(() => hasty.result.current.status === 'expired', { limitMs: 60_000 });
      patient.unmount();
      const remounted = renderGeneration(rig, patientOptions);
      await advanceUntil(() => remounted.result.current.status === 'expired', { limitMs: 120_000 });
      expect(patientErrors).toEqual(['timeout']);
    });

    it('a hook remounted after its deadline asks before it decides: a job that completed meanwhile shows its images (cached answer or not)', async () => {
      const rig = createRig({ simulator: { durationMs: 30_000 } });
      const page = renderGeneration(rig, { deadlineMs: 20_000 });
      act(() => page.result.current.generate(INPUT));
      await advanceUntil(() => page.result.current.status === 'processing', { limitMs: 20_000 });
      page.unmount();
      await advance(40_000);
      const completed: Job[] = [];
      const remounted = renderGeneration(rig, { deadlineMs: 20_000, onCompleted: (job) => completed.push(job) });
      await advanceUntil(() => !remounted.result.current.isBusy, { limitMs: 10_000 });
      expect(remounted.result.current.status).toBe('completed');
      expect(completed).toHaveLength(1);
    });

    it('a reload after a hook gave up shows the failure of a job that failed meanwhile, without a second onError', async () => {
      const storage = memoryStorage();
      const before = createRig({ storage, simulator: { durationMs: 40_000, failureRate: 1 } });
      const errors: string[] = [];
      const page1 = renderGeneration(before, { deadlineMs: 20_000, onError: (error) => errors.push(error.code) });
      act(() => page1.result.current.generate(INPUT));
      await advanceUntil(() => page1.result.current.status === 'expired', { limitMs: 60_000 });
      page1.unmount();
      await advance(60_000);

      const reloaded = createRig({ storage, queryClient: new QueryClient(), fetch: () => before.simulator.fetch });
      const page2 = renderGeneration(reloaded, { deadlineMs: 20_000, onError: (error) => errors.push(error.code) });
      await advanceUntil(() => !page2.result.current.isBusy, { limitMs: 10_000 });
      await advance(10_000);
      expect(page2.result.current.status).toBe('failed');
      expect(errors).toEqual(['timeout']);
    });

    /**
     * Submit a job of `durationMs` with a 20 s deadline, close the tab for a minute, reload (new
     * QueryClient, same storage) and wait until the reloaded hook ends; the status requests that took.
     */
    async function reloadAfterTheDeadline(durationMs: number, { unreachableFor = 0, hanging = false } = {}) {
      const storage = memoryStorage();
      const before = createRig({ storage, simulator: { durationMs } });
      const page1 = renderGeneration(before, { deadlineMs: 20_000 });
      act(() => page1.result.current.generate(INPUT));
      await advanceUntil(() => page1.result.current.status === 'pending');
      page1.unmount();
      await advance(60_000);

      // After the reload, the first `unreachableFor` requests find the network down (or, `hanging`, never answer).
      let attempts = 0;
      const flaky: typeof fetch = (input, init) =>
        hanging
          ? (attempts++, new Promise<Response>(() => undefined))
          : ++attempts <= unreachableFor
            ? Promise.reject(new TypeError('fetch failed'))
            : before.simulator.fetch(input, init);
      const reloaded = createRig({ storage, queryClient: new QueryClient(), fetch: () => flaky });
      const polls = before.simulator.stats.polls;
      const page2 = renderGeneration(reloaded, { deadlineMs: 20_000 });
      const spent = await advanceUntil(() => !page2.result.current.isBusy, { limitMs: 120_000 });
      const attemptsWhenEnded = attempts;
      await advance(120_000);
      return { result: page2.result.current, polls: before.simulator.stats.polls - polls, attempts, attemptsWhenEnded, spent };
    }

    it('after a reload past the deadline, a network failure on the first checks does not hide a job that finished meanwhile: it asks again', async () => {
      const { result, polls, attempts } = await reloadAfterTheDeadline(16_000, { unreachableFor: 2 });
      expect(result.status).toBe('completed');
      expect(result.images).toHaveLength(2);
      expect([polls, attempts]).toEqual([1, 3]);
    });

    it('after a reload past the deadline, with the network down it asks for a minute, then ends expired (timeout) and stops asking', async () => {
      const { result, attempts, attemptsWhenEnded, spent } = await reloadAfterTheDeadline(16_000, { unreachableFor: Infinity });
      expect(result.status).toBe('expired');
      expect(result.error?.code).toBe('timeout');
      expect(spent).toBeGreaterThanOrEqual(60_000);
      expect(spent).toBeLessThan(61_000);
      expect(attempts).toBe(attemptsWhenEnded);
    });

    it('after a reload past the deadline, a status request that never answers ends expired (timeout) after a minute instead of busy forever', async () => {
      const { result, attempts, attemptsWhenEnded, spent } = await reloadAfterTheDeadline(16_000, { hanging: true });
      expect(result.status).toBe('expired');
      expect(result.error?.code).toBe('timeout');
      expect(spent).toBeLessThan(61_000);
      // Each request is given up after the client's 20 s statusTimeoutMs and asked again (at 0, 20.5 and 41.5 s); none after the end.
      expect(attemptsWhenEnded).toBe(3);
      expect(attempts).toBe(attemptsWhenEnded);
    });

    it('after a reload past the deadline, a job that finished meanwhile shows its images after one status request', async () => {
      // The 16 s job finished while the tab was closed (it expires in an hour).
      const { result, polls } = await reloadAfterTheDeadline(16_000);
      expect(result.status).toBe('completed');
      expect(result.images).toHaveLength(2);
      expect(polls).toBe(1);
    });

    it('after a reload past the deadline, a job still running ends expired (timeout) after one status request', async () => {
      const { result, polls } = await reloadAfterTheDeadline(600_000);
      expect(result.status).toBe('expired');
      expect(result.error?.code).toBe('timeout');
      expect(polls).toBe(1);
    });
  });

  describe('given a job resumed by id', () => {
    /** Submit elsewhere, resume in a hook 8 s later (with or without the start), watch it to completed; the policy's expectation after. */
    async function resumeMidway(withStart: boolean) {
      const rig = createRig();
      const submitted = await rig.client.submit(INPUT);
      const submittedAt = Date.now();
      await advance(8_000);
      const pollPolicy = createPollPolicy();
      const prior = pollPolicy.expectedDurationMs();
      const { result } = renderGeneration(rig, { pollPolicy });
      act(() => result.current.resume(submitted.jobId, withStart ? { startedAt: submittedAt } : {}));
      await advanceUntil(() => result.current.status === 'completed', { limitMs: 60_000 });
      return { prior, learned: pollPolicy.expectedDurationMs() };
    }

    it('without its start, the poll policy learns nothing from it (it would take the 8 s it watched for the job’s duration)', async () => {
      const { prior, learned } = await resumeMidway(false);
      expect(learned).toBe(prior);
    });

    it('with its start, the poll policy learns the job’s duration', async () => {
      const { prior, learned } = await resumeMidway(true);
      expect(learned).not.toBe(prior);
    });
  });

  describe('given a submitted job', () => {
    it('when the component unmounts, polling stops but the job is kept; a remount resumes it without a second submit', async () => {
      const rig = createRig();
      const first = renderGeneration(rig);
      act(() => first.result.current.generate(INPUT));
      await advanceUntil(() => first.result.current.status === 'pending');
      const jobId = first.result.current.job!.jobId;
      first.unmount();

      const polls = rig.simulator.stats.polls;
      await advance(5_000);
      expect(rig.simulator.stats.polls).toBe(polls);
      expect(rig.storage.data.get(STORAGE_KEY)).toContain(jobId);

      const onCompleted = vi.fn();
      const second = renderGeneration(rig, { onCompleted });
      await advance(0);
      expect(second.result.current.job?.jobId).toBe(jobId);
      expect(second.result.current.input?.prompt).toBe(INPUT.prompt);
      await advanceUntil(() => second.result.current.status === 'completed');
      expect(second.result.current.images).toHaveLength(2);
      expect(onCompleted).toHaveBeenCalledTimes(1);
      expect(rig.simulator.stats.submits).toBe(1);
    });

    it('when the component unmounts while submitting, the submit still lands and a remount picks its job up', async () => {
      const rig = createRig({ simulator: { latencyMs: 2_000 } });
      const first = renderGeneration(rig);
      act(() => first.result.current.generate(INPUT));
      await advance(500);
      first.unmount();

      const second = renderGeneration(rig);
      await advance(0);
      expect(second.result.current.status).toBe('idle');
      await advanceUntil(() => second.result.current.status === 'pending', { limitMs: 5_000 });
      expect(second.result.current.job?.jobId).toMatch(/^job_/);
      await advanceUntil(() => second.result.current.status === 'completed');
      expect(rig.simulator.stats.submits).toBe(1);
      expect(rig.simulator.stats.jobsCreated).toBe(1);
    });

    // The README quick start: <CharacterGenerator endpoint=…> brings its own provider, hence its
    // own QueryClient, which a remount makes anew (the submit in flight is not in its cache).
    it.each([
      ['a hook given { client, storage } with no provider at all', 'bare'],
      ['a CharacterGenerationProvider without a queryClient (what CharacterGenerator endpoint=… renders)', 'provider'],
    ] as const)('given %s, unmounted while submitting: the remount picks the landed job up and shows its images', async (_, setUp) => {
      const rig = createRig({ simulator: { latencyMs: 2_000 } });
      const { client, storage } = rig;
      const wrapper = ({ children }: { children: ReactNode }) => (
        <CharacterGenerationProvider client={client} storage={storage}>
          {children}
        </CharacterGenerationProvider>
      );
      const mount = (onCompleted?: (job: Job) => void) =>
        setUp === 'bare'
          ? renderHook(() => useCharacterGeneration({ client, storage, ...(onCompleted ? { onCompleted } : {}) }))
          : renderHook(() => useCharacterGeneration(onCompleted ? { onCompleted } : {}), { wrapper });
      const first = mount();
      act(() => first.result.current.generate(INPUT));
      await advance(500);
      first.unmount(); // a route change mid-submit

      const onCompleted = vi.fn();
      const second = mount(onCompleted);
      await advanceUntil(() => second.result.current.status === 'completed');
      expect(second.result.current.images).toHaveLength(2);
      expect(onCompleted).toHaveBeenCalledTimes(1);
      expect(rig.simulator.stats.jobsCreated).toBe(1);
    });

    it('when a submit from an unmounted hook lands after the remounted hook submitted its own, the newer job keeps the saved handle and survives a reload', async () => {
      const storage = memoryStorage();
      const rig = createRig({ storage, fetch: (sim) => withSlowSubmitAnswers(sim, { 1: 5_000 }) });
      const first = renderGeneration(rig);
      act(() => first.result.current.generate(INPUT));
      await advance(500);
      first.unmount();

      const second = renderGeneration(rig);
      await advance(0);
      act(() => second.result.current.generate({ ...INPUT, prompt: 'On a mountain top' }));
      await advanceUntil(() => second.result.current.status === 'pending', { limitMs: 2_000 });
      const newer = second.result.current.job!.jobId;
      expect(JSON.parse(storage.data.get(STORAGE_KEY)!).jobId).toBe(newer);

      // The older submit's answer lands now; its job exists and was charged, but it is the older one.
      await advance(6_000);
      expect(rig.simulator.stats.jobsCreated).toBe(2);
      expect(second.result.current.job?.jobId).toBe(newer);
      expect(JSON.parse(storage.data.get(STORAGE_KEY)!).jobId).toBe(newer);

      // A reload brings back the newer job, not the older one.
      second.unmount();
      const reloaded = createRig({ storage, queryClient: new QueryClient(), fetch: () => rig.simulator.fetch });
      const page2 = renderGeneration(reloaded);
      await advanceUntil(() => page2.result.current.status === 'completed');
      expect(page2.result.current.job?.jobId).toBe(newer);
      expect(page2.result.current.input?.prompt).toBe('On a mountain top');
    });

    it('after a reload (new QueryClient, same storage) the job resumes on its own', async () => {
      const storage = memoryStorage();
      const before = createRig({ storage });
      const page1 = renderGeneration(before);
      act(() => page1.result.current.generate(INPUT));
      await advanceUntil(() => page1.result.current.status === 'pending');
      const { jobId, startedAt } = { jobId: page1.result.current.job!.jobId, startedAt: page1.result.current.startedAt };
      await advance(3_000);
      page1.unmount();

      // Same upstream (the simulator), a new page: a new client and QueryClient, the same sessionStorage.
      const reloaded = createRig({ storage, queryClient: new QueryClient(), fetch: () => before.simulator.fetch });
      expect(reloaded.queryClient).not.toBe(before.queryClient);
      const page2 = renderGeneration(reloaded);
      await advance(0);
      expect(page2.result.current.status).not.toBe('idle');
      expect(page2.result.current.job?.jobId ?? jobId).toBe(jobId);
      expect(page2.result.current.startedAt).toBe(startedAt);
      await advanceUntil(() => page2.result.current.status === 'completed');
      expect(page2.result.current.images).toHaveLength(2);
      expect(before.simulator.stats.submits).toBe(1);
    });

    it('after a reload past the job’s expiry, when the upstream has deleted the job (404), ends expired, not failed', async () => {
      const storage = memoryStorage();
      const before = createRig({ storage, simulator: { durationMs: 60_000, expiresInMs: 60_000, retainExpiredMs: 0 } });
      const page1 = renderGeneration(before);
      act(() => page1.result.current.generate(INPUT));
      await advanceUntil(() => page1.result.current.status === 'pending');
      page1.unmount();
      // The tab stays closed longer than the job lives.
      await advance(8 * 60_000);

      const reloaded = createRig({ storage, queryClient: new QueryClient(), fetch: () => before.simulator.fetch });
      const page2 = renderGeneration(reloaded);
      await advanceUntil(() => ['completed', 'failed', 'expired'].includes(page2.result.current.status), { limitMs: 30_000 });
      expect(page2.result.current.status).toBe('expired');
      expect(page2.result.current.error?.code).toBe('expired');
    });

    it('when only the submit answer carries expiresAt (status answers leave it out), the job still ends expired at that time', async () => {
      // An upstream whose job answers omit expiresAt, for a job that expires 30 s in while it takes 60 s.
      let expiresAt = '';
      const rig = createRig({
        simulator: { durationMs: 60_000 },
        fetch: (sim) => async (input: RequestInfo | URL, init?: RequestInit) => {
          const request = new Request(input, init);
          const response = await sim.fetch(request);
          if (!response.ok) return response;
          const body = (await response.json()) as Record<string, unknown>;
          if (request.method === 'POST') body.expiresAt = expiresAt = new Date(Date.now() + 30_000).toISOString();
          else delete body.expiresAt;
          return new Response(JSON.stringify(body), { status: response.status, headers: { 'content-type': 'application/json' } });
        },
      });
      const { result } = renderGeneration(rig);
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.status === 'processing');
      await advanceUntil(() => ['completed', 'failed', 'expired'].includes(result.current.status), { limitMs: 90_000 });
      expect(result.current.status).toBe('expired');
      expect(Date.now()).toBeLessThan(Date.parse(expiresAt) + 1_000);
    });

    it('a completed job is not reported again after a reload', async () => {
      const storage = memoryStorage();
      const before = createRig({ storage });
      const onCompleted = vi.fn();
      const page1 = renderGeneration(before, { onCompleted });
      act(() => page1.result.current.generate(INPUT));
      await advanceUntil(() => page1.result.current.status === 'completed');
      page1.unmount();

      const reloaded = createRig({ storage, fetch: () => before.simulator.fetch });
      const onCompletedAgain = vi.fn();
      const page2 = renderGeneration(reloaded, { onCompleted: onCompletedAgain });
      await advanceUntil(() => page2.result.current.status === 'completed', { limitMs: 5_000 });
      expect(page2.result.current.images).toHaveLength(2);
      expect(onCompleted).toHaveBeenCalledTimes(1);
      expect(onCompletedAgain).not.toHaveBeenCalled();
    });

    it('cancel() aborts, stops polling, ends canceled and forgets the job', async () => {
      const rig = createRig();
      const onError = vi.fn();
      const { result } = renderGeneration(rig, { onError });
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.status === 'pending');
      await advance(3_000);
      act(() => result.current.cancel());
      expect(result.current.status).toBe('canceled');
      expect(result.current.isBusy).toBe(false);
      expect(rig.storage.data.has(STORAGE_KEY)).toBe(false);
      const polls = rig.simulator.stats.polls;
      await advance(60_000);
      expect(rig.simulator.stats.polls).toBe(polls);
      expect(result.current.status).toBe('canceled');
      expect(onError).not.toHaveBeenCalled();

      // A remount does not bring a canceled job back.
      const again = renderGeneration(rig);
      await advance(1_000);
      expect(again.result.current.status).toBe('idle');
    });

    it.each([
      {
        ended: 'expired at the job expiry',
        rig: () => createRig({ simulator: { durationMs: 600_000, expiresInMs: -570_000 } }),
        status: 'expired',
        code: 'expired',
      },
      {
        ended: 'expired at the deadline',
        rig: () => createRig({ simulator: { durationMs: 600_000 } }),
        options: { deadlineMs: 20_000 },
        status: 'expired',
        code: 'timeout',
      },
      {
        ended: 'failed upstream',
        rig: () => createRig({ simulator: { failureRate: 1 } }),
        status: 'failed',
        code: 'job_failed',
      },
      {
        ended: 'failed on a poll answering 404',
        rig: () => createRig({ fetch: (sim) => withPollFaults(sim, { 1: 'not-found' }) }),
        status: 'failed',
        code: 'not_found',
      },
    ] as const)('when it already $ended, cancel() changes nothing: the status, error and saved handle stay', async (c) => {
      const rig = c.rig();
      const onStatusChange = vi.fn();
      const { result } = renderGeneration(rig, { onStatusChange, ...('options' in c ? c.options : {}) });
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.status === c.status, { limitMs: 60_000 });
      expect(result.current.error?.code).toBe(c.code);
      const ended = { finishedAt: result.current.finishedAt, saved: rig.storage.data.get(STORAGE_KEY) };
      expect(ended.saved).toContain(result.current.job!.jobId);

      act(() => result.current.cancel());
      await advance(1_000);
      expect(result.current.status).toBe(c.status);
      expect(result.current.error?.code).toBe(c.code);
      expect(result.current.finishedAt).toBe(ended.finishedAt);
      expect(statusTrail(onStatusChange)).not.toContain('canceled');
      expect(rig.storage.data.get(STORAGE_KEY)).toBe(ended.saved);
    });

    it('cancel() while submitting aborts the submit request', async () => {
      const rig = createRig({ simulator: { latencyMs: 2_000 } });
      const { result } = renderGeneration(rig);
      let outcome: unknown;
      act(() => {
        result.current.generateAsync(INPUT).then(
          () => (outcome = 'resolved'),
          (error: { code?: string }) => (outcome = error.code),
        );
      });
      await advance(500);
      act(() => result.current.cancel());
      await advance(5_000);
      expect(result.current.status).toBe('canceled');
      expect(outcome).toBe('aborted');
      expect(rig.simulator.stats.jobsCreated).toBe(0);
      expect(rig.simulator.stats.polls).toBe(0);
    });

    it('reset() goes back to idle and a new generate starts a new job', async () => {
      const rig = createRig();
      const { result } = renderGeneration(rig);
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.status === 'completed');
      const firstJob = result.current.job!.jobId;
      act(() => result.current.reset());
      expect(result.current.status).toBe('idle');
      expect(result.current.job).toBeNull();
      expect(rig.storage.data.has(STORAGE_KEY)).toBe(false);
      act(() => result.current.generate({ ...INPUT, prompt: 'On a mountain top' }));
      await advanceUntil(() => result.current.status === 'completed');
      expect(result.current.job!.jobId).not.toBe(firstJob);
      expect(rig.simulator.stats.submits).toBe(2);
    });

    it('resume(jobId) watches a job submitted elsewhere', async () => {
      const rig = createRig();
      const submitted = await rig.client.submit(INPUT);
      const onSubmitted = vi.fn();
      const { result } = renderGeneration(rig, { onSubmitted });
      act(() => result.current.resume(submitted.jobId, { startedAt: Date.now() }));
      await advanceUntil(() => result.current.status === 'completed');
      expect(result.current.job?.jobId).toBe(submitted.jobId);
      expect(result.current.images).toHaveLength(2);
      expect(onSubmitted).not.toHaveBeenCalled();
      expect(rig.simulator.stats.submits).toBe(1);
    });
  });

  describe('given a job this hook already reported', () => {
    it('an explicit resume(jobId) of it is a new watch: it asks again and reports the ending once more', async () => {
      const rig = createRig();
      const onCompleted = vi.fn();
      const { result } = renderGeneration(rig, { onCompleted });
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.status === 'completed');
      const { jobId } = result.current.job!;
      expect(onCompleted).toHaveBeenCalledTimes(1);
      const polls = rig.simulator.stats.polls;

      act(() => result.current.resume(jobId));
      await advanceUntil(() => result.current.status === 'completed');
      expect(rig.simulator.stats.polls).toBeGreaterThan(polls);
      expect(onCompleted).toHaveBeenCalledTimes(2);
      expect(onCompleted.mock.calls[1]![0].jobId).toBe(jobId);
      // A remount after that does not report it a third time.
      const again = renderGeneration(rig, { onCompleted });
      await advanceUntil(() => again.result.current.status === 'completed');
      await advance(5_000);
      expect(onCompleted).toHaveBeenCalledTimes(2);
    });
  });

  describe('given impatient users', () => {
    it('a second generate while submitting returns the same promise: one submit, one charge', async () => {
      const rig = createRig({ simulator: { latencyMs: 300 } });
      const { result } = renderGeneration(rig);
      let a!: Promise<unknown>;
      let b!: Promise<unknown>;
      act(() => {
        a = result.current.generateAsync(INPUT);
        b = result.current.generateAsync(INPUT);
      });
      expect(b).toBe(a);
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.status === 'pending');
      const idempotencyKeys = new Set(rig.simulator.log.filter((entry) => entry.method === 'POST').map((entry) => entry.idempotencyKey));
      expect(rig.simulator.stats.submits).toBe(1);
      expect(rig.simulator.stats.jobsCreated).toBe(1);
      expect(idempotencyKeys.size).toBe(1);
    });
  });

  describe('given callbacks that change between renders', () => {
    it('always calls the latest one', async () => {
      const rig = createRig();
      const stale = vi.fn();
      const fresh = vi.fn();
      const { result, rerender } = renderGeneration(rig, { onCompleted: stale });
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.status === 'processing');
      rerender({ onCompleted: fresh });
      await advanceUntil(() => result.current.status === 'completed');
      expect(stale).not.toHaveBeenCalled();
      expect(fresh).toHaveBeenCalledTimes(1);
    });
  });

  describe('given hooks that share a job', () => {
    /** One job (60 s, through a network that drops two polls and answers one 502), watched by `hooks` hooks with the same id. */
    async function watchOneJob(hooks: 1 | 2, { rerenderEveryMs }: { rerenderEveryMs?: number } = {}) {
      let network!: ReturnType<typeof withPollFaults>;
      const rig = createRig({
        simulator: { durationMs: 60_000 },
        fetch: (sim) => (network = withPollFaults(sim, { 2: 'drop', 3: 'drop', 4: 'server-error' })),
      });
      const first = renderGeneration(rig);
      act(() => first.result.current.generate(INPUT));
      await advanceUntil(() => first.result.current.status === 'pending');
      const submittedAt = Date.now();
      await advance(1_234);
      const onStatusChange = vi.fn();
      const second = hooks === 2 ? renderGeneration(rig, { onStatusChange }) : null;
      const views = second ? [first, second] : [first];
      let sinceRender = 0;
      await advanceUntil(
        () => {
          sinceRender += 250;
          // An owner that re-renders for its own reasons (a ticking parent, typing in a form).
          if (rerenderEveryMs && sinceRender >= rerenderEveryMs) {
            sinceRender = 0;
            views.at(-1)!.rerender({ onStatusChange });
          }
          return views.every((view) => view.result.current.status === 'completed');
        },
        { limitMs: 180_000 },
      );
      const pollTimes = rig.simulator.log.filter((entry) => entry.method === 'GET').map((entry) => entry.at - submittedAt);
      return { polls: network.polls, pollTimes, first: first.result.current, second: second?.result.current, onStatusChange };
    }

    it('two hooks with the same id make exactly the status requests one hook makes, and both see every update', async () => {
      const alone = await watchOneJob(1);
      const together = await watchOneJob(2, { rerenderEveryMs: 700 });
      expect(alone.polls).toBeGreaterThan(4);
      expect(together.polls).toBe(alone.polls);
      expect(together.pollTimes).toEqual(alone.pollTimes);
      expect(together.second?.job?.jobId).toBe(together.first.job?.jobId);
      expect(together.second?.images).toEqual(together.first.images);
      expect(together.second?.images).toHaveLength(2);
      expect(statusTrail(together.onStatusChange)).toEqual(['pending', 'processing', 'completed']);
    });

    it('re-rendering the owner never moves a poll', async () => {
      const still = await watchOneJob(1);
      const busy = await watchOneJob(1, { rerenderEveryMs: 700 });
      expect(busy.pollTimes).toEqual(still.pollTimes);
      expect(busy.polls).toBe(still.polls);
    });
  });

  describe('given what is in storage', () => {
    it('corrupt or foreign entries are ignored, never thrown', async () => {
      for (const value of ['{not json', JSON.stringify({ v: 1, jobId: 42 }), JSON.stringify({ v: 9, jobId: 'job_x', startedAt: 1, endpoint: ENDPOINT })]) {
        const rig = createRig({ storage: memoryStorage({ [STORAGE_KEY]: value }) });
        const { result, unmount } = renderGeneration(rig);
        await advance(1_000);
        expect(result.current.status).toBe('idle');
        expect(rig.simulator.stats.requests).toBe(0);
        unmount();
      }
    });

    it('persist: false keeps nothing', async () => {
      const rig = createRig();
      const { result } = renderGeneration(rig, { persist: false });
      act(() => result.current.generate(INPUT));
      await advanceUntil(() => result.current.status === 'completed');
      expect(rig.storage.calls).toEqual([]);
    });

    it('two generators with different ids keep separate jobs', async () => {
      const rig = createRig();
      const left = renderGeneration(rig, { id: 'left' });
      const right = renderGeneration(rig, { id: 'right' });
      act(() => left.result.current.generate(INPUT));
      await advanceUntil(() => left.result.current.status === 'pending');
      await advance(1_000);
      expect(right.result.current.status).toBe('idle');
      expect(rig.storage.data.has(handleStorageKey(ENDPOINT, 'left'))).toBe(true);
      expect(rig.storage.data.has(handleStorageKey(ENDPOINT, 'right'))).toBe(false);
    });
  });
});
