/**
 * `npm run bench:size` — what an app pays for each entry: esbuild (bundle, minify, ESM,
 * browser), peers external, zod included, then gzip -9. Add entries to `SIZE_ENTRIES`;
 * `measureSizes()` returns the rows so `bench/run.ts` can write them into bench/RESULTS.md.
 */
import { build, type Metafile } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface SizeEntry {
  /** What is measured, as a reader would say it. */
  name: string;
  /** The module code of a tiny app entry; `react-ideogram-character/*` resolves to src/. */
  code: string;
  /** Budget in bytes, gzipped; undefined for anchors measured only for comparison. */
  budgetBytes?: number;
  /** More packages to leave out of this entry (for reference rows such as "without zod"). */
  external?: string[];
  /** Also report which source files the minified bytes come from (for budgets that do not hold). */
  attribute?: boolean;
}

/** Minified bytes one source file (or package) contributes to a bundle. */
export interface SizeShare {
  /** `src/core/client.ts`, or a package name such as `zod`. */
  source: string;
  /** Minified bytes in the output, before gzip. */
  minBytes: number;
}

export interface SizeRow extends SizeEntry {
  /** Minified size in bytes. */
  minBytes: number;
  /** Minified + gzip -9 size in bytes. */
  gzipBytes: number;
  /** Whether the budget holds (undefined without a budget). */
  holds?: boolean;
  /** Where the minified bytes come from, largest first (entries with `attribute`). */
  shares?: SizeShare[];
}

const root = fileURLToPath(new URL('..', import.meta.url));
/** Peers stay external: the app ships them anyway. zod is a dependency, so it is counted. */
const EXTERNAL = ['react', 'react-dom', 'react/jsx-runtime', '@tanstack/react-query'];
const ALIASES: Record<string, string> = {
  'react-ideogram-character/core': `${root}src/core/index.ts`,
};

/** The entries measured; other helpers append theirs (hook, components, styles.css, anchors). */
export const SIZE_ENTRIES: SizeEntry[] = [
  {
    name: "import { createCharacterClient } from 'react-ideogram-character/core'",
    code: "import { createCharacterClient } from 'react-ideogram-character/core'; globalThis.x = createCharacterClient;",
    budgetBytes: 8 * 1024,
    attribute: true,
  },
  {
    name: "import * from 'react-ideogram-character/core' (everything)",
    code: "import * as core from 'react-ideogram-character/core'; globalThis.x = core;",
  },
  {
    name: 'reference: the same createCharacterClient import with zod left out (our code only)',
    code: "import { createCharacterClient } from 'react-ideogram-character/core'; globalThis.x = createCharacterClient;",
    external: ['zod', 'zod/*'],
  },
  {
    name: "reference: zod/mini floor (safeParse + strictObject({ a: string() }))",
    code: "import * as z from 'zod/mini'; globalThis.x = [z.safeParse, z.strictObject({ a: z.string() })];",
  },
  // The least zod there is: no object, no string, only a predicate. With our code above, these
  // show that no zod-checked client with the parts #3 asks for fits in 8 kB (see RESULTS.md).
  {
    name: 'reference: zod/mini with no structure (safeParse + custom only)',
    code: "import * as z from 'zod/mini'; globalThis.x = [z.safeParse, z.custom(() => true)];",
  },
  {
    name: "reference: zod/v4/core, below zod/mini (safeParse + $ZodCustom only)",
    code: "import * as core from 'zod/v4/core'; globalThis.x = [core.safeParse, core.$ZodCustom];",
  },
  // The React entry (src/index.ts is what `react-ideogram-character` resolves to); sideEffects in package.json lets unused parts drop.
  {
    name: "import { useCharacterGeneration } from 'react-ideogram-character'",
    code: "import { useCharacterGeneration } from './src/index.ts'; globalThis.x = useCharacterGeneration;",
  },
  {
    name: "import { ReferenceUploader } from 'react-ideogram-character'",
    code: "import { ReferenceUploader } from './src/index.ts'; globalThis.x = ReferenceUploader;",
  },
  {
    name: "import { ParameterForm } from 'react-ideogram-character'",
    code: "import { ParameterForm } from './src/index.ts'; globalThis.x = ParameterForm;",
  },
  {
    name: "import { ResultGrid } from 'react-ideogram-character'",
    code: "import { ResultGrid } from './src/index.ts'; globalThis.x = ResultGrid;",
  },
  {
    name: "import { CharacterGenerator } from 'react-ideogram-character'",
    code: "import { CharacterGenerator } from './src/index.ts'; globalThis.x = CharacterGenerator;",
    budgetBytes: 30 * 1024,
  },
  // Anchors: general clients people compare with, measured the same way in the same run.
  {
    name: "anchor: import { fal } from '@fal-ai/client' (fal.subscribe)",
    code: "import { fal } from '@fal-ai/client'; globalThis.x = fal.subscribe;",
  },
  {
    name: "anchor: import Replicate from 'replicate'",
    code: "import Replicate from 'replicate'; globalThis.x = Replicate;",
  },
  {
    name: "anchor: import { experimental_useObject } from '@ai-sdk/react' (useObject)",
    code: "import { experimental_useObject } from '@ai-sdk/react'; globalThis.x = experimental_useObject;",
  },
];

/** Bundle, minify and gzip one entry. */
export async function measureSize(entry: SizeEntry, aliases: Record<string, string> = ALIASES): Promise<SizeRow> {
  const result = await build({
    stdin: { contents: entry.code, resolveDir: root, loader: 'ts', sourcefile: 'size-entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external: [...EXTERNAL, ...(entry.external ?? [])],
    alias: aliases,
    loader: { '.css': 'css' },
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: entry.attribute === true,
  });
  const code = result.outputFiles.map((f) => f.contents).reduce((a, b) => Buffer.concat([a, b]), Buffer.alloc(0));
  const gzipBytes = gzipSync(code, { level: 9 }).length;
  return {
    ...entry,
    minBytes: code.length,
    gzipBytes,
    holds: entry.budgetBytes === undefined ? undefined : gzipBytes <= entry.budgetBytes,
    ...(result.metafile ? { shares: shares(result.metafile) } : {}),
  };
}

/** Sum esbuild's per-input output bytes by our source file, or by package for node_modules. */
function shares(metafile: Metafile): SizeShare[] {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      const source = pkg ?? input;
      bytes.set(source, (bytes.get(source) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes].filter(([, n]) => n > 0).map(([source, minBytes]) => ({ source, minBytes })).sort((a, b) => b.minBytes - a.minBytes);
}

/** Measure every entry (in order). */
export async function measureSizes(entries: readonly SizeEntry[] = SIZE_ENTRIES): Promise<SizeRow[]> {
  const rows: SizeRow[] = [];
  for (const entry of entries) rows.push(await measureSize(entry));
  return rows;
}

const kB = (bytes: number) => `${(bytes / 1024).toFixed(2)} kB`;

/** The rows as a markdown table. */
export function sizeMarkdown(rows: readonly SizeRow[]): string {
  const lines = ['| entry | min | min+gz | budget (gz) | holds |', '|---|---:|---:|---:|---|'];
  for (const r of rows) {
    const holds = r.holds === undefined ? '' : r.holds ? 'yes' : '**NO**';
    lines.push(`| ${r.name} | ${kB(r.minBytes)} | ${kB(r.gzipBytes)} | ${r.budgetBytes ? `≤ ${kB(r.budgetBytes)}` : ''} | ${holds} |`);
  }
  for (const r of rows.filter((row) => row.shares && row.holds === false)) {
    lines.push('', `Where the minified bytes of "${r.name}" come from (gzip works on the whole, so shares of the gzipped size are roughly proportional):`, '');
    lines.push('| source | min | share |', '|---|---:|---:|');
    for (const share of r.shares!) lines.push(`| ${share.source} | ${kB(share.minBytes)} | ${Math.round((100 * share.minBytes) / r.minBytes)} % |`);
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await measureSizes();
  console.log('## Bundle size (esbuild, minified, ESM, browser; peers external, zod included; gzip -9)\n');
  console.log(sizeMarkdown(rows));
  if (rows.some((r) => r.holds === false)) process.exitCode = 1;
}
