import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BodyTooLargeError, readBodyLimited } from './body.js';

/** An upstream answer, read in full. */
export interface UpstreamAnswer {
  status: number;
  /** Lower-case header name → value. */
  headers: Map<string, string>;
  text: string;
}

export interface UpstreamCall {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** Sends one request upstream and reads the answer, at most `limit` bytes of it. */
export type Transport = (url: string, call: UpstreamCall, signal: AbortSignal, limit: number) => Promise<UpstreamAnswer>;

/** A transport over any fetch-standard function (an injected `fetch`, or the simulator's handler). */
export function fetchTransport(fetchImpl: (request: Request) => Promise<Response>): Transport {
  return async (url, call, signal, limit) => {
    // Redirects are not followed: the key must never travel to a host it was not meant for.
    const response = await fetchImpl(new Request(url, { method: call.method, headers: call.headers, body: call.body, signal, redirect: 'manual' }));
    const bytes = await readBodyLimited(response, limit);
    const headers = new Map<string, string>();
    response.headers.forEach((value, name) => headers.set(name, value));
    return { status: response.status, headers, text: new TextDecoder().decode(bytes) };
  };
}

const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 256 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 256 }) };

function toMap(headers: IncomingHttpHeaders): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return out;
}

/**
 * The default transport in Node: `node:http(s)` with keep-alive agents. It costs about a third
 * of the CPU of the global `fetch` per request (measured in bench/proxy.ts), and never follows redirects.
 */
export const nodeTransport: Transport = (url, call, signal, limit) => send(url, call, signal, limit, true);

function send(url: string, call: UpstreamCall, signal: AbortSignal, limit: number, mayRetry: boolean): Promise<UpstreamAnswer> {
  return new Promise<UpstreamAnswer>((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const headers: Record<string, string> = { ...call.headers };
    if (call.body !== undefined) headers['content-length'] = String(Buffer.byteLength(call.body));
    let answered = false;
    const req = (secure ? httpsRequest : httpRequest)(
      target,
      { method: call.method, headers, signal, agent: secure ? agents.https : agents.http },
      (res) => {
        answered = true;
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > limit) {
          res.destroy();
          reject(new BodyTooLargeError(limit));
          return;
        }
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (chunk: Buffer) => {
          total += chunk.byteLength;
          if (total > limit) {
            res.destroy();
            reject(new BodyTooLargeError(limit));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: toMap(res.headers), text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('The upstream closed the connection mid-answer')));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive socket that the upstream closed while it sat idle fails the next request
      // with ECONNRESET before any answer (Node's docs: `request.reusedSocket`). A status poll
      // is safe to send again, once (the agent has dropped the dead socket); anything else fails as before.
      const idempotent = call.method === 'GET' || call.method === 'HEAD';
      if (mayRetry && idempotent && !answered && req.reusedSocket && error.code === 'ECONNRESET' && !signal.aborted) {
        resolve(send(url, call, signal, limit, false));
        return;
      }
      reject(error);
    });
    req.end(call.body);
  });
}
