import { useEffect, useReducer, useSyncExternalStore } from 'react';

/** setTimeout's delay is a signed 32-bit number; longer waits are split. */
const MAX_DELAY = 2_147_483_647;

/**
 * True once `at` (epoch ms) has passed. One timeout per call site, scheduled for the moment
 * itself (no polling), so a grid of many images re-renders once when it expires.
 */
export function useIsPast(at: number | undefined): boolean {
  const [tick, rerender] = useReducer((n: number) => n + 1, 0);
  const past = at !== undefined && Date.now() >= at;
  useEffect(() => {
    if (at === undefined || past) return;
    const id = setTimeout(rerender, Math.min(Math.max(at - Date.now(), 0), MAX_DELAY));
    return () => clearTimeout(id);
  }, [at, past, tick]);
  return past;
}

/**
 * Milliseconds until `at`, re-rendering on each whole second of the countdown (never more
 * than once a second) and stopping at zero; the timer is cleared on unmount.
 */
export function useRemaining(at: number | undefined, enabled = true): number | undefined {
  const [tick, rerender] = useReducer((n: number) => n + 1, 0);
  const remaining = at === undefined ? undefined : at - Date.now();
  const running = enabled && remaining !== undefined && remaining > 0;
  useEffect(() => {
    if (!running || at === undefined) return;
    // Wake at the next whole second of the remaining time, so `m:ss` flips exactly on time.
    const delay = (at - Date.now()) % 1000 || 1000;
    const id = setTimeout(rerender, delay);
    return () => clearTimeout(id);
  }, [at, running, tick]);
  return remaining;
}

const noSubscription = () => () => {};

/**
 * False on the server and while hydrating, true after: for output that depends on the clock
 * (a countdown), which would not match between the server's HTML and the first client render.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}
