import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeHandler } from '../../src/server/index.js';
import { createSimulator, type Simulator } from '../../src/testing/index.js';
import { INPUT } from './helpers.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(simulator: Simulator): Promise<string> {
  server = createServer(toNodeHandler(simulator));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
}

function submit(base: string, key: string) {
  return fetch(`${base}/models/ideogram-character/run`, {
    method: 'POST',
    headers: { authorization: 'Bearer k', 'content-type': 'application/json', 'idempotency-key': key, connection: 'close' },
    body: JSON.stringify(INPUT),
  });
}

describe('given the simulator in a real node:http server', () => {
  it('answers over the socket with status URLs on the server origin', async () => {
    const base = await listen(createSimulator({ durationMs: 0 }));
    const response = await submit(base, 'k1');
    expect(response.status).toBe(202);
    const { statusUrl } = await response.json();
    expect(statusUrl).toMatch(new RegExp(`^${base}/jobs/job_`));
    expect((await (await fetch(statusUrl, { headers: { authorization: 'Bearer k' } })).json()).status).toBe('completed');
  });

  it('drops the connection for real when a drop is injected: fetch rejects, yet the job was made and a keyed retry gets it back', async () => {
    const simulator = createSimulator({ durationMs: 0, dropRate: 1 });
    const base = await listen(simulator);
    await expect(submit(base, 'k1')).rejects.toThrow(TypeError);
    expect(simulator.jobs()).toHaveLength(1);
    await expect(submit(base, 'k1')).rejects.toThrow(TypeError);
    expect(simulator.stats).toMatchObject({ jobsCreated: 1, replays: 1 });
    expect(simulator.credits).toBe(995);
  });
});
