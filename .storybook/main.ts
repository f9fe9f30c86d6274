import { readFile } from 'node:fs/promises';
import type { StorybookConfig } from '@storybook/react-vite';
import type { PluginOption } from 'vite';
import { characterProxyPlugin } from '../src/server/index.js';

/**
 * Where the Playground's requests to `/api/character` go, shown on its screen:
 * - `pixeldojo`: `npm start` with PIXELDOJO_API_KEY set — the dev server's proxy calls PixelDojo;
 * - `simulator`: `npm start` without a key — the dev server's proxy calls the simulator in its
 *   own process (fast mode, a few seconds a job), over real HTTP;
 * - `msw`: the static build and the stories-as-tests — no server at all, the simulator runs in
 *   the browser behind MSW (`parameters.msw.handlers`).
 */
export type CharacterProxyMode = 'pixeldojo' | 'simulator' | 'msw';

const config: StorybookConfig = {
  framework: { name: '@storybook/react-vite', options: {} },
  stories: ['../stories/**/*.mdx', '../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y', '@storybook/addon-vitest', 'msw-storybook-addon'],
  staticDirs: ['./public'],
  core: { disableTelemetry: true },
  async viteFinal(config, { configType }) {
    // vite.config.ts builds the library; Storybook builds an app from the same plugins,
    // minus the one that emits the library's styles.css (the preview imports the sources).
    config.plugins = (config.plugins ?? []).filter((plugin: PluginOption) => !isNamed(plugin, 'ric:styles-css'));
    if (config.build) {
      delete config.build.lib;
      delete config.build.rolldownOptions;
      // Storybook has already written the manager and the static dirs into the output folder:
      // emptying it here would lose index.html and mockServiceWorker.js.
      config.build.emptyOutDir = false;
      config.build.copyPublicDir = true;
      config.build.minify = true;
    }

    // `storybook dev` (npm start) has a server: mount the real proxy there. The Vitest plugin
    // also loads this config as DEVELOPMENT, but its stories must not depend on a server.
    const devServer = configType === 'DEVELOPMENT' && !process.env.VITEST;
    let mode: CharacterProxyMode = 'msw';
    if (devServer) {
      mode = process.env.PIXELDOJO_API_KEY ? 'pixeldojo' : 'simulator';
      // On the simulator the plugin keeps uploads in memory (its default) and the results embed
      // the stories' portrait; with a key there are no uploads (PixelDojo cannot fetch localhost).
      config.plugins.push(characterProxyPlugin({ basePath: '/api/character', simulator: { readReference: readStoryAsset } }));
    }
    config.define = { ...config.define, 'import.meta.env.STORYBOOK_CHARACTER_PROXY': JSON.stringify(mode) };
    return config;
  },
};

/**
 * The stories' reference portrait, a page asset (Vite serves it at this path in dev): the
 * simulator embeds it in its SVGs, so the Playground's results show the person, not a
 * placeholder. Read from disk by its one fixed path; every other URL is not ours to read.
 */
const PORTRAIT_PATH = '/stories/assets/reference-portrait.jpg';
async function readStoryAsset(url: string): Promise<{ bytes: Uint8Array; contentType: string } | undefined> {
  if (!URL.canParse(url) || new URL(url).pathname !== PORTRAIT_PATH) return undefined;
  return { bytes: await readFile(new URL(`..${PORTRAIT_PATH}`, import.meta.url)), contentType: 'image/jpeg' };
}

function isNamed(plugin: PluginOption, name: string): boolean {
  return typeof plugin === 'object' && plugin !== null && 'name' in plugin && plugin.name === name;
}

export default config;
