/**
 * Chromium for the browser benches: launched with Playwright, pages served from memory on a
 * made-up origin (no server, no network), scripts bundled from TypeScript with esbuild.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { CHROMIUM_ARGS, chromiumExecutable } from '../../scripts/chromium.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

export { chromiumExecutable };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumExecutable(), args: [...CHROMIUM_ARGS], headless: true });
}

export interface BundleOptions {
  /**
   * `production`: React's production build, as apps ship it. `profiling`: the production build
   * with `<Profiler>` callbacks on (react-dom/profiling), for counting commits.
   */
  mode: 'production' | 'profiling';
}

/** Bundle a page script (TS/TSX) into one minified IIFE. */
export async function bundlePage(entry: string, { mode }: BundleOptions): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, `file://${root}bench/`))],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    jsx: 'automatic',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    alias: mode === 'profiling' ? { 'react-dom/client': 'react-dom/profiling' } : {},
  });
  return result.outputFiles![0]!.text;
}

export const ORIGIN = 'http://bench.local';
/** A localhost origin: a secure context, where ImageDecoder and the rest of WebCodecs exist. Nothing listens on it. */
export const SECURE_ORIGIN = 'http://localhost:4179';

/**
 * A page at `${origin}/` running `script` (and `css` in a <style>), with every other request
 * under the origin answered by a tiny SVG, so images "load" without a network.
 */
export async function openPage(
  browser: Browser,
  { script, css = '', origin = ORIGIN }: { script: string; css?: string; origin?: string },
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.route(`${origin}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') {
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title><style>${css}</style></head><body><main id="app"></main><script>${script.replace(/<\/script/g, '<\\/script')}</script></body></html>`;
      return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    }
    return route.fulfill({
      status: 200,
      contentType: 'image/svg+xml',
      body: '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#888"/></svg>',
    });
  });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (globalThis as { benchReady?: boolean }).benchReady === true);
  if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
  return page;
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface CpuSample<T> {
  value: T;
  /** CPU time of the renderer's main thread during the call, ms (less the cost of an empty call). */
  threadMs: number;
  /** CPU time of the whole renderer process (decoder, raster threads too), ms (same correction). */
  processMs: number;
}

/**
 * Reads the renderer's CPU clocks (DevTools `Performance.getMetrics`: ThreadTime, ProcessTime)
 * around a call into the page. CPU time does not grow when other processes share the cores,
 * so it shows what the wall time would be on an idle machine; the cost of an empty
 * `page.evaluate` (median of 10) is subtracted.
 */
export async function cpuMeter(page: Page): Promise<<T>(call: () => Promise<T>) => Promise<CpuSample<T>>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const clocks = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const get = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
    return { thread: get('ThreadTime'), process: get('ProcessTime') };
  };
  const raw = async <T>(call: () => Promise<T>) => {
    const before = await clocks();
    const value = await call();
    const after = await clocks();
    return { value, threadMs: after.thread - before.thread, processMs: after.process - before.process };
  };
  const empty: Array<{ threadMs: number; processMs: number }> = [];
  for (let i = 0; i < 10; i++) empty.push(await raw(() => page.evaluate(() => 0)));
  const overhead = { thread: median(empty.map((e) => e.threadMs)), process: median(empty.map((e) => e.processMs)) };
  return async (call) => {
    const sample = await raw(call);
    return { ...sample, threadMs: Math.max(0, sample.threadMs - overhead.thread), processMs: Math.max(0, sample.processMs - overhead.process) };
  };
}
