import * as z from 'zod/mini';
import { finiteNumber, oneOf, wholeNumber } from '../core/checks.js';
import { ASPECT_RATIOS, RENDERING_SPEEDS, RESOLUTIONS, type CharacterInput } from '../core/schemas.js';

/**
 * Where a generation's handle is kept between mounts and reloads. A subset of the Web
 * Storage API, so `sessionStorage`, `localStorage` or any small adapter fits.
 */
export type GenerationStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** What is remembered of the input: enough to show "what is being made", never the whole form. */
export interface PersistedInputSummary {
  /** The prompt as submitted. */
  prompt: string;
  /** The reference image URL as submitted. */
  character_reference_image: string;
  /** The aspect ratio, when one was chosen. */
  aspect_ratio?: CharacterInput['aspect_ratio'];
  /** The resolution, when one was chosen. */
  resolution?: CharacterInput['resolution'];
  /** How many images were asked for. */
  numberOfImages?: number;
  /** The rendering speed (sets the expected duration for progress). */
  rendering_speed?: CharacterInput['rendering_speed'];
}

/** The handle of one submitted job: all it takes to find it again after a reload. */
export interface GenerationHandle {
  /** The upstream job id. */
  jobId: string;
  /** When the job was submitted, in ms since the epoch. */
  startedAt: number;
  /** The endpoint the job was submitted through. */
  endpoint: string;
  /** What was asked for, when known (a job resumed by id alone has none). */
  input?: PersistedInputSummary;
  /** Set once this handle's job has ended (or a hook stopped waiting for it at its deadline: `timeout`), so a resumed hook does not fire the end callbacks again. */
  settled?: 'completed' | 'failed' | 'expired' | 'timeout';
  /** The job's `expiresAt` from the submit answer, so a page reloaded after it knows the job expired (the upstream may answer 404 by then). */
  expiresAt?: string;
  /** True when `startedAt` is only when watching began (a job resumed by id without its start): such a handle teaches the poll policy no duration. */
  startEstimated?: true;
}

/*
 * Checked with the core's one-predicate helpers (`oneOf`, `wholeNumber`, `z.custom`) rather than
 * `z.enum`, `z.int`, `z.literal` and `z.minLength`: the same values pass, and those zod classes
 * would add their code to every app that uses the hook.
 */
const inputSummarySchema = z.object({
  prompt: z.string(),
  character_reference_image: z.string(),
  aspect_ratio: oneOf(ASPECT_RATIOS),
  resolution: oneOf(RESOLUTIONS),
  numberOfImages: z.optional(wholeNumber(-Infinity, Infinity, 'Must be a whole number')),
  rendering_speed: oneOf(RENDERING_SPEEDS),
});

const persistedSchema = z.object({
  v: z.custom<1>((value) => value === 1),
  jobId: z.string().check(z.refine((value) => value.length > 0)),
  startedAt: finiteNumber(),
  endpoint: z.string(),
  input: z.optional(inputSummarySchema),
  settled: oneOf(['completed', 'failed', 'expired', 'timeout'] as const),
  expiresAt: z.optional(z.string()),
  startEstimated: z.optional(z.custom<true>((value) => value === true)),
});

/** Keep only the summary fields of an input (never unknown keys, never the seed). */
export function summarizeInput(input: CharacterInput): PersistedInputSummary {
  const summary: PersistedInputSummary = {
    prompt: input.prompt,
    character_reference_image: input.character_reference_image,
  };
  if (input.aspect_ratio !== undefined) summary.aspect_ratio = input.aspect_ratio;
  if (input.resolution !== undefined) summary.resolution = input.resolution;
  if (input.numberOfImages !== undefined) summary.numberOfImages = input.numberOfImages;
  if (input.rendering_speed !== undefined) summary.rendering_speed = input.rendering_speed;
  return summary;
}

/** The storage key of one generator: per endpoint, and per `id` so two generators on a page don't collide. */
export function handleStorageKey(endpoint: string, id?: string): string {
  return `ideogram-character:v1:${id ?? 'default'}:${endpoint}`;
}

/**
 * `sessionStorage` when there is a window and it is usable, else `undefined`. Never runs at
 * import time; reading `window.sessionStorage` can throw (sandboxed iframes, blocked cookies).
 */
export function defaultGenerationStorage(): GenerationStorage | undefined {
  if (typeof window === 'undefined') return undefined;
  try {
    return window.sessionStorage ?? undefined;
  } catch {
    return undefined;
  }
}

/** Read a handle; anything missing, corrupt or from another version reads as `null` (never throws). */
export function readHandle(storage: GenerationStorage | undefined, key: string): GenerationHandle | null {
  if (!storage) return null;
  try {
    const raw = storage.getItem(key);
    if (raw == null) return null;
    const parsed = persistedSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) return null;
    const { v: _v, ...handle } = parsed.data;
    return handle as GenerationHandle;
  } catch {
    return null;
  }
}

/** Write a handle; storage that is full or refused is ignored (the job still runs, it just won't survive a reload). */
export function writeHandle(storage: GenerationStorage | undefined, key: string, handle: GenerationHandle): void {
  if (!storage) return;
  try {
    storage.setItem(key, JSON.stringify({ v: 1, ...handle }));
  } catch {
    // Quota or privacy mode: nothing to do.
  }
}

// The latest claim on each slot (storage + key), shared by every hook instance on the page: a
// submit only saves its handle if no newer submit, cancel, reset or resume claimed the slot since
// it started. A per-instance counter cannot see a remounted hook's newer job.
const slotClaims = new WeakMap<GenerationStorage, Map<string, number>>();
let lastClaim = 0;

/** Claim a slot for a new generation; returns the token to pass to `holdsSlot` later. */
export function claimSlot(storage: GenerationStorage | undefined, key: string): number {
  lastClaim += 1;
  if (!storage) return lastClaim;
  let claims = slotClaims.get(storage);
  if (!claims) slotClaims.set(storage, (claims = new Map()));
  claims.set(key, lastClaim);
  return lastClaim;
}

/** Whether `claim` is still the newest claim on the slot (always true without storage: nothing to overwrite). */
export function holdsSlot(storage: GenerationStorage | undefined, key: string, claim: number): boolean {
  if (!storage) return true;
  const newest = slotClaims.get(storage)?.get(key);
  return newest === undefined || newest === claim;
}

/** Forget a handle (never throws). */
export function clearHandle(storage: GenerationStorage | undefined, key: string): void {
  if (!storage) return;
  try {
    storage.removeItem(key);
  } catch {
    // Ignore, as above.
  }
}
