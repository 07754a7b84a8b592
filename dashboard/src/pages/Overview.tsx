import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { data, monitoring, prediction, training } from "../api/client";
import type { ServiceName } from "../api/errors";
import { Page } from "../components/Page";
import { ErrorNotice, Loaded } from "../components/States";
import { formatNumber, formatTime, useModelNames } from "../hooks";
import { useSession } from "../session";

// Each service's readiness (no key needed) and its traffic summary (any valid key).
const READY: Record<ServiceName, () => Promise<unknown>> = {
  prediction: () => data(prediction.GET("/health/ready")),
  training: () => data(training.GET("/health/ready")),
  monitoring: () => data(monitoring.GET("/health/ready")),
};
const SUMMARY = {
  prediction: () => data(prediction.GET("/v1/summary")),
  training: () => data(training.GET("/v1/summary")),
  monitoring: () => data(monitoring.GET("/v1/summary")),
};
const REFRESH_MS = 5_000;

function ServiceCard({ service }: { service: ServiceName }) {
  const ready = useQuery({
    queryKey: ["ready", service],
    queryFn: READY[service],
    refetchInterval: REFRESH_MS,
    retry: false,
  });
  const summary = useQuery({
    queryKey: ["summary", service],
    queryFn: SUMMARY[service],
    refetchInterval: REFRESH_MS,
    retry: false,
  });
  const state = ready.isPending ? "checking" : ready.isError ? "down" : "ready";
  const s = summary.data;
  return (
    <article className={`card service ${state}`} aria-label={`${service} service`}>
      <h2>
        {service} <span className={`badge ${state}`}>{state}</span>
      </h2>
      {ready.isError ? <ErrorNotice error={ready.error} /> : null}
      {s ? (
        <dl className="figures">
          <dt>Requests/s</dt>
          <dd>{formatNumber(s.rate_per_s, 3)}</dd>
          <dt>p50</dt>
          <dd>{s.p50_ms === null ? "–" : `${formatNumber(s.p50_ms, 3)} ms`}</dd>
          <dt>p99</dt>
          <dd>{s.p99_ms === null ? "–" : `${formatNumber(s.p99_ms, 3)} ms`}</dd>
          <dt>5xx</dt>
          <dd>{(s.server_error_rate * 100).toFixed(1)}%</dd>
          <dt>4xx</dt>
          <dd>{(s.client_error_rate * 100).toFixed(1)}%</dd>
        </dl>
      ) : summary.isError && !ready.isError ? (
        <ErrorNotice error={summary.error} />
      ) : null}
      {s ? <p className="help">over the last {s.window_s} s</p> : null}
    </article>
  );
}

function FiringAlerts() {
  const alerts = useQuery({
    queryKey: ["alerts", "firing"],
    queryFn: () => data(monitoring.GET("/v1/alerts", { params: { query: { state: "firing", limit: 20 } } })),
    refetchInterval: REFRESH_MS,
  });
  return (
    <article className="card">
      <h2>Firing alerts</h2>
      <Loaded query={alerts} what="alerts" isEmpty={(d) => d.alerts.length === 0} empty="Nothing is firing.">
        {(d) => (
          <ul className="plain">
            {d.alerts.map((a) => (
              <li key={a.id}>
                <span className={`badge ${a.severity}`}>{a.severity}</span> <strong>{a.model}</strong>{" "}
                {a.message} <small>{formatTime(a.at)}</small>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </article>
  );
}

function LatestJobs() {
  const jobs = useQuery({
    queryKey: ["jobs", "latest"],
    queryFn: () => data(training.GET("/v1/training-jobs", { params: { query: { limit: 5 } } })),
    refetchInterval: REFRESH_MS,
  });
  return (
    <article className="card">
      <h2>Latest training jobs</h2>
      <Loaded query={jobs} what="training jobs" isEmpty={(d) => d.jobs.length === 0}>
        {(d) => (
          <ul className="plain">
            {d.jobs.map((job) => (
              <li key={job.id}>
                <Link to={`/training/${job.id}`}>{job.spec}</Link>{" "}
                <span className={`badge ${job.state}`}>{job.state}</span>{" "}
                <small>{formatTime(job.created_at)}</small>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </article>
  );
}

function LatestPipelineRuns() {
  const runs = useQuery({
    queryKey: ["pipeline-runs", "latest"],
    refetchInterval: REFRESH_MS * 2,
    queryFn: async () => {
      const specs = await data(training.GET("/v1/specs"));
      return Promise.all(
        specs.specs.map(async ({ name }) => {
          const body = await data(
            training.GET("/v1/pipelines/{spec}/runs", { params: { path: { spec: name }, query: { limit: 1 } } }),
          );
          return { name, run: body.runs[0] ?? null };
        }),
      );
    },
  });
  return (
    <article className="card">
      <h2>Latest pipeline runs</h2>
      <Loaded query={runs} what="pipeline runs" isEmpty={(rows) => rows.length === 0}>
        {(rows) => (
          <ul className="plain">
            {rows.map(({ name, run }) => (
              <li key={name}>
                <Link to={`/pipelines?spec=${name}`}>{name}</Link>{" "}
                {run ? (
                  <>
                    <span className={`badge ${run.state}`}>{run.state}</span> <small>{formatTime(run.start_date)}</small>
                    {run.failed_tasks.length ? <small> · failed at {run.failed_tasks.join(", ")}</small> : null}
                  </>
                ) : (
                  <span className="badge">never run</span>
                )}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </article>
  );
}

function ModelsOff() {
  const names = useModelNames();
  const drift = useQuery({
    queryKey: ["latest-snapshots", names.data],
    enabled: !!names.data,
    refetchInterval: REFRESH_MS * 6,
    queryFn: async () =>
      Promise.all(
        (names.data ?? []).map(async (name) => {
          const body = await data(
            monitoring.GET("/v1/models/{name}/snapshots", { params: { path: { name }, query: { limit: 1 } } }),
          ).catch(() => null);
          return { name, latest: body?.snapshots[0] ?? null };
        }),
      ),
  });
  return (
    <article className="card">
      <h2>Models: drift and live metrics</h2>
      <Loaded query={drift} what="model status" isEmpty={(d) => d.length === 0} empty="No model is registered yet.">
        {(rows) => (
          <ul className="plain">
            {rows.map(({ name, latest }) => (
              <li key={name}>
                <Link to={`/monitoring?model=${name}`}>{name}</Link>{" "}
                {latest === null ? (
                  <span className="badge">no snapshot yet</span>
                ) : latest.drift.dataset_drift ? (
                  <span className="badge firing">drifting: {latest.drift.drifted_features.join(", ")}</span>
                ) : (
                  <span className="badge ready">no drift</span>
                )}
                {latest?.decision.retrain ? (
                  <small>
                    {" "}
                    · retrain {latest.decision.blocked_by ? `wanted, blocked (${latest.decision.blocked_by})` : "wanted"}: {latest.decision.reason}
                  </small>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </article>
  );
}

export default function Overview() {
  const { can } = useSession();
  return (
    <Page title="Overview">
      <div className="grid three">
        {(["prediction", "training", "monitoring"] as const).map((s) => (
          <ServiceCard key={s} service={s} />
        ))}
      </div>
      <div className="grid two">
        {can("monitor") ? <FiringAlerts /> : null}
        {can("train") ? <LatestJobs /> : null}
        {can("train") ? <LatestPipelineRuns /> : null}
        {can("monitor") ? <ModelsOff /> : null}
      </div>
    </Page>
  );
}
