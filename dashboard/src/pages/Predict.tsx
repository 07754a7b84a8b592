import { useMutation, useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { data, prediction } from "../api/client";
import { Bars } from "../components/charts";
import { ModelPicker } from "../components/ModelPicker";
import { Page } from "../components/Page";
import { ErrorNotice, Loaded } from "../components/States";
import { Table } from "../components/Table";
import { formatNumber, useSelectedModel } from "../hooks";
import { contributions, controlFor, recordFrom, type FeatureInput } from "../predictForm";

function FeatureField({ feature, value, problem, onChange }: { feature: FeatureInput; value: string; problem?: string; onChange: (v: string) => void }) {
  const id = useId();
  const control = controlFor(feature);
  const described = problem ? `${id}-problem` : undefined;
  let input;
  if (control.kind === "number") {
    input = <input id={id} type="number" step={control.integer ? 1 : "any"} value={value} aria-invalid={!!problem} aria-describedby={described} onChange={(e) => onChange(e.target.value)} />;
  } else if (control.kind === "boolean" || control.kind === "choice") {
    const options = control.kind === "boolean" ? ["true", "false"] : control.options;
    input = (
      <select id={id} value={value} aria-invalid={!!problem} aria-describedby={described} onChange={(e) => onChange(e.target.value)}>
        <option value="">(missing)</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else {
    input = <input id={id} type="text" value={value} aria-describedby={described} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <div className="field">
      <label htmlFor={id}>
        {feature.name} <small>({feature.type})</small>
      </label>
      {input}
      {problem ? (
        <small id={described} className="problem">
          {problem}
        </small>
      ) : null}
    </div>
  );
}

function PredictForm({ model }: { model: string }) {
  const detail = useQuery({
    queryKey: ["served-model", model],
    queryFn: () => data(prediction.GET("/v1/models/{name}", { params: { path: { name: model } } })),
  });
  const [values, setValues] = useState<Record<string, string>>({});
  const [entityId, setEntityId] = useState("");
  const [problems, setProblems] = useState<Record<string, string>>({});
  const predict = useMutation({
    mutationFn: (body: { features?: Record<string, unknown>; entity_ids?: (number | string)[] }) =>
      data(prediction.POST("/v1/models/{name}/predict", { params: { path: { name: model } }, body: { ...body, explain: true } })),
  });

  return (
    <Loaded query={detail} what="the model's signature">
      {(d) => {
        const features = d.signature.inputs;
        const submit = (event: FormEvent) => {
          event.preventDefault();
          if (entityId.trim()) {
            const id = /^\d+$/.test(entityId.trim()) ? Number(entityId.trim()) : entityId.trim();
            setProblems({});
            predict.mutate({ entity_ids: [id] });
            return;
          }
          const built = recordFrom(features, values);
          if ("problems" in built) {
            setProblems(built.problems);
            return;
          }
          setProblems({});
          predict.mutate({ features: built.record });
        };
        const answer = predict.data?.predictions[0];
        const explained = answer?.explanation ? contributions(answer.explanation) : null;
        return (
          <div className="grid two">
            <form className="card form" onSubmit={submit} aria-labelledby="predict-title">
              <h2 id="predict-title">
                Features of one {d.task === "classification" ? "case" : "record"} ({d.signature.outputs.target})
              </h2>
              <div className="field">
                <label htmlFor="entity-id">Or an entity id (features from the online store)</label>
                <input id="entity-id" type="text" value={entityId} onChange={(e) => setEntityId(e.target.value)} />
              </div>
              <div className="features">
                {features.map((f) => (
                  <FeatureField
                    key={f.name}
                    feature={f}
                    value={values[f.name] ?? ""}
                    problem={problems[f.name]}
                    onChange={(v) => setValues({ ...values, [f.name]: v })}
                  />
                ))}
              </div>
              <button type="submit" disabled={predict.isPending}>
                Predict and explain
              </button>
              {predict.isError ? <ErrorNotice error={predict.error} /> : null}
            </form>
            <section className="card" aria-labelledby="answer-title" aria-live="polite">
              <h2 id="answer-title">Answer</h2>
              {!answer ? (
                <p className="state empty">Fill in what you know (empty fields are imputed) and predict.</p>
              ) : (
                <>
                  <p className="answer" data-testid="prediction-output">
                    {d.signature.outputs.target} = <strong>{typeof answer.output === "number" ? formatNumber(answer.output) : answer.output}</strong>
                  </p>
                  <p>
                    answered by <strong>v{predict.data!.version}</strong> ({predict.data!.variant})
                    {predict.data!.cached ? ", from the cache" : ""}
                  </p>
                  {answer.probabilities ? (
                    <Table
                      caption="Probabilities"
                      rows={Object.entries(answer.probabilities).map(([label, p]) => ({ label, p }))}
                      rowKey={(r) => r.label}
                      columns={[
                        { header: "Class", cell: (r) => r.label },
                        { header: "Probability", cell: (r) => formatNumber(r.p, 3), numeric: true },
                      ]}
                    />
                  ) : null}
                  {explained ? (
                    <>
                      <p>
                        Base value {formatNumber(explained.base)}
                        {d.task === "classification" ? " (log-odds)" : ""}; each bar is a feature's
                        contribution to this answer.
                      </p>
                      <Bars
                        label="Why: contributions to the output, largest first"
                        rows={explained.rows}
                        colorOf={(r) => (r.value >= 0 ? "#c2410c" : "#1f5fa8")}
                      />
                    </>
                  ) : (
                    <p className="state empty">This model's family has no explanations.</p>
                  )}
                </>
              )}
            </section>
          </div>
        );
      }}
    </Loaded>
  );
}

export default function Predict() {
  const [model, choose, names] = useSelectedModel();
  return (
    <Page title="Predict" scope="predict">
      <ModelPicker value={model} names={names} onChange={choose} />
      {model ? <PredictForm key={model} model={model} /> : <p className="state empty">No model is served yet.</p>}
    </Page>
  );
}
