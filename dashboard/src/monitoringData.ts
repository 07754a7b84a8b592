// Shapes the monitoring API's answers into chart rows (unit-tested: tests/monitoringData.test.ts).

interface FeatureScore {
  feature: string;
  statistic: number;
  p_value: number | null;
  threshold: number;
  drifted: boolean;
}

/** One scale for every test: 1 is the policy's threshold, above it drifted. A p-value test
 * (KS, chi-squared) scores -log10(p) / -log10(threshold); a distance test (Wasserstein, PSI,
 * Jensen-Shannon) scores statistic / threshold. Raw statistics of different tests (a KS D of
 * 0.5 beside a chi-squared of 4,000) cannot share an axis. */
export function driftScore(f: FeatureScore): number {
  if (f.p_value !== null) {
    const p = Math.max(f.p_value, 1e-300);
    return Math.max(0, Math.log10(p) / Math.log10(f.threshold));
  }
  return f.threshold > 0 ? f.statistic / f.threshold : 0;
}

interface SnapshotLike {
  at: string;
  drift: { features: FeatureScore[]; prediction?: FeatureScore | null; drifted_share: number };
}

/** At most this many points per line: 30 days of hourly runs become 240 points of 3 hours. */
export const MAX_POINTS = 240;

/** One row per snapshot, oldest first: its time and each feature's drift score. More than
 * `maxPoints` snapshots are merged in runs of consecutive ones, each keeping its first time and
 * every feature's highest score, so a spike of drift is never averaged away. */
export function driftOverTime(
  snapshots: SnapshotLike[],
  maxPoints = MAX_POINTS,
): { rows: Record<string, number | string>[]; features: string[] } {
  const features = new Set<string>();
  const all = [...snapshots]
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((s) => {
      const row: Record<string, number | string> = { at: s.at.slice(0, 16).replace("T", " ") };
      for (const f of s.drift.features) {
        row[f.feature] = driftScore(f);
        features.add(f.feature);
      }
      return row;
    });
  const size = Math.ceil(all.length / maxPoints);
  if (size <= 1) return { rows: all, features: [...features] };
  const rows: Record<string, number | string>[] = [];
  for (let start = 0; start < all.length; start += size) {
    const merged: Record<string, number | string> = { at: all[start]!.at! };
    for (const row of all.slice(start, start + size)) {
      for (const feature of features) {
        const value = row[feature];
        if (typeof value === "number") merged[feature] = Math.max(value, (merged[feature] as number | undefined) ?? -Infinity);
      }
    }
    rows.push(merged);
  }
  return { rows, features: [...features] };
}

interface BucketLike {
  start: string;
  variant: string;
  count: number;
  metrics: Record<string, number | null>;
}

/** Live metric per time bucket, one series per variant: rows keyed by bucket start. */
export function performanceOverTime(buckets: BucketLike[], metric: string): { rows: Record<string, number | string | null>[]; variants: string[] } {
  const variants = [...new Set(buckets.map((b) => b.variant))].sort();
  const byStart = new Map<string, Record<string, number | string | null>>();
  for (const b of buckets) {
    const key = b.start.slice(0, 16).replace("T", " ");
    const row = byStart.get(key) ?? { start: key };
    row[b.variant] = b.metrics[metric] ?? null;
    byStart.set(key, row);
  }
  const rows = [...byStart.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, row]) => row);
  return { rows, variants };
}
