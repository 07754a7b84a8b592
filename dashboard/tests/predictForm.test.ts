import { describe, expect, it } from "vitest";
import { contributions, controlFor, recordFrom, type FeatureInput } from "../src/predictForm";

const SIGNATURE: FeatureInput[] = [
  { name: "age", type: "int", accepts: "a number or null", categories: null },
  { name: "balance", type: "float", accepts: "a number or null", categories: null },
  { name: "active", type: "bool", accepts: "true or false or null", categories: null },
  { name: "country", type: "category", accepts: "a string or null", categories: ["France", "Germany"] },
  { name: "city", type: "category", accepts: "a string or null" },
];

describe("the form built from a signature", () => {
  it("picks a control per feature type, with the training categories as choices", () => {
    expect(SIGNATURE.map(controlFor)).toEqual([
      { kind: "number", integer: true },
      { kind: "number", integer: false },
      { kind: "boolean" },
      { kind: "choice", options: ["France", "Germany"] },
      { kind: "text" },
    ]);
  });

  it("builds a typed record; empty fields are null, for the model to impute", () => {
    const built = recordFrom(SIGNATURE, { age: "41", balance: "1e3", active: "false", country: "Germany" });
    expect(built).toEqual({ record: { age: 41, balance: 1000, active: false, country: "Germany", city: null } });
  });

  it("names each field whose value cannot be its type", () => {
    const built = recordFrom(SIGNATURE, { age: "41.5", balance: "abc", active: "yes" });
    expect(built).toEqual({
      problems: { age: "expected a whole number", balance: "expected a number", active: "expected true or false" },
    });
  });

  it("orders an explanation by effect size and keeps the base value apart", () => {
    expect(contributions({ age: 0.1, balance: -0.5, _base: -2, active: 0.3 })).toEqual({
      base: -2,
      rows: [
        { name: "balance", value: -0.5 },
        { name: "active", value: 0.3 },
        { name: "age", value: 0.1 },
      ],
    });
  });
});
