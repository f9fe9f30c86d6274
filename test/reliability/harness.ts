import type { RequestListener } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createCharacterProxy, toNodeHandler, type CharacterProxyOptions } from '../../src/server/index.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/testing/index.js';
import { mulberry32 } from '../../src/testing/random.js';
import { fakeKey, listen, type Listening } from '../server/helpers.js';

/** `npm run test:chaos` sets RIC_CHAOS=full for the full-size runs; `npm test` runs them small. */
export const FULL = process.env.RIC_CHAOS === 'full';

export const BASE_PATH = '/api/character';
export const RUN_PATH = `${BASE_PATH}/models/ideogram-character/run`;
export const INPUT = { prompt: 'A knight in the rain', character_reference_image: 'https://example.com/me.png' };

/** Occasional long pauses in front of the simulator, on top of its own latency. */
export interface LatencySpikes {
  /** Share of upstream requests that stall, 0–1. */
  rate: number;
  /** How long a stall lasts, in ms: drawn uniformly from this range. */
  ms: readonly [number, number];
  /** Seed of the spike draws. */
  seed?: number;
}

export interface Stack {
  /** The distinctive fake key the proxy holds (and the simulator requires). */
  key: string;
  simulator: Simulator;
  /** The simulator in its own real node:http server. */
  upstream: Listening;
  /** The proxy (`toNodeHandler`) in another real node:http server. */
  proxy: Listening;
  /** `${proxy.url}/api/character`: the endpoint a client is given. */
  endpoint: string;
  /** Latency spikes injected so far. */
  spikes(): number;
  close(): Promise<void>;
}

/**
 * The production shape on loopback: a client → the proxy in a real node:http server → the
 * simulator in another real node:http server (so drops are real socket resets).
 */
export async function startStack(
  options: { simulator?: SimulatorOptions; proxy?: Partial<CharacterProxyOptions>; spikes?: LatencySpikes; backlog?: number } = {},
): Promise<Stack> {
  const serve = (listener: RequestListener) => listen(listener, options.backlog);
  const key = fakeKey();
  const simulator = createSimulator({ apiKey: key, ...options.simulator });
  const simulatorHandler = toNodeHandler(simulator);
  const spikeRng = mulberry32(options.spikes?.seed ?? 11);
  let spikes = 0;
  const upstream = await serve((req, res) => {
    const spike = options.spikes;
    if (spike && spikeRng() < spike.rate) {
      spikes++;
      const [min, max] = spike.ms;
      setTimeout(() => simulatorHandler(req, res), min + spikeRng() * (max - min));
      return;
    }
    simulatorHandler(req, res);
  });
  const proxyHandler = createCharacterProxy({ apiKey: key, basePath: BASE_PATH, upstreamUrl: `${upstream.url}/api/v1`, ...options.proxy });
  const proxy = await serve(toNodeHandler(proxyHandler));
  return {
    key,
    simulator,
    upstream,
    proxy,
    endpoint: `${proxy.url}${BASE_PATH}`,
    spikes: () => spikes,
    close: async () => {
      await proxy.close();
      await upstream.close();
    },
  };
}

let gc: (() => void) | undefined;

/**
 * A full garbage collection, where V8 lets us have one (`--expose-gc` switched on at run time);
 * `undefined` when it cannot, so callers fall back to an RSS sanity check.
 */
export function collectGarbage(): (() => void) | undefined {
  if (gc) return gc;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (gc = exposed);
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    gc = undefined;
  }
  return gc;
}

/** Heap in use after a full collection (or as it is, without one), in bytes. */
export function settledHeap(): { heapUsed: number; rss: number; afterGc: boolean } {
  const collect = collectGarbage();
  if (collect) {
    collect();
    collect();
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss, afterGc: Boolean(collect) };
}

/** The q-quantile (0–1) of some numbers, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Collects unhandled rejections while a test runs (vitest's own handler still sees them too). */
export function watchUnhandledRejections(): { seen: unknown[]; stop(): void } {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  return { seen, stop: () => process.off('unhandledRejection', listener) };
}
