import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { data, training } from "../api/client";
import { AliasForm } from "../components/AliasForm";
import { Page } from "../components/Page";
import { Plot } from "../components/Plot";
import { Empty, Loaded } from "../components/States";
import { Table } from "../components/Table";
import { formatNumber, useParam } from "../hooks";

function VersionSelect({ label, value, versions, onChange }: { label: string; value: string; versions: string[]; onChange: (v: string) => void }) {
  const id = `compare-${label.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">choose…</option>
        {versions.map((v) => (
          <option key={v} value={v}>
            v{v}
          </option>
        ))}
      </select>
    </div>
  );
}

export default function Compare() {
  const { name = "" } = useParams();
  const [a, setA] = useParam("a");
  const [b, setB] = useParam("b");
  const versions = useQuery({
    queryKey: ["versions", name],
    queryFn: async () => (await data(training.GET("/v1/models/{name}/versions", { params: { path: { name } } }))).versions,
  });
  const recorded = versions.data?.find((v) => v.version === b)?.lineage.gate;
  const comparison = useQuery({
    queryKey: ["compare", name, a, b],
    enabled: !!a && !!b && a !== b,
    queryFn: async () =>
      data(training.GET("/v1/models/{name}/compare", { params: { path: { name }, query: { a, b } } })),
  });
  const names = versions.data?.map((v) => v.version) ?? [];
  return (
    <Page title={`Compare versions of ${name}`} scope="train">
      <p>
        <Link to={`/models/${name}`}>← {name}</Link>
      </p>
      <div className="row">
        <VersionSelect label="Baseline (a)" value={a} versions={names} onChange={setA} />
        <VersionSelect label="Candidate (b)" value={b} versions={names} onChange={setB} />
      </div>
      {!a || !b || a === b ? (
        <Empty>Choose two different versions: the paired test runs on the candidate's holdout.</Empty>
      ) : (
        <Loaded query={comparison} what="the comparison">
          {(c) => {
            const test = c.test;
            return (
              <>
                <Table
                  caption={`Holdout metrics of v${c.a} and v${c.b}`}
                  rows={c.metrics}
                  rowKey={(r) => String(r.metric)}
                  columns={[
                    { header: "Metric", cell: (r) => String(r.metric).replace("holdout_", "") },
                    { header: `v${c.a}`, cell: (r) => formatNumber(r[c.a] as number | null), numeric: true },
                    { header: `v${c.b}`, cell: (r) => formatNumber(r[c.b] as number | null), numeric: true },
                  ]}
                />
                <section className="card" aria-labelledby="test-title">
                  <h2 id="test-title">The gate's paired test</h2>
                  <p>
                    <span className={`badge ${test.passed ? "ready" : "firing"}`}>{test.passed ? "would promote" : "would refuse"}</span>{" "}
                    p-value {formatNumber(test.p_value ?? null)}
                  </p>
                  <p>{test.reason}</p>
                  {recorded ? (
                    <p className="help">
                      As the platform recorded it when v{c.b} was registered: {(JSON.parse(recorded) as { reason: string }).reason}
                    </p>
                  ) : null}
                </section>
                <div className="grid two">
                  {[c.a, c.b].map((v) => (
                    <div key={v}>
                      <h2>v{v}</h2>
                      {Object.keys(c.plots[v] ?? {}).sort().map((plot) => (
                        <Plot key={plot} model={name} version={v} plot={plot} />
                      ))}
                    </div>
                  ))}
                </div>
              </>
            );
          }}
        </Loaded>
      )}
      {names.length ? <AliasForm model={name} versions={names} initialVersion={b || undefined} /> : null}
    </Page>
  );
}
