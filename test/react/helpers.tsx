import { QueryClient } from '@tanstack/react-query';
import { act } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { vi } from 'vitest';
import { createCharacterClient } from '../../src/core/client.js';
import type { CharacterInput } from '../../src/core/schemas.js';
import type { CharacterClient } from '../../src/core/types.js';
import { CharacterGenerationProvider } from '../../src/react/provider.js';
import type { GenerationStorage } from '../../src/react/persistence.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/testing/index.js';

export const ENDPOINT = 'https://sim.test/api/v1';

export const INPUT: CharacterInput = {
  prompt: 'The same woman reading in a rainy Paris café',
  character_reference_image: 'https://images.example/me.png',
  aspect_ratio: '3:4',
  numberOfImages: 2,
};

/** A Web Storage stand-in that remembers every call, so tests can see what was (not) touched. */
export function memoryStorage(initial: Record<string, string> = {}): GenerationStorage & {
  data: Map<string, string>;
  calls: string[];
} {
  const data = new Map(Object.entries(initial));
  const calls: string[] = [];
  return {
    data,
    calls,
    getItem: (key) => {
      calls.push(`get:${key}`);
      return data.get(key) ?? null;
    },
    setItem: (key, value) => {
      calls.push(`set:${key}`);
      data.set(key, value);
    },
    removeItem: (key) => {
      calls.push(`remove:${key}`);
      data.delete(key);
    },
  };
}

/** A storage that throws on any use: proves a code path never touches storage. */
export const explodingStorage: GenerationStorage = {
  getItem: () => {
    throw new Error('storage touched: getItem');
  },
  setItem: () => {
    throw new Error('storage touched: setItem');
  },
  removeItem: () => {
    throw new Error('storage touched: removeItem');
  },
};

/**
 * Faults on a schedule, in front of the simulator: the Nth status request (1-based) answers a
 * 429, a 502 or a 404, or drops its connection; everything else reaches the simulator untouched.
 */
export function withPollFaults(
  simulator: Simulator,
  faults: Record<number, 'rate-limit' | 'drop' | 'server-error' | 'not-found'>,
): typeof fetch & { polls: number } {
  let polls = 0;
  const faulty = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const isPoll = request.method === 'GET' && /\/jobs\/[^/]+$/.test(new URL(request.url).pathname);
    if (isPoll) {
      polls += 1;
      faulty.polls = polls;
      const fault = faults[polls];
      if (fault === 'rate-limit') {
        return new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'Slow down', status: 429 } }), {
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': '3' },
        });
      }
      if (fault === 'server-error') return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
      if (fault === 'drop') throw new TypeError('fetch failed');
      if (fault === 'not-found') {
        return new Response(JSON.stringify({ error: { code: 'not_found', message: 'Unknown job', status: 404 } }), {
          status: 404,
          headers: { 'content-type': 'application/json' },
        });
      }
    }
    return simulator.fetch(request);
  }) as typeof fetch & { polls: number };
  faulty.polls = 0;
  return faulty;
}

/**
 * A network where the Nth submit's answer (1-based) arrives late: the simulator handles it at
 * once (the job exists and is charged), and the answer reaches the client `delays[n]` ms later.
 */
export function withSlowSubmitAnswers(simulator: Simulator, delays: Record<number, number>): typeof fetch {
  let submits = 0;
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const delayMs = request.method === 'POST' ? delays[++submits] : undefined;
    const response = await simulator.fetch(request);
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return response;
  };
}

export interface Rig {
  simulator: Simulator;
  client: CharacterClient;
  queryClient: QueryClient;
  storage: ReturnType<typeof memoryStorage>;
  wrapper: (props: { children: ReactNode }) => ReactNode;
}

/** A fresh simulator (16 s jobs unless told otherwise), client, QueryClient and storage. */
export function createRig(
  options: {
    simulator?: SimulatorOptions;
    fetch?: (simulator: Simulator) => typeof fetch;
    storage?: ReturnType<typeof memoryStorage>;
    queryClient?: QueryClient;
    strict?: boolean;
  } = {},
): Rig {
  const simulator = createSimulator({ durationMs: 16_000, seed: 3, ...options.simulator });
  const client = createCharacterClient({
    endpoint: ENDPOINT,
    fetch: options.fetch ? options.fetch(simulator) : simulator.fetch,
    headers: { Authorization: 'Bearer pd_test_x' },
  });
  const queryClient = options.queryClient ?? new QueryClient();
  const storage = options.storage ?? memoryStorage();
  const wrapper = ({ children }: { children: ReactNode }) => {
    const tree = (
      <CharacterGenerationProvider client={client} storage={storage} queryClient={queryClient}>
        {children}
      </CharacterGenerationProvider>
    );
    return options.strict ? <StrictMode>{tree}</StrictMode> : tree;
  };
  return { simulator, client, queryClient, storage, wrapper };
}

/** Let fake time pass, flushing promises and React updates on the way. */
export async function advance(ms: number): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

/** Let fake time pass in steps until `done()` or the limit; returns the fake ms spent. */
export async function advanceUntil(done: () => boolean, { stepMs = 250, limitMs = 120_000 } = {}): Promise<number> {
  let spent = 0;
  while (!done() && spent < limitMs) {
    await advance(stepMs);
    spent += stepMs;
  }
  return spent;
}
