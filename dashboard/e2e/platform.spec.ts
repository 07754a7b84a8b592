// The dashboard against the real platform (`mlaas up` on a fresh home, with models its
// pipelines trained), in Debian's Chromium. Serial: later steps use what earlier ones made
// (a trained version to promote, a key to revoke). Every page is checked with axe-core and
// saved as a screenshot at 1280 px; no page may log a console error.
import { expect, test, type Page } from "@playwright/test";
import { ADMIN_KEY, api, expectAccessible, login, screenshot, watchConsole } from "./helpers";

test.describe.configure({ mode: "serial" });

let page: Page;
let consoleErrors: string[];

test.beforeAll(async ({ browser }) => {
  page = await (await browser.newContext()).newPage();
  consoleErrors = watchConsole(page);
  await login(page, ADMIN_KEY);
});

test.afterAll(async () => {
  expect(consoleErrors, "console errors").toEqual([]);
  await page.close();
});

async function visit(path: string, title: string): Promise<void> {
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.getByText(/^Loading /)).toHaveCount(0);
}

async function check(name: string): Promise<void> {
  await expectAccessible(page);
  await screenshot(page, name);
}

test("the overview shows every service ready and both shipped models", async () => {
  for (const service of ["prediction", "training", "monitoring"]) {
    await expect(page.getByRole("article", { name: `${service} service` }).getByText("ready", { exact: true })).toBeVisible();
  }
  const models = page.locator("article", { has: page.getByRole("heading", { name: "Models" }) });
  await expect(models.getByRole("link", { name: "churn" })).toBeVisible();
  await expect(models.getByRole("link", { name: "house_prices" })).toBeVisible();
  await check("overview");
});

test("models: both shipped models, a version's lineage, plots and audit history", async () => {
  await visit("/models", "Models");
  await expect(page.getByRole("link", { name: "churn" })).toBeVisible();
  await expect(page.getByRole("link", { name: "house_prices" })).toBeVisible();
  await check("models");
  await page.getByRole("link", { name: "churn" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Model churn" })).toBeVisible();
  await page.getByRole("button", { name: "v1", exact: true }).click(); // the version `up` trained
  await expect(page.getByText("passed 53/53 (churn)")).toBeVisible(); // the validation result
  await expect(page.getByText(/^5,000 rows from /)).toBeVisible(); // the data it was trained on
  await expect(page.getByRole("img", { name: "roc curve of churn v1" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Audit history of churn" }).getByText("gate passed")).toBeVisible();
  await check("model-detail");
});

test("predict: an answer from the form built from the signature, and why", async () => {
  await visit("/predict?model=churn", "Predict");
  await page.getByLabel(/^age/).fill("58");
  await page.getByLabel(/^num_products/).fill("3");
  await page.getByLabel(/^country/).selectOption("Germany"); // the training categories
  await page.getByLabel(/^is_active_member/).selectOption("false");
  await page.getByRole("button", { name: "Predict and explain" }).click();
  await expect(page.getByTestId("prediction-output")).toContainText("churned =");
  await expect(page.getByText(/answered by v\d+ \(champion\)/)).toBeVisible();
  await expect(page.getByRole("region", { name: "Probabilities" })).toBeVisible();
  await expect(page.getByLabel("Why: contributions to the output, largest first")).toBeVisible();
  await check("predict");
});

test("training: launch a job and watch it to completion", async () => {
  test.setTimeout(600_000);
  await visit("/training", "Training");
  await page.getByLabel("Spec").selectOption("churn");
  await page.getByLabel("Trials").fill("2");
  await page.getByLabel("logistic_regression").check();
  await page.getByRole("button", { name: "Start training" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Training job" })).toBeVisible();
  await expect(page.getByTestId("job-state")).toHaveText("succeeded", { timeout: 540_000 });
  await expect(page.getByTestId("trials-done")).toContainText("2/2");
  await expect(page.getByText(/Registered as/)).toBeVisible();
  await expect(page.getByLabel("Objective per trial")).toBeVisible();
  await check("training-job");
  await visit("/training", "Training");
  await check("training");
});

test("promote a version with a reason: the alias moves and the audit log says why", async () => {
  await visit("/models/churn", "Model churn");
  const versions = page.getByRole("region", { name: "Versions of churn with holdout metrics" });
  const rows = versions.getByRole("row");
  await expect(rows.nth(2)).toBeVisible(); // v1 from `mlaas up`, v2 from the job above
  const championRow = rows.filter({ hasText: "champion" });
  const champion = (await championRow.getByRole("button").textContent())!.trim().slice(1);
  const other = (await rows.filter({ hasNotText: "champion" }).last().getByRole("button").textContent())!.trim().slice(1);
  await page.getByLabel("Alias", { exact: true }).selectOption("champion");
  await page.getByLabel("Version", { exact: true }).selectOption(other);
  const reason = `e2e: promote v${other} from the dashboard (${Date.now()})`;
  await page.getByLabel("Reason (kept in the audit log)").fill(reason);
  await page.getByRole("button", { name: `Point champion at v${other}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `champion → v${other}` })).toBeVisible();
  await expect(versions.getByRole("row").filter({ hasText: "champion" })).toContainText(`v${other}`);
  const audit = page.getByRole("region", { name: "Audit history of churn" });
  await expect(audit.getByRole("row").filter({ hasText: reason })).toContainText("set_alias");
  await page.goto(`/models/churn/compare?a=${champion}&b=${other}`);
  await expect(page.getByRole("heading", { name: "The gate's paired test" })).toBeVisible();
  await expect(page.getByText(/p-value/)).toBeVisible();
  await check("compare");
});

test("monitoring: drifted traffic changes the drift chart", async ({ request }) => {
  test.setTimeout(300_000);
  await visit("/monitoring?model=house_prices", "Monitoring");
  await check("monitoring");
  const records = Array.from({ length: 300 }, (_, i) => ({
    age: 85 + (i % 15),
    tenure_months: 400 + (i % 100),
    balance: 3_000_000 + i * 1000,
    num_products: 1 + (i % 3),
    credit_score: 880 + (i % 20),
    estimated_salary: 8_000_000 + i * 100,
    support_calls: 60 + (i % 40),
    has_credit_card: i % 2 === 0,
    is_active_member: i % 3 === 0,
    country: "Spain",
    gender: "Male",
  }));
  await api(request, "POST", "/prediction/v1/models/churn/predict/batch", ADMIN_KEY, { features: records });
  await visit("/monitoring?model=churn", "Monitoring");
  const verdict = page.getByTestId("drift-verdict");
  await expect(async () => {
    await page.reload(); // the prediction log is written a moment after the answers
    await expect(verdict).toContainText("Dataset drift", { timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  await page.getByRole("button", { name: "Run monitoring now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Snapshot taken" })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByLabel("Drift score per feature: 1 is the policy's threshold (red: drifted)")).toBeVisible();
  await expect(page.getByRole("region", { name: "Snapshots and retrain decisions, newest first" })).toContainText("age");
  await check("monitoring-drift");
});

test("alerts: create a rule, edit it, see it listed", async () => {
  await visit("/alerts?model=churn", "Alerts");
  const name = `e2e-drift-${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel(/^Metric/).fill("drifted_share");
  await page.getByLabel("Threshold").fill("0.4");
  await page.getByRole("button", { name: "Create the rule" }).click();
  const rules = page.getByRole("region", { name: "Alert rules of churn" });
  await expect(rules.getByRole("row").filter({ hasText: name })).toContainText("drifted_share >= 0.4000 over 1d");
  await page.getByRole("button", { name: `Edit rule ${name}` }).click();
  await page.getByLabel("Threshold").fill("0.5");
  await page.getByRole("button", { name: "Save the rule" }).click();
  await expect(rules.getByRole("row").filter({ hasText: name })).toContainText(">= 0.5000");
  await check("alerts");
});

test("pipelines: a run on a bad dataset shows the failing expectations", async () => {
  test.setTimeout(600_000);
  await visit("/pipelines?spec=house_prices", "Pipelines");
  await page.getByLabel(/^Dataset/).fill(process.env.MLAAS_E2E_BAD_DATASET ?? "");
  await page.getByRole("button", { name: "Trigger a run" }).click();
  const queued = page.getByRole("status").filter({ hasText: "queued" });
  await expect(queued).toBeVisible();
  const runId = /Run (\S+) queued/.exec((await queued.textContent()) ?? "")![1]!;
  const run = page.getByRole("listitem").filter({ hasText: runId });
  const failing = run.getByRole("region", { name: /^Failing expectations of suite house_prices/ });
  await expect(failing).toBeVisible({ timeout: 540_000 }); // the page re-reads the runs every 5 s
  await expect(failing.getByRole("row").filter({ hasText: "price" }).first()).toBeVisible();
  await expect(run.getByText("Failed at: validate")).toBeVisible();
  await check("pipelines");
  await visit("/data-quality?model=house_prices", "Data quality");
  await expect(page.getByText(/kept at quarantine\/house_prices\//).first()).toBeVisible();
  await check("data-quality");
});

test("routing and keys pages", async () => {
  await visit("/routing?model=churn", "Routing");
  await expect(page.getByTestId("current-split")).toContainText("champion");
  await check("routing");
  await visit("/keys", "API keys");
  await check("keys");
});

test("every page is readable at 390 px and the menu works from the keyboard", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  const pages: [string, string][] = [
    ["/", "Overview"],
    ["/models", "Models"],
    ["/models/churn", "Model churn"],
    ["/models/churn/compare?a=1&b=2", "Compare versions of churn"],
    ["/training", "Training"],
    ["/pipelines?spec=churn", "Pipelines"],
    ["/data-quality?model=churn", "Data quality"],
    ["/monitoring?model=churn", "Monitoring"],
    ["/alerts?model=churn", "Alerts"],
    ["/predict?model=churn", "Predict"],
    ["/routing?model=churn", "Routing"],
    ["/keys", "API keys"],
  ];
  for (const [path, title] of pages) {
    await visit(path, title);
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(sideways, `${path} scrolls sideways at 390 px`).toBeLessThanOrEqual(0);
    await expectAccessible(page);
  }
  await screenshot(page, "keys-390");
  await visit("/", "Overview");
  await screenshot(page, "overview-390");
  await page.setViewportSize({ width: 1280, height: 900 });

  await visit("/", "Overview");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Models", exact: true })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "Models" })).toBeVisible();
});

test("a predict-only key sees no admin action, and a revoked key lands on the login page", async ({ browser }) => {
  await visit("/keys", "API keys");
  await page.getByLabel("Who or what uses it").fill("e2e predict-only");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  const key = (await page.getByTestId("new-key").textContent())!.trim();
  expect(key).toMatch(/^mlaas_[0-9a-f]{8}_/);

  const other = await (await browser.newContext()).newPage();
  const otherErrors = watchConsole(other);
  await login(other, key);
  const menu = other.getByRole("navigation", { name: "Pages" });
  await expect(menu.getByRole("link")).toHaveText(["Overview", "Predict", "Routing"]);
  await other.goto("/routing?model=churn");
  await expect(other.getByText("Changing the split needs an API key with the 'admin' scope.")).toBeVisible();
  await expect(other.getByRole("button", { name: "Apply" })).toHaveCount(0);
  await other.goto("/keys");
  await expect(other.getByRole("alert")).toContainText("needs an API key with the 'admin' scope");
  expect(otherErrors).toEqual([]);

  await visit("/keys", "API keys");
  const prefix = key.split("_")[1]!;
  await page.getByRole("button", { name: new RegExp(`^Revoke key ${prefix}`) }).click();
  await expect(page.getByRole("row").filter({ hasText: prefix })).toContainText("revoked");

  await other.goto("/");
  await expect(other.getByLabel("API key")).toBeVisible({ timeout: 30_000 });
  await expect(other.getByRole("alert")).toContainText("API key revoked");
  await other.close();
});
