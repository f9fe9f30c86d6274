import type { ReferenceImageType } from '../core/schemas.js';

/** Image types the proxy accepts as references, decided by their first bytes (core's `REFERENCE_IMAGE_TYPES`). */
export type ImageContentType = ReferenceImageType;

export interface ImageInfo {
  contentType: ImageContentType;
  /** Width in pixels, from the image header; `undefined` when the header could not be read. */
  width?: number;
  /** Height in pixels, from the image header. */
  height?: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let out = '';
  for (let i = offset; i < offset + length && i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

/**
 * Decide the type of an image from its magic bytes (never from the file name or the declared
 * type) and read its dimensions from the header, without decoding pixels. Anything that is not
 * JPEG, PNG or WebP (SVG, GIF, HTML, …) gives `undefined`.
 */
export function sniffImage(bytes: Uint8Array): ImageInfo | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) {
    return { contentType: 'image/png', ...pngSize(bytes) };
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return { contentType: 'image/jpeg', ...jpegSize(bytes) };
  }
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') {
    return { contentType: 'image/webp', ...webpSize(bytes) };
  }
  return undefined;
}

type Size = { width?: number; height?: number };

function pngSize(bytes: Uint8Array): Size {
  // The first chunk must be IHDR: length (4) 'IHDR' (4) width (4, big-endian) height (4).
  if (bytes.length < 24 || ascii(bytes, 12, 4) !== 'IHDR') return {};
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function isStartOfFrame(marker: number): boolean {
  // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(bytes: Uint8Array): Size {
  let offset = 2;
  while (offset + 3 < bytes.length) {
    if (bytes[offset] !== 0xff) return {};
    let marker = bytes[offset + 1]!;
    // Fill bytes: any number of 0xFF before a marker.
    while (marker === 0xff && offset + 2 < bytes.length) {
      offset++;
      marker = bytes[offset + 1]!;
    }
    offset += 2;
    // Markers without a length field.
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (marker === 0xd9 || marker === 0xda) return {}; // end of image / start of scan before any frame
    if (offset + 2 > bytes.length) return {};
    const length = (bytes[offset]! << 8) | bytes[offset + 1]!;
    if (length < 2) return {};
    if (isStartOfFrame(marker)) {
      if (offset + 7 > bytes.length) return {};
      const height = (bytes[offset + 3]! << 8) | bytes[offset + 4]!;
      const width = (bytes[offset + 5]! << 8) | bytes[offset + 6]!;
      return { width, height };
    }
    offset += length;
  }
  return {};
}

function webpSize(bytes: Uint8Array): Size {
  const chunk = ascii(bytes, 12, 4);
  const at = (i: number) => bytes[i] ?? 0;
  if (chunk === 'VP8 ') {
    // Frame tag (3 bytes) then the start code 9D 01 2A, then 14-bit width and height.
    if (bytes.length < 30 || at(23) !== 0x9d || at(24) !== 0x01 || at(25) !== 0x2a) return {};
    return { width: (at(26) | (at(27) << 8)) & 0x3fff, height: (at(28) | (at(29) << 8)) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    // Signature 0x2F, then width-1 and height-1 as two 14-bit little-endian fields.
    if (bytes.length < 25 || at(20) !== 0x2f) return {};
    const bits = at(21) | (at(22) << 8) | (at(23) << 16) | (at(24) << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    // Flags (4 bytes), then canvas width-1 and height-1 as 24-bit little-endian fields.
    if (bytes.length < 30) return {};
    return { width: (at(24) | (at(25) << 8) | (at(26) << 16)) + 1, height: (at(27) | (at(28) << 8) | (at(29) << 16)) + 1 };
  }
  return {};
}
