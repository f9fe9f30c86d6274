import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-react';
import { ParameterForm } from '../../src/components/parameter-form/index.js';
import { ASPECT_RATIOS } from '../../src/core/schemas.js';
import '../../src/styles/styles.css';

describe('ParameterForm in Chromium', () => {
  describe.each([320, 480, 720])('at %i px wide', (width) => {
    it('lays the aspect-ratio cards out in full rows of five, inside the form', async () => {
      const screen = await render(
        <div style={{ width }}>
          <ParameterForm onSubmit={() => {}} />
        </div>,
      );
      const group = screen.getByRole('radiogroup', { name: 'Aspect ratio' }).element() as HTMLElement;
      const cards = [...group.querySelectorAll<HTMLElement>('[data-slot="parameter-form-ratio"]')];
      expect(cards).toHaveLength(ASPECT_RATIOS.length);
      const form = group.getBoundingClientRect();
      const rows = new Map<number, number>();
      for (const card of cards) {
        const box = card.getBoundingClientRect();
        expect(box.left).toBeGreaterThanOrEqual(form.left);
        expect(box.right).toBeLessThanOrEqual(form.right + 0.5);
        rows.set(Math.round(box.top), (rows.get(Math.round(box.top)) ?? 0) + 1);
      }
      expect([...rows.values()]).toEqual([5, 5, 5]);
    });
  });
});
