/**
 * `npm run bench:poll` — request counts and detection latency of the poll policy against fixed
 * intervals and plain exponential back-off, by time arithmetic (no real waiting).
 * `pollBenchRows()` returns the figures so `bench/run.ts` can write them into bench/RESULTS.md.
 */
import { pathToFileURL } from 'node:url';
import { createPollPolicy, type PollPolicyOptions } from '../src/core/index.js';
import {
  MODEL_PAGE_DURATIONS_S,
  bestFixedInHindsight,
  exponentialSchedule,
  fixedSchedule,
  policySchedule,
  shuffled,
  summarise,
  uniformDurationsMs,
  warmUp,
  type Schedule,
  type Summary,
} from './lib/poll-sim.js';

export interface PollBenchRow {
  /** Which set of job durations. */
  distribution: string;
  /** Which polling strategy. */
  strategy: string;
  /** Mean status requests per job. */
  requests: number;
  /** Mean detection latency in seconds (the poll that sees `completed` minus completion). */
  latencyS: number;
  /** The budget on requests, in words, when this row has one. */
  requestsBudget?: string;
  /** The budget on latency, in words, when this row has one. */
  latencyBudget?: string;
  /** Whether both budgets hold. */
  holds?: boolean;
}

export interface PollBenchOptions {
  /** Options of the policy under test. */
  policy?: PollPolicyOptions;
  /** Jobs per synthetic distribution. @default 200 */
  jobs?: number;
  /** Jobs the policy observes before it is measured on an unseen distribution. @default 5 */
  warmUpJobs?: number;
}

const REQUEST_COST_MS = 300; // keep equal to the policy's default `requestCostMs`

function row(distribution: string, strategy: string, s: Summary, extra: Partial<PollBenchRow> = {}): PollBenchRow {
  return { distribution, strategy, requests: round(s.meanRequests, 2), latencyS: round(s.meanLatencyMs / 1000, 2), ...extra };
}
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function baselines(distribution: string, durations: readonly number[]): PollBenchRow[] {
  const strategies: Array<[string, Schedule]> = [
    ['fixed 500 ms', fixedSchedule(500)],
    ['fixed 1 s', fixedSchedule(1000)],
    ['fixed 3 s', fixedSchedule(3000)],
    ['fixed 5 s', fixedSchedule(5000)],
    ['exponential 1 s ×2 (cap 30 s)', exponentialSchedule],
  ];
  return strategies.map(([name, schedule]) => row(distribution, name, summarise(schedule, durations)));
}

/** Every figure of the bench, as rows (one table per distribution when printed). */
export function pollBenchRows(options: PollBenchOptions = {}): PollBenchRow[] {
  const jobs = options.jobs ?? 200;
  const warm = options.warmUpJobs ?? 5;
  const requestCost = options.policy?.requestCostMs ?? REQUEST_COST_MS;
  const rows: PollBenchRow[] = [];

  // 1. The model page's 33 Default runs: the policy starts from its prior only.
  const page = 'model page, Default, 33 runs (reconstructed list)';
  const pageMs = MODEL_PAGE_DURATIONS_S.map((s) => Math.round(s * 1000));
  const cold = summarise(policySchedule(createPollPolicy(options.policy), 'Default'), pageMs);
  rows.push(
    row(page, 'policy, prior only (no job observed)', cold, {
      requestsBudget: '≤ 4',
      latencyBudget: '≤ 0.75 s',
      holds: cold.meanRequests <= 4 && cold.meanLatencyMs <= 750,
    }),
  );
  const learned = createPollPolicy(options.policy);
  warmUp(learned, shuffled(pageMs, 7), 'Default'); // after watching all 33 in a random order
  const learnedSummary = summarise(policySchedule(learned, 'Default'), pageMs);
  rows.push(
    row(page, 'policy, after observing the 33 jobs', learnedSummary, {
      requestsBudget: '≤ 4',
      latencyBudget: '≤ 0.75 s',
      holds: learnedSummary.meanRequests <= 4 && learnedSummary.meanLatencyMs <= 750,
    }),
  );
  rows.push({ distribution: page, strategy: 'fixed 500 ms — issue baseline', requests: 35.6, latencyS: 0.27 });
  rows.push({ distribution: page, strategy: 'fixed 3 s — issue baseline', requests: 6.4, latencyS: 1.73 });
  rows.push(...baselines(page, pageMs));

  // 2. Distributions the policy has no prior for: it observes `warm` jobs, then is frozen.
  const unseen: Array<[string, number, number, number]> = [
    ['short jobs, uniform 3–8 s', 3, 8, 11],
    ['long jobs, uniform 40–90 s', 40, 90, 13],
  ];
  for (const [name, lo, hi, seed] of unseen) {
    const label = `${name} (${jobs} jobs, seed ${seed})`;
    const durations = uniformDurationsMs(lo, hi, jobs, seed);
    const policy = createPollPolicy(options.policy);
    warmUp(policy, uniformDurationsMs(lo, hi, warm, seed + 1000), 'Default');
    const measured = summarise(policySchedule(policy, 'Default'), durations);
    const best = bestFixedInHindsight(durations, requestCost);
    rows.push(
      row(label, `policy after observing ${warm} jobs (then frozen)`, measured, {
        requestsBudget: `≤ 2 × ${round(best.meanRequests, 2)} = ${round(2 * best.meanRequests, 2)}`,
        latencyBudget: `≤ 2 × ${round(best.meanLatencyMs / 1000, 2)} s = ${round((2 * best.meanLatencyMs) / 1000, 2)} s`,
        holds: measured.meanRequests <= 2 * best.meanRequests && measured.meanLatencyMs <= 2 * best.meanLatencyMs,
      }),
    );
    const coldSummary = summarise(policySchedule(createPollPolicy(options.policy), 'Default'), durations);
    rows.push(row(label, 'policy, prior only (wrong prior, for reference)', coldSummary));
    rows.push(row(label, `best fixed in hindsight: ${best.intervalMs} ms`, best));
    rows.push(...baselines(label, durations));
  }
  return rows;
}

/** The rows as markdown, one table per distribution. */
export function pollBenchMarkdown(rows: readonly PollBenchRow[] = pollBenchRows()): string {
  const out: string[] = [];
  for (const distribution of [...new Set(rows.map((r) => r.distribution))]) {
    out.push(`### ${distribution}`, '', '| strategy | requests/job | budget | latency (s) | budget | holds |', '|---|---:|---|---:|---|---|');
    for (const r of rows.filter((x) => x.distribution === distribution)) {
      const holds = r.holds === undefined ? '' : r.holds ? 'yes' : '**NO**';
      out.push(`| ${r.strategy} | ${r.requests.toFixed(2)} | ${r.requestsBudget ?? ''} | ${r.latencyS.toFixed(2)} | ${r.latencyBudget ?? ''} | ${holds} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = pollBenchRows();
  console.log(
    '## Poll policy (simulated, instant answers; latency = the poll that sees `completed` minus completion)\n\n' +
      'Best fixed interval in hindsight = the fixed interval minimising requests + latency / 0.3 s (the exchange rate the policy optimises).\n',
  );
  console.log(pollBenchMarkdown(rows));
  if (rows.some((r) => r.holds === false)) process.exitCode = 1;
}
