import { fireEvent, render, renderHook, screen } from '@testing-library/react';
import { Profiler } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleStorageKey } from '../../src/react/persistence.js';
import { useCharacterGeneration, type GenerationStatus } from '../../src/react/use-character-generation.js';
import { useGenerationProgress } from '../../src/react/use-generation-progress.js';
import { advance, advanceUntil, createRig, ENDPOINT, INPUT, memoryStorage } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: false });
});
afterEach(() => {
  vi.useRealTimers();
});

function Generator({ onStatus }: { onStatus?: (status: GenerationStatus) => void }) {
  const generation = useCharacterGeneration({ onStatusChange: onStatus });
  return (
    <div>
      <button type="button" onClick={() => generation.generate(INPUT)}>
        Generate
      </button>
      <output aria-label="status">{generation.status}</output>
      <ul>
        {generation.images.map((src) => (
          <li key={src}>{src}</li>
        ))}
      </ul>
    </div>
  );
}

/** Runs one whole job through a button and reports renders, status changes and requests. */
async function runWholeJob(options: { durationMs: number; strict?: boolean }) {
  const rig = createRig({ simulator: { durationMs: options.durationMs }, strict: options.strict ?? false });
  let renders = 0;
  const statuses: GenerationStatus[] = [];
  const Wrapper = rig.wrapper;
  const tree = (
    <Wrapper>
      <Profiler id="generator" onRender={() => (renders += 1)}>
        <Generator onStatus={(status) => statuses.push(status)} />
      </Profiler>
    </Wrapper>
  );
  const view = render(tree);
  fireEvent.click(screen.getByRole('button', { name: 'Generate' }));
  await advanceUntil(() => screen.getByLabelText('status').textContent === 'completed', { limitMs: 180_000 });
  view.unmount();
  return { renders, statuses, stats: rig.simulator.stats };
}

describe('render budget', () => {
  it.each([30_000, 90_000])(
    'given a %i ms job, a component using the hook renders at most (status changes + 2) times, however many polls',
    async (durationMs) => {
      const { renders, statuses, stats } = await runWholeJob({ durationMs });
      expect(statuses.at(-1)).toBe('completed');
      expect(stats.polls).toBeGreaterThan(2);
      expect(renders).toBeLessThanOrEqual(statuses.length + 2);
    },
  );

  it('useGenerationProgress ticks in its own component without re-rendering the one that owns the hook', async () => {
    const rig = createRig({ simulator: { durationMs: 30_000 } });
    let ownerRenders = 0;
    let barRenders = 0;
    const progressSeen: number[] = [];
    function Bar({ generation }: { generation: ReturnType<typeof useCharacterGeneration> }) {
      const { progress } = useGenerationProgress(generation, { intervalMs: 500 });
      progressSeen.push(progress);
      return <progress aria-label="progress" value={progress} />;
    }
    function Owner() {
      const generation = useCharacterGeneration();
      ownerRenders += 1;
      return (
        <>
          <button type="button" onClick={() => generation.generate(INPUT)}>
            Generate
          </button>
          <Profiler id="bar" onRender={() => (barRenders += 1)}>
            <Bar generation={generation} />
          </Profiler>
        </>
      );
    }
    const Wrapper = rig.wrapper;
    render(
      <Wrapper>
        <Owner />
      </Wrapper>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Generate' }));
    await advance(10_000);
    const ownerBefore = ownerRenders;
    const barBefore = barRenders;
    for (let i = 0; i < 20; i++) await advance(500);
    // 10 s of ticking at 500 ms: the bar re-rendered about 20 times, the owner only on job changes.
    expect(barRenders - barBefore).toBeGreaterThanOrEqual(19);
    expect(ownerRenders - ownerBefore).toBeLessThanOrEqual(1);
    const midway = progressSeen.at(-1)!;
    expect(midway).toBeGreaterThan(0.3);
    expect(midway).toBeLessThan(1);
    await advance(30_000);
    expect(progressSeen.at(-1)).toBe(1);
  });
});

describe('StrictMode', () => {
  it('given StrictMode double effects, a double click and a whole job: one submit and no extra polls', async () => {
    const relaxed = await runWholeJob({ durationMs: 16_000 });
    const strict = await runWholeJob({ durationMs: 16_000, strict: true });
    expect(strict.stats.submits).toBe(1);
    expect(strict.stats.polls).toBe(relaxed.stats.polls);
    expect(strict.statuses).toEqual(['submitting', 'pending', 'processing', 'completed']);
  });

  it('given a double click in StrictMode, one submit', async () => {
    const rig = createRig({ strict: true, simulator: { latencyMs: 200 } });
    const Wrapper = rig.wrapper;
    render(
      <Wrapper>
        <Generator />
      </Wrapper>,
    );
    const button = screen.getByRole('button', { name: 'Generate' });
    fireEvent.click(button);
    fireEvent.click(button);
    await advance(1_000);
    fireEvent.click(button); // after the answer: a new generation, on purpose
    await advance(1_000);
    expect(rig.simulator.stats.jobsCreated).toBe(2);
    const keys = rig.simulator.log.filter((entry) => entry.method === 'POST').map((entry) => entry.idempotencyKey);
    expect(new Set(keys).size).toBe(2);
  });

  it('given a saved job resumed on mount in StrictMode, the first look is one request, not two', async () => {
    async function resumeAndCount(strict: boolean) {
      const seed = createRig();
      const job = await seed.client.submit(INPUT);
      const storage = memoryStorage({
        [handleStorageKey(ENDPOINT)]: JSON.stringify({ v: 1, jobId: job.jobId, startedAt: Date.now(), endpoint: ENDPOINT }),
      });
      const rig = createRig({ storage, strict, fetch: () => seed.simulator.fetch });
      const { result } = renderHook(() => useCharacterGeneration(), { wrapper: rig.wrapper });
      await advance(0);
      const firstLook = seed.simulator.stats.polls;
      await advanceUntil(() => result.current.status === 'completed');
      return { firstLook, total: seed.simulator.stats.polls };
    }
    const relaxed = await resumeAndCount(false);
    const strict = await resumeAndCount(true);
    expect(relaxed.firstLook).toBe(1);
    expect(strict.firstLook).toBe(1);
    expect(strict.total).toBe(relaxed.total);
  });
});
