// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { explodingStorage } from './helpers.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('server rendering', () => {
  it('given no window, importing the React entry and rendering a generator touches no storage and shows idle', async () => {
    expect(typeof window).toBe('undefined');
    const touched: string[] = [];
    for (const name of ['sessionStorage', 'localStorage']) {
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get: () => {
          touched.push(name);
          return undefined;
        },
      });
    }
    const entry = await import('../../src/index.js');
    function Generator() {
      const generation = entry.useCharacterGeneration();
      const { progress } = entry.useGenerationProgress(generation);
      return (
        <p data-status={generation.status} data-progress={progress}>
          {generation.isBusy ? 'busy' : 'ready'} {generation.images.length}
        </p>
      );
    }
    const withDefaults = renderToString(
      <entry.CharacterGenerationProvider endpoint="/api/character">
        <Generator />
      </entry.CharacterGenerationProvider>,
    );
    const withStorage = renderToString(
      <entry.CharacterGenerationProvider endpoint="/api/character" storage={explodingStorage}>
        <Generator />
      </entry.CharacterGenerationProvider>,
    );
    for (const html of [withDefaults, withStorage]) {
      expect(html).toContain('data-status="idle"');
      expect(html).toContain('ready');
    }
    expect(touched).toEqual([]);
    for (const name of ['sessionStorage', 'localStorage']) delete (globalThis as Record<string, unknown>)[name];
  });
});
