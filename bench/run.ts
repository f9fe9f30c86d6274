/**
 * `npm run bench` — every benchmark in one run on one machine, written to bench/RESULTS.md:
 * the machine and versions first, then a summary of every budget, then one table per bench.
 *
 * Order: the two benches whose figures do not depend on CPU time (sizes in bytes, the poll
 * simulation in arithmetic) run alongside the render bench (which mostly waits on timers);
 * the timed benches (proxy, Chromium mount and downscale) then run one after another, alone.
 * Exit code 1 when a budget fails (after RESULTS.md is written).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { browserBenchRows, downscaleMarkdown, gridMarkdown, type BrowserBenchResult } from './browser.js';
import { measureStylesCss } from './lib/css-size.js';
import { machineInfo, MEASURED_PACKAGES, packageVersion } from './lib/machine.js';
import { pollBenchMarkdown, pollBenchRows, type PollBenchRow } from './poll.js';
import { proxyBenchMarkdown, proxyBenchRows, type ProxyBenchRow } from './proxy.js';
import { renderBenchRows, renderMarkdown, type RenderBenchRow } from './render.js';
import { measureSizes, sizeMarkdown, type SizeRow } from './size.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${root}bench/RESULTS.md`;
/** Kept short so the whole run stays near 3 minutes on 2 busy cores; `bench:proxy` alone runs longer. */
const PROXY = { durationSeconds: Number(process.env.BENCH_DURATION_S ?? 3), rounds: 3, probeRequests: 1000 };

interface Budget {
  bench: string;
  figure: string;
  value: string;
  budget: string;
  holds: boolean;
  /** What would make it hold, shown only when it fails. */
  fix?: string;
}

const kB = (bytes: number) => `${(bytes / 1024).toFixed(2)} kB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = () => loadavg().map((x) => x.toFixed(1)).join(' / ');

async function timed<T>(label: string, work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  console.error(`bench: ${label}…`);
  const value = await work();
  const ms = performance.now() - started;
  console.error(`bench: ${label} done in ${seconds(ms)}`);
  return { value, ms };
}

function gitRevision(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty ? `${head} (with uncommitted changes under src/ or bench/)` : head;
  } catch {
    return 'unknown';
  }
}

function sizeRatios(rows: readonly SizeRow[]): string {
  const find = (start: string) => rows.find((r) => r.name.startsWith(start));
  const ours = [
    find("import { createCharacterClient }"),
    find("import { useCharacterGeneration }"),
    find("import { CharacterGenerator }"),
  ].filter((r): r is SizeRow => r !== undefined);
  const anchors = rows.filter((r) => r.name.startsWith('anchor:'));
  const head = `| ours (min+gz) | ${anchors.map((a) => a.name.replace(/^anchor: /, '').replace(/\(.*\)$/, '').trim()).join(' | ')} |`;
  const lines = [head, `|---|${anchors.map(() => '---:').join('|')}|`];
  for (const r of ours) lines.push(`| ${r.name} — ${kB(r.gzipBytes)} | ${anchors.map((a) => `${(r.gzipBytes / a.gzipBytes).toFixed(2)}×`).join(' | ')} |`);
  return lines.join('\n');
}

function budgets(size: SizeRow[], poll: PollBenchRow[], proxy: ProxyBenchRow[], render: RenderBenchRow[], browser: BrowserBenchResult): Budget[] {
  const out: Budget[] = [];
  for (const r of size.filter((x) => x.budgetBytes !== undefined)) {
    const fix = r.name.includes('createCharacterClient')
      ? 'the reference rows and the table of sources show the floor: zod/mini with the constructs the client needs (strictObject, looseObject, string, optional, nullable, custom) is about 5 kB gzipped before any code of ours, which leaves about 3 kB for input validation with the exact enums, answer validation, error mapping, the poll loop, the learning poll policy and XHR upload progress. Every remaining part costs 0.05–0.7 kB (the input schema with its 69 resolutions 0.7, XHR upload progress 0.17, default messages 0.16, the learning policy 0.7), so no shrinking of ours reaches 8 kB. Even zod with no structure at all (the two no-structure reference rows: only a predicate, about 3 kB through zod/mini, 2.5 kB through zod/v4/core) plus our code today comes to about 8.5 and 7.9 kB: only zod/v4/core used as a wrapper around hand-written checks would fit, which is our own validator, not zod/mini. It takes dropping rules or features (answers checked without zod, input unchecked in the browser, a fixed default schedule), or a budget counted on top of zod/mini'
      : r.name.includes('CharacterGenerator')
        ? 'drop duplicated label/validation code between the parts, or load the dialog and the uploader lazily'
        : 'move rarely used rules out of the default sheet';
    out.push({ bench: 'size', figure: r.name, value: kB(r.gzipBytes), budget: `≤ ${kB(r.budgetBytes!)}`, holds: r.holds === true, fix });
  }
  for (const r of poll.filter((x) => x.holds !== undefined)) {
    out.push({
      bench: 'polling',
      figure: `${r.distribution}: ${r.strategy}`,
      value: `${r.requests.toFixed(2)} requests, ${r.latencyS.toFixed(2)} s`,
      budget: `${r.requestsBudget}; ${r.latencyBudget}`,
      holds: r.holds === true,
    });
  }
  for (const r of proxy.filter((x) => x.holds !== undefined)) {
    const bare = proxy.find((x) => x.route === r.route && x.topology.includes('bare forwarder'));
    const hop =
      r.topology.includes('loopback') && bare
        ? `a bare forwarder that does nothing but forward over the same loopback hop reaches ratio ${bare.throughputRatio.toFixed(2)} and +${bare.addedP50Ms.toFixed(3)} ms p50 in this run: that much is the hop and the extra process on these cores${bare.throughputRatio < 0.7 ? ' (the hop alone misses the ratio budget here)' : ''}; the rest of the gap (${bare.throughputRatio.toFixed(2)} → ${r.throughputRatio.toFixed(2)}) is the proxy's own work and its upstream client. Then `
        : '';
    out.push({
      bench: 'proxy',
      figure: `${r.route}, ${r.topology}`,
      value: `ratio ${r.throughputRatio.toFixed(2)}, +${r.addedP50Ms.toFixed(3)} ms p50`,
      budget: r.budget!,
      holds: r.holds === true,
      fix: `${hop}see the server CPU µs/req column (load-independent). Under toNodeHandler the status poll takes a fast path in every configuration (no Response object; a Request is built only for an \`authorize\`/\`rateLimit\` hook, about 27 µs of which 18 µs is the signal that follows a client disconnect); submit still takes the ordinary path (body parse and validation)`,
    });
  }
  for (const r of render.filter((x) => x.holds !== undefined)) {
    out.push({ bench: 'rendering', figure: r.name, value: `${r.renders} renders, ${r.statusChanges} status changes`, budget: r.budget!, holds: r.holds === true });
  }
  const g = browser.grid;
  out.push({
    bench: 'rendering',
    figure: 'ResultGrid mount, 200 images (median)',
    value: `${g.medianMs.toFixed(1)} ms wall (load-corrected ${g.cpuMedianMs.toFixed(1)} ms; plain baseline ${g.cpuMedianPlainMs.toFixed(1)} ms)`,
    budget: '≤ 50 ms',
    holds: g.holds,
    fix: `each item mounts a context provider, state, an effect and about ten elements (placeholder, trigger, image, expired notice, three actions), ${(g.cpuMedianMs / g.cpuMedianPlainMs).toFixed(1)}× the plain list load-corrected: render the actions only for the hovered/focused item (or one shared action bar), drop per-item state/effects that only matter after a click, and add \`content-visibility: auto\` with \`contain-intrinsic-size\` to items in styles.css so off-screen cells skip layout; beyond a job's 8 images, paginate or virtualise`,
  });
  const d = browser.downscale;
  out.push({
    bench: 'upload',
    figure: '6000×4000 JPEG downscale to 2048 px (median)',
    value: `${d.medianMs.toFixed(1)} ms wall (renderer CPU ${d.cpuProcessMs.toFixed(0)} ms, all threads)`,
    budget: '≤ 400 ms',
    holds: d.holds,
    fix: `the uploader already decodes JPEGs at the smallest eighth-scale ≥ 2048 px with WebCodecs \`ImageDecoder\` where the page is a secure context (${d.decoder}, ${d.decodedWidth}×${d.decodedHeight}, ${d.medianDecodeMs.toFixed(0)} ms of decode; full-size baseline ${d.baselineMedianMs.toFixed(0)} ms in this run). What is left: the encode, and machine load — the renderer's CPU time is ${d.cpuProcessMs.toFixed(0)} ms summed over its threads against ${d.medianMs.toFixed(0)} ms of wall time here; moving decode and encode to a worker would keep the page responsive, not make it faster`,
  });
  return out;
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = load();
  const machine = machineInfo();
  const ownVersion = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;

  // Byte counts and arithmetic next to the timer-bound render bench.
  const [size, poll, render] = await Promise.all([
    timed('size', async () => [...(await measureSizes()), measureStylesCss()]),
    timed('poll', async () => pollBenchRows()),
    timed('render (Chromium, real time)', () => renderBenchRows()),
  ]);
  // Wall-clock benches, one at a time.
  const proxy = await timed('proxy (autocannon)', () => proxyBenchRows(PROXY));
  const browser = await timed('ResultGrid mount + downscale (Chromium)', () => browserBenchRows());
  const loadAfter = load();
  const all = budgets(size.value, poll.value, proxy.value, render.value, browser.value);
  const failing = all.filter((b) => !b.holds);

  const md = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString()} in ${seconds(performance.now() - started)}; do not edit by hand.`,
    '',
    '## Machine and versions',
    '',
    '| | |',
    '|---|---|',
    `| CPU | ${machine.cpuModel}, ${machine.cores} cores |`,
    `| memory | ${machine.memoryGiB} GiB |`,
    `| OS | ${machine.os} |`,
    `| Node | ${machine.node} |`,
    `| Chromium | ${machine.chromium} (headless, \`--disable-gpu\`: software canvas and raster) |`,
    `| load average (1/5/15 min) at start → end | ${loadBefore} → ${loadAfter} |`,
    `| react-ideogram-character | ${ownVersion}, commit ${gitRevision()} |`,
    ...MEASURED_PACKAGES.map((name) => `| ${name} | ${packageVersion(name)} |`),
    '',
    `Timed figures (proxy, ResultGrid mount, downscale) are wall-clock on this machine: a load average above the core count (${machine.cores}) means other processes shared the CPU and inflated them; the ratios to a baseline measured in the same run are the figures to compare across machines. Sizes and the poll simulation do not depend on load; render counts barely do. While the load average is above the core count, a timed verdict within about a third of its budget can flip between consecutive runs (seen on this machine for the ResultGrid mount, the downscale and the in-process proxy ratio); the load-corrected and CPU columns are steadier.`,
    '',
    '## Budgets',
    '',
    failing.length ? `**${failing.length} of ${all.length} budgets fail.**` : `All ${all.length} budgets hold.`,
    '',
    '| bench | figure | measured | budget | holds |',
    '|---|---|---|---|---|',
    ...all.map((b) => `| ${b.bench} | ${b.figure} | ${b.value} | ${b.budget} | ${b.holds ? 'yes' : '**NO**'} |`),
    '',
    ...(failing.length ? ['What would fix the failing ones (the budgets stay as the issues set them):', '', ...failing.map((b) => `- **${b.bench}: ${b.figure}** — ${b.fix ?? 'see its section'}.`), ''] : []),
    '## Size',
    '',
    'esbuild (bundle, minify, ESM, browser, es2022), peers external (react, react-dom, @tanstack/react-query), zod included; gzip -9. Each row is a one-line app importing that name (`react-ideogram-character` resolves to src/; unused parts drop through `sideEffects`). `styles.css` is the lightningcss bundle the build ships. The anchors are measured the same way in the same run. Byte counts are exact: one run.',
    '',
    sizeMarkdown(size.value),
    '',
    'Ratios to the anchors (below 1× = smaller than the anchor):',
    '',
    sizeRatios(size.value),
    '',
    '## Polling',
    '',
    'bench/poll.ts: requests per job and detection latency (the poll that sees `completed` minus completion), simulated by time arithmetic with instant answers — deterministic, so one run. "Best fixed in hindsight" minimises requests + latency / 0.3 s.',
    '',
    pollBenchMarkdown(poll.value),
    '## Proxy',
    '',
    `bench/proxy.ts (\`proxyBenchRows\`): loopback, each server in its own process; per target ${PROXY.durationSeconds} s of autocannon × 10 connections in ${PROXY.rounds} alternating rounds (req/s: autocannon's mean; loaded p50/p99 at 1 ms resolution), then ${PROXY.probeRequests} sequential keep-alive requests for the unloaded p50/p99 (the "added" columns). Baseline: the simulator alone; the bare forwarder rows show what any loopback hop costs. Server CPU per request does not grow with load from other processes; req/s and latencies do.`,
    '',
    proxyBenchMarkdown(proxy.value),
    '',
    '## Rendering',
    '',
    '### Renders per job',
    '',
    'bench/render.ts: Chromium, React 19 profiling build (production React with `<Profiler>` on), the real hook, client and simulator (injected as `fetch`) in real time — no fake timers, no jsdom. One 16.2 s job (the model page median) per instance; a `<Profiler>` counts commits from mount to one second after `completed`. Status changes exclude the initial `idle`. Baseline: a hand-written hook (useState + setInterval 500 ms + setState per answer).',
    '',
    renderMarkdown(render.value),
    '',
    '### ResultGrid mount (200 images)',
    '',
    `bench/browser.ts: React 19 production build, styles.css applied, viewport 1280×800. Each timed mount: a fresh root, \`performance.now()\` around \`flushSync(root.render(<ResultGrid status="completed" images={200 URLs} … />))\` and a layout read (\`getBoundingClientRect\`); ${browser.value.grid.runs} timed mounts after 5 warm-ups, interleaved with the baseline (200 plain \`li > button > img\` mounted by the same React) and a 20-image grid.`,
    '',
    gridMarkdown(browser.value),
    '',
    '## Upload',
    '',
    `bench/browser.ts: a 6000×4000 photo-like JPEG (gradients, soft shapes and per-pixel grain, quality 0.92) is made in the page once; each run then calls the ReferenceUploader's own functions from src/components/reference-uploader/image-checks.ts — \`sniffImageType\` → \`decodeImage\` (WebCodecs \`ImageDecoder\` at a reduced JPEG scale where available, else createImageBitmap) → \`fitWithin(…, 2048)\` → \`downscaleImage\` (OffscreenCanvas, same format, quality 0.9) — as \`useReferenceUpload\` does; median of ${browser.value.downscale.runs} runs after one warm-up. Baseline: the original file (bytes before).`,
    '',
    downscaleMarkdown(browser.value),
    '',
    '## Time per bench in this run',
    '',
    '| bench | wall time |',
    '|---|---:|',
    `| size (alongside poll and render) | ${seconds(size.ms)} |`,
    `| poll | ${seconds(poll.ms)} |`,
    `| render | ${seconds(render.ms)} |`,
    `| proxy | ${seconds(proxy.ms)} |`,
    `| ResultGrid mount + downscale | ${seconds(browser.ms)} |`,
    '',
  ].join('\n');
  writeFileSync(OUT, md);
  console.log(`bench: wrote ${OUT} in ${seconds(performance.now() - started)}`);
  for (const b of failing) console.log(`bench: budget fails — ${b.bench}: ${b.figure}: ${b.value} (budget ${b.budget})`);
  if (failing.length) process.exitCode = 1;
}

await main();
