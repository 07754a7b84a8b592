// The typed client's types, generated from the committed OpenAPI documents (docs/openapi/*.json)
// with openapi-typescript. `--check` fails when a generated file differs from what is committed,
// so a route change that was not regenerated stops CI (`make lint`).
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const SERVICES = ["prediction", "training", "monitoring"];
const check = process.argv.includes("--check");
const root = new URL("../../", import.meta.url);
const stale = [];

for (const service of SERVICES) {
  const document = new URL(`docs/openapi/${service}.json`, root);
  const target = new URL(`dashboard/src/api/${service}.d.ts`, root);
  const ast = await openapiTS(JSON.parse(await readFile(document, "utf8")));
  const text =
    `// Generated from docs/openapi/${service}.json by \`npm run gen\`; do not edit.\n` + astToString(ast);
  if (check) {
    const committed = await readFile(target, "utf8").catch(() => "");
    if (committed !== text) stale.push(fileURLToPath(target));
  } else {
    await writeFile(target, text);
  }
}

if (stale.length) {
  console.error(`stale generated client (run \`npm run gen\` in dashboard/): ${stale.join(", ")}`);
  process.exit(1);
}
