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
 * In one task: mounts one grid of `count` images (the real ResultGrid, or the plain floor)
 * into a fresh root, times `flushSync(render)` plus a layout read (`mountMs`), then unmounts
 * it (`taskMs` covers both). Unmounting in the same task leaves the page as it was, so the
 * renderer's CPU time read around this call (bench/lib/chromium.ts `cpuMeter`) is this task's.
 */
function mountGrid(count: number, which: 'result-grid' | 'plain' = 'result-grid'): { mountMs: number; taskMs: number } {
  serial += 1;
  // Fresh URLs each mount, like a new job's output (nothing cached by URL).
  const images = Array.from({ length: count }, (_, i) => `${location.origin}/img/m${serial}-${i}.svg`);
  const element =
    which === 'plain' ? <PlainGrid images={images} /> : <ResultGrid status="completed" images={images} prompt={PROMPT} aspectRatio="1:1" />;
  const started = performance.now();
  const container = document.createElement('div');
  document.getElementById('app')!.appendChild(container);
  const root = createRoot(container);
  flushSync(() => root.render(element));
  // Force style and layout of everything just mounted (what the user waits for before a paint).
  void container.getBoundingClientRect().height;
  void container.lastElementChild?.getBoundingClientRect();
  const mountMs = performance.now() - started;
  const shown = container.querySelectorAll('img').length;
  root.unmount();
  container.remove();
  const taskMs = performance.now() - started;
  if (shown !== count) throw new Error(`expected ${count} images, saw ${shown}`);
  return { mountMs, taskMs };
}

let serial = 0;

Object.assign(globalThis, { mountGrid, benchReady: true });
