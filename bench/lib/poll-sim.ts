/**
 * Poll-schedule simulation by time arithmetic (no real waiting): how many status requests a
 * strategy makes per job and how late it sees `completed` (detection latency).
 */
import type { PollPolicy, RenderingSpeed } from '../../src/core/index.js';
import { mulberry32 } from '../../src/testing/random.js';

/**
 * The 33 Default-speed runs on the model page, in seconds. The page publishes only their
 * summary (33 runs, all 13–23 s, median 16.2 s, max 22.3 s), not the list, so this list is
 * a RECONSTRUCTION consistent with those facts and with the baselines (fixed 500 ms:
 * 35.6 requests / 0.27 s; fixed 3 s: 6.4 requests / 1.73 s → sum 579.0 s, mean ≈ 17.55 s),
 * found by a small seeded search and then frozen here.
 */
export const MODEL_PAGE_DURATIONS_S: readonly number[] = [
  13.1, 13.3, 14.2, 14.3, 14.6, 14.8, 14.9, 15.1, 15.2, 15.3, 15.4, 15.5, 15.6, 15.7, 16.0, 16.1, 16.2,
  16.6, 17.0, 18.7, 18.8, 19.1, 19.6, 20.1, 20.2, 20.6, 21.1, 21.6, 21.8, 21.9, 22.1, 22.2, 22.3,
];

/** A seeded Fisher–Yates shuffle (a copy). */
export function shuffled<T>(values: readonly T[], seed: number): T[] {
  const random = mulberry32(seed);
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// Seeded (the simulator's own PRNG), so every run of the bench prints the same figures.
export { mulberry32 };

/** `count` durations (ms) drawn uniformly from [minS, maxS] seconds. */
export function uniformDurationsMs(minS: number, maxS: number, count: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => Math.round((minS + random() * (maxS - minS)) * 1000));
}

/** Given the attempt number and the elapsed ms, how long to wait before the next poll. */
export type Schedule = (attempt: number, elapsedMs: number) => number;

export interface JobOutcome {
  requests: number;
  latencyMs: number;
  /** When the poll that saw `completed` was made. */
  detectedAtMs: number;
  /** When the poll before it was made (0 = submit). */
  previousPollAtMs: number;
}

/** Poll a job that completes at `durationMs` (requests answer instantly). */
export function simulateJob(schedule: Schedule, durationMs: number): JobOutcome {
  let t = 0;
  for (let attempt = 0; ; attempt++) {
    const previous = t;
    t += Math.max(1, schedule(attempt, t));
    if (t >= durationMs) {
      return { requests: attempt + 1, latencyMs: t - durationMs, detectedAtMs: t, previousPollAtMs: previous };
    }
    if (attempt > 100_000) throw new Error('schedule never reached the completion');
  }
}

export interface Summary {
  meanRequests: number;
  meanLatencyMs: number;
}

export function summarise(schedule: Schedule, durationsMs: readonly number[]): Summary {
  let requests = 0;
  let latency = 0;
  for (const d of durationsMs) {
    const outcome = simulateJob(schedule, d);
    requests += outcome.requests;
    latency += outcome.latencyMs;
  }
  return { meanRequests: requests / durationsMs.length, meanLatencyMs: latency / durationsMs.length };
}

export const fixedSchedule = (intervalMs: number): Schedule => () => intervalMs;

/** Plain exponential back-off: 1 s, 2 s, 4 s, … capped at 30 s. */
export const exponentialSchedule: Schedule = (attempt) => Math.min(30_000, 1000 * 2 ** attempt);

export function policySchedule(policy: PollPolicy, renderingSpeed?: RenderingSpeed): Schedule {
  return (attempt, elapsedMs) =>
    policy.next({ attempt, elapsedMs, status: attempt === 0 ? 'pending' : 'processing', renderingSpeed });
}

/**
 * Let the policy watch these jobs and learn from them the way the client does: it only knows
 * the completion fell between two polls (not the true duration).
 */
export function warmUp(policy: PollPolicy, durationsMs: readonly number[], renderingSpeed?: RenderingSpeed): void {
  for (const d of durationsMs) {
    const outcome = simulateJob(policySchedule(policy, renderingSpeed), d);
    policy.observe(outcome.detectedAtMs, renderingSpeed, outcome.previousPollAtMs);
  }
}

/**
 * The best fixed interval in hindsight: the one (100 ms steps up to 15 s) minimising mean
 * requests + mean latency / `requestCostMs`, the same exchange rate the policy optimises.
 */
export function bestFixedInHindsight(durationsMs: readonly number[], requestCostMs: number): Summary & { intervalMs: number } {
  let best: (Summary & { intervalMs: number }) | undefined;
  for (let interval = 100; interval <= 15_000; interval += 100) {
    const s = summarise(fixedSchedule(interval), durationsMs);
    const cost = s.meanRequests + s.meanLatencyMs / requestCostMs;
    if (!best || cost < best.meanRequests + best.meanLatencyMs / requestCostMs) best = { ...s, intervalMs: interval };
  }
  return best!;
}
