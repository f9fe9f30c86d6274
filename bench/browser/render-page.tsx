/**
 * Page script (React's profiling build: production React with <Profiler> callbacks on).
 * Each instance is a component using the real `useCharacterGeneration` over the real client
 * and its own simulator (injected as `fetch`), in real time; a <Profiler> counts its commits
 * for one whole job. The baseline is the hook people write by hand: useState + setInterval.
 */
import { QueryClient } from '@tanstack/react-query';
import { Profiler, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createCharacterClient } from '../../src/core/client.js';
import type { CharacterInput, Job } from '../../src/core/schemas.js';
import type { CharacterClient, PollPolicy } from '../../src/core/types.js';
import { CharacterGenerationProvider } from '../../src/react/provider.js';
import { useCharacterGeneration } from '../../src/react/use-character-generation.js';
import { createSimulator } from '../../src/testing/simulator.js';

const INPUT: CharacterInput = {
  prompt: 'The same woman reading in a rainy Paris café',
  character_reference_image: 'https://images.example/me.png',
  aspect_ratio: '3:4',
  numberOfImages: 2,
};

export interface RenderScenario {
  /** Label of the row. */
  name: string;
  /** Which component: the library's hook or the hand-written baseline. */
  kind: 'hook' | 'naive';
  /** Fixed poll interval in ms; undefined uses the library's default poll policy. */
  fixedPollMs?: number;
  /** How long the simulated job takes. */
  durationMs: number;
  /** Simulator seed (one instance per seed). */
  seed: number;
}

export interface RenderRun {
  name: string;
  renders: number;
  statusChanges: number;
  statuses: string[];
  polls: number;
  wallMs: number;
}

interface Probe {
  status: string;
  images: readonly string[];
  generate(): void;
}

function View({ probe, onStatus }: { probe: Probe; onStatus: (status: string) => void }) {
  const last = useRef<string | null>(null);
  if (last.current !== probe.status) {
    last.current = probe.status;
    queueMicrotask(() => onStatus(probe.status));
  }
  return (
    <div>
      <button type="button" onClick={probe.generate}>
        Generate
      </button>
      <output>{probe.status}</output>
      <ul>
        {probe.images.map((src) => (
          <li key={src}>{src}</li>
        ))}
      </ul>
    </div>
  );
}

function HookGenerator({ onStatus }: { onStatus: (status: string) => void }) {
  const generation = useCharacterGeneration({ persist: false });
  return <View probe={{ status: generation.status, images: generation.images, generate: () => generation.generate(INPUT) }} onStatus={onStatus} />;
}

/** What a hand-written hook usually does: submit, then setInterval → getJob → setState. */
function useNaivePolling(client: CharacterClient, intervalMs: number) {
  const [status, setStatus] = useState('idle');
  const [job, setJob] = useState<Job | null>(null);
  const generate = () => {
    setStatus('submitting');
    void client.submit(INPUT).then((submitted) => {
      setJob(submitted);
      const timer = setInterval(() => {
        void client.getJob(submitted.jobId).then((next) => {
          setJob(next);
          if (next.status === 'completed' || next.status === 'failed') clearInterval(timer);
        });
      }, intervalMs);
    });
  };
  return { status: job?.status ?? status, images: job?.images ?? [], generate };
}

function NaiveGenerator({ client, intervalMs, onStatus }: { client: CharacterClient; intervalMs: number; onStatus: (status: string) => void }) {
  const naive = useNaivePolling(client, intervalMs);
  return <View probe={naive} onStatus={onStatus} />;
}

function fixedPolicy(intervalMs: number, expectedMs: number): PollPolicy {
  return { next: () => intervalMs, observe: () => {}, expectedDurationMs: () => expectedMs };
}

/** Runs one scenario instance to `completed` and reports its commits, statuses and polls. */
function runOne(scenario: RenderScenario): Promise<RenderRun> {
  const simulator = createSimulator({ durationMs: scenario.durationMs, seed: scenario.seed });
  const client = createCharacterClient({ endpoint: 'https://sim.test/api/v1', fetch: simulator.fetch, headers: { Authorization: 'Bearer pd_bench' } });
  const container = document.createElement('div');
  document.getElementById('app')!.appendChild(container);
  const root = createRoot(container);
  let renders = 0;
  const statuses: string[] = [];
  const started = performance.now();
  return new Promise<RenderRun>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`${scenario.name}: no completion within 120 s (statuses ${statuses.join(', ')}, polls ${simulator.stats.polls}, requests ${simulator.stats.requests})`)), 120_000);
    const onStatus = (status: string) => {
      if (statuses.at(-1) === status) return;
      statuses.push(status);
      if (status === 'completed' || status === 'failed') {
        // Let the commit that shows `completed` (and anything it schedules) land before counting.
        setTimeout(() => {
          clearTimeout(timeout);
          root.unmount();
          container.remove();
          resolve({
            name: scenario.name,
            renders,
            statusChanges: statuses.filter((s) => s !== 'idle').length,
            statuses,
            polls: simulator.stats.polls,
            wallMs: performance.now() - started,
          });
        }, 1000);
      }
    };
    const inner =
      scenario.kind === 'naive' ? (
        <NaiveGenerator client={client} intervalMs={scenario.fixedPollMs ?? 500} onStatus={onStatus} />
      ) : (
        <CharacterGenerationProvider
          client={client}
          queryClient={new QueryClient()}
          persist={false}
          pollPolicy={scenario.fixedPollMs ? fixedPolicy(scenario.fixedPollMs, scenario.durationMs) : undefined}
        >
          <HookGenerator onStatus={onStatus} />
        </CharacterGenerationProvider>
      );
    root.render(
      <Profiler id={scenario.name} onRender={() => (renders += 1)}>
        {inner}
      </Profiler>,
    );
    // Once the first commit is on screen, click Generate like a user.
    const clickWhenShown = () => {
      const button = container.querySelector('button');
      if (button) button.click();
      else setTimeout(clickWhenShown, 20);
    };
    setTimeout(clickWhenShown, 20);
  });
}

/** All scenarios at once (they wait on timers, not on the CPU). */
function runRenderBench(scenarios: RenderScenario[]): Promise<RenderRun[]> {
  return Promise.all(scenarios.map(runOne));
}

Object.assign(globalThis, { runRenderBench, benchReady: true });
