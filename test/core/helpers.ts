/**
 * A tiny fetch-standard stand-in for the proxy, written for these tests: scripted answers per
 * route, every request recorded. (The full simulator lives in src/testing; one suite also
 * runs the client against it.)
 */
import type { PollContext, PollPolicy } from '../../src/core/index.js';

export const ENDPOINT = 'https://app.test/api/character';
export const RUN_URL = `${ENDPOINT}/models/ideogram-character/run`;
export const INPUT = { prompt: 'a knight in a rainy alley', character_reference_image: 'https://example.com/me.png' };
export const JOB_ID = 'job_abc123';

export type Answer = Response | Error | ((request: Request) => Response | Promise<Response>);

export interface FakeServer {
  fetch: typeof fetch;
  /** Every request received, oldest first, with its arrival time. */
  requests: Array<{ request: Request; url: string; at: number; body?: string }>;
}

/** Answer requests from `answer` (called with each request). Errors are thrown like a failed fetch. */
export function fakeServer(answer: (request: Request, index: number) => Answer | Promise<Answer>): FakeServer {
  const requests: FakeServer['requests'] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const entry: FakeServer['requests'][number] = { request, url: request.url, at: Date.now() };
    requests.push(entry);
    if (request.method === 'POST' && request.headers.get('content-type')?.includes('json')) entry.body = await request.clone().text();
    const result = await answer(request, requests.length - 1);
    if (result instanceof Error) throw result;
    // A scripted Response may be answered many times: hand out copies, keep the original unread.
    return typeof result === 'function' ? result(request) : result.clone();
  };
  return { fetch: fetchImpl as typeof fetch, requests };
}

/** Answer each request with the next item of `script` (the last one repeats). */
export function scripted(...script: Answer[]): FakeServer {
  return fakeServer((_request, index) => script[Math.min(index, script.length - 1)]!);
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function html(status: number, headers: Record<string, string> = {}): Response {
  return new Response(`<html><body><h1>${status} Bad Gateway</h1></body></html>`, {
    status,
    headers: { 'content-type': 'text/html', ...headers },
  });
}

export const pending = (extra: Record<string, unknown> = {}) => json({ jobId: JOB_ID, status: 'pending', ...extra }, 202);
export const processing = (extra: Record<string, unknown> = {}) => json({ jobId: JOB_ID, status: 'processing', ...extra });
export const completed = (extra: Record<string, unknown> = {}) =>
  json({ jobId: JOB_ID, status: 'completed', output: { images: ['https://cdn.example/1.png'] }, ...extra });

/** A user-supplied poll policy with a fixed interval that remembers what it was asked. */
export function fixedPolicy(intervalMs: number): PollPolicy & { contexts: PollContext[]; observed: number[] } {
  const contexts: PollContext[] = [];
  const observed: number[] = [];
  return {
    contexts,
    observed,
    next(ctx) {
      contexts.push(ctx);
      return intervalMs;
    },
    observe(durationMs) {
      observed.push(durationMs);
    },
    expectedDurationMs: () => 10_000,
  };
}

/** Settle a promise into a value we can assert on without unhandled rejections. */
export function settle<T>(promise: Promise<T>) {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}
