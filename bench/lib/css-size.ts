/**
 * The size of `react-ideogram-character/styles.css` as the build makes it: lightningcss
 * `bundle({ minify: true })` of src/styles/styles.css (what vite.config.ts emits as
 * dist/styles.css), then gzip -9 like every row of bench/size.ts. esbuild does not run
 * lightningcss, so this row is made here and appended to bench/size.ts's table by bench/run.ts.
 */
import { bundle } from 'lightningcss';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { SizeRow } from '../size.js';

const STYLES = fileURLToPath(new URL('../../src/styles/styles.css', import.meta.url));

/** The minified CSS text the build ships (also used by the Chromium pages). */
export function bundledStylesCss(): string {
  return Buffer.from(bundle({ filename: STYLES, minify: true }).code).toString('utf8');
}

/** One size row for styles.css, budget ≤ 6 kB gz (issue 6). */
export function measureStylesCss(): SizeRow {
  const code = Buffer.from(bundledStylesCss(), 'utf8');
  const gzipBytes = gzipSync(code, { level: 9 }).length;
  const budgetBytes = 6 * 1024;
  return {
    name: "import 'react-ideogram-character/styles.css' (lightningcss bundle, minified)",
    code: '',
    budgetBytes,
    minBytes: code.length,
    gzipBytes,
    holds: gzipBytes <= budgetBytes,
  };
}
