import { describe, expect, it } from 'vitest';
import { sniffImage } from '../../src/server/index.js';
import { placeholderPng } from '../../src/testing/png.js';
import { gif, jpegHeader, pngHeader, svg, webpVp8, webpVp8l, webpVp8x } from './images.js';

describe('sniffImage', () => {
  it.each([
    ['a PNG', pngHeader(640, 480), 'image/png'],
    ['a baseline JPEG with a table before its frame', jpegHeader(1200, 800), 'image/jpeg'],
    ['a progressive JPEG', jpegHeader(1200, 800, 0xc2), 'image/jpeg'],
    ['a lossy WebP', webpVp8(1200, 800), 'image/webp'],
    ['a lossless WebP', webpVp8l(1200, 800), 'image/webp'],
    ['an extended WebP', webpVp8x(1200, 800), 'image/webp'],
  ] as const)('given %s, it reads the type from the magic bytes and the size from the header', (_name, data, type) => {
    const info = sniffImage(data);
    expect(info?.contentType).toBe(type);
    const [width, height] = type === 'image/png' ? [640, 480] : [1200, 800];
    expect(info).toMatchObject({ width, height });
  });

  it('given a real PNG the simulator renders, it reads its size', () => {
    expect(sniffImage(placeholderPng({ width: 37, height: 21, index: 1, hue: 10 }))).toEqual({ contentType: 'image/png', width: 37, height: 21 });
  });

  it.each([
    ['SVG', svg],
    ['GIF', gif],
    ['HTML', new TextEncoder().encode('<!doctype html><script>alert(1)</script>')],
    ['an empty file', new Uint8Array(0)],
    ['a RIFF that is not WebP', new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt ')],
  ])('given %s, it recognises no image', (_name, data) => {
    expect(sniffImage(data)).toBeUndefined();
  });

  it('given a JPEG cut off before its frame header, it knows the type but not the size', () => {
    expect(sniffImage(jpegHeader(10, 10).slice(0, 30))).toEqual({ contentType: 'image/jpeg' });
  });
});
