/** Image headers written byte by byte, so tests can declare any size without any pixels. */

function bytes(...parts: Array<number[] | string | Uint8Array>): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') for (const char of part) out.push(char.charCodeAt(0));
    else out.push(...part);
  }
  return new Uint8Array(out);
}

const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const be16 = (n: number) => [(n >>> 8) & 255, n & 255];
const le16 = (n: number) => [n & 255, (n >>> 8) & 255];
const le24 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255];
const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];

/** A PNG signature and IHDR declaring `width × height` (CRC not checked by the proxy). */
export function pngHeader(width: number, height: number): Uint8Array {
  return bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], be32(13), 'IHDR', be32(width), be32(height), [8, 6, 0, 0, 0], [0, 0, 0, 0]);
}

/** A JFIF JPEG with a Huffman table segment before the frame header (`sof` 0xC0 baseline, 0xC2 progressive). */
export function jpegHeader(width: number, height: number, sof = 0xc0): Uint8Array {
  return bytes(
    [0xff, 0xd8],
    [0xff, 0xe0], be16(16), 'JFIF', [0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
    [0xff, 0xc4], be16(5), [0, 1, 2],
    [0xff, 0xff, sof], be16(17), [8], be16(height), be16(width), [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1],
    [0xff, 0xd9],
  );
}

/** An extended WebP (VP8X) header. */
export function webpVp8x(width: number, height: number): Uint8Array {
  return bytes('RIFF', le32(30), 'WEBP', 'VP8X', le32(10), [0, 0, 0, 0], le24(width - 1), le24(height - 1));
}

/** A lossless WebP (VP8L) header. */
export function webpVp8l(width: number, height: number): Uint8Array {
  const bits = (width - 1) | ((height - 1) << 14);
  return bytes('RIFF', le32(30), 'WEBP', 'VP8L', le32(10), [0x2f], le32(bits >>> 0), [0, 0, 0, 0, 0]);
}

/** A lossy WebP (VP8) header. */
export function webpVp8(width: number, height: number): Uint8Array {
  return bytes('RIFF', le32(30), 'WEBP', 'VP8 ', le32(10), [0x9d, 0x01, 0x00], [0x9d, 0x01, 0x2a], le16(width), le16(height));
}

export const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>');
export const gif = bytes('GIF89a', le16(10), le16(10), [0, 0, 0]);
