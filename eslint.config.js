import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** Code that must run anywhere (servers, workers, the simulator): no React, no DOM types. */
const noReactOrDom = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: ['react', 'react/*', 'react-dom', 'react-dom/*', '@tanstack/react-query'],
          message: 'src/core, src/server and src/testing stay free of React.',
        },
        {
          group: ['**/react/**', '**/components/**', '../react', '../components'],
          message: 'Data flows one way: core, server and testing never import the React layer.',
        },
      ],
    },
  ],
  'no-restricted-globals': [
    'error',
    ...['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'HTMLElement'].map(
      (name) => ({ name, message: `${name} is DOM-only; keep this folder platform-neutral.` }),
    ),
  ],
};

export default tseslint.config(
  {
    ignores: ['dist/**', 'storybook-static/**', 'coverage/**', 'node_modules/**', '.storybook/public/**', 'test/consumer/app/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}', 'test/**/*.{ts,tsx}', 'stories/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/server/**/*.ts', 'src/testing/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: noReactOrDom,
  },
);
