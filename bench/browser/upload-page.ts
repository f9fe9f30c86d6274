/**
 * Page script: makes a large, photo-like JPEG in the page (OffscreenCanvas: gradients, shapes
 * and grain, so it compresses like a camera photo rather than a flat fill), then runs the
 * ReferenceUploader's own pipeline on it — sniffImageType → decodeImage → fitWithin →
 * downscaleImage (the functions useReferenceUpload calls) — and times it, with the decode
 * hints the hook passes (`uploader`: a scaled JPEG decode where the browser has ImageDecoder)
 * or without them (`full-decode`: the previous path, createImageBitmap at full size).
 * Needs a secure origin (localhost): ImageDecoder exists only there.
 */
import { decodeImage, downscaleImage, fitWithin, sniffImageType } from '../../src/components/reference-uploader/image-checks.js';
import { mulberry32 } from '../lib/poll-sim.js'; // seeded, so every run encodes the same picture

async function makeJpeg(width: number, height: number, grain: number): Promise<Blob> {
  const random = mulberry32(42);
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  const sky = context.createLinearGradient(0, 0, width * 0.3, height);
  sky.addColorStop(0, '#35507a');
  sky.addColorStop(0.55, '#d9a066');
  sky.addColorStop(1, '#3b2a1e');
  context.fillStyle = sky;
  context.fillRect(0, 0, width, height);
  // Soft shapes at every scale: the edges and textures a photo has.
  for (let i = 0; i < 900; i++) {
    const x = random() * width;
    const y = random() * height;
    const r = 10 + random() ** 3 * width * 0.15;
    const blob = context.createRadialGradient(x, y, 0, x, y, r);
    const hue = Math.floor(random() * 360);
    blob.addColorStop(0, `hsla(${hue}, ${30 + random() * 50}%, ${25 + random() * 50}%, ${0.2 + random() * 0.6})`);
    blob.addColorStop(1, `hsla(${hue}, 40%, 50%, 0)`);
    context.fillStyle = blob;
    context.fillRect(x - r, y - r, 2 * r, 2 * r);
  }
  // Sensor grain: per-pixel noise, which is most of a real photo's entropy.
  const tile = 1000;
  const noise = new ImageData(tile, tile);
  for (let i = 0; i < noise.data.length; i += 4) {
    const v = 128 + (random() - 0.5) * 2 * grain;
    noise.data[i] = v + (random() - 0.5) * grain;
    noise.data[i + 1] = v + (random() - 0.5) * grain;
    noise.data[i + 2] = v + (random() - 0.5) * grain;
    noise.data[i + 3] = 255;
  }
  const noiseCanvas = new OffscreenCanvas(tile, tile);
  noiseCanvas.getContext('2d')!.putImageData(noise, 0, 0);
  context.globalCompositeOperation = 'overlay';
  for (let y = 0; y < height; y += tile) for (let x = 0; x < width; x += tile) context.drawImage(noiseCanvas, x, y);
  context.globalCompositeOperation = 'source-over';
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
}

export interface DownscaleRun {
  totalMs: number;
  decodeMs: number;
  downscaleMs: number;
  bytesBefore: number;
  bytesAfter: number;
  width: number;
  height: number;
  type: string;
  /** Which decoder ran, and the size it decoded at. */
  decoder: 'ImageDecoder' | 'createImageBitmap' | 'img';
  decodedWidth: number;
  decodedHeight: number;
}

let source: Blob | null = null;

/** Generate the source once (not timed); returns its size in bytes. */
async function prepareJpeg(width: number, height: number, grain: number): Promise<number> {
  source = await makeJpeg(width, height, grain);
  return source.size;
}

/** One timed run of the uploader's pipeline on the prepared JPEG. */
/** The uploader's own path, or the same functions decoding at full size (the baseline). */
export type DownscalePath = 'uploader' | 'full-decode';

async function downscaleOnce(maxLongEdge: number, path: DownscalePath): Promise<DownscaleRun> {
  const file = source!;
  const started = performance.now();
  const type = await sniffImageType(file);
  if (!type) throw new Error('not an image');
  const decoded = await decodeImage(file, path === 'uploader' ? { type, maxLongEdge } : {});
  const decodedAt = performance.now();
  const drawn = decoded.source;
  const decoder = drawn instanceof VideoFrame ? 'ImageDecoder' : drawn instanceof ImageBitmap ? 'createImageBitmap' : 'img';
  const decodedWidth = drawn instanceof VideoFrame ? drawn.displayWidth : drawn instanceof ImageBitmap ? drawn.width : decoded.width;
  const decodedHeight = drawn instanceof VideoFrame ? drawn.displayHeight : drawn instanceof ImageBitmap ? drawn.height : decoded.height;
  const target = fitWithin(decoded.width, decoded.height, maxLongEdge);
  let smaller: Blob | null;
  try {
    smaller = await downscaleImage(decoded, type, target);
  } finally {
    decoded.release();
  }
  const ended = performance.now();
  if (!smaller) throw new Error('no canvas to downscale with');
  return {
    totalMs: ended - started,
    decodeMs: decodedAt - started,
    downscaleMs: ended - decodedAt,
    bytesBefore: file.size,
    bytesAfter: smaller.size,
    width: target.width,
    height: target.height,
    type: smaller.type,
    decoder,
    decodedWidth,
    decodedHeight,
  };
}

/**
 * Reference, not the uploader's code: what decoding straight at the target size costs
 * (`createImageBitmap` with `resizeWidth`/`resizeHeight`, which lets the JPEG decoder scale
 * while decoding), then the same encode. The size would come from the file's header.
 */
async function resizeDecodeOnce(maxLongEdge: number, width: number, height: number): Promise<{ totalMs: number; bytesAfter: number }> {
  const file = source!;
  const started = performance.now();
  const target = fitWithin(width, height, maxLongEdge);
  const bitmap = await createImageBitmap(file, { resizeWidth: target.width, resizeHeight: target.height, resizeQuality: 'high' });
  const canvas = new OffscreenCanvas(target.width, target.height);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  bitmap.close();
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
  return { totalMs: performance.now() - started, bytesAfter: blob.size };
}

/**
 * Reference, not the uploader's code: an `<img>` with width/height attributes at the target
 * size, `decode()`, then drawn onto a canvas at that size and encoded the same way.
 */
async function imgDecodeOnce(maxLongEdge: number, width: number, height: number): Promise<{ totalMs: number; bytesAfter: number }> {
  const file = source!;
  const started = performance.now();
  const target = fitWithin(width, height, maxLongEdge);
  const url = URL.createObjectURL(file);
  const image = new Image(target.width, target.height);
  image.src = url;
  await image.decode();
  const canvas = new OffscreenCanvas(target.width, target.height);
  const context = canvas.getContext('2d')!;
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, 0, 0, target.width, target.height);
  URL.revokeObjectURL(url);
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
  return { totalMs: performance.now() - started, bytesAfter: blob.size };
}

const api = { prepareJpeg, downscaleOnce, resizeDecodeOnce, imgDecodeOnce };
/** What the page puts on `globalThis` for bench/browser.ts to call. */
export type UploadPage = typeof api;
Object.assign(globalThis, { ...api, benchReady: true });
