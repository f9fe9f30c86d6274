import type { FieldErrors } from '../core/schemas.js';

/** The one error body the proxy answers with (see `errorBodySchema` in core). */
export interface ProxyErrorBody {
  error: {
    /** A stable code: the client's `CharacterApiError` codes where one fits. */
    code: string;
    /** A sentence for people; never carries the API key. */
    message: string;
    /** The HTTP status of this answer. */
    status: number;
    /** Messages per input field, for invalid input. */
    fieldErrors?: FieldErrors;
    /** How long to wait before trying again, in ms (also sent as `Retry-After`). */
    retryAfterMs?: number;
    /** The status the upstream answered with, when this error stands for an upstream failure. */
    upstreamStatus?: number;
  };
}

/** Headers every proxy answer carries: JSON is never sniffed or cached by intermediaries. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/**
 * The text of JSON responses the proxy made itself, so `toNodeHandler` can write it in one
 * `res.end()` instead of piping a web stream (a third of the proxy's cost on small answers).
 */
export const bufferedBodies = new WeakMap<Response, string>();

export function jsonResponse(body: unknown, status: number, headers?: HeadersInit, scrub?: (text: string) => string): Response {
  const raw = JSON.stringify(body);
  const text = scrub ? scrub(raw) : raw;
  const out = new Headers(headers);
  for (const [name, value] of Object.entries(BASE_HEADERS)) out.set(name, value);
  out.set('content-type', 'application/json; charset=utf-8');
  const response = new Response(text, { status, headers: out });
  bufferedBodies.set(response, text);
  return response;
}

export interface ErrorExtras {
  fieldErrors?: FieldErrors;
  retryAfterMs?: number;
  upstreamStatus?: number;
  headers?: HeadersInit;
}

export function errorResponse(status: number, code: string, message: string, extras: ErrorExtras = {}, scrub?: (text: string) => string): Response {
  const body: ProxyErrorBody = { error: { code, message, status } };
  if (extras.fieldErrors) body.error.fieldErrors = extras.fieldErrors;
  if (extras.retryAfterMs !== undefined) body.error.retryAfterMs = extras.retryAfterMs;
  if (extras.upstreamStatus !== undefined) body.error.upstreamStatus = extras.upstreamStatus;
  const headers = new Headers(extras.headers);
  if (extras.retryAfterMs !== undefined && !headers.has('retry-after')) {
    headers.set('retry-after', String(Math.max(0, Math.ceil(extras.retryAfterMs / 1000))));
  }
  return jsonResponse(body, status, headers, scrub);
}

/** 405 with the `Allow` header naming the one method the route takes. */
export function methodNotAllowed(allow: string): Response {
  return errorResponse(405, 'method_not_allowed', `This route only accepts ${allow}`, { headers: { allow } });
}

export function notFound(message = 'No such route'): Response {
  return errorResponse(404, 'not_found', message);
}

/**
 * Responses the proxy gives for paths outside its `basePath`. `toNodeHandler` hands these to
 * `next()` when there is one, so the proxy can be mounted app-wide in Express, Connect or Vite.
 */
export const passThroughResponses = new WeakSet<Response>();

/**
 * Requests `toNodeHandler` built for a `Host` it cannot read (see `requestHost` in node.ts), with
 * the reason: their URL carries `localhost` instead, and the proxy answers them 400 with that
 * reason on its own paths (paths outside `basePath` still go to `next()`).
 */
export const refusedHostRequests = new WeakMap<Request, string>();

/** A JSON answer the proxy made, not yet wrapped in a `Response`: what `toNodeHandler` writes directly. */
export interface PlainAnswer {
  status: number;
  /** Lower-case header name → value, the base headers and content type included. */
  headers: [string, string][];
  /** The JSON text, already scrubbed of the API key. */
  text: string;
}

/** Builds the `PlainAnswer` for a JSON body: the same headers and text `jsonResponse` would give. */
export function plainAnswer(body: unknown, status: number, headers: readonly [string, string][], scrub: (text: string) => string): PlainAnswer {
  const out: [string, string][] = [];
  for (const [name, value] of headers) out.push([name, scrub(value)]);
  for (const name in BASE_HEADERS) out.push([name, BASE_HEADERS[name]!]);
  out.push(['content-type', 'application/json; charset=utf-8']);
  return { status, headers: out, text: scrub(JSON.stringify(body)) };
}

/**
 * The proxy's `GET {basePath}/jobs/{id}` without `Request`/`Response` objects, for
 * `toNodeHandler`: it answers `undefined` when the request is not that route, and
 * `toNodeHandler` then goes the ordinary way. `toRequest` builds the `Request` the ordinary path
 * would have (called only when an `authorize`/`rateLimit` hook needs one). Keyed by the proxy's handler.
 */
export type NodeFastPath = (method: string, path: string, controller: AbortController, toRequest: () => Request) => Promise<PlainAnswer | Response> | undefined;
export const nodeFastPaths = new WeakMap<object, NodeFastPath>();

/**
 * How many requests `toNodeHandler` answered through a `NodeFastPath`. Not public (not exported
 * from the package): the server tests read it to prove the fast path is taken, since its answers
 * are by design indistinguishable from the ordinary path's.
 */
export const nodeFastPathStats = { answered: 0 };
