import type { RenderingSpeed } from './schemas.js';
import type { PollContext, PollPolicy } from './types.js';

/** Options of `createPollPolicy`. */
export interface PollPolicyOptions {
  /** Shortest wait between two polls, in ms. @default 250 */
  minIntervalMs?: number;
  /** Longest wait between two polls, in ms (a server's `Retry-After` may ask for longer). @default 15000 */
  maxIntervalMs?: number;
  /** How many ms of extra waiting one saved status request is worth; higher means fewer, sparser polls. @default 300 */
  requestCostMs?: number;
  /** Prior job durations in ms per rendering speed, equally likely points (e.g. quantiles). @default PRIOR_DURATIONS_MS */
  priors?: Partial<Record<RenderingSpeed, readonly number[]>>;
  /** How many observed jobs the prior is worth before any job was observed; it fades as jobs are observed. @default 3 */
  priorWeight?: number;
  /** How many recent durations are kept per rendering speed. @default 20 */
  historySize?: number;
}

/*
 * Priors. The model page shows 33 runs of the Default speed: all 13–23 s, median 16.2 s,
 * max 22.3 s; the fixed-interval baselines imply a mean of about 17.5 s, which with
 * that median means a long upper half. The Default prior is the octile midpoints of a
 * piecewise-linear quantile function through (0, 13.0 s) (0.25, 15.0 s) (0.5, 16.2 s)
 * (0.75, 21.0 s) (1, 22.3 s): the outer and middle knots are published, the quartiles are our
 * assumption, chosen so the mean comes out at ≈ 17.5 s. Turbo and Quality are not published
 * at all: we ASSUME Turbo takes 0.6× and Quality 1.5× the Default time. Observed jobs replace
 * the priors quickly.
 */
const prior = (scale: number) => [135, 145, 153, 159, 174, 198, 213, 220].map((s) => s * 100 * scale);

/** The built-in prior durations (ms) per rendering speed; see the note above on what is assumed. */
export const PRIOR_DURATIONS_MS: Readonly<Record<RenderingSpeed, readonly number[]>> = {
  Default: prior(1),
  Turbo: prior(0.6),
  Quality: prior(1.5),
};

/** Grid cells of a plan. */
const CELLS = 300;

/** `value` clamped to [min, max]; `fallback` when it is not a number (NaN, or left out). */
const bound = (value: number | undefined, fallback: number, min: number, max = Infinity) =>
  value! <= Infinity ? Math.min(max, Math.max(min, value!)) : fallback;
/** A time that can be used: finite and not negative, else 0. */
const usable = (ms: number | undefined) => (ms! >= 0 && ms! < Infinity ? ms! : 0);

/** A plan: poll times (ms since submit, from 0), the mean duration, and that of the jobs done by the first poll. */
type Plan = [times: number[], mean: number, meanBeforeFirstPoll: number];

/**
 * An expected-duration-aware poll schedule. It keeps a duration distribution per rendering
 * speed (a prior that fades as finished jobs are observed, each duration smoothed into a
 * bump so a few observations generalise) and places polls where completions are likely: none
 * before the earliest likely finish, dense where most jobs finish, sparse in the tail, then a
 * geometric back-off to `maxIntervalMs`. The places minimise expected requests + expected
 * detection latency (one request weighs `requestCostMs`), by dynamic programming over a time
 * grid. Deterministic for a given history; `Retry-After` always wins.
 *
 * @example
 * const pollPolicy = createPollPolicy({ maxIntervalMs: 8000 })
 * const client = createCharacterClient({ endpoint: '/api/character', pollPolicy })
 */
export function createPollPolicy(options: PollPolicyOptions = {}): PollPolicy {
  // Options out of range are clamped, not trusted: a 0 or negative interval would make the
  // back-off spin, and NaN would reach the timers.
  const lo = bound(options.minIntervalMs, 250, 1, 3_600_000);
  const hi = bound(options.maxIntervalMs, 15_000, lo);
  const requestCostMs = bound(options.requestCostMs, 300, 1);
  const priorWeight = bound(options.priorWeight, 3, 0, 1e6);
  const historySize = Math.floor(bound(options.historySize, 20, 1, 1e6));
  const priors = options.priors ?? {};
  // Per rendering speed: observed durations, the cached plan, first-poll hits in a row.
  const seen: Partial<Record<RenderingSpeed, number[]>> = {};
  const plans: Partial<Record<RenderingSpeed, Plan>> = {};
  const streak: Partial<Record<RenderingSpeed, number>> = {};

  const plan = (speed: RenderingSpeed = 'Default'): Plan => {
    if (plans[speed]) return plans[speed];
    const observed = seen[speed] ?? [];
    const n = observed.length;
    const given = priors[speed] ?? PRIOR_DURATIONS_MS[speed];
    // Nothing to go on at all (an empty prior, nothing observed yet): the built-in prior.
    const base = given.length || n ? given : PRIOR_DURATIONS_MS[speed];
    // The prior is worth `priorWeight` jobs at first and fades as evidence arrives.
    const wPrior = (n ? priorWeight / (1 + n) : 1) / base.length;
    // Each duration becomes a Gaussian bump (sd relative to it): narrow for the prior's points,
    // which already trace a distribution; wide for a few observations so they generalise,
    // narrowing as they accumulate (like a kernel bandwidth ∝ n^-½).
    const points = [base, observed].flatMap((list, o) => list.map((x) => [x, o ? 1 : wPrior, x * (o ? 0.2 / Math.sqrt(n) : 0.03)]));
    // The grid reaches 3 sd past the slowest bump, and at least `minIntervalMs`, so that polls
    // `shortest` cells apart (the closest allowed) fit on it.
    const step = Math.max(lo, ...points.map(([x, , h]) => x! + 3 * h!)) / CELLS;
    const shortest = Math.ceil(lo / step);
    // P[i], Q[i]: weight of finishing by the end of cell i, and that weight times its time.
    const P = [0];
    const Q = [0];
    for (let i = 1; i <= CELLS; i++) {
      const t = (i - 0.5) * step;
      let mass = 0;
      for (const [x, w, h] of points) mass += (w! / h!) * Math.exp(-(((t - x!) / h!) ** 2) / 2);
      P[i] = P[i - 1]! + mass;
      Q[i] = Q[i - 1]! + mass * t;
    }
    const total = P[CELLS]!;
    // best[j]: least expected cost of the polls after one at cell j, until the grid's end.
    // A poll at k after one at j costs one request if the job still runs at j (never under 3 %:
    // real jobs outlive any fitted distribution now and then), plus, in request units, the
    // latency of the jobs finishing in (j, k].
    const best: number[] = [];
    const after: number[] = [];
    best[CELLS] = 0;
    for (let j = CELLS; j--; ) {
      best[j] = Infinity;
      for (let k = j + shortest; k <= Math.min(CELLS, j + Math.max(shortest, hi / step)); k++) {
        const cost = Math.max(1 - P[j]! / total, 0.03) + (k * step * (P[k]! - P[j]!) - Q[k]! + Q[j]!) / total / requestCostMs + best[k]!;
        if (cost <= best[j]!) {
          best[j] = cost;
          after[j] = k;
        }
      }
    }
    // Follow the best choices from submit to the grid's end. (The last `shortest` cells have no
    // choice; a path ends in one only when maxIntervalMs < 2 × minIntervalMs, and the back-off
    // carries on from there.)
    const times = [0];
    for (let j = 0; (j = after[j]!); ) times.push(j * step);
    return (plans[speed] = [times, Q[CELLS]! / total, Q[after[0]!]! / P[after[0]!]!]);
  };

  return {
    next({ elapsedMs, renderingSpeed, retryAfterMs }: PollContext) {
      const [times] = plan(renderingSpeed);
      const elapsed = usable(elapsedMs);
      // A poll answered a little early or late must not cause a double poll.
      const from = elapsed + lo / 4;
      // Past the plan, back off: each wait 1.5× the last (the first from `minIntervalMs` when
      // the plan is a single poll), kept in the plan until it reaches `maxIntervalMs`; from
      // there on every `maxIntervalMs`, counted rather than stored.
      const gap = () => times.at(-1)! - times.at(-2)! || lo;
      let t = times.at(-1)!;
      while (t <= from && gap() < hi) times.push((t += Math.min(hi, gap() * 1.5)));
      const at = t > from ? times.find((x) => x > from)! : t + (Math.floor((from - t) / hi) + 1) * hi;
      return Math.round(Math.max(usable(retryAfterMs), Math.min(hi, Math.max(lo, at - elapsed))));
    },
    observe(durationMs, speed = 'Default', lastRunningAtMs) {
      if (!(durationMs > 0 && durationMs < Infinity)) return;
      const hits = (streak[speed] = lastRunningAtMs === 0 ? (streak[speed] ?? 0) + 1 : 0);
      // Seen done between two polls: it finished in (lastRunningAtMs, durationMs]; take the middle.
      // Seen done at the very first poll: it finished somewhere in (0, durationMs]. Trust the
      // distribution's mean of the jobs done by then, unless this keeps happening (then the
      // distribution is wrong, and half the time is a guess that converges fast).
      const estimate =
        lastRunningAtMs! > 0 ? (lastRunningAtMs! + durationMs) / 2 : !hits ? durationMs : (hits < 3 && plan(speed)[2]) || durationMs / 2;
      seen[speed] = [...(seen[speed] ?? []), estimate].slice(-historySize);
      delete plans[speed];
    },
    expectedDurationMs: (speed) => plan(speed)[1],
  };
}
