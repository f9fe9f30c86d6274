import type { AspectRatio, Resolution } from '../../core/schemas.js';
import { isHttpUrl } from '../../core/url.js';

/** What the grid shows: nothing yet, placeholders, images, an error, or expired cards. */
export type ResultGridState = 'idle' | 'pending' | 'completed' | 'failed' | 'expired';

/**
 * Statuses the grid understands: its own states plus every status of `useCharacterGeneration`
 * (`submitting`, `processing` and `canceled` map to `pending`, `pending` and `idle`).
 */
export type ResultGridStatusValue = ResultGridState | 'submitting' | 'processing' | 'canceled';

/** Maps a hook or job status to the grid's state; a completed job whose expiry passed reads as expired. */
export function toResultGridState(status: ResultGridStatusValue | undefined, expired: boolean): ResultGridState {
  switch (status) {
    case 'submitting':
    case 'pending':
    case 'processing':
      return 'pending';
    case 'completed':
      return expired ? 'expired' : 'completed';
    case 'failed':
      return 'failed';
    case 'expired':
      return 'expired';
    default:
      return 'idle';
  }
}

/** Width and height of the box an image will fill: from the resolution when one is set, else the aspect ratio. */
export function boxSize(aspectRatio: AspectRatio | undefined, resolution: Resolution | undefined): { width: number; height: number } {
  if (resolution && resolution !== 'None') {
    const [w, h] = resolution.split('x').map(Number);
    if (w && h) return { width: w, height: h };
  }
  const [rw, rh] = (aspectRatio ?? '1:1').split(':').map(Number);
  const ratioW = rw || 1;
  const ratioH = rh || 1;
  // Scale the ratio to a 1024 px long edge so unstyled images get sensible intrinsic sizes.
  const scale = 1024 / Math.max(ratioW, ratioH);
  return { width: Math.round(ratioW * scale), height: Math.round(ratioH * scale) };
}

/** Parses `expiresAt` (ISO string, epoch ms or Date) to epoch ms; undefined when absent or invalid. */
export function toEpochMs(value: string | number | Date | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Remaining time as `m:ss`, or `h:mm:ss` from one hour up; never negative. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** The message of whatever the hook or the app passed as `error`. */
export function errorMessage(error: unknown): string | undefined {
  if (!error) return undefined;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && 'message' in error && typeof error.message === 'string' && error.message) {
    return error.message;
  }
  return undefined;
}

/** Only absolute http(s) URLs ever become a `src` or an `href`. */
export function safeImages(images: readonly unknown[] | undefined): string[] {
  return (images ?? []).filter(isHttpUrl);
}
