import * as z from 'zod/mini';
import { CharacterApiError, isCharacterApiError, isTransientError, type CharacterApiErrorCode, type CharacterApiErrorOptions } from './errors.js';
import { parseRetryAfter } from './http.js';
import { createPollPolicy } from './poll-policy.js';
import {
  characterInputSchema,
  errorBodySchema,
  formatIssuePath,
  normalizeJob,
  toFieldErrors,
  uploadResultSchema,
  wireJobSchema,
  type CharacterInput,
  type Job,
  type JobStatus,
} from './schemas.js';
import type {
  CharacterClient,
  CharacterClientOptions,
  RequestOptions,
  SubmitOptions,
  UploadOptions,
  WaitForJobOptions,
} from './types.js';

/** The shape of a job id the client will put in a URL. */
export const JOB_ID_PATTERN = /^job_[A-Za-z0-9_-]{1,128}$/;
/** How long `waitForJob` keeps going when neither a deadline nor the job's `expiresAt` says otherwise. */
export const DEFAULT_WAIT_DEADLINE_MS = 10 * 60_000;
/** How long one status request may go unanswered before it counts as a `network` error. */
export const DEFAULT_STATUS_TIMEOUT_MS = 20_000;

/**
 * A fresh key for one logical submit: a retried submit that carries the same key is
 * recognised by the proxy and the upstream, so it does not start (and charge) a second job.
 *
 * @example
 * const idempotencyKey = createIdempotencyKey()
 * await client.submit(input, { idempotencyKey }) // and again with the same key on retry
 */
export function createIdempotencyKey(): string {
  const crypto = globalThis.crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.random() * 256;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What a failure says when the server gave no message of its own. */
const MESSAGES: Partial<Record<CharacterApiErrorCode, string>> = {
  unauthorized: 'Not signed in, or not allowed',
  insufficient_credits: 'Not enough credits for this generation',
  invalid_input: 'The server refused these parameters',
  rate_limited: 'Too many requests; try again shortly',
  not_found: 'Not found',
  job_failed: 'The job failed',
  expired: 'The job has expired',
  timeout: 'Gave up waiting for the job',
  aborted: 'The request was canceled',
};

const fail = (code: CharacterApiErrorCode, message?: string, options?: CharacterApiErrorOptions) =>
  new CharacterApiError(code, message ?? MESSAGES[code]!, options);

const aborted = (jobId?: string, cause?: unknown) => fail('aborted', undefined, { jobId, cause });

/**
 * Run `start` (which calls back `resolve`/`reject` and may return a stop function), or reject
 * `aborted` the moment `signal` fires, stopping the work (a timer, an XHR) and leaving no
 * listener behind.
 */
function abortable<T>(
  signal: AbortSignal | undefined,
  jobId: string | undefined,
  start: (resolve: (value: T) => void, reject: (error: unknown) => void) => (() => void) | void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(aborted(jobId, signal!.reason));
      stop?.();
    };
    const settle =
      <V>(then: (value: V) => void) =>
      (value: V) => {
        signal?.removeEventListener('abort', onAbort);
        then(value);
      };
    const stop = start(settle(resolve), settle(reject));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Settle with `promise`, or reject `aborted` the moment `signal` fires (even if the work ignores it). */
const raceAbort = <T>(promise: Promise<T>, signal: AbortSignal | undefined, jobId?: string) =>
  abortable<T>(signal, jobId, (resolve, reject) => void promise.then(resolve, reject));

/** Wait `ms`, or reject `aborted` at once (clearing the timer) when `signal` fires. */
const sleep = (ms: number, signal: AbortSignal | undefined, jobId?: string) =>
  abortable<void>(signal, jobId, (resolve) => {
    const timer = setTimeout(resolve, ms);
    return () => clearTimeout(timer);
  });

/** What came back over the wire, before we make sense of it. */
interface RawAnswer {
  status: number;
  header(name: string): string | null;
  text: string;
}

/**
 * The JSON of a 2xx answer, or the one error type for any other answer: by status first,
 * body second. A body that is not JSON (a gateway's HTML page) never becomes a parse crash.
 */
function readAnswer({ status, header, text }: RawAnswer, jobId?: string): unknown {
  let json: unknown;
  let isJson = false;
  try {
    json = JSON.parse(text);
    isJson = true;
  } catch {
    // not JSON: handled by status below
  }
  if (status >= 200 && status < 300) {
    if (isJson) return json;
    throw fail('invalid_response', `The server answered ${status} without JSON`, { status, jobId });
  }
  const parsed = isJson ? z.safeParse(errorBodySchema, json) : undefined;
  const body = parsed?.success ? parsed.data.error : undefined;
  const detail = typeof body === 'object' ? body : undefined;
  let message = typeof body === 'string' ? body : detail?.message;
  const options: CharacterApiErrorOptions = { status, retryAfterMs: parseRetryAfter(header('Retry-After')) ?? detail?.retryAfterMs, jobId };
  const code: CharacterApiErrorCode =
    status === 402 || (status === 403 && /credit/i.test(`${message} ${detail?.code}`))
      ? 'insufficient_credits'
      : status === 401 || status === 403
        ? 'unauthorized'
        : status === 429
          ? 'rate_limited'
          : status === 410 // Gone: the job and its image URLs have expired; terminal, so a watch stops at once.
            ? 'expired'
            : !isJson
              ? 'upstream'
              : status === 400 || status === 409 || status === 413 || status === 422
                ? 'invalid_input'
                : status === 404
                  ? 'not_found'
                  : 'upstream';
  message ??= code === 'upstream' ? `The server answered ${status}${isJson ? '' : ' without a readable body'}` : MESSAGES[code]!;
  if (code === 'invalid_input') options.fieldErrors = detail?.fieldErrors ?? { _form: [message] };
  throw fail(code, message, options);
}

function invalidResponse(path: readonly PropertyKey[], message: string, status: number, jobId?: string) {
  return fail('invalid_response', `Unexpected answer from the server at ${formatIssuePath(path)}: ${message}`, { status, jobId });
}

/** Validate a 2xx answer with `schema`; a mismatch is `invalid_response` naming the first offending path. */
function check<T>(schema: z.ZodMiniType<T>, json: unknown, status: number, jobId?: string): T {
  const result = z.safeParse(schema, json);
  if (result.success) return result.data;
  const { path, message } = result.error.issues[0]!;
  throw invalidResponse(path, message, status, jobId);
}

const isJobId = (jobId: unknown): jobId is string => typeof jobId === 'string' && JOB_ID_PATTERN.test(jobId);

function assertJobId(jobId: string): void {
  if (!isJobId(jobId)) throw fail('invalid_input', 'Not a job id', { fieldErrors: { jobId: ['Must look like job_…'] } });
}

/**
 * The wire client: validates input, submits jobs, polls them by the poll policy and uploads
 * reference images, all through the proxy endpoint the app hosts (never with the API key).
 * Every failure is a `CharacterApiError` with a stable `code`.
 *
 * @example
 * const client = createCharacterClient({ endpoint: '/api/character' })
 * const job = await client.submit({ prompt: 'a knight in the rain', character_reference_image: url })
 * const done = await client.waitForJob(job.jobId, { onUpdate: (j) => console.log(j.status) })
 * console.log(done.images)
 */
export function createCharacterClient(options: CharacterClientOptions): CharacterClient {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const pollPolicy = options.pollPolicy ?? createPollPolicy();
  const statusTimeoutMs = options.statusTimeoutMs ?? DEFAULT_STATUS_TIMEOUT_MS;

  /** One request: the mapped error of a failed answer, else the JSON and the status. */
  async function send(
    path: string,
    method: string,
    body: BodyInit | undefined,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    onProgress?: (fraction: number) => void,
    jobId?: string,
    timeoutMs?: number,
  ): Promise<[json: unknown, status: number]> {
    if (signal?.aborted) throw aborted(jobId, signal.reason);
    const url = endpoint + path;
    headers = {
      Accept: 'application/json',
      ...(typeof options.headers === 'function' ? options.headers() : options.headers),
      ...headers,
    };
    // The caller's abort, or our timeout, stops the request. (Set up after the app's headers(),
    // which may throw, so nothing is left behind then.)
    const stopper = new AbortController();
    const onAbort = () => stopper.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timedOut = {};
    // (0, a negative or no number, or one beyond what a timer holds: no timeout.)
    const timer = timeoutMs! > 0 && timeoutMs! < 2 ** 31 ? setTimeout(() => stopper.abort(timedOut), timeoutMs) : undefined;
    const XHR = globalThis.XMLHttpRequest as typeof XMLHttpRequest | undefined;
    let raw: RawAnswer;
    let status: number | undefined;
    try {
      raw =
        onProgress && XHR && !options.fetch
          ? // XMLHttpRequest is the one browser API that reports upload progress.
            await abortable<RawAnswer>(stopper.signal, jobId, (resolve, reject) => {
              const xhr = new XHR();
              xhr.open(method, url);
              for (const key in headers) xhr.setRequestHeader(key, headers[key]!);
              // 1 is reported once the server's answer is in and valid, not when the last byte left.
              xhr.upload.onprogress = (event) => {
                if (event.lengthComputable && event.total > 0) onProgress(Math.min(0.99, event.loaded / event.total));
              };
              xhr.onload = () => resolve({ status: xhr.status, header: (name) => xhr.getResponseHeader(name), text: xhr.responseText });
              xhr.onerror = xhr.onabort = reject;
              xhr.send(body as XMLHttpRequestBodyInit);
              return () => xhr.abort();
            })
          : await raceAbort(
              // Read the global at call time, so a fetch installed later (or by a test) is used.
              (options.fetch ?? globalThis.fetch)(url, { method, headers, body, signal: stopper.signal }).then(async (response) => ({
                status: (status = response.status),
                header: (name: string) => response.headers.get(name),
                text: await response.text(),
              })),
              stopper.signal,
              jobId,
            );
    } catch (error) {
      // A rejected fetch or a body that stops half-way: `aborted` if we asked for it, else `network`.
      throw stopper.signal.reason === timedOut
        ? fail('network', `No answer from ${url} within ${timeoutMs! / 1000} s`, { jobId, cause: error })
        : isCharacterApiError(error)
          ? error
          : signal?.aborted
            ? aborted(jobId, error)
            : fail('network', `Could not reach ${url}`, { status, jobId, cause: error });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    return [readAnswer(raw, jobId), raw.status];
  }

  async function submit(input: CharacterInput, { signal, idempotencyKey, retries = 1 }: SubmitOptions = {}): Promise<Job> {
    const parsed = z.safeParse(characterInputSchema, input);
    if (!parsed.success) {
      const fieldErrors = toFieldErrors(parsed.error.issues);
      throw fail('invalid_input', `Check ${Object.keys(fieldErrors).join(', ')}`, { fieldErrors });
    }
    const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey ?? createIdempotencyKey() };
    for (let attempt = 0; ; attempt++) {
      try {
        const [json, status] = await send('/models/ideogram-character/run', 'POST', JSON.stringify(parsed.data), headers, signal);
        return job(json, status);
      } catch (error) {
        // Same key on the retry: if the first attempt did reach the upstream, no second job is made.
        // Retried only when the server asks for at most a 10 s pause.
        const wait = isTransientError(error) ? (error.retryAfterMs ?? 1000 * 2 ** attempt) : Infinity;
        if (attempt >= retries || wait > 10_000) throw error;
        await sleep(wait, signal);
      }
    }
  }

  function job(json: unknown, status: number, jobId?: string): Job {
    const wire = check(wireJobSchema, json, status, jobId);
    if (!isJobId(wire.jobId)) throw invalidResponse(['jobId'], 'not a job id', status, jobId);
    return normalizeJob(wire);
  }

  async function getJob(jobId: string, { signal }: RequestOptions = {}): Promise<Job> {
    assertJobId(jobId);
    const [json, status] = await send(`/jobs/${jobId}`, 'GET', undefined, {}, signal, undefined, jobId, statusTimeoutMs);
    const found = job(json, status, jobId);
    if (found.jobId !== jobId) throw invalidResponse(['jobId'], `asked for ${jobId}, got ${found.jobId}`, status, jobId);
    return found;
  }

  async function waitForJob(jobId: string, waitOptions: WaitForJobOptions = {}): Promise<Job> {
    const { signal, onUpdate, onTransientError, renderingSpeed, deadlineMs } = waitOptions;
    assertJobId(jobId);
    if (signal?.aborted) throw aborted(jobId, signal.reason);
    const waitStart = Date.now();
    // A start that is no time at all (NaN, Infinity) would make every limit NaN: poll as if started now.
    const startedAt = Number.isFinite(waitOptions.startedAt) ? waitOptions.startedAt! : waitStart;
    // One controller for this wait: an abort (or the end of the wait) stops the timer and any request.
    const inner = new AbortController();
    const onAbort = () => inner.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let lastStatus: JobStatus | undefined;
      let expiresAt = Infinity;
      const noteExpiry = (iso: string | undefined) => {
        const at = Date.parse(iso!);
        if (at === at) expiresAt = at;
      };
      noteExpiry(waitOptions.expiresAt);
      let failures = 0;
      let retryAfterMs: number | undefined;
      // When the job was last seen running (ms since start); a resumed wait has not seen it yet.
      let lastRunningAt: number | undefined = startedAt === waitStart ? 0 : undefined;
      const next = (attempt: number, elapsedMs: number) =>
        pollPolicy.next({ attempt, elapsedMs, status: lastStatus ?? 'pending', retryAfterMs, renderingSpeed });
      const resumedAfter = waitStart - startedAt;
      const firstPoll = next(0, 0);
      // A resumed wait that is past the first scheduled poll looks at once.
      let delay = resumedAfter <= 0 ? firstPoll : resumedAfter >= firstPoll ? 0 : next(0, resumedAfter);
      for (let attempt = 1; ; attempt++) {
        const deadline = Math.min(waitStart + (deadlineMs ?? Infinity), expiresAt);
        const limit = deadline < Infinity ? deadline : startedAt + DEFAULT_WAIT_DEADLINE_MS;
        // Never sleep past the limit: take one last look exactly there.
        await sleep(Math.max(0, Math.min(delay, limit - Date.now())), inner.signal, jobId);
        let found: Job | undefined;
        try {
          found = await getJob(jobId, { signal: inner.signal });
        } catch (error) {
          if (!isTransientError(error)) {
            if (isCharacterApiError(error) && error.code === 'not_found' && Date.now() >= expiresAt) {
              throw fail('expired', undefined, { jobId, status: error.status, cause: error });
            }
            throw error;
          }
          failures++;
          retryAfterMs = error.retryAfterMs;
          onTransientError?.(error);
        }
        const now = Date.now();
        if (found) {
          failures = 0;
          retryAfterMs = undefined;
          noteExpiry(found.expiresAt);
          if (found.status !== lastStatus) onUpdate?.(found);
          lastStatus = found.status;
          if (lastStatus === 'completed') {
            if (lastRunningAt !== undefined) pollPolicy.observe(now - startedAt, renderingSpeed, lastRunningAt);
            return found;
          }
          if (lastStatus === 'failed') throw fail('job_failed', found.error, { jobId });
          lastRunningAt = now - startedAt;
        }
        if (now >= expiresAt) throw fail('expired', 'The job expired before it finished', { jobId });
        if (now >= limit) throw fail('timeout', undefined, { jobId });
        delay = Math.max(
          next(attempt, now - startedAt),
          retryAfterMs ?? 0,
          // After repeated failures (network, 5xx): 0.5 s, 1 s, 2 s, … up to 30 s between polls.
          failures && Math.min(30_000, 500 * 2 ** (failures - 1)),
        );
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      inner.abort();
    }
  }

  async function uploadReference(file: Blob, { signal, onProgress }: UploadOptions = {}): Promise<{ url: string; expiresAt?: string }> {
    if (signal?.aborted) throw aborted(undefined, signal.reason);
    const form = new FormData();
    const name = (file as { name?: unknown }).name;
    form.append('file', file, typeof name === 'string' && name ? name : 'reference');
    onProgress?.(0);
    const [json, status] = await send('/uploads', 'POST', form, {}, signal, onProgress ?? (() => {}));
    const { url, expiresAt } = check(uploadResultSchema, json, status);
    onProgress?.(1);
    return expiresAt === undefined ? { url } : { url, expiresAt };
  }

  return { endpoint, pollPolicy, submit, getJob, waitForJob, uploadReference };
}
