/**
 * `npm run bench:proxy` — what the proxy costs: the simulator alone against proxy → simulator,
 * on loopback, for `GET /jobs/{id}` and the submit route. Each server runs in its own child
 * process (the upstream is another machine in production; the load generator must not share
 * an event loop with what it measures).
 *
 * - throughput: autocannon, `connections` concurrent keep-alive connections, `durationSeconds` each;
 * - latency: autocannon's p50/p99 under that load (1 ms resolution), plus an unloaded probe
 *   (one keep-alive connection, sequential requests, µs timer) for the added p50/p99.
 *
 * Budget (GET /jobs/{id}): throughput ratio ≥ 0.7 and ≤ 1 ms added at p50 (unloaded probe).
 * `proxyBenchRows()` returns the figures for `bench/run.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const BUDGET = { ratio: 0.7, addedP50Ms: 1 };
const INPUT = JSON.stringify({ prompt: 'A knight in the rain', character_reference_image: 'https://example.com/me.png' });

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}) => Promise<AutocannonResult>;

/** The figures of one target (direct or through the proxy) on one route. */
export interface ProxyBenchTarget {
  /** Requests per second under load (autocannon average). */
  requestsPerSec: number;
  /** p50 latency under load, ms (1 ms resolution). */
  loadedP50Ms: number;
  /** p99 latency under load, ms (1 ms resolution). */
  loadedP99Ms: number;
  /** p50 latency of sequential requests on one connection, ms. */
  p50Ms: number;
  /** p99 latency of sequential requests on one connection, ms. */
  p99Ms: number;
  /** Answers that were not 2xx, errors and timeouts during the load run (should be 0). */
  failures: number;
}

export interface ProxyBenchRow {
  /** The route measured. */
  route: string;
  /** How the proxy reaches the simulator: injected as `fetch` (in-process) or over loopback HTTP. */
  topology: string;
  /** The simulator alone. */
  direct: ProxyBenchTarget;
  /** Proxy → simulator. */
  proxied: ProxyBenchTarget;
  /** proxied / direct requests per second. */
  throughputRatio: number;
  /** Added p50 latency, ms (unloaded probe). */
  addedP50Ms: number;
  /** Added p99 latency, ms (unloaded probe). */
  addedP99Ms: number;
  /** The budget in words, when this route has one. */
  budget?: string;
  /** Whether the budget holds. */
  holds?: boolean;
}

export interface ProxyBenchOptions {
  /** Seconds of load per target and route. @default 5 */
  durationSeconds?: number;
  /** Concurrent connections under load. @default 10 */
  connections?: number;
  /** Sequential requests in the latency probe (after 200 warm-up requests). @default 2000 */
  probeRequests?: number;
}

// ---------------------------------------------------------------- child processes (servers)

async function serve(role: string, key: string, upstream: string | undefined): Promise<void> {
  const { createServer } = await import('node:http');
  const { toNodeHandler, createCharacterProxy } = await import('../src/server/index.js');
  const { createSimulator } = await import('../src/testing/index.js');
  const simulator = createSimulator({ apiKey: key, durationMs: 0, credits: Number.MAX_SAFE_INTEGER, logLimit: 1 });
  const handler =
    role === 'simulator'
      ? toNodeHandler(simulator)
      : role === 'proxy-in-process'
        ? toNodeHandler(createCharacterProxy({ apiKey: key, basePath: '/api/character', upstreamUrl: 'http://upstream.invalid/api/v1', fetch: simulator }))
        : toNodeHandler(createCharacterProxy({ apiKey: key, basePath: '/api/character', upstreamUrl: `${upstream}/api/v1` }));
  // One completed job to poll (in this process's simulator; the loopback proxy polls the simulator process's).
  const submitted = await simulator(
    new Request('http://upstream.invalid/api/v1/models/ideogram-character/run', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: INPUT,
    }),
  );
  const { jobId } = (await submitted.json()) as { jobId: string };
  const server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send!({ port: typeof address === 'object' && address ? address.port : 0, jobId });
  });
}

type Role = 'simulator' | 'proxy-loopback' | 'proxy-in-process';

function start(role: Role, key: string, upstream?: string): Promise<{ child: ChildProcess; url: string; jobId: string }> {
  const child = fork(SELF, ['--serve', role, key, upstream ?? ''], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => {
      const { port, jobId } = message as { port: number; jobId: string };
      resolve({ child, url: `http://127.0.0.1:${port}`, jobId });
    });
    child.once('exit', (code) => reject(new Error(`${role} server exited with ${code}`)));
  });
}

// ---------------------------------------------------------------- measuring

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Sequential requests on one keep-alive connection, timed with a µs clock. */
async function probe(url: string, init: Init, count: number): Promise<{ p50Ms: number; p99Ms: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const req = httpRequest(url, { method: init.method, headers: init.headers, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode! < 300 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(init.body);
    });
  for (let i = 0; i < 200; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await once());
  agent.destroy();
  times.sort((a, b) => a - b);
  return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
}

async function measure(autocannon: Autocannon, url: string, init: Init, options: Required<ProxyBenchOptions>): Promise<ProxyBenchTarget> {
  const load = await autocannon({ url, connections: options.connections, duration: options.durationSeconds, ...init });
  const latency = await probe(url, init, options.probeRequests);
  return {
    requestsPerSec: Math.round(load.requests.average),
    loadedP50Ms: load.latency.p50,
    loadedP99Ms: load.latency.p99,
    ...latency,
    failures: load.non2xx + load.errors + load.timeouts,
  };
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

interface Init {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Run both routes against the simulator alone, then through the proxy two ways: with the
 * simulator injected as its `fetch` (in-process: the proxy's own cost, the budget's measure)
 * and over loopback HTTP to the simulator's process (what a deployment adds: one more hop).
 */
export async function proxyBenchRows(options: ProxyBenchOptions = {}): Promise<ProxyBenchRow[]> {
  const resolved: Required<ProxyBenchOptions> = { durationSeconds: 5, connections: 10, probeRequests: 2000, ...options };
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  // A throwaway key shared by the child processes; not a real key.
  const key = `bench_${Math.random().toString(36).slice(2)}`;
  const simulator = await start('simulator', key);
  const inProcess = await start('proxy-in-process', key);
  const loopback = await start('proxy-loopback', key, simulator.url);
  const auth = { authorization: `Bearer ${key}` };
  const json = { 'content-type': 'application/json' };
  const run = '/models/ideogram-character/run';
  try {
    const rows: ProxyBenchRow[] = [];
    const routes: Array<{ route: string; budget: boolean; direct: [string, Init]; proxied: Array<[string, string, Init]> }> = [
      {
        route: 'GET /jobs/{id}',
        budget: true,
        direct: [`${simulator.url}/api/v1/jobs/${simulator.jobId}`, { method: 'GET', headers: auth }],
        proxied: [
          ['in-process upstream', `${inProcess.url}/api/character/jobs/${inProcess.jobId}`, { method: 'GET', headers: {} }],
          ['loopback HTTP upstream', `${loopback.url}/api/character/jobs/${simulator.jobId}`, { method: 'GET', headers: {} }],
        ],
      },
      {
        route: `POST ${run}`,
        budget: false,
        direct: [`${simulator.url}/api/v1${run}`, { method: 'POST', headers: { ...auth, ...json }, body: INPUT }],
        proxied: [
          ['in-process upstream', `${inProcess.url}/api/character${run}`, { method: 'POST', headers: json, body: INPUT }],
          ['loopback HTTP upstream', `${loopback.url}/api/character${run}`, { method: 'POST', headers: json, body: INPUT }],
        ],
      },
    ];
    for (const route of routes) {
      const direct = await measure(autocannon, route.direct[0], route.direct[1], resolved);
      for (const [topology, url, init] of route.proxied) {
        const proxied = await measure(autocannon, url, init, resolved);
        const row: ProxyBenchRow = {
          route: route.route,
          topology,
          direct,
          proxied,
          throughputRatio: round(proxied.requestsPerSec / direct.requestsPerSec, 2),
          addedP50Ms: round(proxied.p50Ms - direct.p50Ms),
          addedP99Ms: round(proxied.p99Ms - direct.p99Ms),
        };
        if (route.budget) {
          row.budget = `ratio ≥ ${BUDGET.ratio}, added p50 ≤ ${BUDGET.addedP50Ms} ms`;
          row.holds = row.throughputRatio >= BUDGET.ratio && row.addedP50Ms <= BUDGET.addedP50Ms && proxied.failures === 0;
        }
        rows.push(row);
      }
    }
    return rows;
  } finally {
    for (const server of [loopback, inProcess, simulator]) server.child.kill();
  }
}

/** The rows as a markdown table. */
export function proxyBenchMarkdown(rows: readonly ProxyBenchRow[]): string {
  const ms = (x: number) => x.toFixed(3);
  const out = [
    '| route | proxy upstream | direct req/s | proxied req/s | ratio | loaded p50/p99 direct → proxied (ms) | p50 direct → proxied (ms) | added p50 | added p99 | budget | holds |',
    '|---|---|---:|---:|---:|---|---|---:|---:|---|---|',
  ];
  for (const r of rows) {
    const holds = r.holds === undefined ? '' : r.holds ? 'yes' : '**NO**';
    out.push(
      `| ${r.route} | ${r.topology} | ${r.direct.requestsPerSec} | ${r.proxied.requestsPerSec} | ${r.throughputRatio.toFixed(2)} | ` +
        `${r.direct.loadedP50Ms}/${r.direct.loadedP99Ms} → ${r.proxied.loadedP50Ms}/${r.proxied.loadedP99Ms} | ` +
        `${ms(r.direct.p50Ms)} → ${ms(r.proxied.p50Ms)} | ${ms(r.addedP50Ms)} | ${ms(r.addedP99Ms)} | ${r.budget ?? ''} | ${holds} |`,
    );
  }
  const failures = rows.reduce((sum, r) => sum + r.direct.failures + r.proxied.failures, 0);
  if (failures) out.push('', `**${failures} requests failed during the load runs.**`);
  return out.join('\n');
}

if (process.argv[2] === '--serve') {
  void serve(process.argv[3]!, process.argv[4]!, process.argv[5] || undefined);
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 5);
  const rows = await proxyBenchRows({ durationSeconds });
  console.log(`## Proxy overhead (loopback; autocannon ${durationSeconds} s × 10 connections per target; latency probe: 2000 sequential keep-alive requests)\n`);
  console.log(proxyBenchMarkdown(rows));
  if (rows.some((r) => r.holds === false)) process.exitCode = 1;
}
