import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { data, training } from "../api/client";
import { Failures } from "../components/Failures";
import { ModelPicker } from "../components/ModelPicker";
import { Page } from "../components/Page";
import { ErrorNotice, Loaded } from "../components/States";
import { formatTime, useParam } from "../hooks";

const MODES = ["", "full", "window", "replay_mix", "incremental", "recalibration", "stacking"];

function TriggerForm({ spec }: { spec: string }) {
  const client = useQueryClient();
  const [dataset, setDataset] = useState("");
  const [mode, setMode] = useState("");
  const trigger = useMutation({
    mutationFn: () =>
      data(
        training.POST("/v1/pipelines/{spec}/runs", {
          params: { path: { spec } },
          body: {
            dataset_path: dataset.trim() || null,
            mode: (mode || null) as "full" | null,
            trigger: "dashboard",
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["pipeline-runs", spec] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    trigger.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="trigger-title">
      <h2 id="trigger-title">Run the {spec} pipeline</h2>
      <div className="row">
        <div className="field grow">
          <label htmlFor="run-dataset">Dataset (a path or s3:// URI; empty: the spec's source)</label>
          <input id="run-dataset" type="text" value={dataset} onChange={(e) => setDataset(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="run-mode">Retrain mode</label>
          <select id="run-mode" value={mode} onChange={(e) => setMode(e.target.value)}>
            {MODES.map((m) => (
              <option key={m} value={m}>
                {m || "the spec's"}
              </option>
            ))}
          </select>
        </div>
      </div>
      <button type="submit" disabled={trigger.isPending}>
        Trigger a run
      </button>
      {trigger.isError ? <ErrorNotice error={trigger.error} /> : null}
      {trigger.isSuccess ? (
        <p role="status" className="state ok">
          Run {trigger.data.dag_run_id} queued.
        </p>
      ) : null}
    </form>
  );
}

export default function Pipelines() {
  const specs = useQuery({ queryKey: ["specs"], queryFn: () => data(training.GET("/v1/specs")) });
  const names = specs.data?.specs.map((s) => s.name);
  const [chosen, choose] = useParam("spec");
  const spec = chosen || names?.[0] || "";
  const runs = useQuery({
    queryKey: ["pipeline-runs", spec],
    enabled: !!spec,
    refetchInterval: 5_000,
    queryFn: () => data(training.GET("/v1/pipelines/{spec}/runs", { params: { path: { spec }, query: { limit: 10 } } })),
  });
  return (
    <Page title="Pipelines" scope="train">
      <ModelPicker label="Spec" value={spec} names={names} onChange={choose} />
      {spec ? <TriggerForm spec={spec} /> : null}
      <h2>Runs (Airflow)</h2>
      <Loaded query={runs} what="pipeline runs" isEmpty={(d) => d.runs.length === 0} empty="This pipeline has not run yet.">
        {(d) => (
          <ol className="runs">
            {d.runs.map((run) => (
              <li key={run.dag_run_id} className="card">
                <h3>
                  <span className={`badge ${run.state}`}>{run.state}</span> {formatTime(run.start_date)}{" "}
                  <small>
                    {run.dag_id?.startsWith("mlaas_retrain_") ? "automatic · " : ""}
                    {run.dag_run_id} · {String(run.conf?.trigger ?? run.run_type ?? "")}
                    {run.conf?.dataset_path ? ` · ${String(run.conf.dataset_path)}` : ""}
                  </small>
                </h3>
                <ul className="tasks" aria-label="task states">
                  {run.tasks.map((t) => (
                    <li key={t.task_id} className={`badge ${t.state ?? "none"}`}>
                      {t.task_id}: {t.state ?? "not started"}
                    </li>
                  ))}
                </ul>
                {run.failed_tasks.length ? <p>Failed at: {run.failed_tasks.join(", ")}</p> : null}
                {run.validation ? (
                  <Failures
                    caption={`Failing expectations of suite ${run.validation.suite} on dataset ${run.validation.content_hash.slice(0, 12)}`}
                    failures={run.validation.failures}
                  />
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </Loaded>
    </Page>
  );
}
