import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createCharacterProxy, memoryStorage, type CharacterProxyOptions, type ProxyLogger } from '../../src/server/index.js';
import { createSimulator } from '../../src/testing/index.js';

/** A fake key, made at run time so no key-like literal lives in the repo. */
export function fakeKey(): string {
  return `pd_test_${randomBytes(18).toString('base64url').slice(0, 24)}`;
}

export interface Listening {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * Listen on 127.0.0.1 with an OS-chosen port. `backlog` lengthens the accept queue (Node's
 * default is 511): when hundreds of connections open at once while the event loop is busy, the
 * kernel drops the overflow and those clients wait 1, 3, 7… s for their SYN to be retried.
 * `options` go to `createServer` (e.g. `requireHostHeader: false`, so a request without Host
 * reaches the handler instead of Node's own bare 400).
 */
export async function listen(listener: RequestListener, backlog?: number, options: ServerOptions = {}): Promise<Listening> {
  const server = createServer(options, listener);
  await new Promise<void>((resolve) =>
    backlog === undefined ? server.listen(0, '127.0.0.1', resolve) : server.listen(0, '127.0.0.1', backlog, resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent, status line and headers included. */
  text: string;
}

/**
 * Send a handwritten HTTP/1.1 request over a plain socket: the only way to put dot segments,
 * backslashes or an absolute-form target on the wire exactly as an attacker would.
 */
export function rawRequest(port: number, head: string, body: string | Uint8Array = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [headPart = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = headPart.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      let payload = rest.join('\r\n\r\n');
      if (headers['transfer-encoding'] === 'chunked') payload = dechunk(payload);
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, body: payload, text });
    });
    socket.write(`${head.replace(/\r?\n/g, '\r\n')}\r\nConnection: close\r\n\r\n`);
    socket.write(body);
  });
}

function dechunk(payload: string): string {
  let out = '';
  let rest = payload;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd === -1) break;
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!size) break;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
  return out;
}

/** Everything a suite saw (response heads and bodies, log lines), to scan for the key at the end. */
export class Evidence {
  readonly texts: string[] = [];
  readonly logLines: string[] = [];

  readonly logger: ProxyLogger = {
    warn: (message, data) => this.logLines.push(`warn ${message} ${JSON.stringify(data ?? {})}`),
    error: (message, data) => this.logLines.push(`error ${message} ${JSON.stringify(data ?? {})}`),
  };

  /** Keep a fetch Response's status, headers and body (returns the body text). */
  async keep(response: Response): Promise<string> {
    const body = await response.text();
    this.texts.push(`${response.status} ${JSON.stringify([...response.headers])}\n${body}`);
    return body;
  }

  keepRaw(response: RawResponse): RawResponse {
    this.texts.push(response.text);
    return response;
  }

  /** Every place the key was found. */
  leaks(key: string): string[] {
    return [...this.texts, ...this.logLines].filter((text) => text.includes(key));
  }
}

/** The request heads an upstream server saw, for "nothing reached upstream" checks. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * A proxy at `/api/character` with memory uploads, whose upstream is an in-process simulator
 * holding `key`: counts upstream calls and stored uploads in `seen`, logs into `evidence`.
 */
export function countingProxy(key: string, seed: number, options: Partial<CharacterProxyOptions> = {}) {
  const simulator = createSimulator({ apiKey: key, durationMs: 0, seed });
  const evidence = new Evidence();
  const seen = { upstream: 0, stored: 0 };
  const storage = memoryStorage();
  const put = storage.put.bind(storage);
  storage.put = (bytes, info) => {
    seen.stored++;
    return put(bytes, info);
  };
  const proxy = createCharacterProxy({
    apiKey: key,
    basePath: '/api/character',
    upstreamUrl: 'http://upstream.invalid/api/v1',
    logger: evidence.logger,
    uploads: { storage },
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      seen.upstream++;
      return simulator(new Request(input, init));
    },
    ...options,
  });
  return { proxy, evidence, seen };
}
