import type { Job, JobStatus } from './schemas.js';

/** True once a job will not change any more: `completed` or `failed`. */
export function isTerminalStatus(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed';
}

/** True when the job's `expiresAt` has passed at `now` (ms since the epoch). */
export function isJobExpired(job: Pick<Job, 'expiresAt'>, now: number = Date.now()): boolean {
  if (!job.expiresAt) return false;
  const at = Date.parse(job.expiresAt);
  return Number.isFinite(at) && at <= now;
}

/** Milliseconds until the job's outputs expire, or `undefined` when it carries no expiry. */
export function msUntilExpiry(job: Pick<Job, 'expiresAt'>, now: number = Date.now()): number | undefined {
  if (!job.expiresAt) return undefined;
  const at = Date.parse(job.expiresAt);
  return Number.isFinite(at) ? at - now : undefined;
}
