import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-react';
import { CharacterGenerator } from '../../src/components/character-generator/index.js';
import { createCharacterClient } from '../../src/core/client.js';
import { createSimulator } from '../../src/testing/index.js';
import '../../src/styles/styles.css';
import { expectNoAxeViolations } from '../helpers/axe.js';

/** sRGB relative luminance of a computed `rgb(…)`/`rgba(…)` colour (WCAG 2). */
function luminance(color: string): number {
  const [r, g, b] = color.match(/[\d.]+/g)!.slice(0, 3).map((part) => {
    const c = Number(part) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** What is painted behind an element: the first ancestor background that is not transparent. */
function paintedBehind(element: Element): string {
  for (let at: Element | null = element; at; at = at.parentElement) {
    const background = getComputedStyle(at).backgroundColor;
    if (!/^rgba\(.*,\s*0\)$|^transparent$/.test(background)) return background;
  }
  return 'rgb(255, 255, 255)';
}

function contrast(element: Element): number {
  const [a, b] = [luminance(getComputedStyle(element).color), luminance(paintedBehind(element))].sort((x, y) => y - x) as [number, number];
  return (a + 0.05) / (b + 0.05);
}

const client = createCharacterClient({ endpoint: 'https://sim.test/api/v1', fetch: createSimulator({ seed: 1 }).fetch });

describe('the dark theme on a page that stays light (an app without a dark mode of its own)', () => {
  it('keeps every label and legend of the generator readable (AA), and axe finds nothing', async () => {
    const screen = await render(
      <main style={{ background: '#ffffff', color: '#111111', padding: 16 }}>
        <section data-ic-theme="dark">
          <CharacterGenerator client={client} generationOptions={{ persist: false }} />
        </section>
      </main>,
    );
    const root = screen.container.querySelector('[data-slot="character-generator"]')!;
    const texts = [...root.querySelectorAll('label, legend, [data-slot="result-grid-empty"]')];
    expect(texts.length).toBeGreaterThan(5);
    const low = texts.filter((text) => contrast(text) < 4.5).map((text) => `${text.textContent} ${contrast(text).toFixed(2)}`);
    expect(low).toEqual([]);
    await expectNoAxeViolations(screen.container);
  });

  it('leaves the page’s own colour scheme alone: only the components and what names a theme get one', async () => {
    const screen = await render(
      <section data-ic-theme="dark">
        <CharacterGenerator client={client} generationOptions={{ persist: false }} />
      </section>,
    );
    expect(getComputedStyle(document.documentElement).colorScheme).toBe('normal');
    expect(getComputedStyle(screen.container.querySelector('section')!).colorScheme).toBe('dark');
    expect(getComputedStyle(screen.container.querySelector('select')!).colorScheme).toBe('dark');
  });
});
