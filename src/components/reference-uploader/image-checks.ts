import type { ReferenceImageType } from '../../core/schemas.js';

/**
 * The image type by the file's first bytes (its "magic number"), not by `file.type` or the
 * name: a renamed HEIC or a PDF with a `.jpg` name is caught here, before it costs an upload.
 */
export async function sniffImageType(blob: Blob): Promise<ReferenceImageType | null> {
  const bytes = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((byte, index) => bytes[index] === byte)) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}

/**
 * A decoded image: its full size (upright, after EXIF rotation), and a source a canvas can draw
 * (closed with `release`). The source may be smaller than `width` × `height` when the decoder
 * scaled the image while decoding it; it always has the image's proportions.
 */
export interface DecodedImage {
  width: number;
  height: number;
  source: CanvasImageSource;
  release(): void;
}

/** What the caller will do with the decoded image, so the decoder may do less. */
export interface DecodeHints {
  /** The type sniffed from the bytes; only JPEG can be decoded at a smaller scale. @default undefined */
  type?: ReferenceImageType | null | undefined;
  /** The long edge the image will be drawn at, at most; a larger JPEG may be decoded at a scale still ≥ this. @default undefined (full size) */
  maxLongEdge?: number | undefined;
}

/**
 * Decodes the image (so a damaged file is refused, and EXIF rotation is applied):
 * `createImageBitmap` where the browser has it, else an `<img>` element. A JPEG that will be
 * downscaled is decoded by WebCodecs' `ImageDecoder` at the smallest 1/8 step still at least
 * `maxLongEdge` long (the JPEG decoder skips most of the work then: a 6000×4000 photo decodes
 * at 2250×1500); if that is not available or fails, the full decode above runs, with its errors.
 */
export async function decodeImage(blob: Blob, hints: DecodeHints = {}): Promise<DecodedImage> {
  if (hints.type === 'image/jpeg' && hints.maxLongEdge) {
    const scaled = await decodeJpegScaled(blob, hints.maxLongEdge).catch(() => null);
    if (scaled) return scaled;
  }
  if (typeof createImageBitmap === 'function') {
    const bitmap = await createImageBitmap(blob);
    return { width: bitmap.width, height: bitmap.height, source: bitmap, release: () => bitmap.close() };
  }
  if (typeof Image === 'undefined' || typeof URL.createObjectURL !== 'function') {
    throw new Error('This environment cannot decode images');
  }
  const url = URL.createObjectURL(blob);
  const image = new Image();
  try {
    image.src = url;
    await image.decode();
  } catch (error) {
    URL.revokeObjectURL(url);
    throw error;
  }
  return {
    width: image.naturalWidth,
    height: image.naturalHeight,
    source: image,
    release: () => URL.revokeObjectURL(url),
  };
}

/**
 * The JPEG's stored size from its frame header (SOFn), before any EXIF rotation; null when the
 * header is not found in the first segments.
 */
export async function readJpegSize(blob: Blob): Promise<{ width: number; height: number } | null> {
  let offset = 2; // after SOI
  for (let segment = 0; segment < 64 && offset + 9 <= blob.size; segment++) {
    const bytes = new Uint8Array(await blob.slice(offset, offset + 9).arrayBuffer());
    const marker = bytes[1]!;
    if (bytes[0] !== 0xff) return null;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      const height = (bytes[5]! << 8) | bytes[6]!;
      const width = (bytes[7]! << 8) | bytes[8]!;
      return width > 0 && height > 0 ? { width, height } : null;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan data before any frame header
    offset += 2 + ((bytes[2]! << 8) | bytes[3]!);
  }
  return null;
}

/**
 * The largest JPEG header the scaled decode trusts: the proxy's default upload limits
 * (`maxSide` 16384 and `maxPixels` 50_000_000 in src/server/proxy.ts), mirrored here because
 * components do not import server code. A larger claim goes to the full decode and its errors.
 */
const SCALED_DECODE_MAX_SIDE = 16_384;
const SCALED_DECODE_MAX_PIXELS = 50_000_000;

/**
 * `ImageDecoder` with `desiredWidth`/`desiredHeight`: Chromium's JPEG decoder then decodes at
 * n/8 scale, the largest whose area fits the desired one, so asking for exactly the n/8 size
 * gets it. Null where this cannot help (no ImageDecoder, or a VideoFrame without `rotation`,
 * whose drawing would ignore the EXIF orientation; no header; not ≥ 1/8 smaller; a header over
 * the size limits below) or when the frame came back smaller than asked or in another shape.
 */
async function decodeJpegScaled(blob: Blob, maxLongEdge: number): Promise<DecodedImage | null> {
  if (typeof ImageDecoder !== 'function' || typeof VideoFrame !== 'function' || !('rotation' in VideoFrame.prototype)) return null;
  const stored = await readJpegSize(blob);
  if (!stored) return null;
  // The header is only a claim: a tiny file may say 65535×65535, and the scaled decode would then
  // allocate the 1/8 frame (8192×8192, ~268 MB) where the full decode fails as unreadable.
  if (Math.max(stored.width, stored.height) > SCALED_DECODE_MAX_SIDE || stored.width * stored.height > SCALED_DECODE_MAX_PIXELS) {
    return null;
  }
  const eighths = Math.ceil((8 * maxLongEdge) / Math.max(stored.width, stored.height));
  if (eighths >= 8) return null;
  const desired = { width: Math.ceil((stored.width * eighths) / 8), height: Math.ceil((stored.height * eighths) / 8) };
  const decoder = new ImageDecoder({ type: 'image/jpeg', data: blob.stream(), desiredWidth: desired.width, desiredHeight: desired.height });
  let frame: VideoFrame;
  try {
    ({ image: frame } = await decoder.decode());
  } finally {
    decoder.close();
  }
  const rotation = (frame as VideoFrame & { rotation?: number }).rotation ?? 0;
  const upright = rotation % 180 === 0 ? stored : { width: stored.height, height: stored.width };
  // The pixels turned by `rotation`, and the size a canvas draws (Chromium's display size is
  // already turned), must both have the upright proportions: a decoder that rotated the pixels
  // itself and still said rotation 0 would otherwise give a stretched upload.
  const pixels = frame.visibleRect ?? { width: frame.codedWidth, height: frame.codedHeight };
  const turned = rotation % 180 === 0 ? pixels : { width: pixels.height, height: pixels.width };
  const shown = { width: frame.displayWidth, height: frame.displayHeight };
  if (!sameShape(turned, upright) || !sameShape(shown, upright) || Math.max(shown.width, shown.height) < Math.min(maxLongEdge, Math.max(upright.width, upright.height))) {
    frame.close();
    return null;
  }
  return { ...upright, source: frame, release: () => frame.close() };
}

/**
 * Whether a scaled `size` has the proportions of `full`, allowing each side its 1 px of rounding
 * (w = W·k + e₁, h = H·k + e₂ with |e| ≤ 1, so |w·H − h·W| ≤ W + H).
 */
function sameShape(size: { width: number; height: number }, full: { width: number; height: number }): boolean {
  return Math.abs(size.width * full.height - size.height * full.width) <= full.width + full.height;
}

/** The size that fits `maxLongEdge` on the long edge, keeping proportions (never upscales). */
export function fitWithin(width: number, height: number, maxLongEdge: number): { width: number; height: number } {
  const scale = Math.min(1, maxLongEdge / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Draws the decoded image at a smaller size and encodes it in the same format (JPEG and WebP
 * at quality 0.9). Uses an OffscreenCanvas where there is one, else a `<canvas>`. Returns
 * null when the environment has no canvas, so the caller can send the original.
 */
export async function downscaleImage(
  image: DecodedImage,
  type: ReferenceImageType,
  size: { width: number; height: number },
  quality = 0.9,
): Promise<Blob | null> {
  const encodeOptions = type === 'image/png' ? { type } : { type, quality };
  if (typeof OffscreenCanvas === 'function') {
    const canvas = new OffscreenCanvas(size.width, size.height);
    const context = canvas.getContext('2d');
    if (!context) return null;
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = 'high';
    context.drawImage(image.source, 0, 0, size.width, size.height);
    return canvas.convertToBlob(encodeOptions);
  }
  if (typeof document === 'undefined') return null;
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext('2d');
  if (!context) return null;
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(image.source, 0, 0, size.width, size.height);
  return new Promise((resolve) => canvas.toBlob(resolve, encodeOptions.type, quality));
}
