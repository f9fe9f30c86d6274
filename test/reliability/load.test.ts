import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_PATH, FULL, INPUT, mb, settledHeap, startStack, type Stack } from './harness.js';

const POLLERS = FULL ? 500 : 100;
const SECONDS = FULL ? 30 : 3;
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
  duration: number;
  timeout?: number;
  requests?: AutocannonRequest[];
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

let stack: Stack;
const jobPaths: string[] = [];

beforeAll(async () => {
  // Half the jobs finish at once, half run for an hour: pollers see both answers.
  stack = await startStack({ simulator: { durationMs: (_input, rng) => (rng() < 0.5 ? 0 : 3_600_000), seed: 5, logLimit: 1000 } });
  for (let i = 0; i < JOB_COUNT; i++) {
    const response = await fetch(`${stack.proxy.url}${BASE_PATH}/models/ideogram-character/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `load-${i}` },
      body: JSON.stringify(INPUT),
    });
    expect(response.status).toBe(202);
    jobPaths.push(`${BASE_PATH}/jobs/${((await response.json()) as { jobId: string }).jobId}`);
  }
});

afterAll(async () => {
  await stack?.close();
});

describe('given the proxy in front of the simulator on loopback', () => {
  it(
    `when ${POLLERS} pollers hit the job route for ${SECONDS} s, every request is answered 200, and memory stays bounded`,
    async () => {
      const before = settledHeap();
      let next = 0;
      const result = await autocannon({
        url: stack.proxy.url,
        connections: POLLERS,
        duration: SECONDS,
        timeout: 10,
        requests: [{ method: 'GET', path: jobPaths[0] }],
        setupRequest: (request) => ({ ...request, path: jobPaths[next++ % jobPaths.length] }),
      });
      const after = settledHeap();
      const { stats } = stack.simulator;
      const figures = {
        pollers: POLLERS,
        seconds: SECONDS,
        requestsServed: result.requests.total,
        requestsPerSecond: Math.round(result.requests.average),
        latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        upstreamPolls: stats.polls,
        heap: { before: mb(before.heapUsed), after: mb(after.heapUsed), afterGc: after.afterGc },
        rss: { before: mb(before.rss), after: mb(after.rss), growth: mb(after.rss - before.rss) },
      };
      console.log(`[load] ${JSON.stringify(figures, null, 2)}`);

      expect(result.requests.total).toBeGreaterThan(POLLERS);
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
