import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { data, training } from "../api/client";
import { streamEvents } from "../api/events";
import { Points } from "../components/charts";
import { Page } from "../components/Page";
import { ErrorNotice, Loaded } from "../components/States";
import { Table } from "../components/Table";
import { formatNumber, formatTime } from "../hooks";

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

/** The job as the service's Server-Sent Events report it, live; trials re-read as they finish. */
function useLiveJob(jobId: string) {
  const client = useQueryClient();
  const [streamError, setStreamError] = useState<unknown>(null);
  const job = useQuery({
    queryKey: ["job", jobId],
    queryFn: () => data(training.GET("/v1/training-jobs/{job_id}", { params: { path: { job_id: jobId } } })),
  });
  const loaded = job.isSuccess;
  const finished = job.data ? TERMINAL.has(job.data.state) : false;
  useEffect(() => {
    if (!loaded || finished) return; // one stream per page, until the job ends
    const stop = new AbortController();
    streamEvents(
      "training",
      `/v1/training-jobs/${jobId}/events`,
      (message) => {
        if (message.event === "progress") {
          client.setQueryData(["job", jobId], JSON.parse(message.data));
          void client.invalidateQueries({ queryKey: ["trials", jobId] });
        }
      },
      stop.signal,
    ).catch((error: unknown) => {
      if (!stop.signal.aborted) setStreamError(error);
    });
    return () => stop.abort();
  }, [client, jobId, finished, loaded]);
  return { job, streamError };
}

export default function TrainingJob() {
  const { jobId = "" } = useParams();
  const { job, streamError } = useLiveJob(jobId);
  const trials = useQuery({
    queryKey: ["trials", jobId],
    queryFn: () => data(training.GET("/v1/training-jobs/{job_id}/trials", { params: { path: { job_id: jobId } } })),
  });
  const client = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => data(training.POST("/v1/training-jobs/{job_id}/cancel", { params: { path: { job_id: jobId } } })),
    onSuccess: (body) => client.setQueryData(["job", jobId], body),
  });
  return (
    <Page title="Training job" scope="train">
      <p>
        <Link to="/training">← all jobs</Link>
      </p>
      <Loaded query={job} what="the job">
        {(j) => {
          const done = TERMINAL.has(j.state);
          const p = j.progress;
          return (
            <>
              <div className="card">
                <h2>
                  {j.spec} <span className={`badge ${j.state}`} data-testid="job-state">{j.state}</span>
                </h2>
                <dl className="figures">
                  <dt>Stage</dt>
                  <dd>{p.stage}</dd>
                  <dt>Trials</dt>
                  <dd data-testid="trials-done">
                    {p.trials_done}/{p.trials_total}
                    {p.trials_running ? ` (${p.trials_running} running)` : ""}
                  </dd>
                  <dt>Best value</dt>
                  <dd>{formatNumber(p.best_value)}</dd>
                  <dt>Elapsed</dt>
                  <dd>{p.elapsed_s === null ? "–" : `${Math.round(p.elapsed_s)} s`}</dd>
                  <dt>Started</dt>
                  <dd>{formatTime(j.started_at)}</dd>
                </dl>
                <progress
                  max={Math.max(p.trials_total, 1)}
                  value={p.trials_done}
                  aria-label="trials done"
                />
                {!done ? (
                  <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending || j.cancel_requested}>
                    {j.cancel_requested ? "Cancelling after the current trial…" : "Cancel"}
                  </button>
                ) : null}
                {cancel.isError ? <ErrorNotice error={cancel.error} /> : null}
                {j.error ? <div className="state error" role="alert">{j.error}</div> : null}
                {j.registered_version ? (
                  <p role="status">
                    Registered as{" "}
                    <Link to={`/models/${j.spec}?version=${j.registered_version}`}>
                      {j.spec} v{j.registered_version}
                    </Link>
                    {j.champion ? " — the gate made it champion" : " — not promoted by the gate"}.
                  </p>
                ) : null}
                {streamError ? <ErrorNotice error={streamError} /> : null}
              </div>
            </>
          );
        }}
      </Loaded>
      <h2>Trials</h2>
      <Loaded query={trials} what="trials" isEmpty={(d) => d.trials.length === 0} empty="No trial has run yet.">
        {(d) => {
          const finished = d.trials.filter((t) => t.value !== null);
          const multi = finished.some((t) => (t.values?.length ?? 0) > 1);
          return (
            <>
              {multi ? (
                <Points
                  label="Pareto front: objective against model size"
                  xLabel="objective"
                  yLabel="size"
                  points={finished.map((t) => ({ x: t.values![0]!, y: t.values![1]!, highlight: t.pareto_optimal }))}
                />
              ) : (
                <Points
                  label="Objective per trial"
                  xLabel="trial"
                  yLabel="objective"
                  points={finished.map((t) => ({ x: t.number, y: t.value!, highlight: t.pareto_optimal }))}
                />
              )}
              <Table
                caption="Trials of this job's study"
                rows={d.trials}
                rowKey={(t) => String(t.number)}
                columns={[
                  { header: "#", cell: (t) => t.number, numeric: true },
                  { header: "State", cell: (t) => t.state },
                  { header: "Family", cell: (t) => t.family ?? "–" },
                  { header: "Value", cell: (t) => formatNumber(t.value), numeric: true },
                  { header: "Seconds", cell: (t) => formatNumber(t.duration_s, 3), numeric: true },
                  { header: "Params", cell: (t) => <code>{JSON.stringify(t.params)}</code> },
                ]}
              />
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}
