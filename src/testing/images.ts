import type { CharacterInput, ReferenceImageType } from '../core/schemas.js';
import { DEFAULT_PARAMETERS, REFERENCE_IMAGE_TYPES } from '../core/schemas.js';
import { hashString } from './random.js';
import { placeholderPng } from './png.js';

/** Long edge of an SVG when only an aspect ratio is known (the model renders about 1 MP). */
export const SVG_LONG_EDGE = 1024;
/** Long edge of the PNG variant: small, since it is stored uncompressed. */
export const PNG_LONG_EDGE = 256;

/**
 * The output size of a job: its `resolution` when one is chosen, else its `aspect_ratio`
 * scaled so the long edge is `longEdge`.
 */
export function outputSize(input: Pick<CharacterInput, 'resolution' | 'aspect_ratio'>, longEdge = SVG_LONG_EDGE): { width: number; height: number } {
  const resolution = input.resolution ?? DEFAULT_PARAMETERS.resolution;
  if (resolution !== 'None') {
    const [width, height] = resolution.split('x').map(Number) as [number, number];
    return { width, height };
  }
  const [w, h] = (input.aspect_ratio ?? DEFAULT_PARAMETERS.aspect_ratio).split(':').map(Number) as [number, number];
  const scale = longEdge / Math.max(w, h);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

/** Scale a size so its long edge is at most `longEdge`, keeping the ratio. */
export function fitLongEdge(size: { width: number; height: number }, longEdge: number): { width: number; height: number } {
  const scale = Math.min(1, longEdge / Math.max(size.width, size.height));
  return { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
}

// Characters XML 1.0 forbids even when escaped; they would make the SVG unparseable.
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escape a user string for XML text and attribute values (and drop characters XML forbids). */
export function escapeXml(value: string): string {
  return value.replace(XML_INVALID, '\uFFFD').replace(/[&<>"']/g, (char) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[char]!};`);
}

/** Greedy word wrap by code points; the last line ends in "…" when the text is longer. */
function wrap(text: string, perLine: number, maxLines: number): string[] {
  const words = text.trim().split(/\s+/u);
  const lines: string[] = [];
  let line = '';
  for (let word of words) {
    while ([...word].length > perLine) {
      // A very long word: break it hard.
      if (line) lines.push(line);
      line = '';
      const chars = [...word];
      lines.push(chars.slice(0, perLine).join(''));
      word = chars.slice(perLine).join('');
    }
    const candidate = line ? `${line} ${word}` : word;
    if ([...candidate].length > perLine) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    const last = [...kept[maxLines - 1]!];
    kept[maxLines - 1] = `${last.slice(0, Math.max(0, perLine - 1)).join('')}…`;
    return kept;
  }
  return lines;
}

export interface SimulatedImage {
  jobId: string;
  /** 0-based position in the job's output. */
  index: number;
  /** How many images the job produced. */
  count: number;
  input: CharacterInput;
}

function hueOf(image: SimulatedImage): number {
  return hashString(`${image.jobId}/${image.index}/${image.input.prompt}`) % 360;
}

const BASE64_DIGITS = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');

/** Base64 without Node's Buffer (this runs in browsers too); Node's `btoa` takes ~100 ms a MB, this a few. */
function base64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = BASE64_DIGITS[n >>> 18]!;
    out[o++] = BASE64_DIGITS[(n >>> 12) & 63]!;
    out[o++] = BASE64_DIGITS[(n >>> 6) & 63]!;
    out[o++] = BASE64_DIGITS[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out[o++] = BASE64_DIGITS[n >>> 18]!;
    out[o++] = BASE64_DIGITS[(n >>> 12) & 63]!;
    out[o++] = i + 1 < bytes.length ? BASE64_DIGITS[(n >>> 6) & 63]! : 61; // '='
    out[o] = 61;
  }
  return new TextDecoder().decode(out);
}

/**
 * The reference as a `data:` URI for `renderSvg`, or `undefined` when it may not be embedded:
 * a type other than JPEG, PNG or WebP, or more than `maxBytes`.
 */
export function referenceDataUri(reference: { bytes: Uint8Array; contentType: string }, maxBytes: number): string | undefined {
  const type = reference.contentType.split(';')[0]!.trim().toLowerCase();
  // The SVG embeds the reference types the upstream takes (and the proxy accepts as uploads).
  if (!REFERENCE_IMAGE_TYPES.includes(type as ReferenceImageType) || reference.bytes.byteLength > maxBytes) return undefined;
  return `data:${type};base64,${base64(reference.bytes)}`;
}

/**
 * An SVG of the job's output size that shows the reference image, the prompt, the image
 * number and a clear SIMULATED mark. Every user string is XML-escaped; there is no script.
 * The reference is `embedded` (a `data:` URI from `referenceDataUri`) when given: browsers load
 * no external resource for an SVG shown through `<img>`, but they do show a `data:` one. Else
 * the `<image href>` is the reference's URL, which only an SVG opened directly loads, so a
 * silhouette sits behind it (Chromium draws its broken-image mark over that in an `<img>`).
 */
export function renderSvg(image: SimulatedImage, embedded?: string): string {
  const { width, height } = outputSize(image.input);
  const short = Math.min(width, height);
  const hue = hueOf(image);
  const font = Math.max(14, Math.round(short / 24));
  const perLine = Math.max(12, Math.floor((width * 0.84) / (font * 0.56)));
  const lines = wrap(image.input.prompt, perLine, 5);
  const refSize = Math.round(short * 0.46);
  const refX = Math.round((width - refSize) / 2);
  const refY = Math.round(height * 0.14);
  const textTop = refY + refSize + font * 1.6;
  const label = `Simulated image ${image.index + 1} of ${image.count}: ${image.input.prompt}`;
  const mark = Math.round(short / 9);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(label)}">`,
    `<title>${escapeXml(label)}</title>`,
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue} 55% 72%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360} 55% 42%)"/></linearGradient>`,
    `<clipPath id="ref"><rect x="${refX}" y="${refY}" width="${refSize}" height="${refSize}" rx="${Math.round(refSize / 8)}"/></clipPath></defs>`,
    `<rect width="${width}" height="${height}" fill="url(#bg)"/>`,
    `<g clip-path="url(#ref)"><rect x="${refX}" y="${refY}" width="${refSize}" height="${refSize}" fill="hsl(${(hue + 180) % 360} 25% 25%)"/>`,
    `<circle cx="${width / 2}" cy="${refY + refSize * 0.4}" r="${refSize * 0.2}" fill="hsl(${hue} 30% 80%)"/>`,
    `<ellipse cx="${width / 2}" cy="${refY + refSize * 1.02}" rx="${refSize * 0.36}" ry="${refSize * 0.32}" fill="hsl(${hue} 30% 80%)"/>`,
    `<image href="${escapeXml(embedded ?? image.input.character_reference_image)}" x="${refX}" y="${refY}" width="${refSize}" height="${refSize}" preserveAspectRatio="xMidYMid slice"/></g>`,
    `<g font-family="system-ui, sans-serif" fill="#111" text-anchor="middle">`,
    ...lines.map((line, i) => `<text x="${width / 2}" y="${Math.round(textTop + i * font * 1.3)}" font-size="${font}">${escapeXml(line)}</text>`),
    `</g>`,
    `<g transform="rotate(-30 ${width / 2} ${height / 2})"><text x="${width / 2}" y="${height / 2}" font-family="system-ui, sans-serif" font-weight="700" font-size="${mark}" text-anchor="middle" dominant-baseline="middle" fill="#fff" fill-opacity="0.35" stroke="#111" stroke-opacity="0.35" stroke-width="${Math.max(1, Math.round(mark / 40))}" letter-spacing="${Math.round(mark / 10)}">SIMULATED</text></g>`,
    `<text x="${width - font}" y="${height - font}" font-family="system-ui, sans-serif" font-size="${font * 1.4}" font-weight="700" text-anchor="end" fill="#111">#${image.index + 1}</text>`,
    `</svg>`,
  ].join('\n');
}

/**
 * The PNG variant: a small real image with the job's aspect ratio (long edge ≤ 256 px). It never
 * shows the reference (that would take a JPEG, PNG and WebP decoder here): a silhouette stands in.
 */
export function renderPng(image: SimulatedImage): Uint8Array {
  const { width, height } = fitLongEdge(outputSize(image.input), PNG_LONG_EDGE);
  return placeholderPng({ width, height, index: image.index + 1, hue: hueOf(image) });
}
