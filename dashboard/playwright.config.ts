// End-to-end tests in Debian's Chromium (npx playwright install cannot work on this machine)
// against a running platform: tests/e2e/test_dashboard_and_prometheus.py starts `mlaas up` and passes its
// dashboard URL and keys in MLAAS_E2E_* variables, then runs `npx playwright test`.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "e2e",
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: process.env.MLAAS_E2E_URL ?? "http://127.0.0.1:8003",
    viewport: { width: 1280, height: 900 },
    trace: "off",
    launchOptions: {
      executablePath: process.env.MLAAS_E2E_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
