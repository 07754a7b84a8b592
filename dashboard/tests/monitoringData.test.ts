import { describe, expect, it } from "vitest";
import { driftOverTime, performanceOverTime } from "../src/monitoringData";

const point = (hour: number, age: number) => ({ at: new Date(Date.UTC(2026, 0, 1, hour)).toISOString(), scores: { age } });

describe("drift over time", () => {
  it("gives one row per run, oldest first, with each feature's score", () => {
    const { rows, features } = driftOverTime([point(9, 0.2), point(10, 1.5)]);
    expect(features).toEqual(["age"]);
    expect(rows).toEqual([
      { at: "2026-01-01 09:00", age: 0.2 },
      { at: "2026-01-01 10:00", age: 1.5 },
    ]);
  });

  it("merges long histories, keeping each feature's highest score", () => {
    const points = Array.from({ length: 720 }, (_, hour) => point(hour, hour === 400 ? 4.5 : 0.15));
    const { rows } = driftOverTime(points, 240);
    expect(rows).toHaveLength(240);
    expect(rows[0]!.at).toBe("2026-01-01 00:00");
    expect(rows.filter((r) => r.age === 4.5)).toHaveLength(1); // the one drifted hour survives
    expect(rows.every((r) => r.age === 4.5 || r.age === 0.15)).toBe(true);
  });
});

describe("live performance", () => {
  it("puts each variant's metric in its own series, bucket by bucket", () => {
    const buckets = [
      { start: "2026-01-02T10:00:00Z", variant: "champion", count: 5, metrics: { accuracy: 0.8 } },
      { start: "2026-01-02T10:00:00Z", variant: "challenger", count: 2, metrics: { accuracy: 0.5 } },
      { start: "2026-01-02T09:00:00Z", variant: "champion", count: 3, metrics: { accuracy: null } },
    ];
    expect(performanceOverTime(buckets, "accuracy")).toEqual({
      variants: ["challenger", "champion"],
      rows: [
        { start: "2026-01-02 09:00", champion: null },
        { start: "2026-01-02 10:00", champion: 0.8, challenger: 0.5 },
      ],
    });
  });
});
