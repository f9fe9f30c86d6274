import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { HOST } from './origin.js';
import type { FetchHandler } from './proxy.js';
import { bufferedBodies, errorResponse, nodeFastPathStats, nodeFastPaths, passThroughResponses, refusedHostRequests, type PlainAnswer } from './respond.js';

/**
 * A `node:http` request listener that is also Express and Connect middleware, and a
 * `node:http2` compat-API listener (`http2.createServer`, `http2.createSecureServer`).
 */
export type NodeHandler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * Request targets no route of ours ever has: dot segments, backslashes, encoded dots, slashes,
 * backslashes, percent signs or NULs (a double-encoded `%252e` starts with `%25`), control
 * characters and spaces. Refused before a `Request` is built, because the URL parser would
 * quietly resolve them into some other path.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const UNSAFE_PATH = /(^|\/)\.{1,2}(\/|$)|\\|%(2e|2f|5c|25|00)|[\x00-\x20\x7f]/i;

function badTarget(): Response {
  return errorResponse(400, 'bad_request', 'The request target is not allowed');
}

/** The request target and its path, or `undefined` when the target must be refused. */
function safeTarget(req: IncomingMessage): { target: string; path: string } | undefined {
  // Express and Connect strip the mount path from req.url and keep the full one in originalUrl.
  const target = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  // Absolute-form (`GET http://other.host/… HTTP/1.1`) and `*` targets are not ours to answer.
  if (!target.startsWith('/')) return undefined;
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  if (UNSAFE_PATH.test(path)) return undefined;
  return { target, path };
}

/** The last Host the URL parser took, so a run of requests to one host parses it once. */
let lastParsedHost = 'localhost';

/** Why a request's Host cannot be read: the proxy answers it 400 `bad_request` with this message. */
export interface RefusedHost {
  readonly refused: string;
}

const NOT_A_HOST: RefusedHost = { refused: 'The Host header is not a valid host name' };
const NO_HOST: RefusedHost = { refused: 'The request has no Host header' };
const TWO_HOSTS: RefusedHost = { refused: 'The request has more than one Host header' };
const HOST_NOT_AUTHORITY: RefusedHost = { refused: 'The Host header differs from the :authority' };

/** Whether the raw header list names Host more than once (Node keeps only the first in `headers`). */
function repeatsHost(raw: readonly string[]): boolean {
  let seen = false;
  for (let at = 0; at < raw.length; at += 2) {
    const name = raw[at]!;
    if (name.length === 4 && name.toLowerCase() === 'host') {
      if (seen) return true;
      seen = true;
    }
  }
  return false;
}

/**
 * The host an HTTP/2 request names (`http2.createServer`/`createSecureServer` with the compat
 * API, as Vite's dev server with `server.https`): its `:authority`, or a `host` header when it
 * has no `:authority` (RFC 9113 §8.3.1 allows either). Both, naming different hosts, is refused
 * as §8.3.1 advises, and so is neither (nghttp2 resets such a stream before Node sees it).
 */
function http2Host(req: IncomingMessage): string | RefusedHost {
  const authority = req.headers[':authority'];
  const host = req.headers.host;
  if (authority === undefined) return host ?? NO_HOST;
  if (typeof authority !== 'string') return TWO_HOSTS;
  if (host !== undefined && host.toLowerCase() !== authority.toLowerCase()) return HOST_NOT_AUTHORITY;
  return authority;
}

/**
 * The one reader of a request's Host (the origin every proxy URL is built on; `publicOrigin`
 * reads it back from the request URL). On HTTP/1.x the Host header, on HTTP/2 the `:authority`
 * (see `http2Host`), when there is exactly one, it matches `HOST` and the URL parser takes it.
 * `localhost` for an HTTP/1.0 request without one, as HTTP/1.0 has no Host. Otherwise a
 * `RefusedHost`: a Host that is no host name (`bad host`, `a.example:99999`, empty), one the URL
 * parser refuses (`[1]`, `xn--a`), two of them, or none on HTTP/1.1 (which Node itself refuses
 * unless `requireHostHeader` is off) or HTTP/2.
 */
function requestHost(req: IncomingMessage): string | RefusedHost {
  let header: string | RefusedHost | undefined;
  if (req.httpVersionMajor === 2) {
    header = http2Host(req);
    if (typeof header !== 'string') return header;
  } else {
    header = req.headers.host;
    if (header === undefined) return req.httpVersionMajor === 1 && req.httpVersionMinor >= 1 ? NO_HOST : 'localhost';
  }
  if (repeatsHost(req.rawHeaders)) return TWO_HOSTS;
  if (header === lastParsedHost) return header;
  if (!HOST.test(header) || !URL.canParse(`http://${header}/`)) return NOT_A_HOST;
  lastParsedHost = header;
  return header;
}

/**
 * Build a fetch `Request` from a Node request and its (safe) target. A refused `host` builds it
 * for `localhost` and records why in `refusedHostRequests`, so the proxy can answer 400 on its
 * own paths and still hand other paths to `next()`.
 */
function toRequest(req: IncomingMessage, target: string, signal: AbortSignal, host: string | RefusedHost): Request {
  const protocol = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const url = `${protocol}://${typeof host === 'string' ? host : 'localhost'}${target}`;

  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (method !== 'GET' && method !== 'HEAD') {
    const parsed = (req as IncomingMessage & { body?: unknown }).body;
    if (req.readableEnded && parsed !== undefined) {
      // A body parser ran first: use what it kept (mount the proxy before body parsers instead).
      init.body = typeof parsed === 'string' || parsed instanceof Uint8Array ? (parsed as BodyInit) : JSON.stringify(parsed);
      headers.delete('content-length');
    } else {
      init.body = lazyBody(req);
      init.duplex = 'half';
    }
  }
  const request = new Request(url, init);
  if (typeof host !== 'string') refusedHostRequests.set(request, host.refused);
  return request;
}

/**
 * The request body as a web stream that reads nothing until the handler reads it: a request
 * the handler passes on (`next()`) or refuses early keeps its body for whoever comes next.
 */
function lazyBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Buffer | string> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= req[Symbol.asyncIterator]();
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
    },
    { highWaterMark: 0 },
  );
}

/** Write an answer the proxy built without a `Response` (its JSON text is already final). */
function sendPlain(answer: PlainAnswer, req: IncomingMessage, res: ServerResponse): void {
  // One writeHead with a flat [name, value, …] list: cheaper than a setHeader per header.
  const flat: string[] = [];
  for (const [name, value] of answer.headers) flat.push(name, value);
  const head = req.method === 'HEAD';
  if (!head) flat.push('content-length', String(Buffer.byteLength(answer.text)));
  res.writeHead(answer.status, flat);
  res.end(head ? undefined : answer.text);
}

async function send(response: Response, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader('set-cookie', cookies);
  if (!response.body || req.method === 'HEAD') {
    res.end();
    return;
  }
  const text = bufferedBodies.get(response);
  if (text !== undefined && !response.bodyUsed) {
    res.setHeader('content-length', Buffer.byteLength(text));
    res.end(text);
    return;
  }
  // A plain read/write loop with back-pressure: cheaper than stream.pipeline per response.
  const reader = response.body.getReader();
  const onClose = () => void reader.cancel().catch(() => undefined);
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) await new Promise<void>((resolve) => {
        const go = () => {
          res.off('drain', go);
          res.off('close', go);
          resolve();
        };
        res.on('drain', go);
        res.on('close', go);
      });
    }
    res.end();
  } finally {
    res.off('close', onClose);
  }
}

function isDropConnection(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { dropConnection?: unknown }).dropConnection === true;
}

/**
 * Run a fetch-standard handler (the proxy, or the simulator) in `node:http`, Express or
 * Connect. The request body is streamed, the `Request` carries an `AbortSignal` that fires
 * when the client disconnects, and the `Response` is streamed back. Unsafe request targets
 * (dot segments and encoded separators in any encoding, absolute-form URLs) answer 400. So does,
 * from the proxy on its own paths, a `Host` it cannot read: no host name (`bad host`,
 * `a.example:99999`, empty), one the URL parser refuses (`[1]`), two Host headers, or none on
 * HTTP/1.1; an HTTP/1.0 request without Host is read as `localhost`. Under `node:http2`'s
 * compat API (`http2.createServer(toNodeHandler(proxy))`, or `createSecureServer`, as Vite's
 * dev server with `server.https`) the host is the request's `:authority`, checked the same way.
 * With `next` (Express, Connect, Vite), requests outside the proxy's `basePath` go on to the
 * next middleware. A handler error with `dropConnection: true` closes the socket without an
 * answer (the simulator's dropped connection); any other error answers 500 JSON. For a proxy
 * from `createCharacterProxy`, `GET {basePath}/jobs/{id}` skips the `Request`/`Response` objects
 * (same checks, hooks and answer, less CPU per poll); a `Request` is built only for the
 * `authorize`/`rateLimit` hooks when there are any.
 *
 * @example
 * const proxy = createCharacterProxy({ basePath: '/api/character' });
 * http.createServer(toNodeHandler(proxy)).listen(3000);
 * // or: http2.createSecureServer({ key, cert, allowHTTP1: true }, toNodeHandler(proxy))
 * // or: app.use(toNodeHandler(proxy)) in Express, before any body parser
 */
export function toNodeHandler(handler: FetchHandler): NodeHandler {
  const fastPath = nodeFastPaths.get(handler);
  return (incoming, outgoing, next) => {
    // node:http2's compat request and response have every member used here (test/server/
    // http2.test.ts runs this handler over h2c and in Vite's https server); only the
    // pseudo-headers, the Host and the Connection header differ, handled below.
    const req = incoming as IncomingMessage;
    const res = outgoing as ServerResponse;
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort(new Error('The client disconnected'));
    });
    const run = async () => {
      const safe = safeTarget(req);
      if (!safe) {
        await send(badTarget(), req, res);
        return;
      }
      const host = requestHost(req);
      // The proxy's status poll skips Request/Response objects (most of its cost per request);
      // a Request is built only for an authorize/rateLimit hook, the same one as below. A refused
      // Host goes the ordinary way, where the proxy answers it 400.
      const fast = typeof host !== 'string' ? undefined : fastPath?.(req.method ?? 'GET', safe.path, controller, () => toRequest(req, safe.target, controller.signal, host));
      if (fast) {
        nodeFastPathStats.answered++;
        const answer = await fast;
        if (answer instanceof Response) await send(answer, req, res);
        else sendPlain(answer, req, res);
        return;
      }
      const request = toRequest(req, safe.target, controller.signal, host);
      const response = await handler(request);
      if (next && passThroughResponses.has(response)) {
        await response.body?.cancel();
        next();
        return;
      }
      // A body the handler did not read (413, 415, 401, …) stays on the socket: close the
      // connection rather than read an attacker's gigabytes to keep it alive.
      // HTTP/2 has no Connection header (Node drops it with a warning): there the unread body
      // ends with its own stream.
      if (request.body && !req.readableEnded && req.httpVersionMajor !== 2) res.setHeader('connection', 'close');
      await send(response, req, res);
    };
    run().catch(async (error: unknown) => {
      if (isDropConnection(error) || res.headersSent || controller.signal.aborted) {
        res.destroy();
        req.socket.destroy();
        return;
      }
      try {
        await send(errorResponse(500, 'internal', 'Something went wrong'), req, res);
      } catch {
        res.destroy();
      }
    });
  };
}
