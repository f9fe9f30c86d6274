import type { GenerationStatus } from './use-character-generation.js';

/** Statuses during which a generation is still on its way. */
export function isBusyStatus(status: GenerationStatus): boolean {
  return status === 'submitting' || status === 'pending' || status === 'processing';
}

/**
 * An honest-looking 0–1 estimate: linear up to 90 % of the expected duration, then easing
 * towards (never reaching) 0.99, so a slow job never shows "done" before it is.
 */
export function estimateProgress(
  status: GenerationStatus,
  elapsedMs: number,
  expectedDurationMs: number,
): number {
  if (status === 'completed') return 1;
  if (!isBusyStatus(status) || !(expectedDurationMs > 0)) return 0;
  const ratio = Math.max(0, elapsedMs) / expectedDurationMs;
  if (ratio <= 0.9) return ratio;
  return 0.9 + 0.09 * (1 - Math.exp(-(ratio - 0.9) * 3));
}
