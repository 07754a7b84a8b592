import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { data, training } from "../api/client";
import type { components } from "../api/training";
import { AliasForm } from "../components/AliasForm";
import { Page } from "../components/Page";
import { Plot } from "../components/Plot";
import { Loaded } from "../components/States";
import { Table } from "../components/Table";
import { formatNumber, formatTime, useParam } from "../hooks";

type VersionRow = components["schemas"]["VersionView"];

const LINEAGE: [string, string][] = [
  ["data_hash", "Data hash"],
  ["validation", "Validation"],
  ["spec_hash", "Spec hash"],
  ["git_revision", "Code version"],
  ["trigger", "Trigger"],
  ["retrain_mode", "Retrain mode"],
  ["family", "Family"],
];

function Lineage({ v }: { v: VersionRow }) {
  const gate = v.lineage.gate ? (JSON.parse(v.lineage.gate) as { passed: boolean; reason: string }) : null;
  return (
    <dl className="lineage">
      {LINEAGE.filter(([key]) => v.lineage[key]).map(([key, label]) => (
        <div key={key}>
          <dt>{label}</dt>
          <dd>
            <code>{key.endsWith("hash") || key === "git_revision" ? v.lineage[key]!.slice(0, 12) : v.lineage[key]}</code>
          </dd>
        </div>
      ))}
      {v.dataset ? (
        <div>
          <dt>Training data</dt>
          <dd>
            {v.dataset.rows.toLocaleString("en")} rows from <code>{v.dataset.source}</code> ({v.dataset.status})
          </dd>
        </div>
      ) : null}
      {gate ? (
        <div>
          <dt>Gate</dt>
          <dd>
            {gate.passed ? "passed" : "refused"}: {gate.reason}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

function Audit({ model }: { model: string }) {
  const audit = useQuery({
    queryKey: ["audit", model],
    queryFn: () => data(training.GET("/v1/audit", { params: { query: { model, limit: 50 } } })),
  });
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit history</h2>
      <Loaded query={audit} what="audit entries" isEmpty={(d) => d.entries.length === 0}>
        {(d) => (
          <Table
            caption={`Audit history of ${model}`}
            rows={d.entries}
            rowKey={(e) => String(e.id)}
            columns={[
              { header: "When", cell: (e) => formatTime(e.at) },
              { header: "Action", cell: (e) => e.action },
              { header: "Alias", cell: (e) => e.alias ?? "–" },
              { header: "Version", cell: (e) => (e.version ? `v${e.version}` : "–") },
              { header: "Who", cell: (e) => e.actor },
              { header: "Reason", cell: (e) => e.reason },
            ]}
          />
        )}
      </Loaded>
    </section>
  );
}

export default function ModelDetail() {
  const { name = "" } = useParams();
  const [selected, select] = useParam("version");
  const versions = useQuery({
    queryKey: ["versions", name],
    queryFn: async () => (await data(training.GET("/v1/models/{name}/versions", { params: { path: { name } } }))).versions,
  });
  return (
    <Page title={`Model ${name}`} scope="train">
      <Loaded query={versions} what="versions" isEmpty={(rows) => rows.length === 0}>
        {(rows) => {
          const metricNames = [...new Set(rows.flatMap((v) => Object.keys(v.metrics)))].sort();
          const current = rows.find((v) => v.version === selected) ?? rows[rows.length - 1]!;
          const champion = rows.find((v) => v.aliases.includes("champion"));
          return (
            <>
              <Table
                caption={`Versions of ${name} with holdout metrics`}
                rows={rows}
                rowKey={(v) => v.version}
                columns={[
                  {
                    header: "Version",
                    cell: (v) => (
                      <button type="button" className="link" aria-pressed={v === current} onClick={() => select(v.version)}>
                        v{v.version}
                      </button>
                    ),
                  },
                  { header: "Aliases", cell: (v) => v.aliases.join(", ") || "–" },
                  { header: "Created", cell: (v) => formatTime(new Date(v.created_at).toISOString()) },
                  ...metricNames.map((m) => ({
                    header: m.replace("holdout_", ""),
                    cell: (v: VersionRow) => formatNumber(v.metrics[m]),
                    numeric: true,
                  })),
                ]}
              />
              {champion && champion.version !== current.version ? (
                <p>
                  <Link to={`/models/${name}/compare?a=${champion.version}&b=${current.version}`}>
                    Compare v{current.version} with the champion v{champion.version}
                  </Link>
                </p>
              ) : null}
              <h2>Lineage of v{current.version}</h2>
              <Lineage v={current} />
              <h2>Plots of v{current.version}</h2>
              <div className="grid three">
                {current.plots.map((plot) => (
                  <Plot key={plot} model={name} version={current.version} plot={plot} />
                ))}
              </div>
              <AliasForm model={name} versions={rows.map((v) => v.version)} initialVersion={current.version} />
            </>
          );
        }}
      </Loaded>
      <Audit model={name} />
    </Page>
  );
}
