#!/usr/bin/env node
// `npm test`: every check a change must pass, in the order that fails fastest.
// Each step streams its output; the first failing step stops the run with its exit code.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';

const isCI = process.env.CI === 'true' || process.env.CI === '1';

function findBrowser() {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  try {
    // Playwright's own download, where `npx playwright install chromium` has run.
    const path = createRequire(import.meta.url)('playwright-core').chromium.executablePath();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const browser = findBrowser();
if (!browser) {
  console.error(
    [
      '',
      'No Chromium found for the browser and Storybook tests.',
      '  Debian/Ubuntu:  sudo apt-get install -y chromium   (gives /usr/bin/chromium)',
      '  elsewhere:      npx playwright install chromium',
      '  or point CHROMIUM_PATH at a Chromium or Chrome executable.',
      isCI ? 'CI never skips browser tests: failing.' : 'The browser tests cannot run without it: failing.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

const vitestReport = join(tmpdir(), `ric-vitest-${process.pid}.json`);
const steps = [
  ['type check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', 'npx', ['eslint', '.', '--max-warnings=0']],
  ['tests (node, jsdom, browser, storybook)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`]],
  ['build', 'npm', ['run', 'build', '--silent']],
  ['dist checks', 'node', ['scripts/check-dist.mjs']],
  ['publint', 'npx', ['publint', '--strict']],
  ['attw', 'npx', ['attw', '--pack', '.', '--profile', 'esm-only', '--exclude-entrypoints', './styles.css']],
  // npm pack → a Vite + React app in test/consumer/app → Chromium: exports, CSS, 'use client', a generate.
  ['consumer test', 'node', ['scripts/consumer-test.mjs']],
  // The hostable Storybook: Storybook empties storybook-static first, so these files are this build's.
  ['static Storybook', 'npm', ['run', 'build-storybook', '--silent', '--', '--loglevel', 'error']],
  ['static Storybook output', 'node', ['-e', `const missing = ['index.html', 'iframe.html', 'index.json', 'mockServiceWorker.js'].filter((f) => !require('node:fs').existsSync('storybook-static/' + f));
if (missing.length) { console.error('storybook-static lacks ' + missing.join(', ')); process.exit(1); }`]],
  ['secret scan (dist, storybook-static)', 'node', ['scripts/scan-secrets.mjs']],
];

const started = Date.now();
for (const [name, command, args] of steps) {
  const t0 = Date.now();
  console.log(`\n▶ ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, CHROMIUM_PATH: browser } });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✖ ${name} failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
    process.exit(result.status ?? 1);
  }
  console.log(`✔ ${name} (${seconds} s)`);
}

let summary = '';
if (existsSync(vitestReport)) {
  const report = JSON.parse(readFileSync(vitestReport, 'utf8'));
  summary = `${report.numPassedTests} passed, ${report.numFailedTests} failed`;
  rmSync(vitestReport, { force: true });
  if (report.numPassedTests === 0) {
    console.error('✖ no test ran');
    process.exit(1);
  }
}
console.log(`\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
if (summary) console.log(`Tests: ${summary}`);
