import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_PATH, FULL, INPUT, mb, settledHeap, startStack, type Stack } from './harness.js';

const POLLERS = FULL ? 500 : 100;
const SECONDS = FULL ? 30 : 3;
/**
 * Each poller asks every 2 s, like a client whose job is near its expected end (the poll policy
 * never asks more often than every 250 ms, and mostly every few seconds). A closed loop with no
 * pause measures the machine's saturation instead: see the README's Reliability section.
 */
const POLL_INTERVAL_S = 2;
/** Jobs the pollers spread over: some still running, some completed. */
const JOB_COUNT = 50;
/** RSS may grow this much over the run (sockets, buffers, the simulator's bounded log). */
const RSS_BOUND = 256 * 1024 * 1024;
const HEAP_BOUND = 64 * 1024 * 1024;

/** The part of autocannon 8's API this spec uses (the package ships no types). */
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
}
interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  '2xx': number;
  duration: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  overallRate?: number;
  duration: number;
  timeout?: number;
  requests?: AutocannonRequest[];
}) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

let stack: Stack;
/** What the proxy logged (warnings name any upstream failure behind a non-2xx answer). */
const proxyLog = new Map<string, number>();
const jobPaths: AutocannonRequest[] = [];

beforeAll(async () => {
  // Half the jobs finish at once, half run for an hour: pollers see both answers.
  stack = await startStack({
    simulator: { durationMs: (_input, rng) => (rng() < 0.5 ? 0 : 3_600_000), seed: 5, logLimit: 1000 },
    // Hundreds of connections open at once: a longer accept queue than Node's 511, as a busy server would set.
    backlog: 4096,
    proxy: {
      logger: {
        warn: (message, data) => void proxyLog.set(`${message} ${JSON.stringify(data ?? {})}`, (proxyLog.get(`${message} ${JSON.stringify(data ?? {})}`) ?? 0) + 1),
        error: (message, data) => void proxyLog.set(`${message} ${JSON.stringify(data ?? {})}`, (proxyLog.get(`${message} ${JSON.stringify(data ?? {})}`) ?? 0) + 1),
      },
    },
  });
  for (let i = 0; i < JOB_COUNT; i++) {
    const response = await fetch(`${stack.proxy.url}${BASE_PATH}/models/ideogram-character/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `load-${i}` },
      body: JSON.stringify(INPUT),
    });
    expect(response.status).toBe(202);
    jobPaths.push({ method: 'GET', path: `${BASE_PATH}/jobs/${((await response.json()) as { jobId: string }).jobId}` });
  }
});

afterAll(async () => {
  await stack?.close();
});

describe('given the proxy in front of the simulator on loopback', () => {
  it(
    `when ${POLLERS} pollers poll every ${POLL_INTERVAL_S} s for ${SECONDS} s, every request is answered 200, and memory stays bounded`,
    async () => {
      const before = settledHeap();
      const result = await autocannon({
        url: stack.proxy.url,
        connections: POLLERS,
        overallRate: POLLERS / POLL_INTERVAL_S,
        duration: SECONDS,
        timeout: 10,
        // Each connection walks through every job in turn.
        requests: jobPaths,
      });
      const after = settledHeap();
      const { stats } = stack.simulator;
      const figures = {
        pollers: POLLERS,
        offeredPerSecond: POLLERS / POLL_INTERVAL_S,
        seconds: SECONDS,
        requestsServed: result.requests.total,
        requestsPerSecond: Math.round(result.requests.average),
        latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        upstreamPolls: stats.polls,
        proxyLog: Object.fromEntries(proxyLog),
        heap: { before: mb(before.heapUsed), after: mb(after.heapUsed), afterGc: after.afterGc },
        rss: { before: mb(before.rss), after: mb(after.rss), growth: mb(after.rss - before.rss) },
      };
      console.log(`[load] ${JSON.stringify(figures, null, 2)}`);

      // Most of the offered polls were served (not merely none failed because few were sent).
      expect(result.requests.total).toBeGreaterThan(0.8 * (POLLERS / POLL_INTERVAL_S) * SECONDS);
      expect(result.errors).toBe(0);
      expect(result.timeouts).toBe(0);
      expect(result.non2xx).toBe(0);
      expect(result['2xx']).toBe(result.requests.total);
      // Every answer was a real poll forwarded upstream, not a cached or short-circuited one.
      expect(stats.polls).toBeGreaterThanOrEqual(result.requests.total);
      expect(after.rss - before.rss).toBeLessThan(RSS_BOUND);
      if (after.afterGc) expect(after.heapUsed - before.heapUsed).toBeLessThan(HEAP_BOUND);
    },
    (SECONDS + 60) * 1000,
  );
});
