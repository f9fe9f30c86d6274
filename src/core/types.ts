import type { CharacterApiError } from './errors.js';
import type { CharacterInput, Job, JobStatus, RenderingSpeed } from './schemas.js';

/** What a poll policy is told before each wait. */
export interface PollContext {
  /** 0 for the first poll after submit, then 1, 2, … */
  attempt: number;
  /** Milliseconds since the job was submitted (or since watching began). */
  elapsedMs: number;
  /** The last status seen. */
  status: JobStatus;
  /** The server's `Retry-After`, in ms, when the last poll was rate limited. */
  retryAfterMs?: number;
  /** The rendering speed of the job, when known: it sets the prior expected duration. */
  renderingSpeed?: RenderingSpeed;
}

/** Decides how long to wait before the next status request, and learns from finished jobs. */
export interface PollPolicy {
  /** Milliseconds to wait before the next poll. */
  next(ctx: PollContext): number;
  /**
   * Tell the policy how long a finished job took (submit → completed), so it learns. When
   * `lastRunningAtMs` is given, `durationMs` is when completion was seen and the job finished
   * after `lastRunningAtMs` (the previous poll; 0 when the first poll saw it done).
   */
  observe(durationMs: number, renderingSpeed?: RenderingSpeed, lastRunningAtMs?: number): void;
  /** The duration the policy currently expects for a job, in ms (for progress estimates). */
  expectedDurationMs(renderingSpeed?: RenderingSpeed): number;
}

/** Options shared by every client call. */
export interface RequestOptions {
  /** Aborts the request (and, for `waitForJob`, the whole wait). */
  signal?: AbortSignal;
}

export interface SubmitOptions extends RequestOptions {
  /** One key per logical submit; a retried submit with the same key makes no second job. Generated when left out. */
  idempotencyKey?: string;
  /** Retries (same key) after a network failure, 5xx or a short `Retry-After` (≤ 10 s). @default 1 */
  retries?: number;
}

export interface WaitForJobOptions extends RequestOptions {
  /** Called with the job every time its status changes (and once with the first answer). */
  onUpdate?: (job: Job) => void;
  /** Called with each transient error (network, 5xx, 429) that polling rides out. */
  onTransientError?: (error: CharacterApiError) => void;
  /** Give up after this many ms from the start of the wait. Default: the job's `expiresAt`, else 10 minutes. */
  deadlineMs?: number;
  /** The rendering speed, so the poll policy can use the right prior. */
  renderingSpeed?: RenderingSpeed;
  /** When the job was submitted (ms since the epoch), so a resumed wait knows its elapsed time. Default: now. */
  startedAt?: number;
  /**
   * The job's `expiresAt` as last seen (ISO time), so a resumed wait never polls past it and
   * reads a job gone after it as `expired`, not `not_found`. Default: learned from the first answer.
   */
  expiresAt?: string;
}

export interface UploadOptions extends RequestOptions {
  /** Upload progress from 0 to 1 (XMLHttpRequest where available, else start and end only). */
  onProgress?: (fraction: number) => void;
}

/** The wire client: talks to the proxy (or any server that speaks the proxy contract). */
export interface CharacterClient {
  /** The endpoint this client talks to, without a trailing slash. */
  readonly endpoint: string;
  /** Validates the input, then submits one job. Resolves with the job (`pending`). */
  submit(input: CharacterInput, options?: SubmitOptions): Promise<Job>;
  /** One status request. */
  getJob(jobId: string, options?: RequestOptions): Promise<Job>;
  /** Polls by the poll policy until the job completes; rejects `CharacterApiError` otherwise. */
  waitForJob(jobId: string, options?: WaitForJobOptions): Promise<Job>;
  /** Uploads a reference image through the proxy's upload storage. */
  uploadReference(file: Blob, options?: UploadOptions): Promise<{ url: string; expiresAt?: string }>;
  /** The poll policy this client uses (shared with the React hook's refetch interval). */
  readonly pollPolicy: PollPolicy;
}

/** Options of `createCharacterClient`. */
export interface CharacterClientOptions {
  /** The proxy endpoint, e.g. `/api/character` or `https://app.example/api/character`. */
  endpoint: string;
  /** A fetch implementation (tests inject the simulator here). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Extra headers on every request (e.g. an app session token). Never put the PixelDojo key here. */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** The poll policy. @default createPollPolicy() */
  pollPolicy?: PollPolicy;
  /** How long one status request may go unanswered (a stalled connection) before it is given up as a `network` error and polling goes on; `0` or `Infinity` for none. @default 20000 */
  statusTimeoutMs?: number;
}
