import { afterEach, describe, expect, it, vi } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import { createRoot } from 'react-dom/client';
import { ParameterForm } from '../../src/components/parameter-form/index.js';
import { defaultReferenceUploadMessages, ReferenceUploader } from '../../src/components/reference-uploader/index.js';
import { createCharacterClient } from '../../src/core/client.js';
import '../../src/styles/styles.css';
import { expectNoAxeViolations } from '../helpers/axe.js';
import { refuseAFileThenALink } from '../helpers/refusals.js';
import { trackBox } from '../helpers/track-box.js';

/** A real image, encoded by the browser: a gradient with noise so JPEG has work to do. */
async function makeImage(width: number, height: number, type: 'image/png' | 'image/jpeg' | 'image/webp', name: string): Promise<File> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  const gradient = context.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, '#4f46e5');
  gradient.addColorStop(1, '#f59e0b');
  context.fillStyle = gradient;
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#111827';
  context.beginPath();
  context.arc(width / 2, height / 2.4, Math.min(width, height) / 6, 0, Math.PI * 2);
  context.fill();
  const blob = await canvas.convertToBlob(type === 'image/png' ? { type } : { type, quality: 0.92 });
  return new File([blob], name, { type });
}

/**
 * A JPEG stored sideways with EXIF orientation 6 ("rotate 90° clockwise to show"), as phones
 * write portraits: stored `width` × `height`, left half red and right half blue, so shown
 * upright it is `height` × `width`, red on top and blue below.
 */
async function makeSidewaysJpeg(width: number, height: number): Promise<File> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#ff0000';
  context.fillRect(0, 0, width / 2, height);
  context.fillStyle = '#0000ff';
  context.fillRect(width / 2, 0, width / 2, height);
  const jpeg = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 })).arrayBuffer());
  // APP1 "Exif": a big-endian TIFF header and one IFD entry, Orientation (0x0112) = 6.
  const tiff = [0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const app1 = new Uint8Array([0xff, 0xe1, 0, payload.length + 2, ...payload]);
  return new File([jpeg.slice(0, 2), app1, jpeg.slice(2)], 'portrait.jpg', { type: 'image/jpeg' });
}

/**
 * A real 300×200 JPEG (1-2 kB) whose frame header (SOF0) claims `width` × `height`, as a
 * decompression-bomb probe would: the header is a claim, the scan data is for 300×200.
 */
async function makeJpegClaiming(width: number, height: number): Promise<File> {
  const bytes = new Uint8Array(await (await makeImage(300, 200, 'image/jpeg', 'small.jpg')).arrayBuffer());
  let at = 2;
  while (!(bytes[at] === 0xff && bytes[at + 1] === 0xc0)) at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  bytes.set([height >> 8, height & 0xff, width >> 8, width & 0xff], at + 5);
  return new File([bytes], 'claims-huge.jpg', { type: 'image/jpeg' });
}

/**
 * Puts a watch on the browser's own WebCodecs `ImageDecoder`: counts the decoders made (the
 * scaled decode) and, when `changeFrame` is given, hands back its frame instead of the real one
 * (to stand in for a browser whose decoder behaves differently). Undone by `vi.unstubAllGlobals`.
 */
function watchImageDecoder(changeFrame?: (frame: VideoFrame) => VideoFrame): { decoders: number } {
  const seen = { decoders: 0 };
  class WatchedImageDecoder extends ImageDecoder {
    constructor(init: ImageDecoderInit) {
      super(init);
      seen.decoders++;
    }

    override async decode(options?: ImageDecodeOptions): Promise<ImageDecodeResult> {
      const result = await super.decode(options);
      return changeFrame ? { complete: result.complete, image: changeFrame(result.image) } : result;
    }
  }
  vi.stubGlobal('ImageDecoder', WatchedImageDecoder);
  return seen;
}

/** The colour at a point of an image, as [r, g, b]. */

/** The uploaded bytes as the browser decodes them; `'none'` reads the pixels as stored, ignoring any EXIF rotation. */
function storedBitmap(stored: { bytes: Uint8Array; contentType: string }, imageOrientation: ImageOrientation = 'from-image'): Promise<ImageBitmap> {
  return createImageBitmap(new Blob([stored.bytes as Uint8Array<ArrayBuffer>], { type: stored.contentType }), { imageOrientation });
}
function colourAt(bitmap: ImageBitmap, x: number, y: number): number[] {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  return [...context.getImageData(x, y, 1, 1).data.subarray(0, 3)];
}

/**
 * The real client over `fetch`, answering `POST {endpoint}/uploads` as the proxy contract says
 * (multipart with one `file` → `201 { url }`). The proxy itself runs on Node (test/server);
 * here a stand-in keeps the files in a Map, as an app's storage would, so the test can look at them.
 */
function wiredClient() {
  const files = new Map<string, { bytes: Uint8Array; contentType: string }>();
  let count = 0;
  const uploads = async (request: Request): Promise<Response> => {
    if (request.method !== 'POST' || !new URL(request.url).pathname.endsWith('/api/character/uploads')) {
      return Response.json({ error: { code: 'not_found', message: 'Not found', status: 404 } }, { status: 404 });
    }
    const file = (await request.formData()).get('file');
    if (!(file instanceof Blob)) return Response.json({ error: { code: 'invalid_input', message: 'No file', status: 400 } }, { status: 400 });
    const name = `upload-${++count}`;
    files.set(name, { bytes: new Uint8Array(await file.arrayBuffer()), contentType: file.type });
    return Response.json({ url: `https://uploads.example/${name}` }, { status: 201 });
  };
  const client = createCharacterClient({
    endpoint: `${location.origin}/api/character`,
    fetch: ((input: RequestInfo | URL, init?: RequestInit) => uploads(new Request(input, init))) as typeof fetch,
  });
  return { client, files };
}

function dropzone() {
  return page.getByRole('button', { name: /drop a photo here/i });
}

describe('ReferenceUploader in Chromium', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('takes a real file drop (DataTransfer), decodes it, uploads it through the real client and previews it', async () => {
    const { client, files } = wiredClient();
    const onValueChange = vi.fn();
    const screen = await render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
    const file = await makeImage(640, 800, 'image/png', 'portrait.png');
    const zone = dropzone().element();
    const transfer = new DataTransfer();
    transfer.items.add(file);
    zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    await vi.waitFor(() => expect(zone.getAttribute('data-state')).toBe('drag-over'));
    expect(zone).toHaveTextContent('Drop to use this image');
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));

    await vi.waitFor(() => expect(onValueChange).toHaveBeenCalledWith('https://uploads.example/upload-1'));
    expect(files.get('upload-1')?.contentType).toBe('image/png');
    expect(files.get('upload-1')?.bytes.byteLength).toBe(file.size);
    const preview = screen.getByRole('img', { name: 'Reference image preview' });
    await expect.element(preview).toBeVisible();
    await vi.waitFor(() => expect((preview.element() as HTMLImageElement).naturalWidth).toBe(640));
    await expectNoAxeViolations(screen.container);
  });

  it('takes an image pasted from the clipboard (ClipboardEvent with DataTransfer) while the drop zone has focus', async () => {
    const { client, files } = wiredClient();
    const onValueChange = vi.fn();
    await render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
    const file = await makeImage(512, 512, 'image/webp', 'pasted.webp');
    await userEvent.tab();
    await expect.element(dropzone()).toHaveFocus();
    const transfer = new DataTransfer();
    transfer.items.add(file);
    document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    await vi.waitFor(() => expect(onValueChange).toHaveBeenCalledTimes(1));
    expect(files.get('upload-1')?.contentType).toBe('image/webp');
  });

  it('decodes for real: refuses an image under 256 px on its short edge and keeps the previous one', async () => {
    const { client, files } = wiredClient();
    const previous = 'https://images.example/previous.png';
    const screen = await render(<ReferenceUploader client={client} defaultValue={previous} />);
    const input = screen.getByLabelText('Reference image');
    await input.upload(await makeImage(800, 200, 'image/jpeg', 'banner.jpg'));
    await expect.element(page.getByRole('alert')).toHaveTextContent('This image is only 800 × 200 pixels.');
    await expect.element(screen.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', previous);
    expect(files.size).toBe(0);
    await expectNoAxeViolations(screen.container);
  });

  describe('given a photo long enough for its short edge to end under 256 px once downscaled to 2048 px', () => {
    it('refuses a 6000×300 panorama as too small (it would be uploaded at 2048×102), saying how to crop it, and keeps the previous image', async () => {
      const { client, files } = wiredClient();
      const onError = vi.fn();
      const previous = 'https://images.example/previous.png';
      const screen = await render(<ReferenceUploader client={client} defaultValue={previous} onError={onError} />);
      await screen.getByLabelText('Reference image').upload(await makeImage(6000, 300, 'image/jpeg', 'panorama.jpg'));
      await expect.element(page.getByRole('alert')).toHaveTextContent('This image is too long and narrow (6000 × 300 pixels). Crop it to at most 8:1.');
      expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'too_small' }));
      await expect.element(screen.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', previous);
      expect(files.size).toBe(0);
    });

    it('uploads a 4096×512 image, whose short edge is exactly 256 px at 2048 px long', async () => {
      const { client, files } = wiredClient();
      const onValueChange = vi.fn();
      const screen = await render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
      await screen.getByLabelText('Reference image').upload(await makeImage(4096, 512, 'image/png', 'strip.png'));
      await vi.waitFor(() => expect(onValueChange).toHaveBeenCalledTimes(1), { timeout: 10_000 });
      const stored = files.get('upload-1')!;
      const bitmap = await storedBitmap(stored);
      expect([bitmap.width, bitmap.height]).toEqual([2048, 256]);
    });
  });

  it('refuses a file whose bytes are not an image, even named .jpg with an image type', async () => {
    const { client, files } = wiredClient();
    const screen = await render(<ReferenceUploader client={client} />);
    const fake = new File(['GIF89a not what we take'], 'photo.jpg', { type: 'image/jpeg' });
    await screen.getByLabelText('Reference image').upload(fake);
    await expect.element(page.getByRole('alert')).toHaveTextContent("This file isn't a JPEG, PNG or WebP image.");
    expect(files.size).toBe(0);
  });

  it('downscales a 6000×4000 JPEG in the browser to 2048 px on the long edge, still a JPEG, before uploading', async () => {
    const scaled = watchImageDecoder();
    const fullDecodes = vi.spyOn(globalThis, 'createImageBitmap');
    const { client, files } = wiredClient();
    const onValueChange = vi.fn();
    const screen = await render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
    const original = await makeImage(6000, 4000, 'image/jpeg', 'big.jpg');
    await screen.getByLabelText('Reference image').upload(original);
    await vi.waitFor(() => expect(onValueChange).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    // Decoded once, at 1/8 steps (2250×1500), by Chromium's ImageDecoder; its frame passed the shape checks.
    expect(scaled.decoders).toBe(1);
    expect(fullDecodes).not.toHaveBeenCalled();
    const stored = files.get('upload-1')!;
    expect(stored.contentType).toBe('image/jpeg');
    expect([...stored.bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]); // JPEG by its bytes too
    const bitmap = await storedBitmap(stored);
    expect([bitmap.width, bitmap.height]).toEqual([2048, 1365]);
    expect(stored.bytes.byteLength).toBeLessThan(original.size);
    const preview = screen.getByRole('img', { name: 'Reference image preview' });
    await expect.element(preview).toHaveAttribute('width', '2048');
  });

  it('downscales a sideways 4000×6000 phone JPEG upright: 1365×2048, the EXIF rotation applied as before', async () => {
    const scaled = watchImageDecoder();
    const fullDecodes = vi.spyOn(globalThis, 'createImageBitmap');
    const { client, files } = wiredClient();
    const onValueChange = vi.fn();
    const screen = await render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
    await screen.getByLabelText('Reference image').upload(await makeSidewaysJpeg(6000, 4000));
    await vi.waitFor(() => expect(onValueChange).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    // Chromium's decoder gives the 1/8-scaled frame with rotation 90: it is used, no full decode runs.
    expect(scaled.decoders).toBe(1);
    expect(fullDecodes).not.toHaveBeenCalled();
    const stored = files.get('upload-1')!;
    expect(stored.contentType).toBe('image/jpeg');
    // The upload has no EXIF left to apply ("none"), so this reads the pixels as they are stored.
    const bitmap = await storedBitmap(stored, 'none');
    expect([bitmap.width, bitmap.height]).toEqual([1365, 2048]);
    const [top, bottom] = [colourAt(bitmap, 682, 200), colourAt(bitmap, 682, 1848)];
    expect(top[0]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(50);
    expect(bottom[0]).toBeLessThan(50);
    expect(bottom[2]).toBeGreaterThan(200);
  });

  describe('given a JPEG header that cannot be trusted', () => {
    it('does not decode a small file claiming 65535×65535 at a reduced scale: it is refused as unreadable, as the full decode alone refuses it', async () => {
      const scaled = watchImageDecoder();
      const { client, files } = wiredClient();
      const screen = await render(<ReferenceUploader client={client} />);
      await screen.getByLabelText('Reference image').upload(await makeJpegClaiming(65535, 65535));
      await expect.element(screen.getByRole('alert')).toHaveTextContent("This image couldn't be opened.");
      const withDecoder = screen.getByRole('alert').element().textContent;
      expect(scaled.decoders).toBe(0);
      await screen.unmount();

      vi.stubGlobal('ImageDecoder', undefined);
      const fullOnly = await render(<ReferenceUploader client={client} />);
      await fullOnly.getByLabelText('Reference image').upload(await makeJpegClaiming(65535, 65535));
      await expect.element(fullOnly.getByRole('alert')).toHaveTextContent("This image couldn't be opened.");
      expect(fullOnly.getByRole('alert').element().textContent).toBe(withDecoder);
      expect(files.size).toBe(0);
    });

    it('decodes a file claiming 16385×300 (over the proxy\'s 16384 px a side) only in full, ending as the full decode alone does', async () => {
      const outcome = async () => {
        const { client, files } = wiredClient();
        const screen = await render(<ReferenceUploader client={client} />);
        await screen.getByLabelText('Reference image').upload(await makeJpegClaiming(16385, 300));
        await vi.waitFor(() => expect(files.size + (screen.container.querySelector('[role="alert"]') ? 1 : 0)).toBeGreaterThan(0), { timeout: 10_000 });
        const stored = files.get('upload-1');
        const bitmap = stored && (await storedBitmap(stored));
        const result = { alert: screen.container.querySelector('[role="alert"]')?.textContent ?? null, size: bitmap ? [bitmap.width, bitmap.height] : null };
        await screen.unmount();
        return result;
      };
      const scaled = watchImageDecoder();
      const withDecoder = await outcome();
      expect(scaled.decoders).toBe(0);
      vi.stubGlobal('ImageDecoder', undefined);
      expect(withDecoder).toEqual(await outcome());
    });

    it('uploads a sideways phone JPEG upright, not stretched, when the decoder turns the pixels itself and says rotation 0', async () => {
      // Such a decoder's frame is already upright (1500×2250) while the header says 6000×4000 stored.
      const scaled = watchImageDecoder((frame) => {
        const canvas = new OffscreenCanvas(frame.displayWidth, frame.displayHeight);
        canvas.getContext('2d')!.drawImage(frame, 0, 0);
        frame.close();
        return new VideoFrame(canvas, { timestamp: 0 });
      });
      const { client, files } = wiredClient();
      const onValueChange = vi.fn();
      const screen = await render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
      await screen.getByLabelText('Reference image').upload(await makeSidewaysJpeg(6000, 4000));
      await vi.waitFor(() => expect(onValueChange).toHaveBeenCalledTimes(1), { timeout: 10_000 });
      expect(scaled.decoders).toBe(1);
      const stored = files.get('upload-1')!;
      const bitmap = await storedBitmap(stored, 'none');
      expect([bitmap.width, bitmap.height]).toEqual([1365, 2048]);
      expect(colourAt(bitmap, 682, 200)[0]).toBeGreaterThan(200);
      expect(colourAt(bitmap, 682, 1848)[2]).toBeGreaterThan(200);
      // Upright means the split runs across: the left and right of one row are the same colour.
      expect(colourAt(bitmap, 100, 200)[0]).toBeGreaterThan(200);
      expect(colourAt(bitmap, 1265, 200)[0]).toBeGreaterThan(200);
    });
  });

  describe('given a browser without WebCodecs\' ImageDecoder', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it('still downscales a 6000×4000 JPEG to 2048×1365 with the full decode', async () => {
      vi.stubGlobal('ImageDecoder', undefined);
      const { client, files } = wiredClient();
      const onValueChange = vi.fn();
      const screen = await render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
      await screen.getByLabelText('Reference image').upload(await makeImage(6000, 4000, 'image/jpeg', 'big.jpg'));
      await vi.waitFor(() => expect(onValueChange).toHaveBeenCalledTimes(1), { timeout: 10_000 });
      const stored = files.get('upload-1')!;
      expect(stored.contentType).toBe('image/jpeg');
      const bitmap = await storedBitmap(stored);
      expect([bitmap.width, bitmap.height]).toEqual([2048, 1365]);
    });

    it('still downscales a sideways phone JPEG upright', async () => {
      vi.stubGlobal('ImageDecoder', undefined);
      const { client, files } = wiredClient();
      const onValueChange = vi.fn();
      const screen = await render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
      await screen.getByLabelText('Reference image').upload(await makeSidewaysJpeg(6000, 4000));
      await vi.waitFor(() => expect(onValueChange).toHaveBeenCalledTimes(1), { timeout: 10_000 });
      const stored = files.get('upload-1')!;
      const bitmap = await storedBitmap(stored, 'none');
      expect([bitmap.width, bitmap.height]).toEqual([1365, 2048]);
      expect(colourAt(bitmap, 682, 200)[0]).toBeGreaterThan(200);
      expect(colourAt(bitmap, 682, 1848)[2]).toBeGreaterThan(200);
    });
  });

  it('shows real upload progress and cancels through the AbortSignal', async () => {
    let signal: AbortSignal | undefined;
    let report: ((fraction: number) => void) | undefined;
    // Progress needs a network that reports it; this stand-in reports what XMLHttpRequest would.
    const client = {
      endpoint: '/api/character',
      uploadReference: (_file: Blob, options: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {}) =>
        new Promise<{ url: string }>((_resolve, reject) => {
          signal = options.signal;
          report = options.onProgress;
          options.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'CharacterApiError', code: 'aborted' })));
        }),
    } as never;
    const onValueChange = vi.fn();
    const screen = await render(<ReferenceUploader client={client} onValueChange={onValueChange} />);
    await screen.getByLabelText('Reference image').upload(await makeImage(400, 400, 'image/png', 'a.png'));
    const bar = page.getByRole('progressbar', { name: 'Upload progress' });
    await expect.element(bar).toHaveAttribute('aria-valuenow', '0');
    report!(0.5);
    await expect.element(bar).toHaveAttribute('aria-valuenow', '50');
    // The fill is drawn from --ic-progress (after its short transition).
    await vi.waitFor(() =>
      expect(parseFloat(getComputedStyle(bar.element(), '::before').width)).toBeCloseTo(bar.element().getBoundingClientRect().width / 2, 0),
    );
    await expectNoAxeViolations(screen.container);
    await page.getByRole('button', { name: 'Cancel upload' }).click();
    expect(signal?.aborted).toBe(true);
    await expect.element(bar).not.toBeInTheDocument();
    expect(onValueChange).not.toHaveBeenCalled();
  });

  describe('given ReferenceUploader.Messages at 360 px, the narrowest layout', () => {
    it('every default message, with the widest numbers the checks produce, fits in the room kept for it', async () => {
      const m = defaultReferenceUploadMessages;
      const mb = 1024 * 1024;
      const longest = [
        m.unsupportedType,
        m.tooLarge({ bytes: 40 * mb - 1, maxBytes: 10 * mb }),
        m.tooSmall({ width: 16384, height: 255, minShortEdge: 256 }),
        m.tooNarrow({ width: 16384, height: 2047, scaledWidth: 2048, scaledHeight: 255, minShortEdge: 256, maxLongEdge: 2048 }),
        m.unreadable,
        m.invalidUrl,
        m.uploadsUnavailable,
        m.uploadFailed({ reason: 'Too many requests; try again shortly.' }),
        m.uploadUnreachable,
      ];
      const layout = (text?: string) => (
        <div style={{ width: 360 }}>
          <ReferenceUploader.Root allowUpload={false}>
            <ReferenceUploader.Messages>{text && <p data-slot="reference-uploader-error">{text}</p>}</ReferenceUploader.Messages>
          </ReferenceUploader.Root>
        </div>
      );
      const screen = await render(layout());
      const place = document.querySelector('[data-slot="reference-uploader-messages"]')!;
      const empty = place.getBoundingClientRect().height;
      expect(empty).toBeGreaterThan(0);
      const heights: Record<string, number> = {};
      for (const text of longest) {
        await screen.rerender(layout(text));
        heights[text] = place.getBoundingClientRect().height;
      }
      expect(heights).toEqual(Object.fromEntries(longest.map((text) => [text, empty])));
    });
  });

  for (const width of [1000, 360]) {
    describe(`given a custom layout, ${width} px wide: the URL field, ReferenceUploader.Messages, ReferenceUploader.Frame, then the app's own button`, () => {
      it('the button never moves while a file is previewed, a panorama and a non-image are refused, and a link is refused', async () => {
        await page.viewport(1100, 1200);
        const { client } = wiredClient();
        const onValueChange = vi.fn();
        const screen = await render(
          <div style={{ width }}>
            <ReferenceUploader.Root client={client} onValueChange={onValueChange}>
              <ReferenceUploader.UrlLabel />
              <ReferenceUploader.UrlInput />
              <ReferenceUploader.Messages />
              <ReferenceUploader.Frame />
              <ReferenceUploader.FileInput />
            </ReferenceUploader.Root>
            <button type="button">Next</button>
          </div>,
        );
        const next = page.getByRole('button', { name: 'Next' }).element();
        const stop = trackBox(next, screen.container);
        const input = screen.getByLabelText('Reference image');
        await input.upload(await makeImage(640, 800, 'image/png', 'portrait.png'));
        await vi.waitFor(() => expect(onValueChange).toHaveBeenCalledTimes(1));
        await vi.waitFor(() => expect((screen.getByRole('img', { name: 'Reference image preview' }).element() as HTMLImageElement).naturalWidth).toBe(640));
        await input.upload(await makeImage(6000, 300, 'image/jpeg', 'panorama.jpg'));
        await expect.element(page.getByRole('alert')).toHaveTextContent('This image is too long and narrow');
        await refuseAFileThenALink(input);
        expect(stop()).toHaveLength(1);
        await expectNoAxeViolations(screen.container);
      });
    });
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`meets AA contrast in the ${theme} theme, alone with a refusal and inside the form with errors`, async () => {
      const { client } = wiredClient();
      const screen = await render(
        <div data-ic-theme={theme} style={{ background: 'var(--ic-bg)', padding: 16 }}>
          <ReferenceUploader client={client} />
          <ParameterForm client={client} fieldErrors={{ prompt: ['The prompt failed the safety check'], _form: ['Check the fields'] }} />
        </div>,
      );
      await screen.getByLabelText('Reference image').first().upload(new File(['not an image'], 'x.png', { type: 'image/png' }));
      await expect.element(page.getByRole('alert').first()).toHaveTextContent("isn't a JPEG, PNG or WebP");
      await page.getByRole('button', { name: 'Generate' }).click();
      await expect.element(page.getByRole('textbox', { name: 'Prompt' })).toHaveAttribute('aria-invalid', 'true');
      await expectNoAxeViolations(screen.container);
    });
  }
});

describe('given a custom layout whose UrlLabel has text of its own', () => {
  it('names the link field by that label from the first frame the browser paints, not a moment later', async () => {
    const client = createCharacterClient({ endpoint: `${location.origin}/api/character` });
    const container = document.body.appendChild(document.createElement('div'));
    const root = createRoot(container);
    /** The field's accessible name as the DOM says it: its labelling element's text, else aria-label. */
    const nameOf = (input: Element) => {
      const labelledBy = input.getAttribute('aria-labelledby');
      return labelledBy ? document.getElementById(labelledBy)?.textContent : input.getAttribute('aria-label');
    };
    // Read right after React's commit (layout effects included), before any later task such as
    // passive effects or a paint can run.
    const firstName = new Promise<string | null | undefined>((resolve) => {
      const observer = new MutationObserver(() => {
        const input = container.querySelector('input[type="url"]');
        if (!input) return;
        observer.disconnect();
        resolve(nameOf(input));
      });
      observer.observe(container, { childList: true, subtree: true, attributes: true });
    });
    setTimeout(() =>
      root.render(
        <ReferenceUploader.Root client={client}>
          <ReferenceUploader.UrlLabel>Link to a photo of your character</ReferenceUploader.UrlLabel>
          <ReferenceUploader.UrlInput />
        </ReferenceUploader.Root>,
      ),
    );
    try {
      expect(await firstName).toBe('Link to a photo of your character');
    } finally {
      root.unmount();
      container.remove();
    }
  });
});
