import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { characterProxyPlugin, memoryStorage } from 'react-ideogram-character/server';

// A plain Vite + React app, configured as the README tells a user to: the package's proxy is
// mounted at /api/character in the dev and preview servers. scripts/consumer-test.mjs unsets
// PIXELDOJO_API_KEY, so the proxy talks to the package's in-process simulator (1.5 s jobs).
export default defineConfig({
  plugins: [
    react(),
    characterProxyPlugin({
      uploads: { storage: memoryStorage() },
      simulator: { durationMs: 1500, speed: 1 },
    }),
  ],
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true },
});
