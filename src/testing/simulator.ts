import {
  characterInputSchema,
  DEFAULT_PARAMETERS,
  formatIssuePath,
  normalizeJob,
  toFieldErrors,
  type CharacterInput,
  type FieldErrors,
  type Job,
  type JobStatus,
  type RenderingSpeed,
} from '../core/schemas.js';
import { referenceDataUri, renderPng, renderSvg } from './images.js';
import { defaultDurationMs, mixSeed, mulberry32, randomJobId } from './random.js';

/**
 * What a dropped connection looks like: the same error a real `fetch` rejects with when the
 * socket dies (`TypeError: fetch failed`). `toNodeHandler` (server entry) destroys the socket
 * when a handler throws an error with `dropConnection === true`, and the MSW handlers answer
 * `Response.error()`, so every transport shows a real network failure.
 *
 * @example
 * await expect(simulator.fetch(url)).rejects.toBeInstanceOf(SimulatedNetworkError)
 */
export class SimulatedNetworkError extends TypeError {
  /** Marks the error for adapters that can drop a real connection. */
  readonly dropConnection = true as const;
  constructor(message = 'fetch failed') {
    super(message);
  }
}

/** Credits one job costs, by rendering speed (the model page says 3–7 credits a job). */
export const SIMULATOR_CREDIT_COSTS: Readonly<Record<RenderingSpeed, number>> = { Turbo: 3, Default: 5, Quality: 7 };

/** A reference image's bytes, as a `readReference` option hands them to the simulator. */
export interface SimulatorReference {
  /** The file's bytes. */
  bytes: Uint8Array;
  /** Its type; only `image/jpeg`, `image/png` and `image/webp` are embedded. */
  contentType: string;
}

/** Options of `createSimulator`. Every fault and duration is reproducible from `seed`. */
export interface SimulatorOptions {
  /** How long a job takes, in ms, or a function of the input and a seeded random source. @default drawn from 13–23 s (median ≈ 16.2 s) */
  durationMs?: number | ((input: CharacterInput, rng: () => number) => number);
  /** Divides every job duration (5 → ~3 s jobs, for the playground). @default 1 */
  speed?: number;
  /** Share of jobs, 0–1, that end `failed` with an `error` message. @default 0 */
  failureRate?: number;
  /** Share of API requests, 0–1, answered 429 with `Retry-After` (1–5 s). @default 0 */
  rateLimitRate?: number;
  /** Share of API requests, 0–1, answered 500 or 502 with an HTML body. @default 0 */
  serverErrorRate?: number;
  /** Share of API requests, 0–1, whose connection drops (`SimulatedNetworkError`). @default 0 */
  dropRate?: number;
  /**
   * When a dropped request is dropped: `'response'` handles it first and loses the answer (a
   * dropped submit still creates and charges the job); `'request'` drops it before it is handled.
   * @default 'response'
   */
  dropAt?: 'request' | 'response';
  /** Added latency on every answer, in ms: a fixed value or a `[min, max]` range (seeded). @default 0 */
  latencyMs?: number | readonly [number, number];
  /** A job and its image URLs expire this long after the job *completes* (or fails). @default 3_600_000 (1 hour) */
  expiresInMs?: number;
  /**
   * How long an expired job is still known (its poll and images answer 410) before it is
   * forgotten and its memory freed; from then on its id answers 404 like any unknown id, as an
   * upstream that deleted the job would. `Infinity` keeps every job for the simulator's lifetime.
   * @default 3_600_000 (1 hour)
   */
  retainExpiredMs?: number;
  /** When set, require exactly `Authorization: Bearer <apiKey>`; unset accepts any non-empty Bearer token. @default undefined */
  apiKey?: string;
  /** Check `Authorization` at all; `false` when the simulator stands in for the proxy (browsers send no key). @default true */
  requireAuth?: boolean;
  /** Starting credit balance; each job costs `SIMULATOR_CREDIT_COSTS[rendering_speed]`; too few → 402. @default 1000 */
  credits?: number;
  /** Seed for faults, durations, failures and job ids. @default 1 */
  seed?: number;
  /** The clock; job state is computed from it on each request (no timers), so fake timers work. @default () => Date.now() */
  now?: () => number;
  /** Path prefix of the API routes. @default '/api/v1' */
  basePath?: string;
  /** Where the images are served under `basePath`: `{basePath}{imagePath}/{jobId}/{index}.svg|.png`. @default '/simulator/images' */
  imagePath?: string;
  /** Format of the output image URLs in completed jobs (both are always served). @default 'svg' */
  imageFormat?: 'svg' | 'png';
  /**
   * Reads a job's `character_reference_image` (the URL as submitted) so its SVG images embed the
   * reference as a `data:` URI: an SVG shown through `<img>` loads no external image, so without
   * this the browser shows a placeholder (a silhouette; Chromium draws its broken-image mark on
   * it). Answer `undefined` (or throw) when the bytes cannot be had; the placeholder stays. The URL is user input: read only URLs your own storage issued
   * (as `characterProxyPlugin` does), never fetch arbitrary ones. PNG images never embed it.
   * @default undefined (the SVG links the reference URL, shown only when the SVG is opened directly)
   */
  readReference?: (url: string) => SimulatorReference | undefined | Promise<SimulatorReference | undefined>;
  /** The largest reference `readReference` may embed, in bytes; a larger one keeps the placeholder. @default 4_194_304 (4 MiB) */
  maxReferenceBytes?: number;
  /** Base for relative URLs passed to `simulator.fetch`. @default location.origin where there is one, else 'http://localhost' */
  origin?: string;
  /** Same `Idempotency-Key` within this window → the same job, no second charge. @default 600_000 (10 minutes) */
  idempotencyWindowMs?: number;
  /** Inputs that "fail the safety check": a prompt pattern or a predicate; they answer 422 and cost nothing. @default undefined (none) */
  unsafePrompt?: RegExp | ((input: CharacterInput) => boolean);
  /** Keep at most this many entries in `log` (oldest dropped first). @default 10_000 */
  logLimit?: number;
}

/** Counters of what the simulator saw. */
export interface SimulatorStats {
  /** Every request, of any route. */
  requests: number;
  /** `POST …/run` requests, not counting idempotent replays. */
  submits: number;
  /** Submits answered with an earlier job because their `Idempotency-Key` was seen before. */
  replays: number;
  /** `GET …/jobs/{id}` requests. */
  polls: number;
  /** Image requests. */
  images: number;
  /** Jobs created (and charged). */
  jobsCreated: number;
  /** Jobs forgotten `retainExpiredMs` after they expired (their memory freed). */
  jobsForgotten: number;
  /** Faults injected. */
  faults: { rateLimited: number; serverErrors: number; dropped: number; failedJobs: number };
}

/** One request as the simulator saw it. */
export interface SimulatorLogEntry {
  method: string;
  /** Path name, without the query. */
  path: string;
  /** The HTTP status answered, or `'dropped'`. */
  status: number | 'dropped';
  /** The `Authorization` header as received (tests check what the proxy sent upstream). */
  authorization: string | null;
  idempotencyKey: string | null;
  /** `now()` when the request arrived. */
  at: number;
}

/** A fetch-standard handler that behaves like PixelDojo's job API. */
export interface Simulator {
  /** Answer one request. Rejects with `SimulatedNetworkError` for a dropped connection. */
  (request: Request): Promise<Response>;
  /** The same handler with `fetch`'s signature, for `createCharacterClient({ fetch })` or a proxy's upstream `fetch`. */
  fetch: typeof fetch;
  /** Counters since creation or the last `reset()`. */
  readonly stats: SimulatorStats;
  /** Every request, oldest first (at most `logLimit`). */
  readonly log: ReadonlyArray<SimulatorLogEntry>;
  /** The current credit balance; assign to change it. */
  credits: number;
  /** A snapshot of every job still known (not yet forgotten), normalised, with its status as of `now()`. */
  jobs(): Job[];
  /** Forget all jobs, keys, counters and log; restore credits and re-seed (as if freshly created). */
  reset(): void;
}

interface SimulatedJob {
  jobId: string;
  input: CharacterInput;
  origin: string;
  createdAt: number;
  durationMs: number;
  completesAt: number;
  expiresAt: number;
  failure: string | undefined;
  creditCost: number;
  creditsRemaining: number;
}

interface IdempotencyEntry {
  jobId: string;
  body: string;
  at: number;
}

type Route =
  | { kind: 'submit' }
  | { kind: 'job'; jobId: string }
  | { kind: 'image'; jobId: string; index: number; format: 'svg' | 'png' }
  | { kind: 'method'; allow: string }
  | { kind: 'none' };

const FAILURE_MESSAGES = [
  'The model could not render this prompt (simulated failure).',
  'The generation worker timed out (simulated failure).',
  'The character reference image could not be processed (simulated failure).',
];

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const MAX_BODY_BYTES = 1024 * 1024;
const RENDER_CACHE_SIZE = 64;
/** The most characters/bytes the rendered images may hold together: SVGs embedding a reference are megabytes each. */
const RENDER_CACHE_CHARS = 32 * 1024 * 1024;
/** How often (simulated time) requests sweep forgotten jobs and stale idempotency keys out of memory. */
const SWEEP_INTERVAL_MS = 60_000;

function normalizeBasePath(basePath: string): string {
  const trimmed = basePath.replace(/\/+$/, '');
  return trimmed.startsWith('/') || trimmed === '' ? trimmed : `/${trimmed}`;
}

function normalizeImagePath(imagePath: string): string {
  const trimmed = imagePath.replace(/\/+$/, '');
  if (!/^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/.test(trimmed)) throw new TypeError(`imagePath must be a path like "/images" (got "${imagePath}")`);
  return trimmed;
}

function defaultOrigin(): string {
  const location = (globalThis as { location?: { origin?: string } }).location;
  return location?.origin && location.origin !== 'null' ? location.origin : 'http://localhost';
}

function clampRate(rate: number | undefined): number {
  return Math.min(1, Math.max(0, rate ?? 0));
}

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

function errorResponse(status: number, code: string, message: string, extra: { fieldErrors?: FieldErrors; retryAfterMs?: number } = {}, headers: Record<string, string> = {}): Response {
  return json({ error: { code, message, status, ...extra } }, status, headers);
}

function htmlError(status: 500 | 502): Response {
  const title = status === 500 ? '500 Internal Server Error' : '502 Bad Gateway';
  const body = `<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n<hr><center>simulator</center>\n</body>\n</html>\n`;
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Canonical JSON (sorted keys), so the same body with keys in another order is the same body. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const type = value.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/**
 * Create an in-memory stand-in for PixelDojo's job API: `POST {basePath}/models/ideogram-character/run`
 * → 202 job, `GET {basePath}/jobs/{jobId}` → the job as of `now()` (`pending` → `processing`
 * after 15 % of its duration → `completed` with `output.images`, or `failed` with `error`),
 * images at `GET {basePath}{imagePath}/{jobId}/{index}.svg|.png` (`imagePath` defaults to
 * `/simulator/images`), 410 after expiry and 404 once the job is forgotten (`retainExpiredMs` later),
 * credits (402), Bearer auth (401), validation (422, or 400 for unknown fields),
 * `Idempotency-Key` replays, and seeded faults (429, HTML 5xx, dropped connections, failed jobs).
 * Runs on fetch-standard APIs only, so it works in Node, browsers and MSW.
 *
 * @example
 * const simulator = createSimulator({ speed: 5, seed: 7 })
 * const client = createCharacterClient({ endpoint: 'http://sim.test/api/v1', fetch: simulator.fetch, headers: { authorization: 'Bearer test' } })
 * const job = await client.submit({ prompt: 'A knight in the rain', character_reference_image: 'https://example.com/me.png' })
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const seed = options.seed ?? 1;
  const now = options.now ?? (() => Date.now());
  const basePath = normalizeBasePath(options.basePath ?? '/api/v1');
  const imagePath = normalizeImagePath(options.imagePath ?? '/simulator/images');
  // The image routes' prefix after `{basePath}/`, as `route` sees the rest of the path.
  const imagePrefix = `${imagePath.slice(1)}/`;
  const speed = options.speed && options.speed > 0 ? options.speed : 1;
  const expiresInMs = options.expiresInMs ?? 3_600_000;
  const retainExpiredMs = Number.isNaN(options.retainExpiredMs) ? 3_600_000 : Math.max(0, options.retainExpiredMs ?? 3_600_000);
  const idempotencyWindowMs = options.idempotencyWindowMs ?? 600_000;
  const logLimit = Math.max(1, options.logLimit ?? 10_000);
  const imageFormat = options.imageFormat ?? 'svg';
  const readReference = options.readReference;
  const maxReferenceBytes = options.maxReferenceBytes ?? 4 * 1024 * 1024;
  const dropAt = options.dropAt ?? 'response';
  const rates = {
    failure: clampRate(options.failureRate),
    rateLimit: clampRate(options.rateLimitRate),
    serverError: clampRate(options.serverErrorRate),
    drop: clampRate(options.dropRate),
  };

  let jobs = new Map<string, SimulatedJob>();
  let idempotency = new Map<string, IdempotencyEntry>();
  let rendered = new Map<string, string | Uint8Array>();
  let renderedChars = 0;
  let lastReference: { url: string; uri: Promise<string | undefined> } | undefined;
  let credits = options.credits ?? 1000;
  let jobCounter = 0;
  // Separate streams, so images or latency never shift which API request gets which fault.
  let faultRng = mulberry32(mixSeed(seed, 0xfa017));
  let latencyRng = mulberry32(mixSeed(seed, 0x1a7e));
  let stats = freshStats();
  let log: SimulatorLogEntry[] = [];
  let nextSweepAt = -Infinity;

  function freshStats(): SimulatorStats {
    return { requests: 0, submits: 0, replays: 0, polls: 0, images: 0, jobsCreated: 0, jobsForgotten: 0, faults: { rateLimited: 0, serverErrors: 0, dropped: 0, failedJobs: 0 } };
  }

  function isForgotten(job: SimulatedJob, at: number): boolean {
    return at >= job.expiresAt + retainExpiredMs;
  }

  /** The job with this id, unless it is unknown or due to be forgotten (then it is, now). */
  function findJob(jobId: string, at: number): SimulatedJob | undefined {
    const job = jobs.get(jobId);
    if (!job || !isForgotten(job, at)) return job;
    jobs.delete(jobId);
    stats.jobsForgotten++;
    return undefined;
  }

  /** Free what a long session would otherwise keep forever: forgotten jobs, keys past their window. */
  function sweep(at: number): void {
    nextSweepAt = at + SWEEP_INTERVAL_MS;
    for (const job of jobs.values()) findJob(job.jobId, at);
    for (const [key, entry] of idempotency) {
      if (at - entry.at >= idempotencyWindowMs || !jobs.has(entry.jobId)) idempotency.delete(key);
    }
  }

  function record(request: Request, path: string, status: number | 'dropped', at: number): void {
    log.push({ method: request.method, path, status, authorization: request.headers.get('authorization'), idempotencyKey: request.headers.get('idempotency-key'), at });
    if (log.length > logLimit * 2) log = log.slice(-logLimit);
  }

  function route(method: string, pathname: string): Route {
    if (!pathname.startsWith(`${basePath}/`)) return { kind: 'none' };
    const rest = pathname.slice(basePath.length + 1);
    const read = method === 'GET' || method === 'HEAD';
    if (rest === 'models/ideogram-character/run') return method === 'POST' ? { kind: 'submit' } : { kind: 'method', allow: 'POST' };
    const job = /^jobs\/([^/]+)$/.exec(rest);
    if (job) return read ? { kind: 'job', jobId: job[1]! } : { kind: 'method', allow: 'GET, HEAD' };
    const image = rest.startsWith(imagePrefix) ? /^([^/]+)\/(\d{1,3})\.(svg|png)$/.exec(rest.slice(imagePrefix.length)) : null;
    if (image) return read ? { kind: 'image', jobId: image[1]!, index: Number(image[2]), format: image[3] as 'svg' | 'png' } : { kind: 'method', allow: 'GET, HEAD' };
    return { kind: 'none' };
  }

  function statusAt(job: SimulatedJob, at: number): JobStatus {
    if (at >= job.completesAt) return job.failure === undefined ? 'completed' : 'failed';
    return at >= job.createdAt + job.durationMs * 0.15 ? 'processing' : 'pending';
  }

  function imageUrls(job: SimulatedJob, format: 'svg' | 'png' = imageFormat): string[] {
    const count = job.input.numberOfImages ?? DEFAULT_PARAMETERS.numberOfImages;
    return Array.from({ length: count }, (_, index) => `${job.origin}${basePath}${imagePath}/${job.jobId}/${index}.${format}`);
  }

  function wireJob(job: SimulatedJob, at: number) {
    const status = statusAt(job, at);
    return {
      jobId: job.jobId,
      status,
      statusUrl: `${job.origin}${basePath}/jobs/${job.jobId}`,
      model: 'ideogram-character',
      creditCost: job.creditCost,
      creditsRemaining: job.creditsRemaining,
      createdAt: new Date(job.createdAt).toISOString(),
      expiresAt: new Date(job.expiresAt).toISOString(),
      ...(status === 'completed' || status === 'failed' ? { completedAt: new Date(job.completesAt).toISOString() } : {}),
      ...(status === 'completed' ? { output: { images: imageUrls(job) } } : {}),
      ...(status === 'failed' ? { error: job.failure } : {}),
    };
  }

  function submitAnswer(job: SimulatedJob) {
    return {
      jobId: job.jobId,
      status: 'pending' as const,
      statusUrl: `${job.origin}${basePath}/jobs/${job.jobId}`,
      creditCost: job.creditCost,
      creditsRemaining: job.creditsRemaining,
      expiresAt: new Date(job.expiresAt).toISOString(),
    };
  }

  function createJob(input: CharacterInput, origin: string, at: number, creditCost: number): SimulatedJob {
    const rng = mulberry32(mixSeed(seed, ++jobCounter));
    let jobId = randomJobId(rng);
    while (jobs.has(jobId)) jobId = randomJobId(rng);
    const fails = rng() < rates.failure;
    const failure = fails ? FAILURE_MESSAGES[Math.floor(rng() * FAILURE_MESSAGES.length)]! : undefined;
    const drawn = typeof options.durationMs === 'function' ? options.durationMs(input, rng) : (options.durationMs ?? defaultDurationMs(rng));
    const durationMs = Math.max(0, Number.isFinite(drawn) ? drawn / speed : 0);
    credits -= creditCost;
    const job: SimulatedJob = {
      jobId,
      input,
      origin,
      createdAt: at,
      durationMs,
      completesAt: at + durationMs,
      expiresAt: at + durationMs + expiresInMs,
      failure,
      creditCost,
      creditsRemaining: credits,
    };
    jobs.set(jobId, job);
    stats.jobsCreated++;
    if (fails) stats.faults.failedJobs++;
    return job;
  }

  function checkAuth(request: Request): Response | undefined {
    if (options.requireAuth === false) return undefined;
    const header = request.headers.get('authorization');
    const ok = options.apiKey === undefined ? /^Bearer \S+/.test(header ?? '') : header === `Bearer ${options.apiKey}`;
    if (ok) return undefined;
    return errorResponse(401, 'unauthorized', header ? 'Invalid API key' : 'Missing Authorization: Bearer <api key>', {}, { 'www-authenticate': 'Bearer' });
  }

  async function submit(request: Request, url: URL, at: number): Promise<Response> {
    const unauthorized = checkAuth(request);
    if (unauthorized) return unauthorized;
    if (!isJsonContentType(request.headers.get('content-type'))) {
      return errorResponse(415, 'unsupported_media_type', 'Content-Type must be application/json');
    }
    const text = await request.text();
    if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) return errorResponse(413, 'payload_too_large', 'The body is larger than 1 MB');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return errorResponse(400, 'invalid_json', 'The body is not valid JSON');
    }

    const key = request.headers.get('idempotency-key');
    const canonical = canonicalJson(body);
    if (key) {
      const seen = idempotency.get(key);
      // A key whose job was forgotten starts afresh: there is no job left to answer with.
      const job = seen && at - seen.at < idempotencyWindowMs ? findJob(seen.jobId, at) : undefined;
      if (seen && job) {
        if (seen.body !== canonical) {
          return errorResponse(409, 'idempotency_key_reused', 'This Idempotency-Key was used with a different body');
        }
        stats.submits--;
        stats.replays++;
        return json(submitAnswer(job), 202, { 'idempotent-replayed': 'true' });
      }
    }
    const parsed = characterInputSchema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues;
      const unknown = issues.some((issue) => issue.code === 'unrecognized_keys');
      const first = issues[0]!;
      const message = unknown
        ? `Unknown field${(first.code === 'unrecognized_keys' && first.keys.length > 1) ? 's' : ''}: ${issues.flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys : [])).join(', ')}`
        : `Invalid input: ${formatIssuePath(first.path)}: ${first.message}`;
      return errorResponse(unknown ? 400 : 422, 'invalid_input', message, { fieldErrors: toFieldErrors(issues) });
    }
    const input = parsed.data;
    const unsafe = options.unsafePrompt;
    if (unsafe && (typeof unsafe === 'function' ? unsafe(input) : new RegExp(unsafe.source, unsafe.flags.replace('g', '')).test(input.prompt))) {
      const message = 'The prompt failed the safety check (simulated)';
      return errorResponse(422, 'invalid_input', message, { fieldErrors: { prompt: [message] } });
    }
    const cost = SIMULATOR_CREDIT_COSTS[input.rendering_speed ?? DEFAULT_PARAMETERS.rendering_speed];
    if (credits < cost) {
      return errorResponse(402, 'insufficient_credits', `Not enough credits: this job costs ${cost}, ${credits} left`);
    }
    const job = createJob(input, url.origin, at, cost);
    if (key) {
      for (const [oldKey, entry] of idempotency) {
        if (at - entry.at < idempotencyWindowMs) break;
        idempotency.delete(oldKey);
      }
      idempotency.delete(key);
      idempotency.set(key, { jobId: job.jobId, body: canonical, at });
    }
    return json(submitAnswer(job), 202);
  }

  function getJob(request: Request, jobId: string, at: number): Response {
    const unauthorized = checkAuth(request);
    if (unauthorized) return unauthorized;
    const job = findJob(jobId, at);
    if (!job) return errorResponse(404, 'not_found', 'No job with this id');
    if (at >= job.expiresAt) return errorResponse(410, 'expired', 'This job has expired');
    return json(wireJob(job, at), 200);
  }

  /**
   * The job's reference as a `data:` URI, when `readReference` gives bytes that may be embedded.
   * The last one is kept: a job's images (up to 8, often asked for at once) share one read.
   */
  function embeddedReference(url: string): Promise<string | undefined> {
    if (lastReference?.url !== url) {
      const uri = (async () => {
        try {
          const reference = await readReference!(url);
          return reference ? referenceDataUri(reference, maxReferenceBytes) : undefined;
        } catch {
          return undefined;
        }
      })();
      lastReference = { url, uri };
    }
    return lastReference.uri;
  }

  async function getImage(jobId: string, index: number, format: 'svg' | 'png', at: number): Promise<Response> {
    const job = findJob(jobId, at);
    if (!job) return errorResponse(404, 'not_found', 'No image here');
    if (at >= job.expiresAt) return errorResponse(410, 'expired', 'This image has expired');
    const count = job.input.numberOfImages ?? DEFAULT_PARAMETERS.numberOfImages;
    if (statusAt(job, at) !== 'completed' || index >= count) return errorResponse(404, 'not_found', 'No image here');
    const headers = {
      'cache-control': `private, max-age=${Math.max(0, Math.floor((job.expiresAt - at) / 1000))}`,
      'x-content-type-options': 'nosniff',
    };
    const cacheKey = `${jobId}/${index}.${format}`;
    let body = rendered.get(cacheKey);
    if (body === undefined) {
      const image = { jobId, index, count, input: job.input };
      body = format === 'png' ? renderPng(image) : renderSvg(image, readReference ? await embeddedReference(job.input.character_reference_image) : undefined);
      // Images never change, and pages ask for them again on every render: keep the latest few.
      // (Another request may have rendered it while this one read the reference: keep one copy.)
      const size = (item: string | Uint8Array) => (typeof item === 'string' ? item.length : item.byteLength);
      const earlier = rendered.get(cacheKey);
      if (earlier === undefined) {
        renderedChars += size(body);
        rendered.set(cacheKey, body);
      } else {
        body = earlier;
      }
      while (rendered.size > RENDER_CACHE_SIZE || (renderedChars > RENDER_CACHE_CHARS && rendered.size > 1)) {
        const [oldest, item] = rendered.entries().next().value!;
        rendered.delete(oldest);
        renderedChars -= size(item);
      }
    }
    if (typeof body !== 'string') return new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers: { ...headers, 'content-type': 'image/png' } });
    return new Response(body, {
      status: 200,
      headers: {
        ...headers,
        'content-type': 'image/svg+xml; charset=utf-8',
        // Opened directly, the SVG may show the reference image and inline styles, never run script.
        'content-security-policy': "default-src 'none'; img-src http: https: data:; style-src 'unsafe-inline'; sandbox",
      },
    });
  }

  async function answer(request: Request, url: URL, target: Route, at: number): Promise<Response> {
    switch (target.kind) {
      case 'submit':
        return submit(request, url, at);
      case 'job':
        return getJob(request, target.jobId, at);
      case 'image':
        return getImage(target.jobId, target.index, target.format, at);
      case 'method':
        return errorResponse(405, 'method_not_allowed', `Use ${target.allow}`, {}, { allow: target.allow });
      case 'none':
        return errorResponse(404, 'not_found', 'No such route');
    }
  }

  async function handle(request: Request): Promise<Response> {
    if (request.signal.aborted) throw abortReason(request.signal);
    stats.requests++;
    const at = now();
    if (at >= nextSweepAt) sweep(at);
    const url = new URL(request.url);
    const target = route(request.method, url.pathname);
    if (target.kind === 'submit') stats.submits++; // an idempotent replay moves itself to `replays`
    if (target.kind === 'job') stats.polls++;
    if (target.kind === 'image') stats.images++;

    // Every API request draws the same number of values, so faults depend only on the request order.
    let fault: 'drop' | 'rateLimit' | 'serverError' | undefined;
    let retryAfterSeconds = 1;
    let serverErrorStatus: 500 | 502 = 500;
    if (target.kind === 'submit' || target.kind === 'job') {
      const [drop, rateLimit, serverError, kind, retry] = [faultRng(), faultRng(), faultRng(), faultRng(), faultRng()];
      if (drop < rates.drop) fault = 'drop';
      else if (rateLimit < rates.rateLimit) fault = 'rateLimit';
      else if (serverError < rates.serverError) fault = 'serverError';
      retryAfterSeconds = 1 + Math.floor(retry * 5);
      serverErrorStatus = kind < 0.5 ? 500 : 502;
    }

    const latency = options.latencyMs;
    const wait = Array.isArray(latency) ? latency[0] + latencyRng() * (latency[1] - latency[0]) : ((latency as number | undefined) ?? 0);
    if (wait > 0) await delay(wait, request.signal);

    if (fault === 'drop' && dropAt === 'request') {
      stats.faults.dropped++;
      record(request, url.pathname, 'dropped', at);
      throw new SimulatedNetworkError();
    }

    let response: Response;
    if (fault === 'rateLimit') {
      stats.faults.rateLimited++;
      response = errorResponse(
        429,
        'rate_limited',
        'Too many requests (simulated)',
        { retryAfterMs: retryAfterSeconds * 1000 },
        { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(retryAfterSeconds) },
      );
    } else if (fault === 'serverError') {
      stats.faults.serverErrors++;
      response = htmlError(serverErrorStatus);
    } else {
      response = await answer(request, url, target, at);
    }

    if (fault === 'drop') {
      stats.faults.dropped++;
      record(request, url.pathname, 'dropped', at);
      throw new SimulatedNetworkError();
    }
    record(request, url.pathname, response.status, at);
    if (request.method === 'HEAD') return new Response(null, { status: response.status, headers: response.headers });
    return response;
  }

  const simulator = ((request: Request) => handle(request)) as Simulator;
  const baseOrigin = options.origin ?? defaultOrigin();
  const simulatedFetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    try {
      const request = input instanceof Request ? new Request(input, init) : new Request(new URL(String(input), baseOrigin), init);
      return handle(request);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  Object.defineProperties(simulator, {
    fetch: { value: simulatedFetch as typeof fetch, enumerable: true },
    stats: { get: () => stats, enumerable: true },
    log: { get: () => log.slice(-logLimit), enumerable: true },
    credits: {
      get: () => credits,
      set: (value: number) => {
        credits = value;
      },
      enumerable: true,
    },
    jobs: {
      value: (): Job[] => {
        const at = now();
        return [...jobs.values()].filter((job) => !isForgotten(job, at)).map((job) => normalizeJob(wireJob(job, at)));
      },
      enumerable: true,
    },
    reset: {
      value: () => {
        jobs = new Map();
        idempotency = new Map();
        rendered = new Map();
        renderedChars = 0;
        lastReference = undefined;
        credits = options.credits ?? 1000;
        jobCounter = 0;
        faultRng = mulberry32(mixSeed(seed, 0xfa017));
        latencyRng = mulberry32(mixSeed(seed, 0x1a7e));
        stats = freshStats();
        log = [];
        nextSweepAt = -Infinity;
      },
      enumerable: true,
    },
  });
  return simulator;
}
