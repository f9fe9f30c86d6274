import { crc32, inflateSync } from 'node:zlib';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ASPECT_RATIOS, REFERENCE_IMAGE_TYPES, RESOLUTIONS } from '../../src/core/index.js';
import { referenceDataUri } from '../../src/testing/images.js';
import { createSimulator, type SimulatorOptions, type SimulatorReference } from '../../src/testing/index.js';
import { BASE, INPUT, submitJob } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 10, 24, 12) });
});
afterEach(() => {
  vi.useRealTimers();
});

async function imageOf(input: Record<string, unknown>, format: 'svg' | 'png', index = 0, options: SimulatorOptions = {}) {
  const simulator = createSimulator({ durationMs: 0, ...options });
  const { jobId } = await submitJob(simulator, { ...INPUT, ...input });
  return simulator(new Request(`${BASE}/simulator/images/${jobId}/${index}.${format}`));
}

type XmlParser = (text: string) => Document;
let parseXml: XmlParser;

// jsdom's XML parser; loading jsdom takes seconds on a busy machine, so once, with room to spare.
// (jsdom ships no type declarations here, hence the loose import.)
beforeAll(async () => {
  const specifier = 'jsdom';
  const { JSDOM } = (await import(specifier)) as { JSDOM: new () => { window: { DOMParser: typeof DOMParser } } };
  const parser = new new JSDOM().window.DOMParser();
  parseXml = (text) => parser.parseFromString(text, 'image/svg+xml');
}, 60_000);

function svgSize(svg: string) {
  const match = /<svg[^>]*\swidth="(\d+)"\s+height="(\d+)"/.exec(svg);
  return { width: Number(match![1]), height: Number(match![2]) };
}

interface PngChunk {
  type: string;
  data: Uint8Array;
  crcOk: boolean;
}

function readPng(bytes: Uint8Array): PngChunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  for (let offset = 8; offset < bytes.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    // zlib's CRC-32, not ours: a PNG whose CRCs only agree with our own encoder is refused by browsers.
    const crcOk = view.getUint32(offset + 8 + length) === crc32(bytes.subarray(offset + 4, offset + 8 + length));
    chunks.push({ type, data, crcOk });
    offset += 12 + length;
  }
  return chunks;
}

describe('given a completed job, its SVG image', () => {
  it('is served as image/svg+xml with nosniff, a script-free CSP and a cache lifetime up to the expiry', async () => {
    const response = await imageOf({}, 'svg');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('cache-control')).toBe('private, max-age=3600');
  });

  it('shows the reference image, the prompt, the image number and a SIMULATED mark', async () => {
    const svg = await (await imageOf({ numberOfImages: 2 }, 'svg', 1)).text();
    expect(svg).toContain(`<image href="${INPUT.character_reference_image}"`);
    expect(svg).toContain('A knight in the rain');
    expect(svg).toContain('#2');
    expect(svg).toContain('SIMULATED');
    expect(svg).toContain('aria-label="Simulated image 2 of 2: A knight in the rain"');
  });

  it('escapes every user string: markup in the prompt or the URL stays text, and there is never a script', async () => {
    const prompt = `</text><script>alert("x")</script><foreignObject onload='alert(1)'>&amp; "quoted" \u0007`;
    const reference = 'https://example.com/a.png?x="><script>alert(1)</script>&y=1';
    const svg = await (await imageOf({ prompt, character_reference_image: reference }, 'svg')).text();
    expect(svg.toLowerCase()).not.toContain('<script');
    expect(svg.toLowerCase()).not.toContain('<foreignobject');
    expect(svg).toContain('&lt;/text&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(svg).toContain('&amp;amp;');
    expect(svg).toContain('href="https://example.com/a.png?x=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;y=1"');
    // XML 1.0 forbids control characters even as text: they are replaced, so the SVG stays well-formed.
    expect(svg).not.toContain('\u0007');
    const parsed = parseXml(svg);
    expect(parsed.getElementsByTagName('parsererror')).toHaveLength(0);
    expect(parsed.getElementsByTagName('script')).toHaveLength(0);
    expect(parsed.documentElement.getAttribute('aria-label')).toContain(prompt.replace('\u0007', '\uFFFD'));
  });

  it('wraps a long prompt into at most five lines ending in an ellipsis', async () => {
    const svg = await (await imageOf({ prompt: 'word '.repeat(400) }, 'svg')).text();
    const lines = [...svg.matchAll(/<text x="[\d.]+" y="\d+" font-size="\d+">([^<]*)<\/text>/g)].map((match) => match[1]);
    expect(lines).toHaveLength(5);
    expect(lines.at(-1)).toMatch(/…$/);
  });

  it('has the requested resolution, or the aspect ratio on a 1024 px long edge', async () => {
    expect(svgSize(await (await imageOf({ resolution: '1280x768' }, 'svg')).text())).toEqual({ width: 1280, height: 768 });
    expect(svgSize(await (await imageOf({ resolution: '1280x768', aspect_ratio: '1:3' }, 'svg')).text())).toEqual({ width: 1280, height: 768 });
    expect(svgSize(await (await imageOf({ aspect_ratio: '9:16' }, 'svg')).text())).toEqual({ width: 576, height: 1024 });
    expect(svgSize(await (await imageOf({}, 'svg')).text())).toEqual({ width: 1024, height: 1024 });
  });
});

describe('given a simulator with readReference (the host can read the reference bytes)', () => {
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);
  const dataUri = `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}`;
  const reading = (answer: () => SimulatorReference | undefined | Promise<SimulatorReference | undefined>) => {
    const asked: string[] = [];
    const readReference = (url: string) => {
      asked.push(url);
      return answer();
    };
    return { asked, readReference };
  };

  it('embeds the bytes it reads for the URL as submitted as a data: URI, in a well-formed SVG', async () => {
    const { asked, readReference } = reading(() => ({ bytes: jpeg, contentType: 'image/jpeg' }));
    const svg = await (await imageOf({}, 'svg', 0, { readReference })).text();
    expect(asked).toEqual([INPUT.character_reference_image]);
    expect(svg).toContain(`<image href="${dataUri}"`);
    expect(svg).not.toContain(INPUT.character_reference_image);
    expect(parseXml(svg).getElementsByTagName('parsererror')).toHaveLength(0);
  });

  it('encodes the bytes as base64 exactly as Node does, for every length and padding', () => {
    for (let length = 0; length <= 64; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + length * 31) & 255);
      expect(referenceDataUri({ bytes, contentType: 'image/png' }, 64)).toBe(`data:image/png;base64,${Buffer.from(bytes).toString('base64')}`);
    }
  });

  it.each(REFERENCE_IMAGE_TYPES)('embeds a %s reference, every type the uploader offers and the model takes, whatever the case and parameters of its type', (type) => {
    const bytes = Uint8Array.of(1, 2, 3);
    expect(referenceDataUri({ bytes, contentType: type }, 64)).toBe(`data:${type};base64,AQID`);
    expect(referenceDataUri({ bytes, contentType: `${type.toUpperCase()}; charset=binary` }, 64)).toBe(`data:${type};base64,AQID`);
  });

  it.each(['image/gif', 'image/svg+xml', 'text/html', 'image/avif'])('embeds no %s reference (the model takes none)', (type) => {
    expect(referenceDataUri({ bytes: Uint8Array.of(1, 2, 3), contentType: type }, 64)).toBeUndefined();
  });

  it("reads the reference once for all of a job's images, each of which embeds it", async () => {
    const { asked, readReference } = reading(() => ({ bytes: jpeg, contentType: 'image/jpeg' }));
    const simulator = createSimulator({ durationMs: 0, readReference });
    const { jobId } = await submitJob(simulator, { ...INPUT, numberOfImages: 3 });
    const svgs = await Promise.all([0, 1, 2].map(async (index) => (await simulator(new Request(`${BASE}/simulator/images/${jobId}/${index}.svg`))).text()));
    expect(svgs.every((svg) => svg.includes(`<image href="${dataUri}"`))).toBe(true);
    expect(asked).toEqual([INPUT.character_reference_image]);
  });

  it('embeds a reference of exactly maxReferenceBytes, and keeps the link and silhouette for one byte more', async () => {
    const read = () => ({ bytes: jpeg, contentType: 'image/jpeg' });
    expect(await (await imageOf({}, 'svg', 0, { readReference: read, maxReferenceBytes: jpeg.length })).text()).toContain(dataUri);
    const over = await (await imageOf({}, 'svg', 0, { readReference: read, maxReferenceBytes: jpeg.length - 1 })).text();
    expect(over).toContain(`<image href="${INPUT.character_reference_image}"`);
    expect(over).toContain('<circle');
  });

  it.each<[string, () => SimulatorReference | undefined | Promise<SimulatorReference | undefined>]>([
    ['answers undefined', () => undefined],
    ['throws', () => { throw new Error('gone'); }],
    ['rejects', () => Promise.reject(new Error('gone'))],
    ['answers an SVG (only JPEG, PNG and WebP are embedded)', () => ({ bytes: new TextEncoder().encode('<svg/>'), contentType: 'image/svg+xml' })],
  ])('when it %s, the image is still served with the link and silhouette', async (_, answer) => {
    const { readReference } = reading(answer);
    const response = await imageOf({}, 'svg', 0, { readReference });
    expect(response.status).toBe(200);
    const svg = await response.text();
    expect(svg).toContain(`<image href="${INPUT.character_reference_image}"`);
    expect(svg).not.toContain('data:');
  });

  it('reads nothing for the PNG variant, which is the same placeholder as without the option', async () => {
    const { asked, readReference } = reading(() => ({ bytes: jpeg, contentType: 'image/jpeg' }));
    const png = new Uint8Array(await (await imageOf({}, 'png', 0, { readReference })).arrayBuffer());
    expect(asked).toEqual([]);
    expect(png).toEqual(new Uint8Array(await (await imageOf({}, 'png')).arrayBuffer()));
  });
});

describe('given a completed job, its PNG image', () => {
  it('is a valid PNG: signature, IHDR, PLTE, IDAT that inflates to the pixel rows, IEND, every CRC right', async () => {
    const response = await imageOf({ aspect_ratio: '16:9' }, 'png');
    expect(response.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks = readPng(bytes);
    expect(chunks.map((chunk) => chunk.type)).toEqual(['IHDR', 'PLTE', 'IDAT', 'IEND']);
    expect(chunks.every((chunk) => chunk.crcOk)).toBe(true);
    const ihdr = new DataView(chunks[0]!.data.buffer, chunks[0]!.data.byteOffset);
    const width = ihdr.getUint32(0);
    const height = ihdr.getUint32(4);
    expect({ width, height }).toEqual({ width: 256, height: 144 });
    // zlib checks the Adler-32 itself; each row is a filter byte plus one index per pixel.
    const raw = inflateSync(chunks[2]!.data);
    expect(raw.length).toBe((width + 1) * height);
    const paletteSize = chunks[1]!.data.length / 3;
    expect(raw.every((value, i) => (i % (width + 1) === 0 ? value === 0 : value < paletteSize))).toBe(true);
  });

  it.each([...ASPECT_RATIOS.map((aspect_ratio) => ({ aspect_ratio })), ...RESOLUTIONS.filter((r) => r !== 'None').map((resolution) => ({ resolution }))])(
    'keeps the output ratio with a long edge of 256 px for %o',
    async (input) => {
      const bytes = new Uint8Array(await (await imageOf(input, 'png')).arrayBuffer());
      const view = new DataView(bytes.buffer);
      const width = view.getUint32(16);
      const height = view.getUint32(20);
      const [w, h] = 'resolution' in input ? input.resolution.split('x').map(Number) : input.aspect_ratio.split(':').map(Number);
      expect(Math.max(width, height)).toBe(256);
      expect(Math.abs(width / height - w! / h!)).toBeLessThan(0.02);
    },
  );
});

describe('given image URLs that lead nowhere', () => {
  it('answers 404 before the job completes, past the last image and for unknown jobs', async () => {
    const simulator = createSimulator({ durationMs: 10_000 });
    const { jobId } = await submitJob(simulator, { ...INPUT, numberOfImages: 2 });
    const url = (index: number) => `${BASE}/simulator/images/${jobId}/${index}.svg`;
    expect((await simulator(new Request(url(0)))).status).toBe(404);
    vi.advanceTimersByTime(10_000);
    expect((await simulator(new Request(url(1)))).status).toBe(200);
    expect((await simulator(new Request(url(2)))).status).toBe(404);
    expect((await simulator(new Request(`${BASE}/simulator/images/job_nope/0.svg`))).status).toBe(404);
  });

  it('serves the same bytes each time an image is asked for', async () => {
    const simulator = createSimulator({ durationMs: 0 });
    const { jobId } = await submitJob(simulator);
    const read = async () => new Uint8Array(await (await simulator(new Request(`${BASE}/simulator/images/${jobId}/0.png`))).arrayBuffer());
    const first = await read();
    first.fill(0); // a consumer scribbling on its copy must not change what the next request gets
    const second = await read();
    const third = await read();
    expect(second.subarray(0, 8)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(third).toEqual(second);
  });

  it('answers HEAD with the headers and no body', async () => {
    const simulator = createSimulator({ durationMs: 0 });
    const { jobId } = await submitJob(simulator);
    const response = await simulator(new Request(`${BASE}/simulator/images/${jobId}/0.png`, { method: 'HEAD' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(await response.text()).toBe('');
  });
});
