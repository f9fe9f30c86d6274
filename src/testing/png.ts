/**
 * A minimal PNG encoder (8-bit indexed colour, zlib "stored" blocks, no compression), enough
 * to give consumers that need pixels a real, decodable image. Pure TypeScript, no Node APIs.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC), as PNG chunks use it: `crc32('123456789')` is 0xCBF43926. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Adler-32, the zlib checksum. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  // 5552 is the largest run that cannot overflow before the modulo (zlib's NMAX).
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(i + 5552, bytes.length);
    for (; i < end; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib stream of stored (uncompressed) deflate blocks. */
export function zlibStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = new Uint8Array(2 + blocks * 5 + data.length + 4);
  const view = new DataView(out.buffer);
  out[0] = 0x78; // CM=8 (deflate), CINFO=7 (32K window)
  out[1] = 0x01; // FCHECK so that (0x78 << 8 | FLG) % 31 === 0, no dictionary, fastest
  let offset = 2;
  for (let block = 0; block < blocks; block++) {
    const start = block * 65535;
    const length = Math.min(65535, data.length - start);
    out[offset] = block === blocks - 1 ? 1 : 0; // BFINAL, BTYPE=00
    view.setUint16(offset + 1, length, true);
    view.setUint16(offset + 3, ~length & 0xffff, true);
    out.set(data.subarray(start, start + length), offset + 5);
    offset += 5 + length;
  }
  view.setUint32(offset, adler32(data));
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Encode an indexed-colour image. `pixels` holds one palette index per pixel, row by row;
 * `palette` holds `[r, g, b]` triples (at most 256).
 */
export function encodeIndexedPng(width: number, height: number, pixels: Uint8Array, palette: ReadonlyArray<readonly [number, number, number]>): Uint8Array {
  const ihdr = new Uint8Array(13);
  const ihdrView = new DataView(ihdr.buffer);
  ihdrView.setUint32(0, width);
  ihdrView.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // colour type: indexed
  // compression, filter and interlace methods: all 0
  const plte = new Uint8Array(palette.length * 3);
  palette.forEach(([r, g, b], i) => plte.set([r, g, b], i * 3));
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter type: none
    raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  }
  const parts = [PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('PLTE', plte), chunk('IDAT', zlibStored(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** 5×7 glyphs for the few characters the placeholder draws. */
const GLYPHS: Record<string, string> = {
  S: '01111 10000 10000 01110 00001 00001 11110',
  I: '11111 00100 00100 00100 00100 00100 11111',
  M: '10001 11011 10101 10101 10001 10001 10001',
  U: '10001 10001 10001 10001 10001 10001 01110',
  L: '10000 10000 10000 10000 10000 10000 11111',
  A: '01110 10001 10001 11111 10001 10001 10001',
  T: '11111 00100 00100 00100 00100 00100 00100',
  E: '11111 10000 10000 11110 10000 10000 11111',
  D: '11110 10001 10001 10001 10001 10001 11110',
  '#': '01010 01010 11111 01010 11111 01010 01010',
  '0': '01110 10001 10011 10101 11001 10001 01110',
  '1': '00100 01100 00100 00100 00100 00100 01110',
  '2': '01110 10001 00001 00010 00100 01000 11111',
  '3': '11110 00001 00001 01110 00001 00001 11110',
  '4': '00010 00110 01010 10010 11111 00010 00010',
  '5': '11111 10000 11110 00001 00001 10001 01110',
  '6': '00110 01000 10000 11110 10001 10001 01110',
  '7': '11111 00001 00010 00100 01000 01000 01000',
  '8': '01110 10001 10001 01110 10001 10001 01110',
  '9': '01110 10001 10001 01111 00001 00010 01100',
  ' ': '00000 00000 00000 00000 00000 00000 00000',
};

function textWidth(text: string, scale: number): number {
  return (text.length * 6 - 1) * scale;
}

function drawText(pixels: Uint8Array, width: number, height: number, text: string, x0: number, y0: number, scale: number, colour: number): void {
  [...text].forEach((char, index) => {
    const rows = (GLYPHS[char] ?? GLYPHS[' ']!).split(' ');
    rows.forEach((row, gy) => {
      for (let gx = 0; gx < 5; gx++) {
        if (row[gx] !== '1') continue;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const x = x0 + (index * 6 + gx) * scale + dx;
            const y = y0 + gy * scale + dy;
            if (x >= 0 && y >= 0 && x < width && y < height) pixels[y * width + x] = colour;
          }
        }
      }
    });
  });
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

export interface PlaceholderPngOptions {
  width: number;
  height: number;
  /** 1-based image number, drawn in the corner. */
  index: number;
  /** Picks the colours, so different jobs and images look different. */
  hue: number;
}

/**
 * A placeholder "portrait": a gradient, a head-and-shoulders silhouette, a SIMULATED band and
 * the image number. About `width × height` bytes (stored, not compressed), so keep it small.
 */
export function placeholderPng({ width, height, index, hue }: PlaceholderPngOptions): Uint8Array {
  const GRADIENT = 64;
  const WHITE = GRADIENT;
  const INK = GRADIENT + 1;
  const SILHOUETTE = GRADIENT + 2;
  const BAND = GRADIENT + 3;
  const palette: Array<[number, number, number]> = [];
  for (let i = 0; i < GRADIENT; i++) palette.push(hsl((hue + (i * 40) / GRADIENT) % 360, 0.55, 0.72 - (0.3 * i) / GRADIENT));
  palette.push([255, 255, 255], [17, 17, 17], hsl((hue + 180) % 360, 0.25, 0.25), [17, 17, 17]);

  const pixels = new Uint8Array(width * height);
  const short = Math.min(width, height);
  const headX = width / 2;
  const headY = height * 0.42;
  const headR = short * 0.17;
  const shoulderY = headY + headR * 3.1;
  const shoulderRx = short * 0.36;
  const shoulderRy = headR * 1.9;
  for (let y = 0; y < height; y++) {
    const shade = Math.min(GRADIENT - 1, Math.floor((y / height) * GRADIENT));
    for (let x = 0; x < width; x++) {
      const inHead = (x - headX) ** 2 + (y - headY) ** 2 <= headR ** 2;
      const inShoulders = ((x - headX) / shoulderRx) ** 2 + ((y - shoulderY) / shoulderRy) ** 2 <= 1;
      pixels[y * width + x] = inHead || inShoulders ? SILHOUETTE : shade;
    }
  }

  const label = 'SIMULATED';
  const scale = Math.max(1, Math.floor(Math.min((width * 0.8) / textWidth(label, 1), (height * 0.12) / 7)));
  const bandTop = Math.round(height * 0.06);
  const bandHeight = 7 * scale + 2 * scale;
  pixels.fill(BAND, bandTop * width, Math.min(height, bandTop + bandHeight) * width);
  drawText(pixels, width, height, label, Math.round((width - textWidth(label, scale)) / 2), bandTop + scale, scale, WHITE);

  const number = `#${index}`;
  const small = Math.max(1, Math.floor(scale / 2) || 1);
  drawText(pixels, width, height, number, width - textWidth(number, small) - 2 * small, height - 9 * small, small, INK);
  return encodeIndexedPng(width, height, pixels, palette);
}
