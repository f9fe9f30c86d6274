import { useEffect, useState } from 'react';
import { estimateProgress, isBusyStatus } from './progress.js';
import type { UseCharacterGenerationResult } from './use-character-generation.js';

/** Options of `useGenerationProgress`. */
export interface UseGenerationProgressOptions {
  /** How often to tick while the generation is busy, in ms. @default 250 */
  intervalMs?: number;
}

/** What `useGenerationProgress` returns. */
export interface GenerationProgress {
  /** Estimated completion from 0 to 1; 1 only once `completed`. @default 0 */
  progress: number;
  /** Milliseconds since submit (frozen once the generation ended). @default 0 */
  elapsedMs: number;
  /** Milliseconds the poll policy still expects, while busy; 0 otherwise (and once past the estimate). @default 0 */
  remainingMs: number;
}

/**
 * A ticking view of a generation's progress, for a progress bar or an elapsed-time label.
 * Only the component that calls it re-renders on each tick; `useCharacterGeneration` itself
 * renders only when the job changes. Stops ticking when the generation is not busy.
 *
 * @example
 * const generation = useCharacterGeneration()
 * const { progress, remainingMs } = useGenerationProgress(generation)
 * return <progress value={progress} aria-label={`About ${Math.ceil(remainingMs / 1000)} s left`} />
 */
export function useGenerationProgress(
  generation: Pick<UseCharacterGenerationResult, 'status' | 'startedAt' | 'finishedAt' | 'expectedDurationMs'>,
  { intervalMs = 250 }: UseGenerationProgressOptions = {},
): GenerationProgress {
  const busy = isBusyStatus(generation.status);
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(() => setTick((tick) => tick + 1), Math.max(16, intervalMs));
    return () => clearInterval(timer);
  }, [busy, intervalMs]);

  const { status, startedAt, finishedAt, expectedDurationMs } = generation;
  const elapsedMs = startedAt === null ? 0 : Math.max(0, (busy ? Date.now() : (finishedAt ?? startedAt)) - startedAt);
  return {
    progress: estimateProgress(status, elapsedMs, expectedDurationMs),
    elapsedMs,
    remainingMs: busy ? Math.max(0, expectedDurationMs - elapsedMs) : 0,
  };
}
