/// <reference types="vitest/config" />
// One routing for `npm run dev`, `vite preview` (what `mlaas up` serves) and nginx in the
// compose stack: the browser calls same-origin /api/<service>/..., proxied to the service with
// the prefix removed. The services' URLs come from the environment `mlaas up` passes.
import react from "@vitejs/plugin-react";
import { defineConfig, type ProxyOptions } from "vite";

const SERVICES = {
  prediction: process.env.MLAAS_DASHBOARD_PREDICTION_URL ?? "http://127.0.0.1:8000",
  training: process.env.MLAAS_DASHBOARD_TRAINING_URL ?? "http://127.0.0.1:8001",
  monitoring: process.env.MLAAS_DASHBOARD_MONITORING_URL ?? "http://127.0.0.1:8002",
};

const proxy: Record<string, ProxyOptions> = Object.fromEntries(
  Object.entries(SERVICES).map(([service, target]) => [
    `/api/${service}`,
    {
      target,
      changeOrigin: true,
      rewrite: (path: string) => path.slice(`/api/${service}`.length) || "/",
    },
  ]),
);

const port = Number(process.env.MLAAS_DASHBOARD_PORT ?? 8003);

export default defineConfig({
  plugins: [react()],
  server: { host: "127.0.0.1", port, strictPort: true, proxy },
  preview: { host: "127.0.0.1", port, strictPort: true, proxy },
  // The manifest tells bench/dashboard.py which chunks the first page needs.
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 600, manifest: true },
  test: {
    environment: "jsdom",
    globals: true,
    include: ["tests/**/*.test.{ts,tsx}"],
    setupFiles: ["tests/setup.ts"],
  },
});
