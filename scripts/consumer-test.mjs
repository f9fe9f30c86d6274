#!/usr/bin/env node
// The consumer test: install the package the way a user does and use it in a real app.
//
//   1. `npm pack` the built package (dist/ must exist: `npm run build`) into a temp folder;
//   2. extract the tarball into test/consumer/app/node_modules/react-ideogram-character
//      (the app's other dependencies resolve from the repository's node_modules, no network);
//   3. build the small Vite + React app in test/consumer/app with Vite's API;
//   4. serve it with `vite preview` on 127.0.0.1, where the app's vite.config mounts the
//      package's `characterProxyPlugin` (no key: the package's simulator answers, 1.5 s jobs),
//      and open it in Chromium (playwright-core);
//   5. check: the generator renders with its accessible names, styles.css applied (a token and
//      a computed style from it), the core entry works, no console errors, and a full generate
//      (upload the reference, write a prompt, Generate) shows images.
//
// Prints one `consumer test: PASS …` or `consumer test: FAIL …` line; the server, the browser
// and the temp folder are always cleaned up. Exit code 0 on pass, 1 on failure.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, chromiumExecutable } from './chromium.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APP = join(ROOT, 'test/consumer/app');
const INSTALLED = join(APP, 'node_modules/react-ideogram-character');
const REFERENCE = join(ROOT, 'stories/assets/reference-portrait.jpg');
/** The whole test must finish within this; a hang is a failure, not a stuck CI job. */
const OVERALL_TIMEOUT_MS = 120_000;

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
const step = (message) => console.log(`  · ${message} (${seconds()} s)`);


function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}):\n${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Pack the package and extract it where the app's `node_modules` lookup finds it. */
function installTarball(tmp) {
  assert(existsSync(join(ROOT, 'dist/index.js')), 'dist/ is missing: run `npm run build` first');
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--silent', '--pack-destination', tmp]));
  assert(packed?.filename, 'npm pack printed no file name');
  run('tar', ['-xzf', join(tmp, packed.filename), '-C', tmp]);
  rmSync(INSTALLED, { recursive: true, force: true });
  mkdirSync(dirname(INSTALLED), { recursive: true });
  cpSync(join(tmp, 'package'), INSTALLED, { recursive: true });
  step(`packed ${packed.filename} (${(packed.size / 1024).toFixed(1)} kB, ${packed.entryCount} files) and installed it into the app`);

  // React Server Components frameworks need the directive as the React entry's first statement.
  const entry = readFileSync(join(INSTALLED, 'dist/index.js'), 'utf8').replace(/^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '');
  assert(/^['"]use client['"]/.test(entry), "the installed dist/index.js does not start with 'use client'");
}

async function buildApp() {
  const { build } = await import('vite');
  const warnings = [];
  const logger = {
    info() {},
    warn: (message) => warnings.push(message),
    warnOnce: (message) => warnings.push(message),
    error: (message) => console.error(message),
    clearScreen() {},
    hasErrorLogged: () => false,
    hasWarned: false,
  };
  await build({ root: APP, configFile: join(APP, 'vite.config.mjs'), customLogger: logger, logLevel: 'warn' });
  const directiveWarnings = warnings.filter((message) => /use client|directive/i.test(message));
  assert(directiveWarnings.length === 0, `Vite warned about the 'use client' directive:\n${directiveWarnings.join('\n')}`);
  for (const message of warnings) console.log(`    vite warning: ${message}`);
  step('built the app with Vite');
}

/** `vite preview` of the built app; the app's config mounts the package's proxy plugin. */
async function serveApp() {
  // Never spend real credits from a developer's shell: the plugin falls back to its simulator.
  delete process.env.PIXELDOJO_API_KEY;
  const { preview } = await import('vite');
  const server = await preview({
    root: APP,
    configFile: join(APP, 'vite.config.mjs'),
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const url = server.resolvedUrls?.local[0]?.replace(/\/$/, '');
  assert(url, 'vite preview did not report its URL');
  return { url, close: () => server.close() };
}

async function checkInBrowser(url) {
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: chromiumExecutable(), args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.request().method()} ${response.url()}`);
    });

    await page.goto(url);
    await page.getByRole('heading', { name: 'Consumer app' }).waitFor();
    assert((await page.evaluate(() => document.documentElement.dataset.coreEntry)) === 'ok', 'the core entry did not work in the browser');

    // Accessible names a user (and a screen reader) finds the generator by.
    const prompt = page.getByRole('textbox', { name: 'Prompt', exact: true });
    const generate = page.getByRole('button', { name: 'Generate', exact: true });
    await prompt.waitFor();
    await generate.waitFor();
    await page.getByRole('group', { name: 'Character reference' }).waitFor();
    await page.getByRole('region', { name: 'Results' }).waitFor();
    step('the generator rendered with its accessible names');

    // styles.css: the token is defined, and a component rule uses it.
    const accent = await page.evaluate(() => {
      const probe = document.body.appendChild(document.createElement('div'));
      probe.style.backgroundColor = 'var(--ic-accent)';
      const resolved = getComputedStyle(probe).backgroundColor;
      probe.remove();
      return { token: getComputedStyle(document.documentElement).getPropertyValue('--ic-accent').trim(), resolved };
    });
    assert(accent.token !== '', 'styles.css is not applied: --ic-accent is not defined');
    const buttonBackground = await generate.evaluate((element) => getComputedStyle(element).backgroundColor);
    assert(buttonBackground === accent.resolved, `the Generate button does not use --ic-accent (${accent.resolved}): its background is ${buttonBackground}`);
    step('styles.css applied (--ic-accent on the Generate button)');

    // A full generate through the proxy and the simulator: upload, prompt, Generate, images.
    // The file goes through the proxy's upload route, and the job is made from its URL.
    const uploaded = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/character/uploads');
    await page.getByLabel('Reference image', { exact: true }).setInputFiles(REFERENCE);
    const upload = await uploaded;
    assert(upload.status() === 201, `the upload answered ${upload.status()}`);
    const { url: referenceUrl } = await upload.json();
    await prompt.fill('The same woman as a lighthouse keeper, storm at night');
    await page.waitForFunction(() => {
      const button = [...document.querySelectorAll('button')].find((element) => element.textContent?.trim() === 'Generate');
      return button && !button.disabled && button.getAttribute('aria-disabled') !== 'true';
    });
    const submitted = page.waitForRequest((request) => request.url().endsWith('/api/character/models/ideogram-character/run'));
    await generate.click();
    const input = (await submitted).postDataJSON();
    assert(input.character_reference_image === referenceUrl, `the job was submitted with ${input.character_reference_image}, not the upload ${referenceUrl}`);
    await page.waitForFunction(
      () => [...document.querySelectorAll('img')].some((img) => /\/simulator\/images\//.test(img.currentSrc) && img.complete && img.naturalWidth > 0),
      undefined,
      { timeout: 30_000 },
    );
    step('a full generate showed images');

    assert(problems.length === 0, `the page logged problems:\n${problems.join('\n')}`);
  } finally {
    await browser.close();
    browser = undefined;
  }
}

let tmp;
let server;
let browser;
const watchdog = setTimeout(async () => {
  console.error(`consumer test: FAIL: no result after ${OVERALL_TIMEOUT_MS / 1000} s`);
  setTimeout(() => process.exit(1), 5_000).unref();
  await Promise.allSettled([browser?.close(), server?.close()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
}, OVERALL_TIMEOUT_MS);
watchdog.unref();

let failure;
try {
  tmp = mkdtempSync(join(tmpdir(), 'ric-consumer-'));
  installTarball(tmp);
  await buildApp();
  server = await serveApp();
  step(`serving on ${server.url}`);
  await checkInBrowser(server.url);
} catch (error) {
  failure = error;
} finally {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  clearTimeout(watchdog);
}

if (failure) {
  console.error(`consumer test: FAIL after ${seconds()} s: ${failure instanceof Error ? failure.message : failure}`);
  process.exit(1);
}
console.log(`consumer test: PASS in ${seconds()} s (npm pack → Vite build → Chromium: render, styles.css, generate)`);
