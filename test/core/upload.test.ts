import { afterEach, describe, expect, it, vi } from 'vitest';
import { CharacterApiError, createCharacterClient } from '../../src/core/index.js';
import { ENDPOINT, json, scripted } from './helpers.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const file = () => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'me.png', { type: 'image/png' });

describe('uploadReference', () => {
  it('posts one multipart `file` to {endpoint}/uploads and returns the URL, with progress 0 then 1 over fetch', async () => {
    const server = scripted(json({ url: 'https://files.example/ref/1.png', expiresAt: '2030-01-01T00:00:00Z' }, 201));
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: server.fetch });
    const progress: number[] = [];
    const result = await client.uploadReference(file(), { onProgress: (p) => progress.push(p) });
    expect(result).toEqual({ url: 'https://files.example/ref/1.png', expiresAt: '2030-01-01T00:00:00Z' });
    expect(progress).toEqual([0, 1]);
    const { request, url } = server.requests[0]!;
    expect(url).toBe(`${ENDPOINT}/uploads`);
    expect(request.method).toBe('POST');
    const form = await request.formData();
    expect([...form.keys()]).toEqual(['file']);
    const sent = form.get('file') as File;
    expect(sent.name).toBe('me.png');
    expect(sent.size).toBe(4);
  });

  it('given an answer whose url is not http(s), rejects invalid_response naming url', async () => {
    const client = createCharacterClient({ endpoint: ENDPOINT, fetch: scripted(json({ url: 'javascript:alert(1)' }, 201)).fetch });
    const error = await client.uploadReference(file()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CharacterApiError);
    expect(error).toMatchObject({ code: 'invalid_response' });
    expect((error as Error).message).toContain('url');
  });

  it('given a file the proxy refuses (413), rejects invalid_input; given no upload storage (404), not_found', async () => {
    const tooBig = createCharacterClient({ endpoint: ENDPOINT, fetch: scripted(json({ error: { message: 'File too large' } }, 413)).fetch });
    await expect(tooBig.uploadReference(file())).rejects.toMatchObject({ code: 'invalid_input', message: 'File too large' });
    const none = createCharacterClient({ endpoint: ENDPOINT, fetch: scripted(json({ error: 'Uploads are not configured' }, 404)).fetch });
    await expect(none.uploadReference(file())).rejects.toMatchObject({ code: 'not_found' });
  });

  it('given XMLHttpRequest and no injected fetch, reports real upload progress through it', async () => {
    const sent: Array<{ url: string; headers: Record<string, string>; body: unknown }> = [];
    class FakeXhr {
      upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onabort: (() => void) | null = null;
      status = 0;
      responseText = '';
      private url = '';
      private headers: Record<string, string> = {};
      open(_method: string, url: string) {
        this.url = url;
      }
      setRequestHeader(key: string, value: string) {
        this.headers[key] = value;
      }
      getResponseHeader() {
        return null;
      }
      abort() {
        this.onabort?.();
      }
      send(body: unknown) {
        sent.push({ url: this.url, headers: this.headers, body });
        queueMicrotask(() => {
          this.upload.onprogress?.({ lengthComputable: true, loaded: 2, total: 4 });
          this.upload.onprogress?.({ lengthComputable: true, loaded: 4, total: 4 });
          this.status = 201;
          this.responseText = JSON.stringify({ url: 'https://files.example/2.png' });
          this.onload?.();
        });
      }
    }
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const client = createCharacterClient({ endpoint: ENDPOINT, headers: { 'X-Session': 's' } });
    const progress: number[] = [];
    await expect(client.uploadReference(file(), { onProgress: (p) => progress.push(p) })).resolves.toEqual({ url: 'https://files.example/2.png' });
    expect(progress).toEqual([0, 0.5, 0.99, 1]);
    expect(sent[0]).toMatchObject({ url: `${ENDPOINT}/uploads`, headers: { 'X-Session': 's' } });
    expect((sent[0]!.body as FormData).get('file')).toBeInstanceOf(File);
  });

  it('given an abort during the upload, rejects aborted', async () => {
    const client = createCharacterClient({
      endpoint: ENDPOINT,
      fetch: (async (_input: RequestInfo | URL, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)))) as typeof fetch,
    });
    const controller = new AbortController();
    const result = client.uploadReference(file(), { signal: controller.signal });
    controller.abort();
    await expect(result).rejects.toMatchObject({ code: 'aborted' });
  });
});
