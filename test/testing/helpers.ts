import type { Simulator } from '../../src/testing/index.js';

export const ORIGIN = 'http://sim.test';
export const BASE = `${ORIGIN}/api/v1`;
export const RUN_URL = `${BASE}/models/ideogram-character/run`;
export const INPUT = { prompt: 'A knight in the rain', character_reference_image: 'https://example.com/me.png' };

/** A submit as a client would send it. */
export function submitRequest(body: unknown = INPUT, headers: Record<string, string> = {}): Request {
  return new Request(RUN_URL, {
    method: 'POST',
    headers: { authorization: 'Bearer test-key', 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A status request for one job. */
export function jobRequest(jobId: string, headers: Record<string, string> = { authorization: 'Bearer test-key' }): Request {
  return new Request(`${BASE}/jobs/${jobId}`, { headers });
}

/** Submit and return the parsed 202 body. */
export async function submitJob(simulator: Simulator, body: unknown = INPUT, headers: Record<string, string> = {}) {
  const response = await simulator(submitRequest(body, headers));
  if (response.status !== 202) throw new Error(`submit answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { jobId: string; status: string; statusUrl: string; creditCost: number; creditsRemaining: number; expiresAt: string };
}

/** Poll once and return status + parsed body. */
export async function pollJob(simulator: Simulator, jobId: string) {
  const response = await simulator(jobRequest(jobId));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { status?: string; output?: { images: string[] }; error?: unknown } };
}
