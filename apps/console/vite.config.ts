import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API under /console; assets are referenced relative to that base.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
