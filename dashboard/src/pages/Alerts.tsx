import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { data, monitoring } from "../api/client";
import type { components } from "../api/monitoring";
import { ModelPicker } from "../components/ModelPicker";
import { Page } from "../components/Page";
import { ErrorNotice, Loaded } from "../components/States";
import { Table } from "../components/Table";
import { formatNumber, formatTime, useSelectedModel } from "../hooks";

type Rule = components["schemas"]["AlertRule"];
type RuleBody = components["schemas"]["AlertRuleRequest"];
const COMPARATORS = [">", ">=", "<", "<="] as const;
const SEVERITIES = ["info", "warning", "critical"] as const;

function windowOf(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

function RuleForm({ model, editing, onDone }: { model: string; editing: Rule | null; onDone: () => void }) {
  const client = useQueryClient();
  const [rule, setRule] = useState<RuleBody>(
    editing
      ? { name: editing.name, metric: editing.metric, comparator: editing.comparator, threshold: editing.threshold, window: windowOf(editing.window_minutes), severity: editing.severity }
      : { name: "", metric: "drifted_share", comparator: ">=", threshold: 0.3, window: "24h", severity: "warning" },
  );
  const save = useMutation({
    mutationFn: () =>
      editing
        ? data(monitoring.PUT("/v1/models/{name}/alert-rules/{rule_id}", { params: { path: { name: model, rule_id: editing.id } }, body: rule }))
        : data(monitoring.POST("/v1/models/{name}/alert-rules", { params: { path: { name: model } }, body: rule })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["rules", model] });
      onDone();
    },
  });
  const set = (patch: Partial<RuleBody>) => setRule({ ...rule, ...patch });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="rule-title">
      <h2 id="rule-title">{editing ? `Edit rule ${editing.name}` : "New alert rule"}</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="rule-name">Name</label>
          <input id="rule-name" required pattern="[A-Za-z0-9_.\-]+" value={rule.name} onChange={(e) => set({ name: e.target.value })} />
        </div>
        <div className="field grow">
          <label htmlFor="rule-metric">Metric (drifted_share, feature:age:statistic, roc_auc, rmse:challenger…)</label>
          <input id="rule-metric" required value={rule.metric} onChange={(e) => set({ metric: e.target.value })} />
        </div>
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor="rule-comparator">Fires when</label>
          <select id="rule-comparator" value={rule.comparator} onChange={(e) => set({ comparator: e.target.value as RuleBody["comparator"] })}>
            {COMPARATORS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="rule-threshold">Threshold</label>
          <input id="rule-threshold" type="number" step="any" required value={rule.threshold} onChange={(e) => set({ threshold: Number(e.target.value) })} />
        </div>
        <div className="field">
          <label htmlFor="rule-window">Window (30m, 6h, 7d)</label>
          <input id="rule-window" required value={rule.window ?? ""} onChange={(e) => set({ window: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="rule-severity">Severity</label>
          <select id="rule-severity" value={rule.severity} onChange={(e) => set({ severity: e.target.value as RuleBody["severity"] })}>
            {SEVERITIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
      </div>
      <div className="row">
        <button type="submit" disabled={save.isPending}>
          {editing ? "Save the rule" : "Create the rule"}
        </button>
        {editing ? (
          <button type="button" className="secondary" onClick={onDone}>
            Cancel
          </button>
        ) : null}
      </div>
      {save.isError ? <ErrorNotice error={save.error} /> : null}
    </form>
  );
}

function Rules({ model }: { model: string }) {
  const client = useQueryClient();
  const [editing, setEditing] = useState<Rule | null>(null);
  const rules = useQuery({
    queryKey: ["rules", model],
    queryFn: () => data(monitoring.GET("/v1/models/{name}/alert-rules", { params: { path: { name: model } } })),
  });
  const remove = useMutation({
    mutationFn: (id: string) => monitoring.DELETE("/v1/models/{name}/alert-rules/{rule_id}", { params: { path: { name: model, rule_id: id } } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["rules", model] }),
  });
  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">Rules of {model}</h2>
      <Loaded query={rules} what="alert rules" isEmpty={(d) => d.rules.length === 0} empty="No alert rule for this model yet.">
        {(d) => (
          <Table
            caption={`Alert rules of ${model}`}
            rows={d.rules}
            rowKey={(r) => r.id}
            columns={[
              { header: "Name", cell: (r) => r.name },
              { header: "Condition", cell: (r) => <code>{`${r.metric} ${r.comparator} ${formatNumber(r.threshold)} over ${windowOf(r.window_minutes)}`}</code> },
              { header: "Severity", cell: (r) => <span className={`badge ${r.severity}`}>{r.severity}</span> },
              { header: "State", cell: (r) => <span className={`badge ${r.state}`}>{r.state}</span> },
              {
                header: "Actions",
                cell: (r) => (
                  <span className="actions">
                    <button type="button" className="secondary" onClick={() => setEditing(r)} aria-label={`Edit rule ${r.name}`}>
                      Edit
                    </button>
                    <button type="button" className="danger" onClick={() => remove.mutate(r.id)} aria-label={`Delete rule ${r.name}`}>
                      Delete
                    </button>
                  </span>
                ),
              },
            ]}
          />
        )}
      </Loaded>
      {remove.isError ? <ErrorNotice error={remove.error} /> : null}
      <RuleForm key={editing?.id ?? "new"} model={model} editing={editing} onDone={() => setEditing(null)} />
    </section>
  );
}

function Events({ model }: { model: string }) {
  const events = useQuery({
    queryKey: ["alerts", model],
    queryFn: () => data(monitoring.GET("/v1/alerts", { params: { query: { model, limit: 100 } } })),
    refetchInterval: 10_000,
  });
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      <Loaded query={events} what="alert events" isEmpty={(d) => d.alerts.length === 0} empty="No rule has fired for this model.">
        {(d) => (
          <Table
            caption={`Alert events of ${model}, newest first`}
            rows={d.alerts}
            rowKey={(a) => a.id}
            columns={[
              { header: "When", cell: (a) => formatTime(a.at) },
              { header: "Rule", cell: (a) => a.rule_name },
              { header: "State", cell: (a) => <span className={`badge ${a.state}`}>{a.state}</span> },
              { header: "Value", cell: (a) => formatNumber(a.value), numeric: true },
              { header: "Message", cell: (a) => a.message },
            ]}
          />
        )}
      </Loaded>
    </section>
  );
}

function Deliveries({ webhookId }: { webhookId: string }) {
  const attempts = useQuery({
    queryKey: ["deliveries", webhookId],
    queryFn: () => data(monitoring.GET("/v1/webhooks/{webhook_id}/deliveries", { params: { path: { webhook_id: webhookId } } })),
  });
  return (
    <Loaded query={attempts} what="deliveries" isEmpty={(d) => d.deliveries.length === 0} empty="Nothing delivered yet.">
      {(d) => (
        <ul className="plain">
          {d.deliveries.map((a) => (
            <li key={`${a.event_id}-${a.attempt}`}>
              {formatTime(a.at)} attempt {a.attempt}: {a.delivered ? "delivered" : "failed"} {a.status_code ?? ""} {a.error ?? ""}
            </li>
          ))}
        </ul>
      )}
    </Loaded>
  );
}

function Webhooks() {
  const client = useQueryClient();
  const hooks = useQuery({ queryKey: ["webhooks"], queryFn: () => data(monitoring.GET("/v1/webhooks")) });
  const [url, setUrl] = useState("");
  const [onlyModel, setOnlyModel] = useState("");
  const [minSeverity, setMinSeverity] = useState<(typeof SEVERITIES)[number]>("warning");
  const [, , names] = useSelectedModel();
  const add = useMutation({
    mutationFn: () => data(monitoring.POST("/v1/webhooks", { body: { url, model: onlyModel || null, min_severity: minSeverity } })),
    onSuccess: () => {
      setUrl("");
      return client.invalidateQueries({ queryKey: ["webhooks"] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => monitoring.DELETE("/v1/webhooks/{webhook_id}", { params: { path: { webhook_id: id } } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["webhooks"] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <Loaded query={hooks} what="webhooks" isEmpty={(d) => d.webhooks.length === 0} empty="No webhook: alerts are only listed here.">
        {(d) => (
          <ul className="plain">
            {d.webhooks.map((w) => (
              <li key={w.id} className="card">
                <code>{w.url}</code> — {w.model ?? "every model"}, from {w.min_severity}{" "}
                <button type="button" className="danger" onClick={() => remove.mutate(w.id)} aria-label={`Remove webhook ${w.url}`}>
                  Remove
                </button>
                <details>
                  <summary>Deliveries</summary>
                  <Deliveries webhookId={w.id} />
                </details>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <form className="card form" onSubmit={submit} aria-label="Add a webhook">
        <div className="row">
          <div className="field grow">
            <label htmlFor="hook-url">URL that receives alert events</label>
            <input id="hook-url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="hook-model">Only for</label>
            <select id="hook-model" value={onlyModel} onChange={(e) => setOnlyModel(e.target.value)}>
              <option value="">every model</option>
              {names?.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="hook-severity">From severity</label>
            <select id="hook-severity" value={minSeverity} onChange={(e) => setMinSeverity(e.target.value as typeof minSeverity)}>
              {SEVERITIES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" disabled={add.isPending}>
          Add the webhook
        </button>
        {add.isError ? <ErrorNotice error={add.error} /> : null}
      </form>
    </section>
  );
}

export default function Alerts() {
  const [model, choose, names] = useSelectedModel();
  return (
    <Page title="Alerts" scope="monitor">
      <ModelPicker value={model} names={names} onChange={choose} />
      {model ? (
        <>
          <Rules key={model} model={model} />
          <Events model={model} />
        </>
      ) : null}
      <Webhooks />
    </Page>
  );
}
