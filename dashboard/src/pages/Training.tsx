import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { data, training } from "../api/client";
import { Page } from "../components/Page";
import { ErrorNotice, Loaded } from "../components/States";
import { Table } from "../components/Table";
import { formatNumber, formatTime } from "../hooks";

function optionalNumber(text: string): number | undefined {
  return text.trim() === "" ? undefined : Number(text);
}

function LaunchForm() {
  const navigate = useNavigate();
  const specs = useQuery({ queryKey: ["specs"], queryFn: () => data(training.GET("/v1/specs")) });
  const [spec, setSpec] = useState("");
  const [families, setFamilies] = useState<string[]>([]);
  const [trials, setTrials] = useState("");
  const [timeout, setTimeoutS] = useState("");
  const [parallelism, setParallelism] = useState("1");
  const [dataset, setDataset] = useState("");
  const chosen = specs.data?.specs.find((s) => s.name === (spec || specs.data?.specs[0]?.name));

  const submit = useMutation({
    mutationFn: async () =>
      data(
        training.POST("/v1/training-jobs", {
          body: {
            spec: chosen!.name,
            overrides: {
              families: families.length ? families : undefined,
              trials: optionalNumber(trials),
              timeout_seconds: optionalNumber(timeout),
              parallelism: optionalNumber(parallelism) ?? 1,
              dataset_path: dataset.trim() || undefined,
            },
          },
        }),
      ),
    onSuccess: (job) => navigate(`/training/${job.id}`),
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit.mutate();
  };
  return (
    <Loaded query={specs} what="specs" isEmpty={(d) => d.specs.length === 0} empty="No spec in the specs folder.">
      {() => (
        <form className="card form" onSubmit={onSubmit} aria-labelledby="launch-title">
          <h2 id="launch-title">Launch a training job</h2>
          <div className="row">
            <div className="field">
              <label htmlFor="job-spec">Spec</label>
              <select
                id="job-spec"
                value={chosen?.name ?? ""}
                onChange={(e) => {
                  setSpec(e.target.value);
                  setFamilies([]);
                }}
              >
                {specs.data?.specs.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name} ({s.task}, {s.primary_metric})
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="job-trials">Trials</label>
              <input id="job-trials" type="number" min={1} max={10000} placeholder={String(chosen?.trials ?? "")} value={trials} onChange={(e) => setTrials(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="job-timeout">Timeout (s)</label>
              <input id="job-timeout" type="number" min={1} placeholder={String(chosen?.timeout_seconds ?? "")} value={timeout} onChange={(e) => setTimeoutS(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="job-parallelism">Parallelism</label>
              <input id="job-parallelism" type="number" min={1} max={16} value={parallelism} onChange={(e) => setParallelism(e.target.value)} />
            </div>
          </div>
          <fieldset>
            <legend>Families (none ticked: the spec's own)</legend>
            {chosen?.families.map((family) => (
              <label key={family} className="check">
                <input
                  type="checkbox"
                  checked={families.includes(family)}
                  onChange={(e) =>
                    setFamilies(e.target.checked ? [...families, family] : families.filter((f) => f !== family))
                  }
                />
                {family}
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor="job-dataset">Dataset (a path or s3:// URI; empty: {chosen?.source})</label>
            <input id="job-dataset" type="text" value={dataset} onChange={(e) => setDataset(e.target.value)} />
          </div>
          <button type="submit" disabled={!chosen || submit.isPending}>
            {submit.isPending ? "Submitting…" : "Start training"}
          </button>
          {submit.isError ? <ErrorNotice error={submit.error} /> : null}
        </form>
      )}
    </Loaded>
  );
}

export default function Training() {
  const jobs = useQuery({
    queryKey: ["jobs"],
    queryFn: () => data(training.GET("/v1/training-jobs", { params: { query: { limit: 50 } } })),
    refetchInterval: 5_000,
  });
  return (
    <Page title="Training" scope="train">
      <LaunchForm />
      <h2>Jobs</h2>
      <Loaded query={jobs} what="training jobs" isEmpty={(d) => d.jobs.length === 0}>
        {(d) => (
          <Table
            caption="Training jobs, newest first"
            rows={d.jobs}
            rowKey={(j) => j.id}
            columns={[
              { header: "Job", cell: (j) => <Link to={`/training/${j.id}`}>{j.spec} · {j.id.slice(0, 8)}</Link> },
              { header: "State", cell: (j) => <span className={`badge ${j.state}`}>{j.state}</span> },
              { header: "Trials", cell: (j) => `${j.progress.trials_done}/${j.progress.trials_total}`, numeric: true },
              { header: "Best", cell: (j) => formatNumber(j.progress.best_value), numeric: true },
              { header: "Version", cell: (j) => (j.registered_version ? <Link to={`/models/${j.spec}?version=${j.registered_version}`}>v{j.registered_version}</Link> : "–") },
              { header: "Created", cell: (j) => formatTime(j.created_at) },
              { header: "By", cell: (j) => j.actor },
            ]}
          />
        )}
      </Loaded>
    </Page>
  );
}
