import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Root is this folder (apps/admin); outDir is resolved relative to it,
// so the bundle lands in <repo>/dist/admin and is served by the API at /admin/.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
    root,
    base: '/admin/',
    plugins: [react()],
    resolve: {
        // The admin API's wire types and enumerations, generated from the server's OpenAPI document.
        alias: { '@backchannel/client/admin': fileURLToPath(new URL('../../libs/client/src/admin-types.ts', import.meta.url)) },
    },
    build: {
        outDir: '../../dist/admin',
        emptyOutDir: true,
        chunkSizeWarningLimit: 3000,
    },
    server: {
        // `npm run dev:admin`: the API runs on :3000, the SPA on Vite's port.
        proxy: {
            '/admin/v1': {
                target: 'http://127.0.0.1:3000',
                changeOrigin: true,
            },
            // The staff socket (case presence).
            '/socket.io': {
                target: 'http://127.0.0.1:3000',
                ws: true,
            },
        },
    },
});
