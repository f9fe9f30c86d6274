import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/core/index.js';

const NOW = Date.parse('2026-11-24T10:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter('1.5', NOW)).toBe(1500);
  });

  it('reads an HTTP date as the milliseconds until then, never negative', () => {
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 09:59:00 GMT', NOW)).toBe(0);
  });

  it('given nothing or nonsense, returns undefined', () => {
    for (const value of [null, undefined, '', '   ', '-5', 'soon', '12abc', '1e3']) {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    }
  });
});
