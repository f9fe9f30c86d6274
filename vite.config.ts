/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { playwright } from '@vitest/browser-playwright';
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { bundle } from 'lightningcss';
import { CHROMIUM_ARGS, chromiumExecutable } from './scripts/chromium.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));
const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Peers and the zod dependency stay imports; the app's bundler resolves them once. */
const EXTERNAL = /^(react|react-dom|@tanstack\/react-query|zod|msw)(\/|$)|^node:/;

/** A fresh object for each project: a shared `instances` array gets renamed across projects. */
function browserConfig() {
  return {
    enabled: true,
    headless: true,
    provider: playwright({
      launchOptions: { executablePath: chromiumExecutable(), args: [...CHROMIUM_ARGS] },
    }),
    instances: [{ browser: 'chromium' as const }],
    screenshotFailures: false,
  };
}

/** `styles.css` is opt-in, so no JS entry imports it: bundle tokens + components into one file. */
function stylesCss(): Plugin {
  return {
    name: 'ric:styles-css',
    apply: 'build',
    generateBundle() {
      const { code } = bundle({ filename: fromRoot('src/styles/styles.css'), minify: true });
      this.emitFile({ type: 'asset', fileName: 'styles.css', source: code });
    },
  };
}

export default defineConfig({
  root,
  plugins: [react(), stylesCss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    copyPublicDir: false,
    sourcemap: true,
    minify: false,
    target: 'es2022',
    lib: {
      entry: {
        index: fromRoot('src/index.ts'),
        core: fromRoot('src/core/index.ts'),
        server: fromRoot('src/server/index.ts'),
        testing: fromRoot('src/testing/index.ts'),
      },
      formats: ['es'],
    },
    rolldownOptions: {
      external: (id) => EXTERNAL.test(id),
      output: {
        chunkFileNames: 'chunks/[name]-[hash].js',
      },
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'test/core/**/*.test.ts',
            'test/server/**/*.test.ts',
            'test/testing/**/*.test.ts',
            'test/reliability/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'jsdom',
          environment: 'jsdom',
          include: ['test/react/**/*.test.{ts,tsx}', 'test/components/**/*.test.{ts,tsx}'],
          setupFiles: ['test/setup-jsdom.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.{ts,tsx}'],
          setupFiles: ['test/setup-browser.ts'],
          browser: browserConfig(),
        },
      },
      {
        extends: true,
        plugins: [storybookTest({ configDir: fromRoot('.storybook') })],
        test: {
          name: 'storybook',
          browser: browserConfig(),
        },
      },
    ],
  },
});
