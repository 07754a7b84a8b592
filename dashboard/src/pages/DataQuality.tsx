import { useQuery } from "@tanstack/react-query";
import { data, monitoring } from "../api/client";
import { Failures } from "../components/Failures";
import { ModelPicker } from "../components/ModelPicker";
import { Page } from "../components/Page";
import { Loaded } from "../components/States";
import { Table } from "../components/Table";
import { formatTime, useSelectedModel } from "../hooks";

export default function DataQuality() {
  const [model, choose, names] = useSelectedModel();
  const quality = useQuery({
    queryKey: ["data-quality", model],
    enabled: !!model,
    queryFn: async () =>
      (await data(monitoring.GET("/v1/models/{name}/data-quality", { params: { path: { name: model }, query: { limit: 100 } } })))
        .history,
  });
  return (
    <Page title="Data quality" scope="monitor">
      <ModelPicker value={model} names={names} onChange={choose} />
      <Loaded query={quality} what="validation results" isEmpty={(rows) => rows.length === 0} empty="No dataset of this model has been validated yet.">
        {(rows) => {
          const failed = rows.filter((r) => !r.success);
          return (
            <>
              <Table
                caption={`Validation history of ${model}, newest first`}
                rows={rows}
                rowKey={(r) => r.id}
                columns={[
                  { header: "When", cell: (r) => formatTime(r.created_at) },
                  { header: "Dataset", cell: (r) => <code>{r.content_hash.slice(0, 12)}</code> },
                  { header: "Suite", cell: (r) => r.suite },
                  { header: "Result", cell: (r) => <span className={`badge ${r.success ? "ready" : "firing"}`}>{r.success ? "passed" : "failed"}</span> },
                  {
                    header: "Expectations met",
                    cell: (r) => `${r.statistics.successful_expectations ?? "?"}/${r.statistics.evaluated_expectations ?? "?"}`,
                    numeric: true,
                  },
                ]}
              />
              <h2>Quarantined batches</h2>
              {failed.length === 0 ? (
                <p className="state empty">No batch failed validation.</p>
              ) : (
                failed.map((r) => (
                  <section key={r.id} className="card">
                    <h3>
                      {formatTime(r.created_at)} — kept at <code>quarantine/{model}/{r.content_hash}.parquet</code>
                    </h3>
                    <Failures caption={`Failing expectations of dataset ${r.content_hash.slice(0, 12)}`} failures={r.failures} />
                  </section>
                ))
              )}
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}
