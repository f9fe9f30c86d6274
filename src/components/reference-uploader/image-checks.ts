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

/** A decoded image: its size, and a source a canvas can draw (closed with `release`). */
export interface DecodedImage {
  width: number;
  height: number;
  source: CanvasImageSource;
  release(): void;
}

/**
 * Decodes the image (so a damaged file is refused, and EXIF rotation is applied):
 * `createImageBitmap` where the browser has it, else an `<img>` element.
 */
export async function decodeImage(blob: Blob): Promise<DecodedImage> {
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
