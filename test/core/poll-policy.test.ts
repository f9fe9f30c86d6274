import { describe, expect, it } from 'vitest';
import { createPollPolicy, type PollPolicy, type RenderingSpeed } from '../../src/core/index.js';

/** The poll times (ms since submit) a policy picks for a job that never finishes. */
function schedule(policy: PollPolicy, count: number, renderingSpeed?: RenderingSpeed): number[] {
  const times: number[] = [];
  let t = 0;
  for (let attempt = 0; attempt < count; attempt++) {
    t += policy.next({ attempt, elapsedMs: t, status: attempt ? 'processing' : 'pending', renderingSpeed });
    times.push(t);
  }
  return times;
}

const gaps = (times: number[]) => times.map((t, i) => t - (times[i - 1] ?? 0));

describe('createPollPolicy', () => {
  it('given no history, waits for the earliest likely finish (13 s on the model page) and then polls densely', () => {
    const times = schedule(createPollPolicy(), 6);
    expect(times[0]).toBeGreaterThanOrEqual(12_000);
    expect(times[0]).toBeLessThanOrEqual(15_000);
    // Four more looks cover the 13–23 s window where the model page's runs finish.
    expect(times[4]).toBeLessThanOrEqual(23_000);
    expect(gaps(times).slice(1).every((gap) => gap >= 250 && gap <= 3000)).toBe(true);
  });

  it('is deterministic: the same history gives the same schedule, exactly', () => {
    const history = [14_100, 15_900, 16_200, 17_800, 21_000, 13_400, 19_900];
    const a = createPollPolicy();
    const b = createPollPolicy();
    for (const d of history) {
      a.observe(d);
      b.observe(d);
    }
    expect(schedule(a, 12)).toEqual(schedule(b, 12));
    expect(schedule(a, 8)).toMatchInlineSnapshot(`
      [
        14599,
        16316,
        17862,
        19322,
        20524,
        21469,
        22241,
        22928,
      ]
    `);
    expect(a.expectedDurationMs()).toBe(b.expectedDurationMs());
  });

  it('starts each rendering speed from its own prior: Turbo sooner, Quality later', () => {
    const policy = createPollPolicy();
    const [turbo, normal, quality] = (['Turbo', 'Default', 'Quality'] as const).map((speed) => policy.expectedDurationMs(speed));
    expect(normal).toBeGreaterThan(16_500);
    expect(normal).toBeLessThan(18_500);
    expect(turbo).toBeLessThan(normal!);
    expect(quality).toBeGreaterThan(normal!);
    expect(schedule(policy, 1, 'Turbo')[0]).toBeLessThan(schedule(policy, 1)[0]!);
  });

  it('learns from observed jobs: after five 4–6 s jobs it looks before the slowest of them finished', () => {
    const policy = createPollPolicy();
    for (const d of [4200, 5100, 4700, 5600, 4900]) policy.observe(d);
    expect(policy.expectedDurationMs()).toBeGreaterThan(4000);
    expect(policy.expectedDurationMs()).toBeLessThan(7000);
    expect(schedule(policy, 1)[0]).toBeLessThan(5600);
    // Other speeds keep their own history.
    expect(policy.expectedDurationMs('Quality')).toBeGreaterThan(20_000);
  });

  it('keeps a bounded window: old durations are forgotten', () => {
    const policy = createPollPolicy({ historySize: 10 });
    for (let i = 0; i < 10; i++) policy.observe(5000);
    for (let i = 0; i < 10; i++) policy.observe(40_000);
    expect(policy.expectedDurationMs()).toBeGreaterThan(38_000);
  });

  it('given a job seen done between two polls, learns from the span rather than the poll time', () => {
    const exact = createPollPolicy();
    const span = createPollPolicy();
    for (let i = 0; i < 8; i++) {
      exact.observe(10_000);
      span.observe(10_000, 'Default', 8000);
    }
    expect(span.expectedDurationMs()).toBeLessThan(exact.expectedDurationMs());
    expect(span.expectedDurationMs()).toBeGreaterThan(8500);
  });

  it('honours Retry-After even beyond its longest interval', () => {
    const policy = createPollPolicy({ maxIntervalMs: 5000 });
    expect(policy.next({ attempt: 3, elapsedMs: 15_000, status: 'processing', retryAfterMs: 42_000 })).toBe(42_000);
    expect(policy.next({ attempt: 3, elapsedMs: 15_000, status: 'processing', retryAfterMs: 1 })).toBeLessThanOrEqual(5000);
  });

  it('stays within its bounds: past every seen duration it backs off geometrically to maxIntervalMs', () => {
    const policy = createPollPolicy({ minIntervalMs: 500, maxIntervalMs: 8000 });
    const times = schedule(policy, 40);
    const g = gaps(times);
    expect(g.every((gap) => gap >= 500 && gap <= 8000)).toBe(true);
    expect(g.slice(-5)).toEqual([8000, 8000, 8000, 8000, 8000]);
    // Past the slowest likely job (22.3 s on the model page), each wait is longer than the last.
    const tail = g.filter((_gap, i) => times[i - 1]! > 26_000);
    for (let i = 1; i < tail.length; i++) expect(tail[i]).toBeGreaterThanOrEqual(tail[i - 1]!);
    expect(tail.length).toBeGreaterThan(5);
  });

  it('given absurd observations, still never waits longer than maxIntervalMs nor polls faster than minIntervalMs', () => {
    const policy = createPollPolicy({ minIntervalMs: 400, maxIntervalMs: 10_000 });
    for (const d of [1e9, Number.NaN, -5, 0, Infinity]) policy.observe(d);
    for (const gap of gaps(schedule(policy, 30))) {
      expect(gap).toBeGreaterThanOrEqual(400);
      expect(gap).toBeLessThanOrEqual(10_000);
    }
    const tiny = createPollPolicy({ minIntervalMs: 400 });
    for (let i = 0; i < 5; i++) tiny.observe(10);
    expect(gaps(schedule(tiny, 10)).every((gap) => gap >= 400)).toBe(true);
  });

  it('given absurd options or a nonsense context, answers a usable wait at once (never NaN, never a spin)', () => {
    const usable = (ms: number) => Number.isFinite(ms) && ms >= 1;
    const policies = [
      createPollPolicy({ maxIntervalMs: 0 }),
      createPollPolicy({ maxIntervalMs: -1, minIntervalMs: -5 }),
      createPollPolicy({ minIntervalMs: 0, priors: { Default: [] } }),
      createPollPolicy({ minIntervalMs: Number.NaN, maxIntervalMs: Number.NaN, requestCostMs: Number.NaN, priorWeight: Infinity }),
    ];
    for (const policy of policies) {
      for (const elapsedMs of [0, 60_000, 86_400_000 * 365, Infinity, Number.NaN, -1]) {
        for (const retryAfterMs of [undefined, Number.NaN, Infinity]) {
          expect(usable(policy.next({ attempt: 3, elapsedMs, status: 'processing', retryAfterMs }))).toBe(true);
        }
      }
      expect(usable(policy.expectedDurationMs())).toBe(true);
    }
    // A year into a job, the wait is the longest interval, not a schedule walked poll by poll.
    expect(createPollPolicy().next({ attempt: 99, elapsedMs: 86_400_000 * 365, status: 'processing' })).toBeLessThanOrEqual(15_000);
    // An empty prior with nothing observed falls back to the built-in one.
    expect(createPollPolicy({ priors: { Default: [] } }).expectedDurationMs()).toBe(createPollPolicy().expectedDurationMs());
    // historySize 0 means "keep one", not "keep everything".
    const short = createPollPolicy({ historySize: 0 });
    for (let i = 0; i < 10; i++) short.observe(5000);
    short.observe(40_000);
    expect(short.expectedDurationMs()).toBeGreaterThan(20_000); // all eleven kept would give about 8.4 s
  });

  it('given a poll answered a little early, does not poll twice in a row', () => {
    const policy = createPollPolicy();
    const [first] = schedule(policy, 1);
    expect(policy.next({ attempt: 1, elapsedMs: first! - 20, status: 'processing' })).toBeGreaterThanOrEqual(250);
  });
});
