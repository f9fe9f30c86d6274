import { characterInputSchema, errorBodySchema, isHttpUrl, toFieldErrors } from '../core/schemas.js';
import { parseRetryAfter } from '../core/http.js';
import { BodyTooLargeError, mediaType, readBodyLimited } from './body.js';
import { fetchTransport, nodeTransport, type Transport, type UpstreamAnswer, type UpstreamCall } from './transport.js';
import { IdempotencyCache, type Outcome } from './idempotency.js';
import { sniffImage } from './image-header.js';
import { crossSiteReason, isUnsafeMethod, normaliseOrigins, publicOrigin } from './origin.js';
import { errorResponse, jsonResponse, methodNotAllowed, nodeFastPaths, notFound, passThroughResponses, plainAnswer, refusedHostRequests, type ErrorExtras, type NodeFastPath } from './respond.js';
import { storedName, type UploadStorage } from './storage.js';

/** Where the proxy writes warnings and errors; every line is scrubbed of the API key. */
export interface ProxyLogger {
  /** Something went wrong upstream but the proxy answered (5xx, timeout, non-JSON). */
  warn(message: string, data?: Record<string, unknown>): void;
  /** Something the app developer must fix (missing key, key refused, a hook threw). */
  error(message: string, data?: Record<string, unknown>): void;
}

/** What `rateLimit` answers to refuse a request. */
export interface RateLimitDecision {
  /** How long the client should wait, in ms (sent as `Retry-After`, rounded up to seconds). */
  retryAfterMs: number;
}

/** Reference uploads, answered at `POST {basePath}/uploads`. */
export interface ProxyUploadsOptions {
  /** Where the files go: `memoryStorage()`, `fileSystemStorage(…)` or your own. */
  storage: UploadStorage;
  /** The largest file accepted, in bytes. @default 10 * 1024 * 1024 (10 MB, the model's limit) */
  maxBytes?: number;
  /** The most pixels (width × height) an image may declare; more is refused as a decompression bomb. @default 50_000_000 */
  maxPixels?: number;
  /** The longest side an image may declare, in pixels. @default 16384 */
  maxSide?: number;
}

/** Options of `createCharacterProxy`. */
export interface CharacterProxyOptions {
  /** The PixelDojo API key. Read at request time so a key set after start-up works. @default process.env.PIXELDOJO_API_KEY */
  apiKey?: string;
  /** The upstream API root, without a trailing slash. @default 'https://pixeldojo.ai/api/v1' */
  upstreamUrl?: string;
  /** The path the proxy is mounted at, e.g. '/api/character'; requests outside it answer 404. @default '' */
  basePath?: string;
  /** Decide whether a request may use the proxy: `false` answers 401, a `Response` is sent as it is. @default every request is allowed */
  authorize?: (request: Request) => boolean | Response | Promise<boolean | Response>;
  /**
   * Sites, besides the proxy's own origin, whose pages may POST to it, e.g. `['https://admin.example']`.
   * A POST (any method but GET/HEAD/OPTIONS) whose `Origin` is neither answers 403 `forbidden`
   * before anything is read or stored, and so does one without `Origin` that the browser marked
   * `Sec-Fetch-Site: cross-site`; requests with neither header (curl, server-to-server) pass.
   * `Origin: null` passes only with `Sec-Fetch-Site: same-origin` (your own page under
   * `Referrer-Policy: no-referrer`; sandboxed or `file:` pages are marked cross-site).
   * Why: a multipart upload needs no CORS preflight, so without this any site could make a
   * visitor's browser upload to your storage. A page on `https://` may post to the same host
   * reached over `http://` (TLS ended in front of the proxy with the Host header kept).
   * @default [] (the proxy's own origin only)
   */
  allowedOrigins?: string[];
  /**
   * Take the public scheme and host from `X-Forwarded-Proto` and `X-Forwarded-Host` (first
   * value of each), for a proxy behind a TLS-terminating reverse proxy or load balancer: upload
   * URLs built from the request origin then read `https://app.example/…` instead of
   * `http://…`, and the `allowedOrigins` check compares against that public origin. Turn it on
   * only when a proxy you run sets (overwrites) both headers; otherwise any client picks them.
   * A value that is not a valid scheme or host (`a.example:99999`) is ignored: the request's own is used.
   * For one fixed address, giving the storage a `publicUrl` does the same for upload URLs.
   * @default false (the origin the request arrived at)
   */
  trustProxy?: boolean;
  /** A per-client rate limit: return `{ retryAfterMs }` to answer 429, `null` to let the request through. @default no limit */
  rateLimit?: (request: Request) => RateLimitDecision | null | undefined | Promise<RateLimitDecision | null | undefined>;
  /** Enables `POST {basePath}/uploads`; `false` (as the Vite plugin takes it) is the same as leaving it out. @default undefined (the route answers 404) */
  uploads?: ProxyUploadsOptions | false;
  /** A fetch-standard function for upstream requests (the simulator, or a fetch for another runtime). @default node:http(s) with keep-alive */
  fetch?: (request: Request) => Promise<Response>;
  /** How long an upstream request may take before the proxy answers 504, in ms. @default 30_000 */
  timeoutMs?: number;
  /** The largest JSON body accepted on submit, in bytes. @default 65_536 */
  maxBodyBytes?: number;
  /** How long a submit's `Idempotency-Key` is remembered, in ms. @default 600_000 (10 minutes) */
  idempotencyTtlMs?: number;
  /** The most idempotency keys remembered at once; the oldest are forgotten first. @default 10_000 */
  idempotencyMaxEntries?: number;
  /** A namespace for idempotency keys per caller (e.g. the user id), so two callers' keys never meet. @default () => '' */
  idempotencyScope?: (request: Request) => string | Promise<string>;
  /** Where warnings and errors go. @default undefined (nothing is logged) */
  logger?: ProxyLogger;
}

/** A fetch-standard request handler: `(request) => Promise<Response>`. */
export type FetchHandler = (request: Request) => Promise<Response>;

const MODEL_ROUTE = '/models/ideogram-character/run';
/** The job ids the proxy forwards; anything else is never sent upstream. */
export const JOB_ID_PATTERN = /^job_[A-Za-z0-9_-]{1,128}$/;
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const STORED_FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
const MAX_UPSTREAM_BODY = 1024 * 1024;
const MULTIPART_OVERHEAD = 64 * 1024;
/** Upstream response headers a browser may see. */
const SAFE_HEADER = /^(retry-after|x-ratelimit-[a-z-]+|ratelimit|ratelimit-[a-z-]+)$/;

/** Thrown inside the proxy to answer early with a given response. */
class Answer {
  constructor(readonly response: Response) {}
}

/** The abort reason the proxy uses when its own upstream timeout fires. */
class UpstreamTimeout extends Error {
  override readonly name = 'UpstreamTimeout';
}

function trimTrailingSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

function normaliseBasePath(value: string | undefined): string {
  const trimmed = trimTrailingSlash(value ?? '');
  if (trimmed && !trimmed.startsWith('/')) throw new TypeError(`basePath must start with "/" (got "${value}")`);
  return trimmed;
}

function makeScrubber(apiKey: string | undefined): (text: string) => string {
  if (!apiKey || apiKey.length < 8) return (text) => text;
  return (text) => (text.includes(apiKey) ? text.split(apiKey).join('[redacted]') : text);
}

function scrubDeep(value: unknown, scrub: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, scrub, depth + 1));
  if (value instanceof Error) return { name: value.name, message: scrub(value.message) };
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrubDeep(item, scrub, depth + 1);
  return out;
}

function truncate(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function outcome(status: number, body: unknown, headers: [string, string][] = []): Outcome {
  return { status, body, headers };
}

function errorOutcome(status: number, code: string, message: string, extras: Omit<ErrorExtras, 'headers'> = {}, headers: [string, string][] = []): Outcome {
  const error: Record<string, unknown> = { code, message, status };
  if (extras.fieldErrors) error.fieldErrors = extras.fieldErrors;
  if (extras.retryAfterMs !== undefined) error.retryAfterMs = extras.retryAfterMs;
  if (extras.upstreamStatus !== undefined) error.upstreamStatus = extras.upstreamStatus;
  const out = [...headers];
  if (extras.retryAfterMs !== undefined && !out.some(([name]) => name === 'retry-after')) {
    out.push(['retry-after', String(Math.max(0, Math.ceil(extras.retryAfterMs / 1000)))]);
  }
  return outcome(status, { error }, out);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sanitiseFieldErrors(value: unknown, scrub: (text: string) => string): Record<string, string[]> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(value)) {
    if (!Array.isArray(messages)) continue;
    const strings = messages.filter((m): m is string => typeof m === 'string').map((m) => truncate(scrub(m)));
    if (strings.length) out[truncate(field, 100)] = strings;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * The server half of the library: a fetch-standard handler that answers the three routes of
 * the proxy contract, adds the PixelDojo key, and forwards nothing else. POSTs from pages of
 * other sites answer 403 unless their origin is in `allowedOrigins`. Mount it in any
 * framework that speaks `Request`/`Response` (Next.js, Hono, Remix, Bun, Deno), or in Node
 * through `toNodeHandler`.
 *
 * @example
 * // app/api/character/[...path]/route.ts (Next.js)
 * const proxy = createCharacterProxy({ basePath: '/api/character' });
 * export const GET = proxy;
 * export const POST = proxy;
 */
export function createCharacterProxy(options: CharacterProxyOptions = {}): FetchHandler {
  const basePath = normaliseBasePath(options.basePath);
  const upstreamUrl = trimTrailingSlash(options.upstreamUrl ?? 'https://pixeldojo.ai/api/v1');
  if (!isHttpUrl(upstreamUrl)) throw new TypeError('upstreamUrl must be an http:// or https:// URL');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const uploads = options.uploads || undefined;
  const maxUploadBytes = uploads?.maxBytes ?? 10 * 1024 * 1024;
  const maxPixels = uploads?.maxPixels ?? 50_000_000;
  const maxSide = uploads?.maxSide ?? 16_384;
  const servePath = uploads?.storage.read ? trimTrailingSlash(uploads.storage.publicPath ?? `${basePath}/uploads`) : undefined;
  const allowedOrigins = normaliseOrigins(options.allowedOrigins);
  const trustProxy = options.trustProxy ?? false;
  const idempotency = new IdempotencyCache(options.idempotencyTtlMs ?? 600_000, options.idempotencyMaxEntries ?? 10_000);
  const logger = options.logger;

  const currentKey = (): string | undefined => options.apiKey ?? process.env.PIXELDOJO_API_KEY ?? undefined;

  function log(level: 'warn' | 'error', message: string, data?: Record<string, unknown>) {
    if (!logger) return;
    const scrub = makeScrubber(currentKey());
    try {
      logger[level](scrub(message), data === undefined ? undefined : (scrubDeep(data, scrub) as Record<string, unknown>));
    } catch {
      // A failing logger must not break the request.
    }
  }

  function toResponse(result: Outcome, scrub: (text: string) => string): Response {
    const headers = new Headers();
    for (const [name, value] of result.headers) headers.append(name, scrub(value));
    return jsonResponse(result.body, result.status, headers, scrub);
  }

  async function runHooks(request: Request): Promise<void> {
    if (options.authorize) {
      let verdict: boolean | Response;
      try {
        verdict = await options.authorize(request);
      } catch (error) {
        log('error', 'authorize() threw', { error });
        throw new Answer(errorResponse(500, 'internal', 'The request could not be authorized'));
      }
      if (verdict instanceof Response) throw new Answer(verdict);
      if (verdict !== true) throw new Answer(errorResponse(401, 'unauthorized', 'Not allowed to use this endpoint'));
    }
    if (options.rateLimit) {
      let decision: RateLimitDecision | null | undefined;
      try {
        decision = await options.rateLimit(request);
      } catch (error) {
        log('error', 'rateLimit() threw', { error });
        throw new Answer(errorResponse(500, 'internal', 'The request could not be checked'));
      }
      if (decision) {
        const retryAfterMs = Math.max(0, Math.ceil(decision.retryAfterMs));
        throw new Answer(errorResponse(429, 'rate_limited', 'Too many requests; try again later', { retryAfterMs }));
      }
    }
  }

  function requireKey(): string {
    const key = currentKey();
    if (!key || /[\r\n\0]/.test(key)) {
      log('error', 'No usable PixelDojo API key: set PIXELDOJO_API_KEY or pass apiKey to createCharacterProxy()');
      throw new Answer(errorResponse(500, 'misconfigured', 'The generation service is not configured'));
    }
    return key;
  }

  const transport: Transport = options.fetch ? fetchTransport(options.fetch) : nodeTransport;

  /** Send one request upstream and turn whatever comes back into an Outcome in the one shape. */
  async function callUpstream(what: 'submit' | 'job', url: string, call: UpstreamCall, key: string, signal: AbortSignal, own?: AbortController): Promise<Outcome> {
    // `own`: a controller this request alone uses (the Node fast path's), aborted here on timeout;
    // otherwise one more controller that follows the caller's signal.
    const controller = own ?? new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    if (!own) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    const timer = setTimeout(() => controller.abort(new UpstreamTimeout('timeout')), timeoutMs);
    try {
      const headers = { ...call.headers, authorization: `Bearer ${key}`, accept: 'application/json' };
      const answer = await transport(url, { ...call, headers }, controller.signal, MAX_UPSTREAM_BODY);
      return interpret(what, answer, makeScrubber(key));
    } catch (error) {
      if (controller.signal.reason instanceof UpstreamTimeout) {
        log('warn', `The upstream did not answer the ${what} within ${timeoutMs} ms`);
        return errorOutcome(504, 'timeout', 'The generation service took too long to answer');
      }
      if (signal.aborted) return errorOutcome(499, 'aborted', 'The request was canceled');
      if (error instanceof BodyTooLargeError) {
        log('warn', `The upstream ${what} answer was larger than ${MAX_UPSTREAM_BODY} bytes`);
        return errorOutcome(502, 'invalid_response', 'The generation service answered with something unexpected');
      }
      log('warn', `The upstream ${what} request failed`, { error });
      return errorOutcome(502, 'upstream', 'Could not reach the generation service');
    } finally {
      clearTimeout(timer);
      if (!own) signal.removeEventListener('abort', onAbort);
    }
  }

  function interpret(what: 'submit' | 'job', answer: UpstreamAnswer, scrub: (text: string) => string): Outcome {
    const upstreamStatus = answer.status;
    const headers: [string, string][] = [];
    for (const [name, value] of answer.headers) if (SAFE_HEADER.test(name)) headers.push([name, value]);
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      log('warn', `The upstream answered the ${what} with ${upstreamStatus} and a body that is not JSON`);
      return errorOutcome(502, 'upstream', `The generation service answered ${upstreamStatus} with a body that is not JSON`, { upstreamStatus }, headers);
    }
    if (upstreamStatus >= 200 && upstreamStatus <= 299) {
      if (!isRecord(body) || typeof body.jobId !== 'string' || !JOB_ID_PATTERN.test(body.jobId)) {
        log('warn', `The upstream ${what} answer has no usable jobId`);
        return errorOutcome(502, 'invalid_response', 'The generation service answered with something unexpected', { upstreamStatus });
      }
      const job: Record<string, unknown> = { ...body };
      // The client never follows statusUrl, but anything that does must reach this proxy, not the upstream.
      if ('statusUrl' in job || what === 'submit') job.statusUrl = `${basePath}/jobs/${body.jobId}`;
      // Scrubbed when serialised (toResponse), like every other answer.
      return outcome(upstreamStatus, job, headers);
    }
    return upstreamError(what, upstreamStatus, body, headers, answer, scrub);
  }

  function upstreamError(what: string, upstreamStatus: number, body: unknown, headers: [string, string][], answer: UpstreamAnswer, scrub: (text: string) => string): Outcome {
    const parsed = errorBodySchema.safeParse(body);
    const error = parsed.success ? parsed.data.error : undefined;
    const upstreamMessage = typeof error === 'string' ? error : error?.message;
    const message = upstreamMessage ? truncate(scrub(upstreamMessage)) : undefined;
    const fieldErrors = typeof error === 'object' ? sanitiseFieldErrors(error.fieldErrors, scrub) : undefined;
    const retryAfterMs =
      parseRetryAfter(answer.headers.get('retry-after')) ?? (typeof error === 'object' && typeof error.retryAfterMs === 'number' ? error.retryAfterMs : undefined);
    switch (upstreamStatus) {
      case 400:
      case 422:
        return errorOutcome(upstreamStatus, 'invalid_input', message ?? 'The input was refused', { fieldErrors }, headers);
      case 401:
        log('error', `The upstream refused the proxy's API key (${what}); check PIXELDOJO_API_KEY`);
        return errorOutcome(502, 'upstream', 'The generation service refused the server credentials', { upstreamStatus }, headers);
      case 402:
      case 403:
        return errorOutcome(upstreamStatus, 'insufficient_credits', message ?? 'Not enough credits', {}, headers);
      case 409:
        return errorOutcome(409, 'invalid_input', message ?? 'The request conflicts with an earlier one', {}, headers);
      case 404:
        return errorOutcome(404, 'not_found', message ?? 'No such job', {}, headers);
      case 410:
        return errorOutcome(410, 'expired', message ?? 'The job has expired', {}, headers);
      case 429:
        return errorOutcome(429, 'rate_limited', message ?? 'Too many requests; try again later', { retryAfterMs }, headers);
      case 408:
      case 504:
        log('warn', `The upstream answered the ${what} with ${upstreamStatus}`);
        return errorOutcome(504, 'timeout', 'The generation service took too long to answer', { upstreamStatus, retryAfterMs }, headers);
      default:
        log('warn', `The upstream answered the ${what} with ${upstreamStatus}`, message ? { message } : undefined);
        return errorOutcome(502, 'upstream', upstreamStatus >= 500 ? 'The generation service failed; try again' : (message ?? 'The generation service refused the request'), { upstreamStatus, retryAfterMs }, headers);
    }
  }

  async function submit(request: Request): Promise<Response> {
    await runHooks(request);
    const key = requireKey();
    const scrub = makeScrubber(key);
    if (mediaType(request.headers.get('content-type')) !== 'application/json') {
      return errorResponse(415, 'unsupported_media_type', 'Send the parameters as application/json');
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBodyLimited(request, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return errorResponse(413, 'payload_too_large', `The body must be at most ${maxBodyBytes} bytes`);
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      return errorResponse(400, 'invalid_input', 'The body is not valid JSON');
    }
    const parsed = characterInputSchema.safeParse(json);
    if (!parsed.success) {
      const unknownField = parsed.error.issues.some((issue) => issue.code === 'unrecognized_keys');
      return errorResponse(unknownField ? 400 : 422, 'invalid_input', 'Some parameters are invalid', {
        fieldErrors: toFieldErrors(parsed.error.issues as Parameters<typeof toFieldErrors>[0]),
      }, scrub);
    }
    // Forward the validated object, re-serialised: no duplicate keys or other parser games reach upstream.
    const body = JSON.stringify(parsed.data);
    const idempotencyKey = request.headers.get('idempotency-key');
    if (idempotencyKey !== null && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      return errorResponse(400, 'invalid_input', 'Idempotency-Key must be 1–255 visible ASCII characters');
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const url = `${upstreamUrl}${MODEL_ROUTE}`;
    if (!idempotencyKey) {
      return toResponse(await callUpstream('submit', url, { method: 'POST', headers, body }, key, request.signal), scrub);
    }
    const scope = options.idempotencyScope ? await options.idempotencyScope(request) : '';
    const cacheKey = `${scope.length}:${scope}:${idempotencyKey}`;
    let entry = idempotency.get(cacheKey);
    if (entry && entry.fingerprint !== body) {
      return errorResponse(409, 'invalid_input', 'This Idempotency-Key was already used with other parameters');
    }
    entry ??= idempotency.start(cacheKey, body, (signal) => callUpstream('submit', url, { method: 'POST', headers, body }, key, signal));
    return toResponse(await idempotency.join(entry, request.signal), scrub);
  }

  async function getJob(request: Request, jobId: string): Promise<Response> {
    await runHooks(request);
    const key = requireKey();
    const result = await callUpstream('job', `${upstreamUrl}/jobs/${jobId}`, { method: 'GET', headers: {} }, key, request.signal);
    return toResponse(result, makeScrubber(key));
  }

  /**
   * `GET {basePath}/jobs/{id}` for `toNodeHandler`, with no `Response` built: the same checks,
   * hooks and answer as `route` → `getJob`. A `Request` is built only for the hooks, when there
   * are any. `undefined` sends everything else the ordinary way, and so a path under the stored
   * files' `publicPath` (which `route` serves before anything else), should that overlap.
   */
  const fastGetJob: NodeFastPath = (method, path, controller, toRequest) => {
    if (method !== 'GET') return undefined;
    if (servePath !== undefined && path.startsWith(`${servePath}/`)) return undefined;
    const prefix = `${basePath}/jobs/`;
    if (!path.startsWith(prefix)) return undefined;
    const jobId = path.slice(prefix.length);
    if (!JOB_ID_PATTERN.test(jobId)) return undefined;
    return (async () => {
      const hooked = Boolean(options.authorize || options.rateLimit);
      // toNodeHandler sends a Host it cannot read the ordinary way (400 from route), never here.
      // Built outside the try all the same: a Request that cannot be built rejects to
      // toNodeHandler, which answers 500 without logging "The character proxy failed".
      const request = hooked ? toRequest() : undefined;
      try {
        if (request) await runHooks(request);
        const key = requireKey();
        // `controller` is this request's alone, so the upstream call may abort it on timeout, unless
        // a hook was handed a Request following it: that Request's signal must not fire on an
        // upstream timeout, just as on the ordinary path.
        const result = await callUpstream('job', `${upstreamUrl}/jobs/${jobId}`, { method: 'GET', headers: {} }, key, controller.signal, hooked ? undefined : controller);
        return plainAnswer(result.body, result.status, result.headers, makeScrubber(key));
      } catch (error) {
        return failure(error);
      }
    })();
  };

  async function upload(request: Request, storage: UploadStorage): Promise<Response> {
    await runHooks(request);
    const contentType = request.headers.get('content-type');
    if (mediaType(contentType) !== 'multipart/form-data') {
      return errorResponse(415, 'unsupported_media_type', 'Send the image as multipart/form-data with one "file" field');
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBodyLimited(request, maxUploadBytes + MULTIPART_OVERHEAD);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return errorResponse(413, 'payload_too_large', `The image must be at most ${maxUploadBytes} bytes`);
      throw error;
    }
    let form: FormData;
    try {
      form = await new Response(bytes as BodyInit, { headers: { 'content-type': contentType! } }).formData();
    } catch {
      return errorResponse(400, 'invalid_input', 'The multipart body could not be read');
    }
    const entries = [...form.entries()];
    const file = form.get('file');
    if (entries.length !== 1 || !(file instanceof Blob)) {
      return errorResponse(400, 'invalid_input', 'Send exactly one field, "file", holding the image', { fieldErrors: { file: ['Choose one image file'] } });
    }
    if (file.size > maxUploadBytes) return errorResponse(413, 'payload_too_large', `The image must be at most ${maxUploadBytes} bytes`);
    const data = new Uint8Array(await file.arrayBuffer());
    const info = sniffImage(data);
    if (!info) {
      return errorResponse(415, 'unsupported_media_type', 'Only JPEG, PNG and WebP images are accepted', { fieldErrors: { file: ['Choose a JPEG, PNG or WebP image'] } });
    }
    const { width, height } = info;
    if (!width || !height) {
      return errorResponse(422, 'invalid_input', 'The image size could not be read', { fieldErrors: { file: ['This image looks damaged'] } });
    }
    if (width > maxSide || height > maxSide || width * height > maxPixels) {
      return errorResponse(422, 'invalid_input', `The image is too large (${width}×${height})`, {
        fieldErrors: { file: [`Images may be at most ${maxSide} pixels a side and ${Math.round(maxPixels / 1e6)} megapixels`] },
      });
    }
    const origin = publicOrigin(request, trustProxy).origin;
    let stored: { url: string; expiresAt?: string };
    try {
      stored = await storage.put(data, { contentType: info.contentType, baseUrl: `${origin}${basePath}/uploads` });
    } catch (error) {
      log('error', 'Upload storage failed', { error });
      return errorResponse(500, 'internal', 'The image could not be stored');
    }
    const answer: { url: string; expiresAt?: string } = { url: stored.url };
    if (stored.expiresAt) answer.expiresAt = stored.expiresAt;
    return jsonResponse(answer, 201);
  }

  /** `GET {servePath}/{name}`; `name` is `undefined` for a path more than one segment below. */
  async function serveStored(request: Request, storage: UploadStorage, name: string | undefined): Promise<Response> {
    if (request.method !== 'GET') return methodNotAllowed('GET');
    if (name === undefined || !STORED_FILE_NAME.test(name) || name.includes('..')) return notFound('No such file');
    const file = await storage.read!(name);
    if (!file) return notFound('No such file');
    return new Response(file.bytes as BodyInit, {
      status: 200,
      headers: {
        'content-type': file.contentType,
        'content-length': String(file.bytes.byteLength),
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        'content-disposition': 'inline',
        'cache-control': 'private, max-age=600',
        'cross-origin-resource-policy': 'cross-origin',
      },
    });
  }

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const method = request.method;
    const stored = uploads && servePath !== undefined && path.startsWith(`${servePath}/`);
    if (!stored && path !== basePath && !path.startsWith(`${basePath}/`)) {
      const response = notFound();
      passThroughResponses.add(response);
      return response;
    }
    // A Host toNodeHandler could not read (malformed, repeated, missing on HTTP/1.1) is the
    // client's fault: 400, nothing logged, and never an answer built on a stand-in host.
    const refusedHost = refusedHostRequests.get(request);
    if (refusedHost !== undefined) return errorResponse(400, 'bad_request', refusedHost);
    if (stored) return serveStored(request, uploads!.storage, storedName(path, servePath));
    if (isUnsafeMethod(method)) {
      const own = publicOrigin(request, trustProxy);
      const refused = crossSiteReason(request, own, allowedOrigins);
      if (refused) {
        log('warn', `Refused a cross-site ${method} ${path} (${refused}): not the proxy's own origin (${own.origin}) nor in allowedOrigins. If that page is yours, list its origin in allowedOrigins (behind a reverse proxy that sets X-Forwarded-Host, set trustProxy)`);
        return errorResponse(403, 'forbidden', 'Requests from other sites are not allowed');
      }
    }
    const rest = path.slice(basePath.length);
    if (rest === MODEL_ROUTE) return method === 'POST' ? submit(request) : methodNotAllowed('POST');
    const job = /^\/jobs\/([^/]+)$/.exec(rest);
    if (job && JOB_ID_PATTERN.test(job[1]!)) return method === 'GET' ? getJob(request, job[1]!) : methodNotAllowed('GET');
    if (job) return notFound('No such job');
    if (rest === '/uploads' && uploads) return method === 'POST' ? upload(request, uploads.storage) : methodNotAllowed('POST');
    return notFound();
  }

  /** The answer to anything a route threw: an early `Answer` (hooks, missing key) or a 500. */
  function failure(error: unknown): Response {
    if (error instanceof Answer) return error.response;
    log('error', 'The character proxy failed', { error });
    return errorResponse(500, 'internal', 'Something went wrong');
  }

  const characterProxy = async function characterProxy(request: Request): Promise<Response> {
    try {
      return await route(request);
    } catch (error) {
      return failure(error);
    }
  };
  nodeFastPaths.set(characterProxy, fastGetJob);
  return characterProxy;
}
