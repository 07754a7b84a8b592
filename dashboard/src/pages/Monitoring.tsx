import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { memo, useMemo, useState } from "react";
import { data, monitoring } from "../api/client";
import { Bars, Lines } from "../components/charts";
import { ModelPicker } from "../components/ModelPicker";
import { Page } from "../components/Page";
import { ErrorNotice, Loaded } from "../components/States";
import { Table } from "../components/Table";
import { formatNumber, formatTime, useParam, useSelectedModel } from "../hooks";
import { driftOverTime, performanceOverTime } from "../monitoringData";
import { useSession } from "../session";

const WINDOWS: Record<string, number> = { "24h": 24, "7d": 24 * 7, "30d": 24 * 30 };

function since(hours: number): string {
  return new Date(Date.now() - hours * 3_600_000).toISOString();
}

function DriftNow({ model, hours }: { model: string; hours: number }) {
  const drift = useQuery({
    queryKey: ["drift", model, hours],
    queryFn: () => data(monitoring.GET("/v1/models/{name}/drift", { params: { path: { name: model }, query: { start: since(hours) } } })),
  });
  return (
    <section aria-labelledby="drift-title">
      <h2 id="drift-title">Drift in the window</h2>
      <Loaded query={drift} what="drift">
        {(d) => {
          const r = d.report;
          return (
            <>
              <p data-testid="drift-verdict">
                {!r.enough_data
                  ? `Not enough live rows for a verdict (${r.current_rows} < the policy's minimum).`
                  : r.dataset_drift
                    ? `Dataset drift: ${r.drifted_features.length} of ${r.features.length} features drifted (${formatNumber(r.drifted_share * 100, 3)}%, threshold ${formatNumber(r.drift_share_threshold * 100, 3)}%).`
                    : `No dataset drift: ${r.drifted_features.length} of ${r.features.length} features drifted.`}{" "}
                {r.current_rows} live rows against {r.reference_rows} reference rows.
              </p>
              <Bars
                label="Drift score per feature: 1 is the policy's threshold (red: drifted)"
                rows={r.features.map((f) => ({ name: f.feature, value: f.score }))}
                threshold={1}
                colorOf={(row) => (r.drifted_features.includes(row.name) ? "#b91c1c" : "#1f5fa8")}
              />
              <Table
                caption="Per-feature tests"
                rows={[...r.features, ...(r.prediction ? [{ ...r.prediction, feature: `prediction (${r.prediction.feature})` }] : [])]}
                rowKey={(f) => f.feature}
                columns={[
                  { header: "Feature", cell: (f) => f.feature },
                  { header: "Test", cell: (f) => f.test },
                  { header: "Statistic", cell: (f) => formatNumber(f.statistic), numeric: true },
                  { header: "p-value", cell: (f) => formatNumber(f.p_value), numeric: true },
                  { header: "Threshold", cell: (f) => formatNumber(f.threshold), numeric: true },
                  { header: "Drifted", cell: (f) => (f.drifted ? "yes" : "no") },
                ]}
              />
              {r.multivariate ? (
                <p>
                  Joint test ({r.multivariate.test}): {formatNumber(r.multivariate.statistic)} against {formatNumber(r.multivariate.threshold)} —{" "}
                  {r.multivariate.drifted ? "drifted" : "no drift"}.
                </p>
              ) : null}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

/** Drawn once per answer: the other queries of the page resolving do not redraw its lines. */
const DriftChart = memo(function DriftChart({ points }: { points: Parameters<typeof driftOverTime>[0] }) {
  const { rows, features } = useMemo(() => driftOverTime(points), [points]);
  return (
    <Lines
      label="Drift score per feature, per monitoring run (1 is the threshold)"
      rows={rows}
      x="at"
      series={features}
      reference={THRESHOLD_LINE}
    />
  );
});
const THRESHOLD_LINE = { value: 1, label: "threshold" };

function DriftHistory({ model, hours }: { model: string; hours: number }) {
  const history = useQuery({
    queryKey: ["drift-history", model, hours],
    queryFn: () => data(monitoring.GET("/v1/models/{name}/drift-history", { params: { path: { name: model }, query: { limit: Math.min(2000, hours) } } })),
  });
  const snapshots = useQuery({
    queryKey: ["snapshots", model],
    queryFn: () => data(monitoring.GET("/v1/models/{name}/snapshots", { params: { path: { name: model }, query: { limit: 50 } } })),
  });
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Drift over time and retrain decisions</h2>
      <Loaded query={history} what="the drift history" isEmpty={(d) => d.points.length === 0} empty="No monitoring run yet: the monitoring DAG runs hourly, or run it now.">
        {(d) => <DriftChart points={d.points} />}
      </Loaded>
      <Loaded query={snapshots} what="snapshots" isEmpty={(d) => d.snapshots.length === 0} empty="No snapshot yet.">
        {(d) => (
          <Table
            caption="Snapshots and retrain decisions, newest first"
            rows={d.snapshots}
            rowKey={(s) => s.id}
            columns={[
              { header: "When", cell: (s) => formatTime(s.at) },
              { header: "Version", cell: (s) => `v${s.version}` },
              { header: "Rows", cell: (s) => s.rows, numeric: true },
              { header: "Drifted", cell: (s) => s.drift.drifted_features.join(", ") || "none" },
              { header: "Retrain", cell: (s) => (s.decision.retrain ? "wanted" : "no") + (s.decision.blocked_by ? ` (blocked: ${s.decision.blocked_by})` : "") },
              { header: "Why", cell: (s) => s.decision.reason },
            ]}
          />
        )}
      </Loaded>
    </section>
  );
}

function LivePerformance({ model, hours }: { model: string; hours: number }) {
  const report = useQuery({
    queryKey: ["performance", model, hours],
    queryFn: () =>
      data(monitoring.GET("/v1/models/{name}/performance", { params: { path: { name: model }, query: { start: since(hours), bucket: hours > 48 ? "day" : "hour" } } })),
  });
  const [metric, setMetric] = useParam("metric");
  return (
    <section aria-labelledby="perf-title">
      <h2 id="perf-title">Live performance against the holdout</h2>
      <Loaded query={report} what="live performance">
        {(p) => {
          const chosen = metric || p.metrics[0] || "";
          const { rows, variants } = performanceOverTime(p.buckets, chosen);
          return (
            <>
              <div className="field inline">
                <label htmlFor="perf-metric">Metric</label>
                <select id="perf-metric" value={chosen} onChange={(e) => setMetric(e.target.value)}>
                  {p.metrics.map((m) => (
                    <option key={m}>{m}</option>
                  ))}
                </select>
              </div>
              <Table
                caption="Feedback coverage per variant"
                rows={Object.entries(p.coverage).map(([variant, c]) => ({ variant, ...c }))}
                rowKey={(r) => r.variant}
                columns={[
                  { header: "Variant", cell: (r) => r.variant },
                  { header: "Predictions", cell: (r) => r.predictions, numeric: true },
                  { header: "Labelled", cell: (r) => r.labelled, numeric: true },
                  { header: chosen, cell: (r) => formatNumber(p.overall[r.variant]?.metrics[chosen] ?? null), numeric: true },
                ]}
              />
              {rows.length ? (
                <Lines
                  label={`Live ${chosen} per ${p.bucket}, per variant`}
                  rows={rows}
                  x="start"
                  series={variants}
                  reference={p.holdout[chosen] === undefined ? undefined : { value: p.holdout[chosen]!, label: "holdout" }}
                />
              ) : (
                <p className="state empty">No labelled predictions in this window: post ground truth to /v1/feedback.</p>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function Retrains({ model }: { model: string }) {
  const retrains = useQuery({
    queryKey: ["retrains", model],
    queryFn: () => data(monitoring.GET("/v1/models/{name}/retrains", { params: { path: { name: model } } })),
  });
  return (
    <section aria-labelledby="retrains-title">
      <h2 id="retrains-title">Automatic retrains</h2>
      <Loaded query={retrains} what="retrains" isEmpty={(d) => d.retrains.length === 0} empty="The monitoring DAG has started no retrain for this model.">
        {(d) => (
          <Table
            caption={`Retrains of ${model} started by monitoring, newest first`}
            rows={d.retrains}
            rowKey={(r) => r.id}
            columns={[
              { header: "When", cell: (r) => formatTime(r.at) },
              { header: "Outcome", cell: (r) => <span className={`badge ${r.state}`}>{r.state}</span> },
              { header: "Why", cell: (r) => r.reason },
              { header: "Run", cell: (r) => <code>{r.dag_run_id}</code> },
            ]}
          />
        )}
      </Loaded>
    </section>
  );
}

function Report({ model, hours }: { model: string; hours: number }) {
  const [open, setOpen] = useState(false);
  const report = useQuery({
    queryKey: ["report", model, hours],
    enabled: open,
    queryFn: async () => {
      const { data: html } = await monitoring.GET("/v1/models/{name}/report", {
        params: { path: { name: model }, query: { start: since(hours) } },
        parseAs: "text",
      });
      return html as string;
    },
  });
  return (
    <section aria-labelledby="report-title">
      <h2 id="report-title">Reference against current distributions</h2>
      {!open ? (
        <button type="button" onClick={() => setOpen(true)}>
          Show the drift report
        </button>
      ) : (
        <Loaded query={report} what="the report">
          {(html) => <iframe className="report" title={`Drift report of ${model}`} sandbox="" srcDoc={html} />}
        </Loaded>
      )}
    </section>
  );
}

function RunNow({ model }: { model: string }) {
  const client = useQueryClient();
  const run = useMutation({
    mutationFn: () => data(monitoring.POST("/v1/models/{name}/monitor", { params: { path: { name: model } } })),
    onSuccess: () => client.invalidateQueries(),
  });
  return (
    <>
      <button type="button" onClick={() => run.mutate()} disabled={run.isPending}>
        {run.isPending ? "Running…" : "Run monitoring now"}
      </button>
      {run.isError ? <ErrorNotice error={run.error} /> : null}
      {run.isSuccess ? (
        <p role="status" className="state ok">
          Snapshot taken: {run.data.decision.reason}
        </p>
      ) : null}
    </>
  );
}

export default function Monitoring() {
  const [model, choose, names] = useSelectedModel();
  const [window, setWindow] = useParam("window", "24h");
  const hours = WINDOWS[window] ?? 24;
  const { can } = useSession();
  return (
    <Page title="Monitoring" scope="monitor">
      <div className="row">
        <ModelPicker value={model} names={names} onChange={choose} />
        <div className="field inline">
          <label htmlFor="window">Window</label>
          <select id="window" value={window} onChange={(e) => setWindow(e.target.value)}>
            {Object.keys(WINDOWS).map((w) => (
              <option key={w}>{w}</option>
            ))}
          </select>
        </div>
        {model && can("monitor") ? <RunNow model={model} /> : null}
      </div>
      {model ? (
        <>
          <DriftNow model={model} hours={hours} />
          <LivePerformance model={model} hours={hours} />
          <DriftHistory model={model} hours={hours} />
          <Retrains model={model} />
          <Report model={model} hours={hours} />
        </>
      ) : (
        <p className="state empty">No model is served yet.</p>
      )}
      <p className="help">Updated {formatTime(new Date().toISOString())}</p>
    </Page>
  );
}
