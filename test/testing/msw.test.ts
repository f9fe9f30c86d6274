import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { simulatorHandlers } from '../../src/testing/index.js';
import { INPUT } from './helpers.js';

const handlers = simulatorHandlers({ basePath: '/api/character', durationMs: 0, seed: 5 });
const pixeldojo = simulatorHandlers({ origin: 'https://pixeldojo.ai', durationMs: 0, rateLimitRate: 1 });
const server = setupServer(...handlers, ...pixeldojo);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  handlers.simulator.reset();
  pixeldojo.simulator.reset();
});
afterAll(() => server.close());

const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };

describe('given MSW handlers on a basePath', () => {
  it('routes a real fetch through setupServer to the simulator they expose, on any origin', async () => {
    const submitted = await fetch('http://app.test/api/character/models/ideogram-character/run', { method: 'POST', headers, body: JSON.stringify(INPUT) });
    expect(submitted.status).toBe(202);
    const { statusUrl, jobId } = await submitted.json();
    expect(statusUrl).toBe(`http://app.test/api/character/jobs/${jobId}`);
    const job = await (await fetch(statusUrl, { headers })).json();
    expect(job.status).toBe('completed');
    const image = await fetch(job.output.images[0]);
    expect(image.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(handlers.simulator.stats).toMatchObject({ submits: 1, polls: 1, images: 1 });
    expect(handlers.simulator.jobs()).toEqual([expect.objectContaining({ jobId, status: 'completed' })]);
  });

  it('lets a test change the balance through .simulator', async () => {
    handlers.simulator.credits = 0;
    const response = await fetch('http://localhost/api/character/models/ideogram-character/run', { method: 'POST', headers, body: JSON.stringify(INPUT) });
    expect(response.status).toBe(402);
  });
});

describe('given MSW handlers bound to an origin', () => {
  it('answers only that origin, leaving the same path elsewhere to other handlers', async () => {
    const upstream = await fetch('https://pixeldojo.ai/api/v1/jobs/job_x', { headers });
    expect(upstream.status).toBe(429);
    expect(upstream.headers.get('retry-after')).toMatch(/^[1-5]$/);
    server.use(http.get('https://elsewhere.test/*', () => HttpResponse.text('someone else')));
    expect(await (await fetch('https://elsewhere.test/api/v1/jobs/job_x', { headers })).text()).toBe('someone else');
    expect(pixeldojo.simulator.stats.requests).toBe(1);
  });
});

describe('given a dropped connection behind MSW', () => {
  it('makes fetch reject with a network error', async () => {
    const dropping = simulatorHandlers({ origin: 'http://drop.test', dropRate: 1 });
    server.use(...dropping);
    await expect(fetch('http://drop.test/api/v1/jobs/job_x', { headers })).rejects.toThrow(TypeError);
    expect(dropping.simulator.stats.faults.dropped).toBe(1);
  });
});
