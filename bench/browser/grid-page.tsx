/**
 * Page script (bundled by bench/lib/chromium.ts, React production build): mounts a completed
 * ResultGrid of N images into a fresh root and times `flushSync(render)` plus a layout read.
 */
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { ResultGrid } from '../../src/components/result-grid/index.js';

const PROMPT = 'The same woman reading in a rainy Paris café';

/**
 * The floor any React grid pays on this machine: one list item, button and lazy `img` of the
 * same size per image, no state, no context, no dialog.
 */
function PlainGrid({ images }: { images: readonly string[] }) {
  return (
    <ul>
      {images.map((src) => (
        <li key={src}>
          <button type="button">
            <img src={src} alt={PROMPT} loading="lazy" decoding="async" width={1024} height={1024} />
          </button>
        </li>
      ))}
    </ul>
  );
}

/**
 * Mounts `count` images `runs` times (after `warmUp` untimed mounts), with the real ResultGrid
 * or the plain floor; returns each run's ms.
 */
function mountGrid(count: number, runs: number, warmUp: number, which: 'result-grid' | 'plain' = 'result-grid'): number[] {
  const app = document.getElementById('app')!;
  const times: number[] = [];
  for (let run = 0; run < warmUp + runs; run++) {
    // Fresh URLs each run, like a new job's output (nothing cached by URL).
    const images = Array.from({ length: count }, (_, i) => `${location.origin}/img/run${run}-${i}.svg`);
    const container = document.createElement('div');
    app.appendChild(container);
    const root = createRoot(container);
    const started = performance.now();
    const element =
      which === 'plain' ? <PlainGrid images={images} /> : <ResultGrid status="completed" images={images} prompt={PROMPT} aspectRatio="1:1" />;
    flushSync(() => root.render(element));
    // Force style and layout of everything just mounted (what the user waits for before a paint).
    void container.getBoundingClientRect().height;
    void container.lastElementChild?.getBoundingClientRect();
    const elapsed = performance.now() - started;
    if (container.querySelectorAll('img').length !== count) throw new Error(`expected ${count} images`);
    if (run >= warmUp) times.push(elapsed);
    root.unmount();
    container.remove();
  }
  return times;
}

Object.assign(globalThis, { mountGrid, benchReady: true });
