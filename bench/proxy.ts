/**
 * `npm run bench:proxy` — what the proxy costs: the simulator alone against proxy → simulator,
 * on loopback, for `GET /jobs/{id}` and the submit route. Each server runs in its own child
 * process (the upstream is another machine in production; the load generator must not share
 * an event loop with what it measures).
 *
 * - throughput: autocannon, `connections` concurrent keep-alive connections, `durationSeconds` each;
 * - latency: autocannon's p50/p99 under that load (1 ms resolution), plus an unloaded probe
 *   (one keep-alive connection, sequential requests, µs timer) for the added p50/p99;
 * - targets alternate in rounds, so drift in the machine's load hits all of them alike.
 *
 * Proxy topologies: the simulator injected as the proxy's `fetch` (in-process: the proxy's own
 * cost; for the status poll also with a trivial `authorize` hook, the configuration the docs
 * recommend), the simulator's process over loopback HTTP (adds a real hop), and as a baseline for that
 * hop a bare 10-line forwarder over the same loopback (what any HTTP proxy costs).
 *
 * Budget (GET /jobs/{id}, both proxy topologies): throughput ratio ≥ 0.7 and ≤ 1 ms added at p50 (probe).
 * `proxyBenchRows()` returns the figures for `bench/run.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest, type RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const BUDGET = { ratio: 0.7, addedP50Ms: 1 };
const INPUT = JSON.stringify({ prompt: 'A knight in the rain', character_reference_image: 'https://example.com/me.png' });

interface AutocannonResult {
  requests: { average: number; total: number };
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
  /** Requests per second under load (autocannon average; median over rounds). */
  requestsPerSec: number;
  /** p50 latency under load, ms (1 ms resolution). */
  loadedP50Ms: number;
  /** p99 latency under load, ms (1 ms resolution). */
  loadedP99Ms: number;
  /** p50 latency of sequential requests on one connection, ms. */
  p50Ms: number;
  /** p99 latency of sequential requests on one connection, ms. */
  p99Ms: number;
  /** Server CPU time per request under load, µs, summed over every server process involved. */
  cpuMicrosPerRequest: number;
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
  /** proxied / direct requests per second (wall clock: sensitive to the machine's load). */
  throughputRatio: number;
  /** direct / proxied server CPU per request: the throughput ratio a CPU-bound server would see. */
  cpuRatio: number;
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
  /** Seconds of load per target and route, split over `rounds`. @default 5 */
  durationSeconds?: number;
  /** Concurrent connections under load. @default 10 */
  connections?: number;
  /** Sequential requests in the latency probe, over all rounds. @default 2000 */
  probeRequests?: number;
  /** Rounds the targets alternate in (the load of each target is split over them). @default 5 */
  rounds?: number;
}

// ---------------------------------------------------------------- child processes (servers)

async function serve(role: string, key: string, upstream: string | undefined): Promise<void> {
  const { createServer } = await import('node:http');
  const { toNodeHandler, createCharacterProxy } = await import('../src/server/index.js');
  const { createSimulator } = await import('../src/testing/index.js');
  const simulator = createSimulator({ apiKey: key, durationMs: 0, credits: Number.MAX_SAFE_INTEGER, logLimit: 1 });
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  // The least any HTTP proxy does: forward method, path, headers and body, pipe the answer back.
  const forwarder: RequestListener = (req, res) => {
    const out = httpRequest(`${upstream}${req.url!.replace('/api/character', '/api/v1')}`, { method: req.method, headers: { ...req.headers, authorization: `Bearer ${key}` }, agent }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  };
  const handler =
    role === 'forwarder'
      ? forwarder
      : role === 'simulator'
      ? toNodeHandler(simulator)
      : role === 'proxy-in-process'
        ? toNodeHandler(createCharacterProxy({ apiKey: key, basePath: '/api/character', upstreamUrl: 'http://upstream.invalid/api/v1', fetch: simulator }))
        : role === 'proxy-authorize'
          ? // The configuration the docs recommend: an authorize hook (here a trivial one, so only its plumbing is measured).
            toNodeHandler(createCharacterProxy({ apiKey: key, basePath: '/api/character', upstreamUrl: 'http://upstream.invalid/api/v1', fetch: simulator, authorize: () => true }))
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
  // CPU time used so far, on request: CPU per request does not depend on how busy the machine is.
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send!({ cpuMicros: user + system });
  });
}

interface Server {
  child: ChildProcess;
  url: string;
  jobId: string;
}

function cpuMicros(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.child.once('message', (message) => resolve((message as { cpuMicros: number }).cpuMicros));
    server.child.send('cpu');
  });
}

async function totalCpu(servers: readonly Server[]): Promise<number> {
  let sum = 0;
  for (const server of servers) sum += await cpuMicros(server);
  return sum;
}

type Role = 'simulator' | 'proxy-loopback' | 'proxy-in-process' | 'proxy-authorize' | 'forwarder';

function start(role: Role, key: string, upstream?: string): Promise<Server> {
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

/** Sequential requests on one keep-alive connection, each timed with a µs clock. */
async function probe(url: string, init: Init, count: number): Promise<number[]> {
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
  for (let i = 0; i < 50; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await once());
  agent.destroy();
  return times;
}

interface Target {
  url: string;
  init: Init;
  /** The server processes that work for this target (their CPU time is summed). */
  servers: readonly Server[];
}

/**
 * Measure several targets in alternating rounds (A B C A B C …), so a change in the machine's
 * load during the run hits every target alike: median req/s over rounds, percentiles over all
 * probe samples.
 */
async function measureAlternating(autocannon: Autocannon, targets: readonly Target[], options: Required<ProxyBenchOptions>): Promise<ProxyBenchTarget[]> {
  const rounds = options.rounds;
  const perRound = Math.max(1, Math.round(options.durationSeconds / rounds));
  const acc = targets.map(() => ({ rps: [] as number[], p50: [] as number[], p99: [] as number[], times: [] as number[], failures: 0, cpu: 0, requests: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, target] of targets.entries()) {
      const before = await totalCpu(target.servers);
      const load = await autocannon({ url: target.url, connections: options.connections, duration: perRound, ...target.init });
      const a = acc[i]!;
      a.cpu += (await totalCpu(target.servers)) - before;
      a.requests += load.requests.total;
      a.rps.push(load.requests.average);
      a.p50.push(load.latency.p50);
      a.p99.push(load.latency.p99);
      a.failures += load.non2xx + load.errors + load.timeouts;
      a.times.push(...(await probe(target.url, target.init, Math.ceil(options.probeRequests / rounds))));
    }
  }
  const median = (values: number[]) => percentile([...values].sort((x, y) => x - y), 50);
  return acc.map((a) => {
    const times = [...a.times].sort((x, y) => x - y);
    return {
      requestsPerSec: Math.round(median(a.rps)),
      loadedP50Ms: median(a.p50),
      loadedP99Ms: median(a.p99),
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      cpuMicrosPerRequest: Math.round(a.cpu / Math.max(1, a.requests)),
      failures: a.failures,
    };
  });
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
  const resolved: Required<ProxyBenchOptions> = { durationSeconds: 5, connections: 10, probeRequests: 2000, rounds: 5, ...options };
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  // A throwaway key shared by the child processes; not a real key.
  const key = `bench_${Math.random().toString(36).slice(2)}`;
  const simulator = await start('simulator', key);
  const inProcess = await start('proxy-in-process', key);
  const authorized = await start('proxy-authorize', key);
  const loopback = await start('proxy-loopback', key, simulator.url);
  const forwarder = await start('forwarder', key, simulator.url);
  const auth = { authorization: `Bearer ${key}` };
  const json = { 'content-type': 'application/json' };
  const run = '/models/ideogram-character/run';
  try {
    const rows: ProxyBenchRow[] = [];
    const routes: Array<{ route: string; budget: boolean; direct: [string, Init]; proxied: Array<[string, string, Init, Server[]]> }> = [
      {
        route: 'GET /jobs/{id}',
        budget: true,
        direct: [`${simulator.url}/api/v1/jobs/${simulator.jobId}`, { method: 'GET', headers: auth }],
        proxied: [
          ['in-process upstream', `${inProcess.url}/api/character/jobs/${inProcess.jobId}`, { method: 'GET', headers: {} }, [inProcess]],
          ['in-process upstream, authorize hook', `${authorized.url}/api/character/jobs/${authorized.jobId}`, { method: 'GET', headers: {} }, [authorized]],
          ['loopback HTTP upstream', `${loopback.url}/api/character/jobs/${simulator.jobId}`, { method: 'GET', headers: {} }, [loopback, simulator]],
          ['(baseline) bare forwarder, loopback', `${forwarder.url}/api/character/jobs/${simulator.jobId}`, { method: 'GET', headers: {} }, [forwarder, simulator]],
        ],
      },
      {
        route: `POST ${run}`,
        budget: false,
        direct: [`${simulator.url}/api/v1${run}`, { method: 'POST', headers: { ...auth, ...json }, body: INPUT }],
        proxied: [
          ['in-process upstream', `${inProcess.url}/api/character${run}`, { method: 'POST', headers: json, body: INPUT }, [inProcess]],
          ['loopback HTTP upstream', `${loopback.url}/api/character${run}`, { method: 'POST', headers: json, body: INPUT }, [loopback, simulator]],
          ['(baseline) bare forwarder, loopback', `${forwarder.url}/api/character${run}`, { method: 'POST', headers: json, body: INPUT }, [forwarder, simulator]],
        ],
      },
    ];
    for (const route of routes) {
      const targets: Target[] = [
        { url: route.direct[0], init: route.direct[1], servers: [simulator] },
        ...route.proxied.map(([, url, init, servers]) => ({ url, init, servers })),
      ];
      const [direct, ...proxiedResults] = await measureAlternating(autocannon, targets, resolved);
      for (const [i, [topology]] of route.proxied.entries()) {
        const proxied = proxiedResults[i]!;
        const row: ProxyBenchRow = {
          route: route.route,
          topology,
          direct: direct!,
          proxied,
          throughputRatio: round(proxied.requestsPerSec / direct!.requestsPerSec, 2),
          cpuRatio: round(direct!.cpuMicrosPerRequest / proxied.cpuMicrosPerRequest, 2),
          addedP50Ms: round(proxied.p50Ms - direct!.p50Ms),
          addedP99Ms: round(proxied.p99Ms - direct!.p99Ms),
        };
        if (route.budget && !topology.startsWith('(baseline)')) {
          row.budget = `ratio ≥ ${BUDGET.ratio}, added p50 ≤ ${BUDGET.addedP50Ms} ms`;
          row.holds = row.throughputRatio >= BUDGET.ratio && row.addedP50Ms <= BUDGET.addedP50Ms && proxied.failures === 0;
        }
        rows.push(row);
      }
    }
    return rows;
  } finally {
    for (const server of [forwarder, loopback, authorized, inProcess, simulator]) server.child.kill();
  }
}

/** The rows as a markdown table. */
export function proxyBenchMarkdown(rows: readonly ProxyBenchRow[]): string {
  const ms = (x: number) => x.toFixed(3);
  const out = [
    '| route | proxy upstream | direct req/s | proxied req/s | ratio | server CPU µs/req direct → proxied | CPU ratio | loaded p50/p99 direct → proxied (ms) | p50 direct → proxied (ms) | added p50 | added p99 | budget | holds |',
    '|---|---|---:|---:|---:|---|---:|---|---|---:|---:|---|---|',
  ];
  for (const r of rows) {
    const holds = r.holds === undefined ? '' : r.holds ? 'yes' : '**NO**';
    out.push(
      `| ${r.route} | ${r.topology} | ${r.direct.requestsPerSec} | ${r.proxied.requestsPerSec} | ${r.throughputRatio.toFixed(2)} | ` +
        `${r.direct.cpuMicrosPerRequest} → ${r.proxied.cpuMicrosPerRequest} | ${r.cpuRatio.toFixed(2)} | ` +
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
  console.log(
    `## Proxy overhead (loopback; per target ${durationSeconds} s of autocannon × 10 connections in 5 alternating rounds; ` +
      `latency probe: 2000 sequential keep-alive requests; load average at start ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)\n`,
  );
  console.log(proxyBenchMarkdown(rows));
  if (rows.some((r) => r.holds === false)) process.exitCode = 1;
}
