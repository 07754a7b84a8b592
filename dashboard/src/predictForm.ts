// The prediction form, built from a model's signature: one control per feature, by type.
// Kept apart from the page so its rules are unit-tested (tests/predictForm.test.ts).

export interface FeatureInput {
  name: string;
  type: string;
  accepts: string;
  categories?: string[] | null;
}

export type Control =
  | { kind: "number"; integer: boolean }
  | { kind: "boolean" }
  | { kind: "choice"; options: string[] }
  | { kind: "text" };

export function controlFor(feature: FeatureInput): Control {
  if (feature.type === "int" || feature.type === "float") {
    return { kind: "number", integer: feature.type === "int" };
  }
  if (feature.type === "bool") return { kind: "boolean" };
  if (feature.categories && feature.categories.length) {
    return { kind: "choice", options: feature.categories };
  }
  return { kind: "text" };
}

/** The form's text values as one record: empty means null (the model imputes it). Returns the
 * problems instead when a value cannot be what its feature needs. */
export function recordFrom(
  features: FeatureInput[],
  values: Record<string, string>,
): { record: Record<string, number | boolean | string | null> } | { problems: Record<string, string> } {
  const record: Record<string, number | boolean | string | null> = {};
  const problems: Record<string, string> = {};
  for (const feature of features) {
    const raw = (values[feature.name] ?? "").trim();
    const control = controlFor(feature);
    if (raw === "") {
      record[feature.name] = null;
    } else if (control.kind === "number") {
      const value = Number(raw);
      if (!Number.isFinite(value)) problems[feature.name] = "expected a number";
      else if (control.integer && !Number.isInteger(value)) problems[feature.name] = "expected a whole number";
      else record[feature.name] = value;
    } else if (control.kind === "boolean") {
      if (raw !== "true" && raw !== "false") problems[feature.name] = "expected true or false";
      else record[feature.name] = raw === "true";
    } else {
      record[feature.name] = raw;
    }
  }
  return Object.keys(problems).length ? { problems } : { record };
}

/** An explanation's contributions, largest effect first; `_base` is the base value. */
export function contributions(explanation: Record<string, number>): {
  base: number | null;
  rows: { name: string; value: number }[];
} {
  const rows = Object.entries(explanation)
    .filter(([name]) => name !== "_base")
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  return { base: explanation._base ?? null, rows };
}
