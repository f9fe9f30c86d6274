import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import { ResultGrid } from '../../src/components/result-grid/index.js';

const PROMPT = 'The same woman reading in a rainy Paris café';
let mounted: { root: Root; container: HTMLElement } | null = null;
let serial = 0;

function mount(count: number, variant: string): number {
  if (mounted) { mounted.root.unmount(); mounted.container.remove(); mounted = null; }
  serial += 1;
  const images = Array.from({ length: count }, (_, i) => `${location.origin}/img/m${serial}-${i}.svg`);
  const container = document.createElement('div');
  container.className = variant;
  document.getElementById('app')!.appendChild(container);
  const root = createRoot(container);
  const element =
    variant === 'no-actions' ? (
      <ResultGrid.Root status="completed" images={images} prompt={PROMPT}>
        <ResultGrid.List><ResultGrid.Items>{() => (<ResultGrid.Trigger><ResultGrid.Image /></ResultGrid.Trigger>)}</ResultGrid.Items></ResultGrid.List>
      </ResultGrid.Root>
    ) : (
      <ResultGrid status="completed" images={images} prompt={PROMPT} aspectRatio="1:1" onUseAsReference={() => {}} />
    );
  const t0 = performance.now();
  flushSync(() => root.render(element));
  const t1 = performance.now();
  void container.getBoundingClientRect().height;
  void container.lastElementChild?.getBoundingClientRect();
  const t2 = performance.now();
  mounted = { root, container };
  return [t1 - t0, t2 - t1] as unknown as number;
}
Object.assign(globalThis, { mount, benchReady: true });
