import type { FieldErrors } from './schemas.js';

/** Every way a generation can go wrong, as a stable code to branch on. */
export const CHARACTER_API_ERROR_CODES = [
  'unauthorized',
  'insufficient_credits',
  'invalid_input',
  'rate_limited',
  'not_found',
  'upstream',
  'network',
  'invalid_response',
  'job_failed',
  'expired',
  'timeout',
  'aborted',
] as const;
export type CharacterApiErrorCode = (typeof CHARACTER_API_ERROR_CODES)[number];

export interface CharacterApiErrorOptions {
  /** The HTTP status, where there was an answer. */
  status?: number;
  /** How long the server asked us to wait before trying again, in ms. */
  retryAfterMs?: number;
  /** Messages per input field, for `invalid_input`. */
  fieldErrors?: FieldErrors;
  /** The job this error is about, where there is one. */
  jobId?: string;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error type of the library: a `code` to branch on, the HTTP `status` where there was
 * one, `retryAfterMs` for rate limits and `fieldErrors` for invalid input.
 *
 * @example
 * try { await client.submit(input) } catch (error) {
 *   if (isCharacterApiError(error) && error.code === 'rate_limited') wait(error.retryAfterMs)
 * }
 */
export class CharacterApiError extends Error {
  override readonly name = 'CharacterApiError';
  declare readonly code: CharacterApiErrorCode;
  declare readonly status: number | undefined;
  declare readonly retryAfterMs: number | undefined;
  declare readonly fieldErrors: FieldErrors | undefined;
  declare readonly jobId: string | undefined;

  constructor(code: CharacterApiErrorCode, message: string, { cause, status, retryAfterMs, fieldErrors, jobId }: CharacterApiErrorOptions = {}) {
    super(message, cause === undefined ? undefined : { cause });
    // Every field is an own property, `undefined` when not known.
    Object.assign(this, { code, status, retryAfterMs, fieldErrors, jobId });
  }

  /** True when trying again later may succeed: network failures, 5xx and rate limits. */
  get transient(): boolean {
    return isTransientError(this);
  }

  /** A plain object for logs and `postMessage`; never carries request headers. */
  toJSON() {
    const { name, code, message, status, retryAfterMs, fieldErrors, jobId } = this;
    return { name, code, message, status, retryAfterMs, fieldErrors, jobId };
  }
}

/** Type guard that also works across bundle copies (checks the shape, not the prototype). */
export function isCharacterApiError(error: unknown): error is CharacterApiError {
  return (
    error instanceof CharacterApiError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { name?: unknown }).name === 'CharacterApiError' &&
      (CHARACTER_API_ERROR_CODES as readonly unknown[]).includes((error as { code?: unknown }).code))
  );
}

/**
 * Errors worth retrying while a job is being watched: the job itself may still be fine.
 * Network failures, rate limits, and `upstream` answers that are 5xx or 408 (or had no status);
 * an `upstream` 4xx (a missing route, a wrong method) will not get better by waiting.
 */
export function isTransientError(error: unknown): error is CharacterApiError {
  if (!isCharacterApiError(error)) return false;
  const { code, status } = error;
  return code === 'network' || code === 'rate_limited' || (code === 'upstream' && (!status || status >= 500 || status === 408));
}
