import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharacterProxy, toNodeHandler } from '../../src/server/index.js';
import { fakeKey, listen, type Listening } from '../server/helpers.js';
import { BASE_PATH } from './harness.js';

const JOB = JSON.stringify({ jobId: 'job_keepalive', status: 'processing' });

/**
 * An upstream that keeps connections alive, then (like any server whose keep-alive timeout ran
 * out while the socket sat idle) closes a connection the moment its second request arrives,
 * without answering it. The load run saw exactly this: the proxy answered 502 `read ECONNRESET`.
 */
function closingUpstream(): Promise<{ server: Server; url: string; requests: () => number; connections: () => number; close: () => Promise<void> }> {
  let requests = 0;
  let connections = 0;
  const open = new Set<Socket>();
  const server = createServer((socket: Socket) => {
    connections++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    let onThisSocket = 0;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
        requests++;
        onThisSocket++;
        if (onThisSocket > 1) {
          socket.resetAndDestroy();
          return;
        }
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(JOB)}\r\nConnection: keep-alive\r\n\r\n${JOB}`);
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
        requests: () => requests,
        connections: () => connections,
        // The proxy's agent keeps its upstream socket alive: end those too, or close() waits for them.
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            for (const socket of open) socket.destroy();
          }),
      }),
    ),
  );
}

let upstream: Awaited<ReturnType<typeof closingUpstream>>;
let proxy: Listening;

beforeAll(async () => {
  upstream = await closingUpstream();
  // The proxy's default transport (node:http with keep-alive), as apps run it.
  proxy = await listen(toNodeHandler(createCharacterProxy({ apiKey: fakeKey(), basePath: BASE_PATH, upstreamUrl: upstream.url })));
});

afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

describe('given an upstream that closes a kept-alive connection when it is reused', () => {
  it('when a second status poll goes out on that socket, the proxy sends it again on a fresh one and answers 200, not 502', async () => {
    const first = await fetch(`${proxy.url}${BASE_PATH}/jobs/job_keepalive`);
    expect(first.status).toBe(200);
    const second = await fetch(`${proxy.url}${BASE_PATH}/jobs/job_keepalive`);
    expect({ status: second.status, body: await second.text() }).toEqual({ status: 200, body: expect.stringContaining('job_keepalive') });
    // The retry really happened: three requests upstream, the third on a second connection.
    expect(upstream.requests()).toBe(3);
    expect(upstream.connections()).toBe(2);
  });
});
