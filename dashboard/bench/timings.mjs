// Browser timings of the dashboard in Debian's Chromium on loopback, for bench/dashboard.py:
//  - first page: navigation start until the overview is interactive (its heading and menu are
//    rendered), and until its three service cards say whether their service is ready (a fresh
//    browser context each run: nothing cached);
//  - the Monitoring page's drift-over-time chart: from the moment the snapshots answer has
//    arrived until every feature's line is drawn.
// Usage: node bench/timings.mjs <dashboard url> <api key> <model> <features> <runs>
import { chromium } from "@playwright/test";

const [url, key, model, features, runs] = process.argv.slice(2);
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const browser = await chromium.launch({ executablePath: process.env.MLAAS_E2E_CHROMIUM ?? "/usr/bin/chromium", args: FLAGS });

async function loggedInPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const me = await (await fetch(`${url}/api/training/v1/me`, { headers: { Authorization: `Bearer ${key}` } })).json();
  await context.addInitScript(
    ([k, caller]) => {
      sessionStorage.setItem("mlaas.apiKey", k);
      sessionStorage.setItem("mlaas.caller", caller);
    },
    [key, JSON.stringify(me)],
  );
  return { context, page: await context.newPage() };
}

async function firstPage() {
  const { context, page } = await loggedInPage();
  await page.addInitScript(() => {
    // When the overview can take input: its heading and menu are in the page.
    const observer = new MutationObserver(() => {
      if (document.querySelector("h1#page-title") && document.querySelector('nav[aria-label="Pages"] a')) {
        window.__interactiveAt = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document, { childList: true, subtree: true });
  });
  await page.goto(url);
  await page.locator(".card.service .badge.ready").nth(2).waitFor();
  const complete = await page.evaluate(() => performance.now()); // since navigation start
  const interactive = await page.evaluate(() => window.__interactiveAt);
  await context.close();
  return { interactive, complete };
}

async function monitoringRender() {
  const { context, page } = await loggedInPage();
  await page.addInitScript((expected) => {
    // Record when the drift-over-time chart has drawn one line per feature.
    const observer = new MutationObserver(() => {
      const chart = document.querySelector('figure[aria-label^="Drift score per feature, per monitoring run"]');
      if (chart && chart.querySelectorAll("path.recharts-line-curve").length >= expected) {
        window.__chartDrawnAt = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document, { childList: true, subtree: true });
  }, Number(features));
  await page.goto(`${url}/monitoring?model=${model}&window=30d`);
  await page.waitForFunction(() => window.__chartDrawnAt !== undefined, null, { timeout: 60_000 });
  const result = await page.evaluate(() => {
    const answer = performance.getEntriesByType("resource").find((e) => e.name.includes("/drift-history"));
    return { drawn: window.__chartDrawnAt, answered: answer?.responseEnd ?? NaN, bytes: answer?.transferSize ?? 0 };
  });
  await context.close();
  return result;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const interactive = [];
const complete = [];
const renders = [];
for (let i = 0; i < Number(runs); i++) {
  const first = await firstPage();
  interactive.push(first.interactive);
  complete.push(first.complete);
  const r = await monitoringRender();
  renders.push({ render_ms: r.drawn - r.answered, answer_bytes: r.bytes, page_ms: r.drawn });
}
await browser.close();
console.log(
  JSON.stringify({
    first_page_interactive_ms: { median: median(interactive), runs: interactive },
    first_page_services_shown_ms: { median: median(complete), runs: complete },
    monitoring_chart_render_ms: { median: median(renders.map((r) => r.render_ms)), runs: renders.map((r) => r.render_ms) },
    monitoring_page_until_chart_ms: { median: median(renders.map((r) => r.page_ms)) },
    drift_history_answer_bytes: renders[0]?.answer_bytes ?? 0,
  }),
);
