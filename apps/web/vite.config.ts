import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Root is this folder (apps/web); the bundle lands in <repo>/dist/web and the API serves it at /
// (index.html at GET /, the bundle under /assets). The SDK is the repo's libs/client.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  resolve: {
    alias: { '@backchannel/client': fileURLToPath(new URL('../../libs/client/src/index.ts', import.meta.url)) },
  },
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    // `npm run dev:web`: the API on :3000, the app on Vite's port.
    proxy: {
      '/v1': { target: 'http://127.0.0.1:3000', changeOrigin: true },
      '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
});
