// The charts, on Recharts. Only the pages that draw charts import this module, so the chart
// library is a chunk of its own that the first page does not wait for.
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

const HEIGHT = 260;
/** Axis numbers short enough for the axis: 4 significant digits, thousands grouped. */
const tick = (value: number) => (Math.abs(value) >= 1000 ? Math.round(value).toLocaleString("en") : Number(value.toPrecision(4)).toString());
const PALETTE = ["#1f5fa8", "#c2410c", "#047857", "#7c3aed", "#b91c1c", "#0e7490"];

/** Horizontal bars, one per label (drift scores, contributions). `threshold` draws a line. */
export function Bars({
  rows,
  label,
  threshold,
  colorOf,
}: {
  rows: { name: string; value: number }[];
  label: string;
  threshold?: number;
  colorOf?: (row: { name: string; value: number }) => string;
}) {
  return (
    <figure className="chart" aria-label={label}>
      <ResponsiveContainer width="100%" height={Math.max(HEIGHT, rows.length * 26 + 40)}>
        <BarChart data={rows} layout="vertical" margin={{ left: 24, right: 24 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tickFormatter={tick} />
          <YAxis type="category" dataKey="name" width={140} interval={0} />
          <Tooltip />
          {threshold !== undefined ? <ReferenceLine x={threshold} stroke="#b91c1c" strokeDasharray="4 4" /> : null}
          <Bar dataKey="value" name={label} isAnimationActive={false}>
            {rows.map((row) => (
              <Cell key={row.name} fill={colorOf ? colorOf(row) : PALETTE[0]} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** Lines over time (or trial number): one series per key of `series`. */
export function Lines({
  rows,
  x,
  series,
  label,
  reference,
}: {
  rows: Record<string, number | string | null>[];
  x: string;
  series: string[];
  label: string;
  reference?: { value: number; label: string };
}) {
  return (
    <figure className="chart" aria-label={label}>
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <LineChart data={rows} margin={{ left: 8, right: 24 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey={x} />
          <YAxis domain={["auto", "auto"]} tickFormatter={tick} width={72} />
          <Tooltip />
          <Legend />
          {reference ? (
            <ReferenceLine y={reference.value} stroke="#555" strokeDasharray="4 4" label={reference.label} />
          ) : null}
          {series.map((key, i) => (
            <Line
              key={key}
              dataKey={key}
              stroke={PALETTE[i % PALETTE.length]}
              dot={rows.length < 60}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** Points (x, y), the highlighted ones in a second colour: trials, the Pareto front. */
export function Points({
  points,
  xLabel,
  yLabel,
  label,
}: {
  points: { x: number; y: number; highlight: boolean }[];
  xLabel: string;
  yLabel: string;
  label: string;
}) {
  return (
    <figure className="chart" aria-label={label}>
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <ScatterChart margin={{ left: 8, right: 24 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="x" name={xLabel} domain={["auto", "auto"]} tickFormatter={tick} allowDecimals={xLabel !== "trial"} />
          <YAxis type="number" dataKey="y" name={yLabel} domain={["auto", "auto"]} tickFormatter={tick} width={72} />
          <Tooltip />
          <Legend />
          <Scatter name={`${yLabel}`} data={points.filter((p) => !p.highlight)} fill={PALETTE[0]} isAnimationActive={false} />
          <Scatter name="best / Pareto-optimal" data={points.filter((p) => p.highlight)} fill={PALETTE[1]} isAnimationActive={false} />
        </ScatterChart>
      </ResponsiveContainer>
      <figcaption>{label}</figcaption>
    </figure>
  );
}
