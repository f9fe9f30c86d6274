import type { StorybookConfig } from '@storybook/react-vite';

const config: StorybookConfig = {
  framework: { name: '@storybook/react-vite', options: {} },
  stories: ['../stories/**/*.mdx', '../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y', '@storybook/addon-vitest', 'msw-storybook-addon'],
  staticDirs: ['./public'],
  core: { disableTelemetry: true },
  async viteFinal(config) {
    // vite.config.ts builds the library; Storybook builds an app from the same plugins.
    if (config.build) {
      delete config.build.lib;
      delete config.build.rolldownOptions;
      config.build.emptyOutDir = true;
      config.build.copyPublicDir = true;
      config.build.minify = true;
    }
    return config;
  },
};

export default config;
