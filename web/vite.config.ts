import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// The API serves dist/web (src/http/web-app.router.ts); `npm run dev:web` proxies to an API on :4000.
export default defineConfig({
  root: here,
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:4000', ws: true },
      '/uploads': 'http://127.0.0.1:4000',
      '/videos': 'http://127.0.0.1:4000',
    },
  },
});
