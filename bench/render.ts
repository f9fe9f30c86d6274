/**
 * `tsx bench/render.ts` — renders per job for a component using `useCharacterGeneration`.
 *
 * Where and how (chosen for honesty over speed): in Chromium, with React's profiling build
 * (the production build with `<Profiler>` on), the real hook, the real client and the real
 * simulator injected as `fetch`, in real time — no fake timers, no jsdom. A `<Profiler>` counts
 * the component's commits for one whole 16.2 s job (the model page's median). Scenarios run
 * side by side in one page (they wait on timers, not on the CPU), several instances each;
 * the table gives the median instance. Budget (issue 5): renders ≤ distinct status changes + 2,
 * however many polls return unchanged data — so one scenario polls every 250 ms on purpose.
 * Baseline: the hand-written hook (useState + setInterval 500 ms + setState per answer).
 * `renderBenchRows()` returns the figures for bench/run.ts.
 */
import { pathToFileURL } from 'node:url';
import type { RenderRun, RenderScenario } from './browser/render-page.js';
import { bundlePage, launchChromium, median, openPage } from './lib/chromium.js';

export interface RenderBenchRow {
  /** The scenario. */
  name: string;
  /** Instances run. */
  instances: number;
  /** Median commits of the component for the whole job. */
  renders: number;
  /** Median distinct status changes (idle excluded). */
  statusChanges: number;
  /** Median status requests the job took. */
  polls: number;
  /** The statuses seen by the median instance. */
  statuses: string[];
  /** The budget in words, for the library's hook. */
  budget?: string;
  /** Whether every instance held the budget. */
  holds?: boolean;
  /** Renders per instance (all instances). */
  allRenders: number[];
}

export interface RenderBenchOptions {
  /** Instances per scenario. @default 3 */
  instances?: number;
  /** Job duration in ms. @default 16_200 */
  durationMs?: number;
}

export async function renderBenchRows(options: RenderBenchOptions = {}): Promise<RenderBenchRow[]> {
  const { instances = 3, durationMs = 16_200 } = options;
  const kinds: Array<Omit<RenderScenario, 'seed' | 'durationMs'>> = [
    { name: 'useCharacterGeneration, default poll policy', kind: 'hook' },
    { name: 'useCharacterGeneration, polling every 250 ms (many unchanged answers)', kind: 'hook', fixedPollMs: 250 },
    { name: 'baseline: hand-written useState + setInterval 500 ms', kind: 'naive', fixedPollMs: 500 },
  ];
  const scenarios: RenderScenario[] = kinds.flatMap((kind, k) =>
    Array.from({ length: instances }, (_, i) => ({ ...kind, durationMs, seed: 100 * k + i + 1 })),
  );
  const script = await bundlePage('browser/render-page.tsx', { mode: 'profiling' });
  const browser = await launchChromium();
  let runs: RenderRun[];
  try {
    const page = await openPage(browser, { script });
    type RenderWindow = { runRenderBench(s: RenderScenario[]): Promise<RenderRun[]> };
    runs = await page.evaluate((s) => (globalThis as unknown as RenderWindow).runRenderBench(s), scenarios);
  } finally {
    await browser.close();
  }
  return kinds.map((kind) => {
    const mine = runs.filter((r) => r.name === kind.name);
    const renders = median(mine.map((r) => r.renders));
    const middle = mine.find((r) => r.renders === renders) ?? mine[0]!;
    const row: RenderBenchRow = {
      name: kind.name,
      instances: mine.length,
      renders,
      statusChanges: median(mine.map((r) => r.statusChanges)),
      polls: median(mine.map((r) => r.polls)),
      statuses: middle.statuses,
      allRenders: mine.map((r) => r.renders),
    };
    if (kind.kind === 'hook') {
      row.budget = '≤ status changes + 2';
      row.holds = mine.every((r) => r.renders <= r.statusChanges + 2);
    }
    return row;
  });
}

/** The rows as a markdown table. */
export function renderMarkdown(rows: readonly RenderBenchRow[]): string {
  const out = [
    '| component | instances | status requests | status changes | renders (median) | renders per instance | budget | holds |',
    '|---|---:|---:|---:|---:|---|---|---|',
  ];
  for (const r of rows) {
    const holds = r.holds === undefined ? '' : r.holds ? 'yes' : '**NO**';
    const budget = r.budget ? `≤ ${r.statusChanges} + 2 = ${r.statusChanges + 2}` : '';
    out.push(`| ${r.name} | ${r.instances} | ${r.polls} | ${r.statusChanges} (${r.statuses.join(' → ')}) | ${r.renders} | ${r.allRenders.join(', ')} | ${budget} | ${holds} |`);
  }
  return out.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await renderBenchRows();
  console.log('## Renders per job (Chromium, React profiling build, real time, 16.2 s job)\n');
  console.log(renderMarkdown(rows));
  if (rows.some((r) => r.holds === false)) process.exitCode = 1;
}
