import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-react';
import { createCharacterClient } from '../../src/core/index.js';
import { CharacterGenerator, ResultGrid } from '../../src/index.js';
import '../../src/styles/styles.css';

const client = createCharacterClient({ endpoint: 'http://127.0.0.1:9/api/character' });

/** The default look's accent, resolved the way the browser resolves the token. */
function accentColor(): string {
  const probe = document.createElement('div');
  probe.style.color = 'var(--ic-accent)';
  document.body.append(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color;
}

describe('given styles.css is loaded', () => {
  it('a CharacterGenerator has the default look: its Generate button wears the accent', async () => {
    const screen = await render(<CharacterGenerator client={client} />);
    const generate = screen.getByRole('button', { name: 'Generate' }).element();
    expect(getComputedStyle(generate).backgroundColor).toBe(accentColor());
  });

  it('when unstyled, the generator and every part inside it keep the browser defaults', async () => {
    const screen = await render(<CharacterGenerator client={client} unstyled />);
    const generate = screen.getByRole('button', { name: 'Generate' }).element();
    expect(getComputedStyle(generate).backgroundColor).not.toBe(accentColor());
    const form = document.querySelector('[data-slot="parameter-form"]')!;
    expect(getComputedStyle(form).display).toBe('block');
    expect(document.querySelector('[data-slot="character-generator"]')).toHaveAttribute('data-unstyled', '');
  });

  it('when one ResultGrid is unstyled, a styled one beside it keeps its look', async () => {
    await render(
      <>
        <ResultGrid status="pending" count={2} unstyled data-testid="plain" />
        <ResultGrid status="pending" count={2} data-testid="styled" />
      </>,
    );
    const placeholder = (id: string) => document.querySelector(`[data-testid="${id}"] [data-slot="result-grid-placeholder"]`)!;
    expect(getComputedStyle(placeholder('styled')).position).toBe('absolute');
    expect(getComputedStyle(placeholder('plain')).position).toBe('static');
  });
});
