import axe from 'axe-core';
import { expect } from 'vitest';

/**
 * Runs axe on a rendered container and fails with the rule ids and targets of every violation.
 * `color-contrast` needs real layout, so jsdom runs skip it; the Chromium projects check it.
 */
export async function expectNoAxeViolations(container: Element, options: axe.RunOptions = {}): Promise<void> {
  const inJsdom = typeof navigator !== 'undefined' && /jsdom/i.test(navigator.userAgent);
  const results = await axe.run(container, {
    ...options,
    rules: { ...(inJsdom ? { 'color-contrast': { enabled: false } } : {}), ...options.rules },
  });
  const violations = results.violations.map(
    (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
  expect(violations).toEqual([]);
}
