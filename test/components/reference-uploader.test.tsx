import { act, fireEvent, render, renderHook, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StrictMode, useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CharacterApiError } from '../../src/core/errors.js';
import type { CharacterClient } from '../../src/core/types.js';
import {
  ReferenceUploader,
  useReferenceUpload,
  type ReferenceUploaderLabels,
  type ReferenceUploadMessages,
} from '../../src/components/reference-uploader/index.js';
import { createCharacterClient } from '../../src/core/client.js';
import { createCharacterProxy, memoryStorage } from '../../src/server/index.js';
import { createSimulator } from '../../src/testing/index.js';
import { placeholderPng } from '../../src/testing/png.js';
import { expectNoAxeViolations } from '../helpers/axe.js';

// jsdom decodes no images and makes no object URLs. These stand-ins do what a browser does for
// what the tests need: read a PNG's size from its header, and hand out (and revoke) blob: URLs.
const revoked = new Set<string>();
let objectUrlCount = 0;
beforeEach(() => {
  revoked.clear();
  vi.stubGlobal('createImageBitmap', async (blob: Blob) => {
    const bytes = new Uint8Array(await blob.slice(0, 24).arrayBuffer());
    const view = new DataView(bytes.buffer);
    if (bytes[1] !== 0x50 || bytes[2] !== 0x4e || bytes[3] !== 0x47) throw new DOMException('The source image could not be decoded.', 'InvalidStateError');
    return { width: view.getUint32(16), height: view.getUint32(20), close() {} };
  });
  URL.createObjectURL = () => `blob:test/${++objectUrlCount}`;
  URL.revokeObjectURL = (url: string) => void revoked.add(url);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function pngFile(width: number, height: number, name = 'portrait.png', padTo = 0): File {
  const bytes = placeholderPng({ width, height, index: 1, hue: 200 });
  const parts: BlobPart[] = [bytes as Uint8Array<ArrayBuffer>];
  if (padTo > bytes.length) parts.push(new Uint8Array(padTo - bytes.length));
  return new File(parts, name, { type: 'image/png' });
}

/**
 * A stand-in for the network behind `uploadReference`: each call waits until the test says
 * how far it got, finishes, or fails, and honours the abort signal as the real client does.
 */
function uploadClient() {
  const calls: Array<{
    file: Blob;
    signal: AbortSignal | undefined;
    progress(fraction: number): void;
    finish(url: string): void;
    fail(error: Error): void;
  }> = [];
  const client = {
    endpoint: '/api/character',
    uploadReference(file: Blob, options: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {}) {
      return new Promise<{ url: string }>((resolve, reject) => {
        options.signal?.addEventListener('abort', () => reject(new CharacterApiError('aborted', 'The upload was cancelled')));
        calls.push({
          file,
          signal: options.signal,
          progress: (fraction) => options.onProgress?.(fraction),
          finish: (url) => resolve({ url }),
          fail: reject,
        });
      });
    },
  } as unknown as CharacterClient;
  return { client, calls };
}

const PREVIOUS = 'https://images.example/previous.png';


/** The default hint: its parts joined by ' · ', each kept on one line (no-break spaces inside). */
function hintOf(...parts: string[]): string {
  return parts.map((part) => part.replaceAll(' ', '\u00a0')).join(' · ');
}

describe('ReferenceUploader', () => {
  describe('given nothing chosen yet', () => {
    it('offers a drop zone, a file input labelled "Reference image" and an "Image URL" field, with no axe violations', async () => {
      const { client } = uploadClient();
      const { container } = render(<ReferenceUploader client={client} />);
      expect(screen.getByLabelText('Reference image')).toHaveAttribute('type', 'file');
      expect(screen.getByLabelText('Reference image')).toHaveAttribute('accept', 'image/jpeg,image/png,image/webp');
      expect(screen.getByRole('textbox', { name: 'Image URL' })).toBeInTheDocument();
      expect(screen.getByRole('button', { name: /drop a photo here/i })).toBeInTheDocument();
      expect(screen.queryByRole('img')).toBeNull();
      expect(container.querySelector('[data-slot="reference-uploader"]')).toHaveAttribute('data-state', 'empty');
      await expectNoAxeViolations(container);
    });

    it('opens the file dialog from the keyboard alone: Tab to the drop zone, then Enter or Space', async () => {
      const user = userEvent.setup();
      const { client } = uploadClient();
      render(<ReferenceUploader client={client} />);
      const input = screen.getByLabelText('Reference image');
      const opened = vi.fn();
      input.addEventListener('click', opened);
      await user.tab();
      expect(screen.getByRole('button', { name: /drop a photo here/i })).toHaveFocus();
      await user.keyboard('{Enter}');
      await user.keyboard(' ');
      expect(opened).toHaveBeenCalledTimes(2);
    });
  });

  describe('when a valid PNG is chosen', () => {
    it('uploads it with a progress bar, then the uploaded URL becomes the value and the preview shows', async () => {
      const user = userEvent.setup();
      const { client, calls } = uploadClient();
      const onValueChange = vi.fn();
      const { container } = render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
      const file = pngFile(320, 400);
      await user.upload(screen.getByLabelText('Reference image'), file);

      const bar = await screen.findByRole('progressbar', { name: 'Upload progress' });
      await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '0'));
      expect(calls).toHaveLength(1);
      expect(calls[0]!.file).toBe(file);
      act(() => calls[0]!.progress(0.42));
      expect(bar).toHaveAttribute('aria-valuenow', '42');
      expect(bar.style.getPropertyValue('--ic-progress')).toBe('0.42');
      expect(screen.getByRole('button', { name: 'Cancel upload' })).toBeInTheDocument();
      expect(container.querySelector('[data-slot="reference-uploader"]')).toHaveAttribute('data-state', 'uploading');
      await expectNoAxeViolations(container);

      await act(async () => calls[0]!.finish('https://uploads.example/ref-1.png'));
      expect(onValueChange).toHaveBeenCalledWith('https://uploads.example/ref-1.png');
      expect(screen.queryByRole('progressbar')).toBeNull();
      const preview = screen.getByRole('img', { name: 'Reference image preview' });
      expect(preview.getAttribute('src')).toMatch(/^blob:test\//);
      expect(screen.getByRole('button', { name: 'Remove reference image' })).toBeInTheDocument();
      // The URL field is for links the person typed, not for the upload's storage URL.
      expect(screen.getByRole('textbox', { name: 'Image URL' })).toHaveValue('');
      await expectNoAxeViolations(container);
    });

    it('under StrictMode the preview keeps a live (not revoked) object URL, and unmounting revokes it', async () => {
      const user = userEvent.setup();
      const { client, calls } = uploadClient();
      const view = render(
        <StrictMode>
          <ReferenceUploader client={client} />
        </StrictMode>,
      );
      await user.upload(screen.getByLabelText('Reference image'), pngFile(300, 300));
      await waitFor(() => expect(calls).toHaveLength(1));
      await act(async () => calls[0]!.finish('https://uploads.example/strict.png'));
      const src = screen.getByRole('img', { name: 'Reference image preview' }).getAttribute('src')!;
      expect(src).toMatch(/^blob:/);
      expect(revoked.has(src)).toBe(false);
      view.unmount();
      expect(revoked.has(src)).toBe(true);
    });

    it('cancelling stops the upload (its signal aborts) and keeps the previous image', async () => {
      const user = userEvent.setup();
      const { client, calls } = uploadClient();
      const onValueChange = vi.fn();
      render(<ReferenceUploader client={client} defaultValue={PREVIOUS} onValueChange={onValueChange} />);
      await user.upload(screen.getByLabelText('Reference image'), pngFile(300, 300));
      await screen.findByRole('progressbar');
      await user.click(screen.getByRole('button', { name: 'Cancel upload' }));
      expect(calls[0]!.signal?.aborted).toBe(true);
      expect(screen.queryByRole('progressbar')).toBeNull();
      expect(screen.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', PREVIOUS);
      expect(onValueChange).not.toHaveBeenCalled();
      expect(screen.queryByRole('alert')).toBeNull();
    });

    it('removing the uploaded image clears the value and revokes its object URL', async () => {
      const user = userEvent.setup();
      const { client, calls } = uploadClient();
      const onValueChange = vi.fn();
      render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
      await user.upload(screen.getByLabelText('Reference image'), pngFile(300, 300));
      await waitFor(() => expect(calls).toHaveLength(1));
      await act(async () => calls[0]!.finish('https://uploads.example/ref.png'));
      const src = screen.getByRole('img', { name: 'Reference image preview' }).getAttribute('src')!;
      await user.click(screen.getByRole('button', { name: 'Remove reference image' }));
      expect(onValueChange).toHaveBeenLastCalledWith('');
      expect(screen.queryByRole('img')).toBeNull();
      expect(revoked.has(src)).toBe(true);
    });

    it('removing it from the keyboard moves focus to where the next image comes from, not back to the page', async () => {
      const user = userEvent.setup();
      render(<ReferenceUploader client={uploadClient().client} defaultValue="https://uploads.example/ref.png" />);
      screen.getByRole('button', { name: 'Remove reference image' }).focus();
      await user.keyboard('{Enter}');
      expect(screen.queryByRole('button', { name: 'Remove reference image' })).not.toBeInTheDocument();
      // The drop zone, which takes the next file from Enter (the link field follows it).
      expect(document.activeElement).toBe(screen.getByRole('button', { name: /^Drop a photo here/ }));
    });
  });

  describe('given a previous valid image, when a file is refused', () => {
    async function choose(file: File) {
      const user = userEvent.setup();
      const { client, calls } = uploadClient();
      const onValueChange = vi.fn();
      const view = render(<ReferenceUploader client={client} defaultValue={PREVIOUS} onValueChange={onValueChange} />);
      await user.upload(screen.getByLabelText('Reference image'), file);
      const alert = await screen.findByRole('alert');
      expect(calls).toHaveLength(0);
      expect(onValueChange).not.toHaveBeenCalled();
      expect(screen.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', PREVIOUS);
      await expectNoAxeViolations(view.container);
      return alert;
    }

    it('refuses a file that is not a JPEG, PNG or WebP by its bytes, whatever its name and type say', async () => {
      const fake = new File(['%PDF-1.7 not an image'], 'photo.png', { type: 'image/png' });
      const alert = await choose(fake);
      expect(alert).toHaveTextContent("This file isn't a JPEG, PNG or WebP image.");
      expect(screen.getByRole('button', { name: /drop a photo here/i })).toHaveAccessibleDescription(/isn't a JPEG, PNG or WebP/);
    });

    it('refuses an image smaller than 256 px on its short edge, saying its size', async () => {
      const alert = await choose(pngFile(1000, 200));
      expect(alert).toHaveTextContent('This image is only 1000 × 200 pixels. Choose one at least 256 pixels on each side.');
    });

    it('refuses a file over 10 MB, saying how big it is', async () => {
      const alert = await choose(pngFile(400, 400, 'huge.png', 11 * 1024 * 1024));
      expect(alert).toHaveTextContent('This image is 11 MB, larger than the 10 MB limit.');
    });

    it('refuses a panorama whose short edge would end under 256 px once downscaled, saying how to crop it', async () => {
      const alert = await choose(pngFile(6000, 300));
      expect(alert).toHaveTextContent('This image is too long and narrow (6000 × 300 pixels). Crop it to at most 8:1.');
    });

    it('refuses a damaged image that cannot be decoded', async () => {
      // A PNG signature followed by nothing an image decoder can read.
      const damaged = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])], 'broken.png', { type: 'image/png' });
      const alert = await choose(damaged);
      expect(alert).toHaveTextContent("This image couldn't be opened.");
    });
  });

  describe('URL mode', () => {
    it('uses a typed http(s) link on Enter and shows it as the preview', async () => {
      const user = userEvent.setup();
      const onValueChange = vi.fn();
      const { container } = render(<ReferenceUploader allowUpload={false} onValueChange={onValueChange} />);
      await user.type(screen.getByRole('textbox', { name: 'Image URL' }), 'https://images.example/me.jpg{Enter}');
      expect(onValueChange).toHaveBeenCalledWith('https://images.example/me.jpg');
      expect(screen.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', 'https://images.example/me.jpg');
      await expectNoAxeViolations(container);
    });

    it('uses a typed http(s) link once typing pauses, without Enter or leaving the field', async () => {
      const user = userEvent.setup();
      const onValueChange = vi.fn();
      render(<ReferenceUploader allowUpload={false} onValueChange={onValueChange} />);
      const field = screen.getByRole('textbox', { name: 'Image URL' });
      await user.type(field, 'https://images.example/typed.png');
      expect(field).toHaveFocus();
      expect(await screen.findByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', 'https://images.example/typed.png');
      expect(onValueChange).toHaveBeenCalledTimes(1);
      expect(onValueChange).toHaveBeenCalledWith('https://images.example/typed.png');
    });

    it('does not refuse a half-typed link while the person is still typing', async () => {
      const user = userEvent.setup();
      render(<ReferenceUploader allowUpload={false} />);
      await user.type(screen.getByRole('textbox', { name: 'Image URL' }), 'images.exa');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(screen.queryByRole('alert')).toBeNull();
    });

    it('uses a pasted link at once', async () => {
      const user = userEvent.setup();
      const onValueChange = vi.fn();
      render(<ReferenceUploader allowUpload={false} onValueChange={onValueChange} />);
      await user.click(screen.getByRole('textbox', { name: 'Image URL' }));
      await user.paste('https://images.example/pasted.webp');
      expect(onValueChange).toHaveBeenCalledWith('https://images.example/pasted.webp');
    });

    it('keeps an empty place for the error line, which is no live region, and a refusal puts its one alert there', async () => {
      const user = userEvent.setup();
      const { container } = render(<ReferenceUploader allowUpload={false} />);
      const place = container.querySelector('[data-slot="reference-uploader-messages"]')!;
      expect(place).toBeEmptyDOMElement();
      // Nothing around the line is live: the alert is announced once, when it appears, as before.
      expect(container.querySelector('[aria-live]')).toBeNull();
      expect(screen.queryByRole('alert')).toBeNull();
      await user.type(screen.getByRole('textbox', { name: 'Image URL' }), 'images.example{Enter}');
      expect(screen.getAllByRole('alert')).toHaveLength(1);
      expect(place).toContainElement(screen.getByRole('alert'));
      expect(container.querySelector('[aria-live]')).toBeNull();
      await expectNoAxeViolations(container);
    });

    it('refuses a link that is not http(s), says why, links the message, and keeps the previous image', async () => {
      const user = userEvent.setup();
      const onValueChange = vi.fn();
      const { container } = render(<ReferenceUploader allowUpload={false} defaultValue={PREVIOUS} onValueChange={onValueChange} />);
      const field = screen.getByRole('textbox', { name: 'Image URL' });
      await user.clear(field);
      await user.type(field, 'javascript:alert(1){Enter}');
      expect(screen.getByRole('alert')).toHaveTextContent('Enter a link that starts with http:// or https://.');
      expect(field).toHaveAttribute('aria-invalid', 'true');
      expect(field).toHaveAccessibleDescription('Enter a link that starts with http:// or https://.');
      expect(onValueChange).not.toHaveBeenCalled();
      expect(screen.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', PREVIOUS);
      await expectNoAxeViolations(container);
    });

    it('emptying the field of the link in use removes it', async () => {
      const user = userEvent.setup();
      const onValueChange = vi.fn();
      render(<ReferenceUploader allowUpload={false} defaultValue={PREVIOUS} onValueChange={onValueChange} />);
      await user.clear(screen.getByRole('textbox', { name: 'Image URL' }));
      await user.tab();
      expect(onValueChange).toHaveBeenCalledWith('');
      expect(screen.queryByRole('img')).toBeNull();
    });

    it('with allowUpload={false}, offers no file input and says uploads are not available', () => {
      render(<ReferenceUploader allowUpload={false} />);
      expect(screen.queryByLabelText('Reference image')).toBeNull();
      expect(screen.queryByRole('button', { name: /drop a photo/i })).toBeNull();
      expect(screen.getByText("Uploading files isn't available here. Paste a link to an image instead.")).toBeInTheDocument();
    });

    it('when the server has no upload storage (not_found), switches to URL mode and says so', async () => {
      const user = userEvent.setup();
      const { client, calls } = uploadClient();
      const onValueChange = vi.fn();
      render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
      await user.upload(screen.getByLabelText('Reference image'), pngFile(300, 300));
      await waitFor(() => expect(calls).toHaveLength(1));
      await act(async () => calls[0]!.fail(new CharacterApiError('not_found', 'Not found', { status: 404 })));
      expect(screen.getByRole('alert')).toHaveTextContent("Uploading files isn't available here.");
      expect(screen.queryByLabelText('Reference image')).toBeNull();
      await user.type(screen.getByRole('textbox', { name: 'Image URL' }), 'https://images.example/ok.png{Enter}');
      expect(onValueChange).toHaveBeenCalledWith('https://images.example/ok.png');
    });

    it('a failed upload says why (the server\'s reason) and keeps the previous image', async () => {
      const user = userEvent.setup();
      const { client, calls } = uploadClient();
      render(<ReferenceUploader client={client} defaultValue={PREVIOUS} />);
      await user.upload(screen.getByLabelText('Reference image'), pngFile(300, 300));
      await waitFor(() => expect(calls).toHaveLength(1));
      await act(async () => calls[0]!.fail(new CharacterApiError('upstream', 'The storage is busy', { status: 503 })));
      expect(screen.getByRole('alert')).toHaveTextContent("The upload didn't finish: The storage is busy. Try again.");
      expect(screen.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', PREVIOUS);
    });

    it.each([
      {
        what: 'an answer the client cannot read (an HTML page from a fallback route)',
        fetch: async () => new Response('<!doctype html><title>App</title>', { status: 200, headers: { 'content-type': 'text/html' } }),
        message: "The upload didn't finish: The server sent an unexpected answer. Try again.",
        cause: { code: 'invalid_response' },
      },
      {
        what: 'a custom client’s plain error',
        error: new Error('db.collection(uploads).insert: E11000 duplicate key'),
        message: "The upload didn't finish: The server sent an unexpected answer. Try again.",
        cause: { message: 'db.collection(uploads).insert: E11000 duplicate key' },
      },
      {
        what: 'a custom client’s fetch failure (TypeError)',
        error: new TypeError('Failed to fetch'),
        message: 'Could not reach the server. Check your connection and try again.',
        cause: { message: 'Failed to fetch' },
      },
    ])('after $what, the message is for people and the technical text stays in cause', async (c) => {
      const user = userEvent.setup();
      const custom = uploadClient();
      const client = 'fetch' in c ? createCharacterClient({ endpoint: 'https://app.example/api/character', fetch: c.fetch }) : custom.client;
      const onError = vi.fn();
      render(<ReferenceUploader client={client} defaultValue={PREVIOUS} onError={onError} />);
      await user.upload(screen.getByLabelText('Reference image'), pngFile(300, 300));
      if ('error' in c && c.error) {
        const { error } = c;
        await waitFor(() => expect(custom.calls).toHaveLength(1));
        await act(async () => custom.calls[0]!.fail(error));
      }
      expect(await screen.findByRole('alert')).toHaveTextContent(c.message);
      expect(onError.mock.calls[0]![0]).toMatchObject({ code: 'upload_failed', message: c.message, cause: c.cause });
      expect(screen.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', PREVIOUS);
    });

    it('an upload that cannot reach the server says so in words for people, and keeps the URL and cause for developers', async () => {
      const user = userEvent.setup();
      const offline = new TypeError('Failed to fetch');
      const client = createCharacterClient({
        endpoint: 'https://very-long-subdomain.app.example/some/deep/path/api/character',
        fetch: async () => {
          throw offline;
        },
      });
      const onError = vi.fn();
      render(<ReferenceUploader client={client} defaultValue={PREVIOUS} onError={onError} />);
      await user.upload(screen.getByLabelText('Reference image'), pngFile(300, 300));
      const alert = await screen.findByRole('alert');
      expect(alert).toHaveTextContent(/^Could not reach the server\. Check your connection and try again\.$/);
      expect(onError).toHaveBeenCalledTimes(1);
      const reported = onError.mock.calls[0]![0];
      expect(reported).toMatchObject({ code: 'upload_failed', message: alert.textContent });
      expect(reported.cause).toMatchObject({
        code: 'network',
        message: 'Could not reach https://very-long-subdomain.app.example/some/deep/path/api/character/uploads',
        cause: offline,
      });
      expect(screen.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', PREVIOUS);
    });
  });

  describe('drop and paste', () => {
    it('uploads a file dropped on the drop zone', async () => {
      const { client, calls } = uploadClient();
      render(<ReferenceUploader client={client} />);
      const zone = screen.getByRole('button', { name: /drop a photo here/i });
      const file = pngFile(300, 300);
      fireEvent.dragEnter(zone, { dataTransfer: { files: [file], items: [], types: ['Files'] } });
      expect(zone).toHaveAttribute('data-state', 'drag-over');
      fireEvent.drop(zone, { dataTransfer: { files: [file], items: [], types: ['Files'] } });
      expect(zone).toHaveAttribute('data-state', 'idle');
      await waitFor(() => expect(calls).toHaveLength(1));
      expect(calls[0]!.file).toBe(file);
    });

    it('uploads an image pasted while the uploader has focus', async () => {
      const { client, calls } = uploadClient();
      render(<ReferenceUploader client={client} />);
      const zone = screen.getByRole('button', { name: /drop a photo here/i });
      zone.focus();
      const file = pngFile(300, 300);
      fireEvent.paste(zone, { clipboardData: { files: [file], items: [], getData: () => '' } });
      await waitFor(() => expect(calls).toHaveLength(1));
      expect(calls[0]!.file).toBe(file);
    });
  });

  describe('controlled and disabled', () => {
    it('controlled: reports the new URL and shows whatever the parent passes back', async () => {
      const user = userEvent.setup();
      const seen: string[] = [];
      function Parent() {
        const [url, setUrl] = useState('');
        return (
          <>
            <ReferenceUploader allowUpload={false} value={url} onValueChange={(next) => (seen.push(next), setUrl(next.replace('.jpg', '.png')))} />
            <output>{url}</output>
          </>
        );
      }
      render(<Parent />);
      await user.type(screen.getByRole('textbox', { name: 'Image URL' }), 'https://a.example/x.jpg{Enter}');
      expect(seen).toEqual(['https://a.example/x.jpg']);
      expect(screen.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', 'https://a.example/x.png');
    });

    it('disabled: nothing can be changed, and the state shows as data-disabled', async () => {
      const user = userEvent.setup();
      const { client } = uploadClient();
      const onValueChange = vi.fn();
      const { container } = render(<ReferenceUploader client={client} disabled defaultValue={PREVIOUS} onValueChange={onValueChange} />);
      expect(container.querySelector('[data-slot="reference-uploader"]')).toHaveAttribute('data-disabled', '');
      expect(screen.getByRole('button', { name: /drop a photo here/i })).toHaveAttribute('aria-disabled', 'true');
      expect(screen.getByRole('textbox', { name: 'Image URL' })).toBeDisabled();
      expect(screen.getByRole('button', { name: 'Remove reference image' })).toBeDisabled();
      await user.tab();
      expect(document.body).toHaveFocus();
      await expectNoAxeViolations(container);
    });

    it('every visible string can be replaced through labels', () => {
      render(
        <ReferenceUploader
          allowUpload={false}
          defaultValue={PREVIOUS}
          labels={{ urlInput: 'Bild-URL', preview: 'Vorschau', remove: 'Bild entfernen', uploadsUnavailable: 'Nur Links' }}
        />,
      );
      expect(screen.getByRole('textbox', { name: 'Bild-URL' })).toBeInTheDocument();
      expect(screen.getByRole('img', { name: 'Vorschau' })).toBeInTheDocument();
      expect(screen.getByRole('button', { name: 'Bild entfernen' })).toBeInTheDocument();
      expect(screen.getByText('Nur Links')).toBeInTheDocument();
    });
  });
});

describe('a custom layout with ReferenceUploader.Frame and ReferenceUploader.Messages', () => {
  it('Frame without children holds the ready parts: the drop zone, then the preview and Remove once there is an image', async () => {
    const user = userEvent.setup();
    const { client } = uploadClient();
    const { container } = render(
      <ReferenceUploader.Root client={client}>
        <ReferenceUploader.Frame className="my-frame" />
        <ReferenceUploader.FileInput />
        <ReferenceUploader.UrlLabel />
        <ReferenceUploader.UrlInput />
      </ReferenceUploader.Root>,
    );
    const frame = container.querySelector('[data-slot="reference-uploader-frame"]')!;
    expect(frame).toHaveClass('my-frame');
    expect(frame).toContainElement(screen.getByRole('button', { name: /drop a photo here/i }));
    await user.type(screen.getByRole('textbox', { name: 'Image URL' }), `${PREVIOUS}{Enter}`);
    expect(frame).toContainElement(screen.getByRole('img', { name: 'Reference image preview' }));
    expect(frame).toContainElement(screen.getByRole('button', { name: 'Remove reference image' }));
    await expectNoAxeViolations(container);
  });

  it('Frame with children holds only those, and the ready layout is these same parts', () => {
    const { client } = uploadClient();
    const { container } = render(
      <ReferenceUploader.Root client={client} defaultValue={PREVIOUS}>
        <ReferenceUploader.Frame>
          <ReferenceUploader.Preview />
          <ReferenceUploader.Dropzone />
        </ReferenceUploader.Frame>
      </ReferenceUploader.Root>,
    );
    const frame = container.querySelector('[data-slot="reference-uploader-frame"]')!;
    expect([...frame.children].map((child) => child.getAttribute('data-slot'))).toEqual(['reference-uploader-preview', 'reference-uploader-dropzone']);
    const ready = render(<ReferenceUploader client={client} />).container;
    expect([...ready.querySelector('[data-slot="reference-uploader"]')!.children].map((child) => child.getAttribute('data-slot'))).toEqual([
      'reference-uploader-frame',
      'reference-uploader-file-input',
      'reference-uploader-url-label',
      'reference-uploader-url-input',
      'reference-uploader-messages',
    ]);
  });

  it('Messages is always there, empty and not live; a refused link puts its one alert inside, described by the field', async () => {
    const user = userEvent.setup();
    const { container } = render(
      <ReferenceUploader.Root allowUpload={false} defaultValue={PREVIOUS}>
        <ReferenceUploader.UrlLabel />
        <ReferenceUploader.UrlInput />
        <ReferenceUploader.Messages className="my-messages" />
        <ReferenceUploader.Frame />
      </ReferenceUploader.Root>,
    );
    const place = container.querySelector('[data-slot="reference-uploader-messages"]')!;
    expect(place).toHaveClass('my-messages');
    expect(place).toBeEmptyDOMElement();
    expect(container.querySelector('[aria-live]')).toBeNull();
    const field = screen.getByRole('textbox', { name: 'Image URL' });
    await user.clear(field);
    await user.type(field, 'photo dot jpg{Enter}');
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(place).toContainElement(screen.getByRole('alert'));
    expect(field).toHaveAccessibleDescription('Enter a link that starts with http:// or https://.');
    expect(screen.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', PREVIOUS);
    await expectNoAxeViolations(container);
  });

  it('Messages with children holds those instead, e.g. the status line beside the error', () => {
    const { container } = render(
      <ReferenceUploader.Root allowUpload={false}>
        <ReferenceUploader.Messages>
          <ReferenceUploader.Status />
          <ReferenceUploader.Error />
        </ReferenceUploader.Messages>
      </ReferenceUploader.Root>,
    );
    expect(container.querySelector('[data-slot="reference-uploader-messages"]')).toContainElement(screen.getByRole('status'));
  });
});

describe('accessible names and descriptions of a custom layout', () => {
  it('given a UrlLabel with text of its own, the URL field is named by that visible text (WCAG 2.5.3, label in name)', async () => {
    const { container } = render(
      <ReferenceUploader.Root allowUpload={false}>
        <ReferenceUploader.UrlLabel>Link to a photo of your character</ReferenceUploader.UrlLabel>
        <ReferenceUploader.UrlInput />
      </ReferenceUploader.Root>,
    );
    expect(screen.getByRole('textbox')).toHaveAccessibleName('Link to a photo of your character');
    await expectNoAxeViolations(container, { rules: { 'label-content-name-mismatch': { enabled: true } } });
  });

  it('given a UrlLabel with an id of its own, the field is still named by it', () => {
    render(
      <ReferenceUploader.Root allowUpload={false} labels={{ urlInput: 'Bild-URL' }}>
        <ReferenceUploader.UrlLabel id="my-label" />
        <ReferenceUploader.UrlInput />
      </ReferenceUploader.Root>,
    );
    expect(screen.getByRole('textbox')).toHaveAttribute('aria-labelledby', 'my-label');
    expect(screen.getByRole('textbox')).toHaveAccessibleName('Bild-URL');
  });

  it("given the app's own aria-label or aria-labelledby on the UrlInput, that names the field even beside a rendered UrlLabel", () => {
    const { unmount } = render(
      <ReferenceUploader.Root allowUpload={false}>
        <ReferenceUploader.UrlLabel />
        <ReferenceUploader.UrlInput aria-label="Character photo link" />
      </ReferenceUploader.Root>,
    );
    expect(screen.getByRole('textbox')).toHaveAccessibleName('Character photo link');
    expect(screen.getByRole('textbox')).not.toHaveAttribute('aria-labelledby');
    unmount();
    render(
      <ReferenceUploader.Root allowUpload={false}>
        <ReferenceUploader.UrlLabel />
        <span id="app-label">Link from your gallery</span>
        <ReferenceUploader.UrlInput aria-labelledby="app-label" />
      </ReferenceUploader.Root>,
    );
    expect(screen.getByRole('textbox')).toHaveAccessibleName('Link from your gallery');
  });

  it('given no UrlLabel, the field is still named, by labels.urlInput', () => {
    render(
      <ReferenceUploader.Root allowUpload={false} labels={{ urlInput: 'Bild-URL' }}>
        <ReferenceUploader.UrlInput />
      </ReferenceUploader.Root>,
    );
    expect(screen.getByRole('textbox')).toHaveAccessibleName('Bild-URL');
  });

  /** The ids an ARIA attribute points at, each with whether it is in the document. */
  const references = (element: Element, attribute: string) =>
    (element.getAttribute(attribute) ?? '').split(' ').filter(Boolean).map((id) => [id, document.getElementById(id) !== null]);

  it('the ready drop zone is described by its hint, which it renders', () => {
    render(<ReferenceUploader client={uploadClient().client} />);
    const zone = screen.getByRole('button', { name: /drop a photo here/i });
    expect(zone).toHaveAccessibleDescription(hintOf('JPEG, PNG or WebP', 'up to 10 MB', 'at least 256 px'));
  });

  it('given a Dropzone with children of its own (no hint rendered), it points aria-describedby only at ids that exist', async () => {
    const user = userEvent.setup();
    const { container } = render(
      <ReferenceUploader.Root client={uploadClient().client} aria-describedby="app-help">
        <p id="app-help">Your photo stays private.</p>
        <ReferenceUploader.Dropzone>Drop your photo</ReferenceUploader.Dropzone>
        <ReferenceUploader.UrlInput />
        <ReferenceUploader.Messages />
      </ReferenceUploader.Root>,
    );
    const zone = screen.getByRole('button', { name: 'Drop your photo' });
    expect(references(zone, 'aria-describedby')).toEqual([['app-help', true]]);
    await user.type(screen.getByRole('textbox', { name: 'Image URL' }), 'photo dot jpg{Enter}');
    expect(zone).toHaveAccessibleDescription('Enter a link that starts with http:// or https://. Your photo stays private.');
    expect(references(zone, 'aria-describedby').every(([, exists]) => exists)).toBe(true);
    await expectNoAxeViolations(container);
  });

  it('given a layout without the Error part, a refusal points the field at no missing error id', async () => {
    const user = userEvent.setup();
    render(
      <ReferenceUploader.Root allowUpload={false} onError={() => {}}>
        <ReferenceUploader.UrlInput />
      </ReferenceUploader.Root>,
    );
    const field = screen.getByRole('textbox', { name: 'Image URL' });
    await user.type(field, 'photo dot jpg{Enter}');
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(references(field, 'aria-describedby')).toEqual([]);
  });

  it('given an Error part with an id of its own, the field is described through that id', async () => {
    const user = userEvent.setup();
    render(
      <ReferenceUploader.Root allowUpload={false}>
        <ReferenceUploader.UrlInput />
        <ReferenceUploader.Error id="my-error" />
      </ReferenceUploader.Root>,
    );
    const field = screen.getByRole('textbox', { name: 'Image URL' });
    await user.type(field, 'photo dot jpg{Enter}');
    expect(references(field, 'aria-describedby')).toEqual([['my-error', true]]);
    expect(field).toHaveAccessibleDescription('Enter a link that starts with http:// or https://.');
  });
});

describe('the drop zone\'s hint', () => {
  const hint = (container: HTMLElement) => container.querySelector('[data-slot="reference-uploader-dropzone-hint"]');

  it('given other limits, the default hint says those limits', () => {
    const { container } = render(<ReferenceUploader client={uploadClient().client} maxBytes={5 * 1024 * 1024} minShortEdge={512} />);
    expect(hint(container)).toHaveTextContent('JPEG, PNG or WebP · up to 5 MB · at least 512 px');
    expect(screen.getByRole('button', { name: /drop a photo here/i })).toHaveAccessibleDescription(hintOf('JPEG, PNG or WebP', 'up to 5 MB', 'at least 512 px'));
  });

  it('given a hint of its own as a string, that string is shown whatever the limits', () => {
    const { container } = render(<ReferenceUploader client={uploadClient().client} minShortEdge={512} labels={{ dropzoneHint: 'Nur Fotos' }} />);
    expect(hint(container)).toHaveTextContent('Nur Fotos');
  });

  it('given a hint of its own as a function, it gets the limits in effect, defaults included', () => {
    const { container } = render(
      <ReferenceUploader
        client={uploadClient().client}
        minShortEdge={300}
        labels={{ dropzoneHint: ({ maxBytes, minShortEdge, maxLongEdge }) => `${maxBytes} B, ${minShortEdge}–${maxLongEdge} px` }}
      />,
    );
    expect(hint(container)).toHaveTextContent('10485760 B, 300–2048 px');
  });
});

describe('translations typed with the messages interface', () => {
  /** A full translation written before `tooNarrow` existed: it must keep compiling (tsc checks this file). */
  const german: ReferenceUploaderLabels = {
    unsupportedType: 'Diese Datei ist kein JPEG-, PNG- oder WebP-Bild.',
    tooLarge: ({ bytes }) => `Dieses Bild hat ${Math.round(bytes / 1024 / 1024)} MB, mehr als erlaubt.`,
    tooSmall: ({ width, height, minShortEdge }) => `Dieses Bild hat nur ${width} × ${height} Pixel; nötig sind ${minShortEdge} Pixel je Seite.`,
    unreadable: 'Dieses Bild lässt sich nicht öffnen.',
    invalidUrl: 'Geben Sie einen Link mit http:// oder https:// ein.',
    uploadsUnavailable: 'Hochladen ist hier nicht möglich. Fügen Sie einen Bildlink ein.',
    uploadFailed: ({ reason }) => `Das Hochladen ist fehlgeschlagen: ${reason}`,
    fileInput: 'Referenzbild',
    dropzone: 'Foto hierher ziehen, einfügen oder Datei wählen',
    dropzoneHint: 'JPEG, PNG oder WebP · bis 10 MB · mindestens 256 px',
    dropzoneActive: 'Loslassen, um dieses Bild zu verwenden',
    urlInput: 'Bild-URL',
    urlPlaceholder: 'https://example.com/foto.jpg',
    preview: 'Vorschau des Referenzbilds',
    remove: 'Referenzbild entfernen',
    progress: 'Fortschritt des Hochladens',
    cancel: 'Hochladen abbrechen',
    checking: 'Bild wird geprüft…',
    or: 'oder',
  };

  it('given such a translation without tooNarrow, a too-narrow panorama is still refused, with the default message, and its other strings stay', async () => {
    const user = userEvent.setup();
    const { client, calls } = uploadClient();
    const onError = vi.fn();
    render(<ReferenceUploader client={client} labels={german} onError={onError} />);
    await user.upload(screen.getByLabelText('Referenzbild'), pngFile(6000, 300));
    expect(await screen.findByRole('alert')).toHaveTextContent('This image is too long and narrow (6000 × 300 pixels). Crop it to at most 8:1.');
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'too_small' }));
    expect(calls).toHaveLength(0);
    await user.upload(screen.getByLabelText('Referenzbild'), pngFile(1000, 200));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('Dieses Bild hat nur 1000 × 200 Pixel; nötig sind 256 Pixel je Seite.'));
  });

  it('given a tooNarrow of its own, that one is shown, with the original and the uploaded size', async () => {
    const user = userEvent.setup();
    const { client } = uploadClient();
    const labels: ReferenceUploaderLabels = {
      ...german,
      tooNarrow: ({ width, height, scaledWidth, scaledHeight }) => `Zu schmal: ${width} × ${height} würde ${scaledWidth} × ${scaledHeight}.`,
    };
    render(<ReferenceUploader client={client} labels={labels} />);
    await user.upload(screen.getByLabelText('Referenzbild'), pngFile(6000, 300));
    expect(await screen.findByRole('alert')).toHaveTextContent('Zu schmal: 6000 × 300 würde 2048 × 102.');
  });

  it('labels and messages set to undefined keep their defaults instead of erasing them (or throwing where they are needed)', async () => {
    const user = userEvent.setup();
    const { client } = uploadClient();
    render(
      <ReferenceUploader
        client={client}
        messages={{ tooSmall: undefined }}
        labels={{ tooSmall: undefined, urlInput: undefined, dropzoneHint: undefined, fileInput: undefined }}
      />,
    );
    expect(screen.getByRole('textbox', { name: 'Image URL' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /drop a photo here/i })).toHaveAccessibleDescription(hintOf('JPEG, PNG or WebP', 'up to 10 MB', 'at least 256 px'));
    await user.upload(screen.getByLabelText('Reference image'), pngFile(1000, 200));
    expect(await screen.findByRole('alert')).toHaveTextContent('This image is only 1000 × 200 pixels. Choose one at least 256 pixels on each side.');
    const { result } = renderHook(() => useReferenceUpload({ messages: { invalidUrl: undefined } }));
    act(() => void result.current.setUrl('photo dot jpg'));
    expect(result.current.error).toEqual({ code: 'invalid_url', message: 'Enter a link that starts with http:// or https://.' });
  });

  it('the default tooNarrow\'s advice follows minShortEdge and maxLongEdge, through the headless hook too', async () => {
    const { client } = uploadClient();
    const messages: Partial<ReferenceUploadMessages> = { unreadable: 'Kaputt.' };
    const { result } = renderHook(() => useReferenceUpload({ client, messages, minShortEdge: 300 }));
    await act(() => result.current.selectFile(pngFile(4000, 500)));
    // 2048 / 300 = 6.83: rounded down to advice that, followed, passes (500 × 3400 → 301 px short edge).
    expect(result.current.error).toEqual({ code: 'too_small', message: 'This image is too long and narrow (4000 × 500 pixels). Crop it to at most 6.8:1.' });
  });
});

describe('ReferenceUploader with the real client and proxy', () => {
  // Uploads that succeed are covered in Chromium (test/browser): jsdom's File and Node's fetch are different realms.
  function wiredClient(withUploads: boolean) {
    const storage = memoryStorage();
    const proxy = createCharacterProxy({
      apiKey: 'pd_test_key',
      basePath: '/api/character',
      fetch: createSimulator({ apiKey: 'pd_test_key' }).fetch as (request: Request) => Promise<Response>,
      ...(withUploads ? { uploads: { storage } } : {}),
    });
    const client = createCharacterClient({
      endpoint: 'http://app.test/api/character',
      fetch: ((input: RequestInfo | URL, init?: RequestInit) => proxy(new Request(input, init))) as typeof fetch,
    });
    return { client, storage };
  }

  it('when the proxy has no upload storage, says so and keeps URL mode working', async () => {
    const user = userEvent.setup();
    const { client } = wiredClient(false);
    const onValueChange = vi.fn();
    render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
    await user.upload(screen.getByLabelText('Reference image'), pngFile(300, 300));
    expect(await screen.findByRole('alert')).toHaveTextContent("Uploading files isn't available here.");
    expect(screen.queryByLabelText('Reference image')).toBeNull();
    await user.type(screen.getByRole('textbox', { name: 'Image URL' }), 'https://images.example/ok.png{Enter}');
    expect(onValueChange).toHaveBeenCalledWith('https://images.example/ok.png');
  });
});

describe('useReferenceUpload (headless)', () => {
  it('gives the limits in effect, as one object while they stay the same (safe in an effect\'s dependencies)', () => {
    const { result, rerender } = renderHook(({ maxBytes }) => useReferenceUpload({ allowUpload: false, maxBytes }), { initialProps: { maxBytes: 5 * 1024 * 1024 } });
    const first = result.current.limits;
    expect(first).toEqual({ maxBytes: 5 * 1024 * 1024, minShortEdge: 256, maxLongEdge: 2048 });
    rerender({ maxBytes: 5 * 1024 * 1024 });
    expect(result.current.limits).toBe(first);
    rerender({ maxBytes: 1024 * 1024 });
    expect(result.current.limits.maxBytes).toBe(1024 * 1024);
  });

  it('gives the same behaviour without any UI: check, upload with progress, value, remove', async () => {
    const { client, calls } = uploadClient();
    const onValueChange = vi.fn();
    const { result } = renderHook(() => useReferenceUpload({ client, onValueChange }));
    expect(result.current.status).toBe('empty');
    expect(result.current.uploadsAvailable).toBe(true);
    let done!: Promise<void>;
    act(() => {
      done = result.current.selectFile(pngFile(300, 300));
    });
    await waitFor(() => expect(result.current.status).toBe('uploading'));
    act(() => calls[0]!.progress(0.25));
    expect(result.current.progress).toBe(0.25);
    expect(result.current.previewUrl).toMatch(/^blob:test\//);
    await act(async () => {
      calls[0]!.finish('https://uploads.example/h.png');
      await done;
    });
    expect(result.current).toMatchObject({ status: 'ready', value: 'https://uploads.example/h.png', source: 'file', progress: null, error: null });
    expect(result.current.dimensions).toEqual({ width: 300, height: 300 });
    act(() => result.current.remove());
    expect(result.current.status).toBe('empty');
    expect(onValueChange).toHaveBeenLastCalledWith('');
  });

  it('setUrl returns false and sets a coded error for a non-http link', () => {
    const { result } = renderHook(() => useReferenceUpload({ allowUpload: false }));
    let accepted = true;
    act(() => {
      accepted = result.current.setUrl('data:image/png;base64,AAAA');
    });
    expect(accepted).toBe(false);
    expect(result.current.error?.code).toBe('invalid_url');
    act(() => {
      accepted = result.current.setUrl(' https://images.example/a.webp ');
    });
    expect(accepted).toBe(true);
    expect(result.current).toMatchObject({ value: 'https://images.example/a.webp', source: 'url', error: null });
  });

  it('refuses a file far over the size limit without decoding it', async () => {
    const decode = vi.fn();
    vi.stubGlobal('createImageBitmap', decode);
    const { client } = uploadClient();
    const { result } = renderHook(() => useReferenceUpload({ client, maxBytes: 1000 }));
    await act(() => result.current.selectFile(pngFile(300, 300, 'big.png', 5000)));
    expect(result.current.error?.code).toBe('too_large');
    expect(decode).not.toHaveBeenCalled();
  });
});
