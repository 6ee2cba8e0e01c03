/**
 * Vite config: React + Tailwind, and a same-origin proxy for /api and /ws
 * (dev server and `vite preview`) to DRIFTWATCH_API_URL (default http://127.0.0.1:8000).
 * PORT (default 3000) and HOST (default 127.0.0.1) choose where the app listens.
 */
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import tailwindcss from '@tailwindcss/vite'

const apiTarget = process.env.DRIFTWATCH_API_URL || 'http://127.0.0.1:8000'
const port = Number(process.env.PORT || 3000)
const host = process.env.HOST || '127.0.0.1'

const proxy = {
  '/api': { target: apiTarget, changeOrigin: true },
  '/ws': { target: apiTarget, changeOrigin: true, ws: true },
}

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: { port, host, strictPort: true, proxy },
  preview: { port, host, strictPort: true, proxy },
  build: { outDir: 'dist', chunkSizeWarningLimit: 1200 },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}', 'eslint.config.test.js'],
    css: false,
  },
})
