import type { StorybookConfig } from '@storybook/react-vite';
import type { PluginOption } from 'vite';

const config: StorybookConfig = {
  framework: { name: '@storybook/react-vite', options: {} },
  stories: ['../stories/**/*.mdx', '../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y', '@storybook/addon-vitest', 'msw-storybook-addon'],
  staticDirs: ['./public'],
  core: { disableTelemetry: true },
  async viteFinal(config) {
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
    return config;
  },
};

function isNamed(plugin: PluginOption, name: string): boolean {
  return typeof plugin === 'object' && plugin !== null && 'name' in plugin && plugin.name === name;
}

export default config;
