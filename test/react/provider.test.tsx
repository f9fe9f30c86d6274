import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, renderHook, screen } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCharacterClient } from '../../src/core/client.js';
import { handleStorageKey } from '../../src/react/persistence.js';
import { CharacterGenerationProvider, useCharacterClient } from '../../src/react/provider.js';
import { useCharacterGeneration } from '../../src/react/use-character-generation.js';
import { createSimulator } from '../../src/testing/index.js';
import { advance, advanceUntil, createRig, ENDPOINT, INPUT, memoryStorage } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: false });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('CharacterGenerationProvider', () => {
  it('given the app has its own QueryClientProvider, the jobs live in the app’s QueryClient', async () => {
    const simulator = createSimulator({ durationMs: 16_000 });
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: simulator.fetch, headers: { Authorization: 'Bearer pd_test_x' } });
    const appQueryClient = new QueryClient();
    const { result } = renderHook(() => useCharacterGeneration(), {
      wrapper: ({ children }) => (
        <QueryClientProvider client={appQueryClient}>
          <CharacterGenerationProvider client={client} storage={memoryStorage()}>
            {children}
          </CharacterGenerationProvider>
        </QueryClientProvider>
      ),
    });
    act(() => result.current.generate(INPUT));
    await advanceUntil(() => result.current.status === 'completed');
    const jobs = appQueryClient
      .getQueryCache()
      .findAll({ queryKey: ['ideogram-character', 'job', ENDPOINT] })
      .filter((query) => query.queryKey[3] !== null);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.state.data).toMatchObject({ status: 'completed' });
  });

  it('given no QueryClient anywhere, it creates one and keeps it when the app re-renders mid-job', async () => {
    const rig = createRig();
    function Probe() {
      const generation = useCharacterGeneration();
      return (
        <>
          <button type="button" onClick={() => generation.generate(INPUT)}>
            Generate
          </button>
          <output aria-label="status">{generation.status}</output>
        </>
      );
    }
    const app = (label: string) => (
      <CharacterGenerationProvider client={rig.client} storage={rig.storage}>
        <h1>{label}</h1>
        <Probe />
      </CharacterGenerationProvider>
    );
    const view = render(app('first'));
    act(() => screen.getByRole('button', { name: 'Generate' }).click());
    await advanceUntil(() => screen.getByLabelText('status').textContent === 'processing');
    view.rerender(app('second'));
    expect(screen.getByLabelText('status')).toHaveTextContent('processing');
    await advanceUntil(() => screen.getByLabelText('status').textContent === 'completed');
    expect(rig.simulator.stats.submits).toBe(1);
  });

  it('given an endpoint prop, descendants get a client for that endpoint', () => {
    const { result } = renderHook(() => useCharacterClient(), {
      wrapper: ({ children }) => <CharacterGenerationProvider endpoint="/api/character/">{children}</CharacterGenerationProvider>,
    });
    expect(result.current.endpoint).toBe('/api/character');
  });

  it('given neither a provider nor an endpoint, useCharacterClient says how to fix it', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => renderHook(() => useCharacterClient())).toThrow(/CharacterGenerationProvider.*endpoint/);
  });
});

describe('useCharacterGeneration without any provider', () => {
  it('given only an endpoint option, it works on its own QueryClient', async () => {
    const simulator = createSimulator({ durationMs: 16_000 });
    // What the app's proxy does: add the key, forward to the upstream (here the simulator).
    vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      request.headers.set('Authorization', 'Bearer pd_test_x');
      return simulator.fetch(request);
    });
    const { result } = renderHook(() => useCharacterGeneration({ endpoint: ENDPOINT, storage: memoryStorage() }));
    act(() => result.current.generate(INPUT));
    await advanceUntil(() => result.current.status === 'completed' || result.current.status === 'failed');
    expect(result.current.images).toHaveLength(2);
    expect(simulator.stats.submits).toBe(1);
  });
});

describe('hydration', () => {
  it('given a saved job, the server HTML says idle, hydration matches, then the job resumes on the client', async () => {
    const rig = createRig();
    const job = await rig.client.submit(INPUT);
    rig.storage.data.set(
      handleStorageKey(ENDPOINT),
      JSON.stringify({ v: 1, jobId: job.jobId, startedAt: Date.now(), endpoint: ENDPOINT }),
    );
    function Status() {
      const generation = useCharacterGeneration();
      return <output aria-label="status">{generation.status}</output>;
    }
    const Wrapper = rig.wrapper;
    const tree = (
      <Wrapper>
        <Status />
      </Wrapper>
    );
    const container = document.createElement('div');
    container.innerHTML = renderToString(tree);
    document.body.append(container);
    expect(container.textContent).toBe('idle');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const recoverable = vi.fn();
    let root: ReturnType<typeof hydrateRoot> | undefined;
    await act(async () => {
      root = hydrateRoot(container, tree, { onRecoverableError: recoverable });
    });
    await advance(0);
    expect(recoverable).not.toHaveBeenCalled();
    expect(errors).not.toHaveBeenCalled();
    expect(['pending', 'processing']).toContain(container.textContent);
    await advanceUntil(() => container.textContent === 'completed');
    act(() => root!.unmount());
    container.remove();
  });
});

describe('nested providers', () => {
  it('given an inner provider that only sets an endpoint, it keeps the outer storage and persistence settings', async () => {
    const rig = createRig();
    const outerStorage = memoryStorage();
    const { result } = renderHook(() => useCharacterGeneration(), {
      wrapper: ({ children }) => (
        <CharacterGenerationProvider client={rig.client} storage={outerStorage} queryClient={rig.queryClient}>
          <CharacterGenerationProvider client={rig.client}>{children}</CharacterGenerationProvider>
        </CharacterGenerationProvider>
      ),
    });
    act(() => result.current.generate(INPUT));
    await advanceUntil(() => result.current.status === 'pending');
    expect(outerStorage.data.has(handleStorageKey(ENDPOINT))).toBe(true);
  });
});
