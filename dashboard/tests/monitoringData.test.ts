import { describe, expect, it } from "vitest";
import { driftOverTime, driftScore, performanceOverTime } from "../src/monitoringData";

const ks = (feature: string, p: number | null, statistic = 0.2) => ({ feature, statistic, p_value: p, threshold: 0.01, drifted: p !== null && p < 0.01 });

describe("drift scores", () => {
  it("put p-value and distance tests on one scale where 1 is the threshold", () => {
    expect(driftScore(ks("a", 0.01))).toBeCloseTo(1);
    expect(driftScore(ks("a", 0.0001))).toBeCloseTo(2);
    expect(driftScore(ks("a", 1))).toBe(0);
    expect(driftScore({ feature: "w", statistic: 0.25, p_value: null, threshold: 0.1, drifted: true })).toBeCloseTo(2.5);
    expect(driftScore(ks("a", 0))).toBeCloseTo(150); // p = 0 is capped, not infinite
  });

  it("turn snapshots into one row per run, oldest first", () => {
    const snapshots = [
      { at: "2026-01-02T10:00:00Z", drift: { features: [ks("age", 0.01)], drifted_share: 0 } },
      { at: "2026-01-02T09:00:00Z", drift: { features: [ks("age", 1)], drifted_share: 0 } },
    ];
    const { rows, features } = driftOverTime(snapshots);
    expect(features).toEqual(["age"]);
    expect(rows.map((r) => r.at)).toEqual(["2026-01-02 09:00", "2026-01-02 10:00"]);
    expect(rows[1]!.age).toBeCloseTo(1);
  });
});

describe("long histories", () => {
  it("merge runs of snapshots, keeping each feature's highest score", () => {
    const snapshots = Array.from({ length: 720 }, (_, hour) => ({
      at: new Date(Date.UTC(2026, 0, 1, hour)).toISOString(),
      drift: { features: [ks("age", hour === 400 ? 1e-9 : 0.5)], drifted_share: 0 },
    }));
    const { rows } = driftOverTime(snapshots, 240);
    expect(rows).toHaveLength(240);
    expect(rows[0]!.at).toBe("2026-01-01 00:00");
    const spike = rows.find((r) => (r.age as number) > 4)!;
    expect(spike.age).toBeCloseTo(4.5); // -log10(1e-9) / 2: the one drifted hour survives
    expect(rows.filter((r) => (r.age as number) > 1)).toHaveLength(1);
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
