import * as z from 'zod/mini';
import { CharacterApiError, isCharacterApiError } from './errors.js';
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
/** A submit is retried only when the server asks for at most this long a pause. */
const MAX_SUBMIT_RETRY_WAIT_MS = 10_000;
/** Longest pause between polls after repeated failures (network, 5xx). */
const MAX_ERROR_BACKOFF_MS = 30_000;

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
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const aborted = (jobId?: string, cause?: unknown) =>
  new CharacterApiError('aborted', 'The request was canceled', { jobId, cause });

/** Settle with `promise`, or reject `aborted` the moment `signal` fires (even if the work ignores it). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, jobId?: string): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(aborted(jobId, signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted(jobId, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Wait `ms`, or reject `aborted` at once (clearing the timer) when `signal` fires. */
function sleep(ms: number, signal: AbortSignal, jobId?: string): Promise<void> {
  if (signal.aborted) return Promise.reject(aborted(jobId, signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(jobId, signal.reason));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** What came back over the wire, before we make sense of it. */
interface RawAnswer {
  status: number;
  header(name: string): string | null;
  text: string;
}

/** Turn an HTTP error answer into the one error type, by status first and body second. */
function errorFromAnswer(raw: RawAnswer, json: unknown, isJson: boolean, jobId?: string): CharacterApiError {
  const { status } = raw;
  const parsed = isJson ? z.safeParse(errorBodySchema, json) : undefined;
  const body = parsed?.success ? parsed.data.error : undefined;
  const detail = typeof body === 'object' ? body : undefined;
  const message = typeof body === 'string' ? body : detail?.message;
  const retryAfterMs = parseRetryAfter(raw.header('Retry-After')) ?? detail?.retryAfterMs;
  const options = { status, retryAfterMs, jobId };
  if (status === 401) return new CharacterApiError('unauthorized', message ?? 'Not signed in, or the API key was refused', options);
  if (status === 402 || (status === 403 && /credit/i.test(`${message ?? ''} ${detail?.code ?? ''}`))) {
    return new CharacterApiError('insufficient_credits', message ?? 'Not enough credits for this generation', options);
  }
  if (status === 403) return new CharacterApiError('unauthorized', message ?? 'This request is not allowed', options);
  if (status === 429) return new CharacterApiError('rate_limited', message ?? 'Too many requests; try again shortly', options);
  // 410 Gone: the job and its image URLs have expired. Terminal, so a watch stops at once.
  if (status === 410) return new CharacterApiError('expired', message ?? 'This job and its images have expired', options);
  if (!isJson) {
    // An HTML error page from a gateway: say what status it was, never a JSON parse crash.
    return new CharacterApiError('upstream', `The server answered ${status} without a readable body`, options);
  }
  if (status === 400 || status === 413 || status === 422) {
    const text = message ?? 'The server refused these parameters';
    return new CharacterApiError('invalid_input', text, { ...options, fieldErrors: detail?.fieldErrors ?? { _form: [text] } });
  }
  if (status === 404) return new CharacterApiError('not_found', message ?? 'No such job', options);
  return new CharacterApiError('upstream', message ?? `The server answered ${status}`, options);
}

/** The JSON of a 2xx answer, or the mapped error of any other answer. */
function readAnswer(raw: RawAnswer, jobId?: string): unknown {
  let json: unknown;
  let isJson = false;
  if (raw.text.trim()) {
    try {
      json = JSON.parse(raw.text);
      isJson = true;
    } catch {
      isJson = false;
    }
  }
  if (raw.status >= 200 && raw.status < 300) {
    if (!isJson) {
      throw new CharacterApiError('invalid_response', `The server answered ${raw.status} without JSON`, { status: raw.status, jobId });
    }
    return json;
  }
  throw errorFromAnswer(raw, json, isJson, jobId);
}

function invalidResponse(path: readonly PropertyKey[], message: string, status: number, jobId?: string) {
  return new CharacterApiError('invalid_response', `Unexpected answer from the server at ${formatIssuePath(path)}: ${message}`, {
    status,
    jobId,
  });
}

function parseJob(json: unknown, status: number, jobId?: string): Job {
  const result = z.safeParse(wireJobSchema, json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidResponse(issue?.path ?? [], issue?.message ?? 'not a job', status, jobId);
  }
  if (!JOB_ID_PATTERN.test(result.data.jobId)) throw invalidResponse(['jobId'], 'not a job id', status, jobId);
  return normalizeJob(result.data);
}

function assertJobId(jobId: string): void {
  if (typeof jobId !== 'string' || !JOB_ID_PATTERN.test(jobId)) {
    throw new CharacterApiError('invalid_input', 'Not a job id', { fieldErrors: { jobId: ['Must look like job_…'] } });
  }
}

/** Transient for a watch: the job itself may be fine. A 4xx HTML page (a missing route) is not. */
function isRetryable(error: unknown): error is CharacterApiError {
  if (!isCharacterApiError(error)) return false;
  if (error.code === 'network' || error.code === 'rate_limited') return true;
  return error.code === 'upstream' && (error.status === undefined || error.status >= 500 || error.status === 408);
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
  // Read the global at call time, so a fetch installed later (or by a test) is used.
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  const baseHeaders = (): Record<string, string> =>
    typeof options.headers === 'function' ? options.headers() : { ...options.headers };

  async function send(
    path: string,
    init: { method: string; body?: BodyInit; headers?: Record<string, string> },
    signal: AbortSignal | undefined,
    jobId?: string,
  ): Promise<{ json: unknown; status: number }> {
    if (signal?.aborted) throw aborted(jobId, signal.reason);
    const url = endpoint + path;
    // A rejected fetch or a body that stops half-way: `aborted` if we asked for it, else `network`.
    const failed = (error: unknown, status?: number) =>
      isCharacterApiError(error)
        ? error
        : signal?.aborted
          ? aborted(jobId, error)
          : new CharacterApiError('network', `Could not reach ${url}`, { status, jobId, cause: error });
    let response: Response;
    let text: string;
    try {
      response = await raceAbort(
        doFetch(url, {
          method: init.method,
          headers: { Accept: 'application/json', ...baseHeaders(), ...init.headers },
          body: init.body,
          signal,
        }),
        signal,
        jobId,
      );
    } catch (error) {
      throw failed(error);
    }
    try {
      text = await raceAbort(response.text(), signal, jobId);
    } catch (error) {
      throw failed(error, response.status);
    }
    const raw: RawAnswer = { status: response.status, header: (name) => response.headers.get(name), text };
    return { json: readAnswer(raw, jobId), status: response.status };
  }

  async function submit(input: CharacterInput, submitOptions: SubmitOptions = {}): Promise<Job> {
    const { signal } = submitOptions;
    const parsed = z.safeParse(characterInputSchema, input);
    if (!parsed.success) {
      const fieldErrors = toFieldErrors(parsed.error.issues);
      throw new CharacterApiError('invalid_input', `Check ${Object.keys(fieldErrors).join(', ')}`, { fieldErrors });
    }
    const idempotencyKey = submitOptions.idempotencyKey ?? createIdempotencyKey();
    const retries = Math.max(0, submitOptions.retries ?? 1);
    const body = JSON.stringify(parsed.data);
    for (let attempt = 0; ; attempt++) {
      try {
        const { json, status } = await send(
          '/models/ideogram-character/run',
          { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey } },
          signal,
        );
        return parseJob(json, status);
      } catch (error) {
        // Same key on the retry: if the first attempt did reach the upstream, no second job is made.
        const wait = isRetryable(error) ? (error.retryAfterMs ?? 1000 * 2 ** attempt) : Infinity;
        if (attempt >= retries || wait > MAX_SUBMIT_RETRY_WAIT_MS) throw error;
        await sleep(wait, signal ?? new AbortController().signal);
      }
    }
  }

  async function getJob(jobId: string, requestOptions: RequestOptions = {}): Promise<Job> {
    assertJobId(jobId);
    const { json, status } = await send(`/jobs/${encodeURIComponent(jobId)}`, { method: 'GET' }, requestOptions.signal, jobId);
    const job = parseJob(json, status, jobId);
    if (job.jobId !== jobId) throw invalidResponse(['jobId'], `asked for ${jobId}, got ${job.jobId}`, status, jobId);
    return job;
  }

  async function waitForJob(jobId: string, waitOptions: WaitForJobOptions = {}): Promise<Job> {
    assertJobId(jobId);
    const { signal, onUpdate, onTransientError, renderingSpeed } = waitOptions;
    if (signal?.aborted) throw aborted(jobId, signal.reason);
    const waitStart = Date.now();
    const startedAt = waitOptions.startedAt ?? waitStart;
    const fixedDeadline = waitOptions.deadlineMs === undefined ? undefined : waitStart + waitOptions.deadlineMs;
    // One controller for this wait: an abort (or the end of the wait) stops the timer and any request.
    const inner = new AbortController();
    const onAbort = () => inner.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let lastStatus: JobStatus = 'pending';
      let seen = false;
      let expiresAt: number | undefined;
      let failures = 0;
      let retryAfterMs: number | undefined;
      // When the job was last seen running (ms since start); a resumed wait has not seen it yet.
      let lastRunningAt: number | undefined = waitOptions.startedAt === undefined ? 0 : undefined;
      const resumedAfter = waitStart - startedAt;
      const firstPoll = pollPolicy.next({ attempt: 0, elapsedMs: 0, status: 'pending', renderingSpeed });
      let delay =
        resumedAfter <= 0
          ? firstPoll
          : resumedAfter >= firstPoll
            ? 0 // a resumed wait that is past the first scheduled poll looks at once
            : pollPolicy.next({ attempt: 0, elapsedMs: resumedAfter, status: 'pending', renderingSpeed });
      for (let attempt = 1; ; attempt++) {
        const deadline = Math.min(fixedDeadline ?? Infinity, expiresAt ?? Infinity);
        const limit = Number.isFinite(deadline) ? deadline : startedAt + DEFAULT_WAIT_DEADLINE_MS;
        // Never sleep past the limit: take one last look exactly there.
        await sleep(Math.max(0, Math.min(delay, limit - Date.now())), inner.signal, jobId);
        let job: Job | undefined;
        try {
          job = await getJob(jobId, { signal: inner.signal });
        } catch (error) {
          if (!isRetryable(error)) {
            if (isCharacterApiError(error) && error.code === 'not_found' && expiresAt !== undefined && Date.now() >= expiresAt) {
              throw new CharacterApiError('expired', 'The job has expired', { jobId, status: error.status, cause: error });
            }
            throw error;
          }
          failures++;
          retryAfterMs = error.retryAfterMs;
          onTransientError?.(error);
        }
        const now = Date.now();
        if (job) {
          failures = 0;
          retryAfterMs = undefined;
          if (job.expiresAt) {
            const at = Date.parse(job.expiresAt);
            if (Number.isFinite(at)) expiresAt = at;
          }
          if (!seen || job.status !== lastStatus) {
            seen = true;
            lastStatus = job.status;
            onUpdate?.(job);
          }
          if (job.status === 'completed') {
            if (lastRunningAt !== undefined) pollPolicy.observe(now - startedAt, renderingSpeed, lastRunningAt);
            return job;
          }
          if (job.status === 'failed') {
            throw new CharacterApiError('job_failed', job.error ?? 'The job failed', { jobId });
          }
          lastRunningAt = now - startedAt;
        }
        if (expiresAt !== undefined && now >= expiresAt) {
          throw new CharacterApiError('expired', 'The job expired before it finished', { jobId });
        }
        if (now >= limit) {
          throw new CharacterApiError('timeout', 'Gave up waiting for the job', { jobId });
        }
        delay = pollPolicy.next({ attempt, elapsedMs: now - startedAt, status: lastStatus, retryAfterMs, renderingSpeed });
        if (retryAfterMs !== undefined) delay = Math.max(delay, retryAfterMs);
        if (failures > 0) delay = Math.max(delay, Math.min(MAX_ERROR_BACKOFF_MS, 500 * 2 ** (failures - 1)));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      inner.abort();
    }
  }

  async function uploadReference(file: Blob, uploadOptions: UploadOptions = {}): Promise<{ url: string; expiresAt?: string }> {
    const { signal, onProgress } = uploadOptions;
    if (signal?.aborted) throw aborted(undefined, signal.reason);
    const form = new FormData();
    const name = (file as { name?: unknown }).name;
    form.append('file', file, typeof name === 'string' && name ? name : 'reference');
    let json: unknown;
    let status: number;
    const XHR = globalThis.XMLHttpRequest;
    onProgress?.(0);
    if (typeof XHR === 'function' && !options.fetch) {
      const raw = await xhrUpload(XHR, endpoint + '/uploads', form, { Accept: 'application/json', ...baseHeaders() }, signal, onProgress);
      json = readAnswer(raw);
      status = raw.status;
    } else {
      ({ json, status } = await send('/uploads', { method: 'POST', body: form }, signal));
    }
    const result = z.safeParse(uploadResultSchema, json);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw invalidResponse(issue?.path ?? [], issue?.message ?? 'not an upload result', status);
    }
    onProgress?.(1);
    return result.data.expiresAt === undefined ? { url: result.data.url } : { url: result.data.url, expiresAt: result.data.expiresAt };
  }

  return { endpoint, pollPolicy, submit, getJob, waitForJob, uploadReference };
}

/** An upload through XMLHttpRequest, the one browser API that reports upload progress. */
function xhrUpload(
  XHR: typeof XMLHttpRequest,
  url: string,
  form: FormData,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
  onProgress: ((fraction: number) => void) | undefined,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XHR();
    const onAbort = () => xhr.abort();
    const done = () => signal?.removeEventListener('abort', onAbort);
    xhr.open('POST', url);
    for (const [key, value] of Object.entries(headers)) xhr.setRequestHeader(key, value);
    xhr.upload.onprogress = (event) => {
      // 1 is reported once the server's answer is in and valid, not when the last byte left.
      if (event.lengthComputable && event.total > 0) onProgress?.(Math.min(0.99, event.loaded / event.total));
    };
    xhr.onload = () => {
      done();
      resolve({ status: xhr.status, header: (name) => xhr.getResponseHeader(name), text: xhr.responseText });
    };
    xhr.onerror = () => {
      done();
      reject(new CharacterApiError('network', `Could not reach ${url}`));
    };
    xhr.onabort = () => {
      done();
      reject(aborted(undefined, signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    xhr.send(form);
  });
}
