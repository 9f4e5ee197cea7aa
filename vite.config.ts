/**
 * The web app's build (`vite build`, part of `npm run build`): the sources in `src/web/`, the bundle
 * in `dist/web/`, which `sqlmig up` serves at `/`. `npx vite` serves the app for development,
 * passing `/api` to a service already running on port 7007.
 */
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const service = 'http://127.0.0.1:7007';

export default defineConfig({
  root: fileURLToPath(new URL('src/web', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // Every asset is a file of its own: the pages' content security policy allows no inline code.
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/api': service, '/healthz': service } },
});
