// Shapes the monitoring API's answers into chart rows (unit-tested: tests/monitoringData.test.ts).

interface DriftPointLike {
  at: string;
  scores: Record<string, number>;
}

/** At most this many points per line: 30 days of hourly runs become 240 points of 3 hours. */
export const MAX_POINTS = 240;

/** One row per monitoring run, oldest first: its time and each feature's drift score (the
 * service's `score`: 1 is the policy's threshold). More than `maxPoints` runs are merged in runs
 * of consecutive ones, each keeping its first time and every feature's highest score, so a
 * spike of drift is never averaged away. */
export function driftOverTime(
  points: DriftPointLike[],
  maxPoints = MAX_POINTS,
): { rows: Record<string, number | string>[]; features: string[] } {
  const features = [...new Set(points.flatMap((p) => Object.keys(p.scores)))];
  const size = Math.max(1, Math.ceil(points.length / maxPoints));
  const rows: Record<string, number | string>[] = [];
  for (let start = 0; start < points.length; start += size) {
    const merged: Record<string, number | string> = { at: points[start]!.at.slice(0, 16).replace("T", " ") };
    for (const point of points.slice(start, start + size)) {
      for (const [feature, score] of Object.entries(point.scores)) {
        merged[feature] = Math.max(score, (merged[feature] as number | undefined) ?? -Infinity);
      }
    }
    rows.push(merged);
  }
  return { rows, features };
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
