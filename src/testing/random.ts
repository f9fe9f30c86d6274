/**
 * mulberry32: a tiny, fast 32-bit PRNG. Good enough to make simulated faults and durations
 * reproducible from a seed; not for anything secret.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Mix two integers into one 32-bit seed (so each job gets its own independent stream). */
export function mixSeed(a: number, b: number): number {
  let h = Math.imul((a >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((b >>> 0) + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over a string, for deriving stable colours from ids. */
export function hashString(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A `job_…` id of 20 base-62 characters drawn from `rng` (matches `^job_[A-Za-z0-9_-]{1,128}$`). */
export function randomJobId(rng: () => number): string {
  let id = 'job_';
  for (let i = 0; i < 20; i++) id += ID_ALPHABET[Math.floor(rng() * ID_ALPHABET.length)];
  return id;
}

/**
 * The default job duration: 13–23 s, skewed like the model page's 33 runs (median ≈ 16.2 s).
 * `13 + 10·u^k` with `0.5^k = 0.32` puts the median at 16.2 s.
 */
export function defaultDurationMs(rng: () => number): number {
  const k = Math.log(0.32) / Math.log(0.5);
  return Math.round(13_000 + 10_000 * rng() ** k);
}
