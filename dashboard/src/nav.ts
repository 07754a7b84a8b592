import type { Scope } from "./session";

/** The pages, in the menu's order, with the scope a key needs to see each (null: any key). */
export const NAV: { to: string; label: string; scope: Scope | null }[] = [
  { to: "/", label: "Overview", scope: null },
  { to: "/models", label: "Models", scope: "train" },
  { to: "/training", label: "Training", scope: "train" },
  { to: "/pipelines", label: "Pipelines", scope: "train" },
  { to: "/data-quality", label: "Data quality", scope: "monitor" },
  { to: "/monitoring", label: "Monitoring", scope: "monitor" },
  { to: "/alerts", label: "Alerts", scope: "monitor" },
  { to: "/predict", label: "Predict", scope: "predict" },
  { to: "/routing", label: "Routing", scope: "predict" },
  { to: "/keys", label: "Keys", scope: "admin" },
];
