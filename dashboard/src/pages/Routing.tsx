import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { data, prediction } from "../api/client";
import { ModelPicker } from "../components/ModelPicker";
import { Page } from "../components/Page";
import { ErrorNotice, Loaded } from "../components/States";
import { formatTime, useSelectedModel } from "../hooks";
import { useSession } from "../session";

function RoutingForm({ model, weight, shadow }: { model: string; weight: number; shadow: boolean }) {
  const client = useQueryClient();
  const [percent, setPercent] = useState(Math.round(weight * 100));
  const [mirror, setMirror] = useState(shadow);
  const [reason, setReason] = useState("");
  const save = useMutation({
    mutationFn: () =>
      data(
        prediction.PUT("/v1/models/{name}/routing", {
          params: { path: { name: model } },
          body: { challenger_weight: percent / 100, shadow: mirror, reason },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["served-model", model] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="routing-title">
      <h2 id="routing-title">Change the split</h2>
      <div className="field">
        <label htmlFor="weight">Challenger share of live traffic: {percent}%</label>
        <input id="weight" type="range" min={0} max={100} step={1} value={percent} onChange={(e) => setPercent(Number(e.target.value))} />
      </div>
      <label className="check">
        <input type="checkbox" checked={mirror} onChange={(e) => setMirror(e.target.checked)} />
        Shadow: the challenger also scores the champion's requests, unseen by callers
      </label>
      <div className="field">
        <label htmlFor="routing-reason">Reason</label>
        <input id="routing-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <button type="submit" disabled={save.isPending}>
        Apply
      </button>
      {save.isError ? <ErrorNotice error={save.error} /> : null}
      {save.isSuccess ? (
        <p role="status" className="state ok">
          Applied.
        </p>
      ) : null}
    </form>
  );
}

export default function Routing() {
  const [model, choose, names] = useSelectedModel();
  const { can } = useSession();
  const detail = useQuery({
    queryKey: ["served-model", model],
    enabled: !!model,
    queryFn: () => data(prediction.GET("/v1/models/{name}", { params: { path: { name: model } } })),
  });
  return (
    <Page title="Routing" scope="predict">
      <ModelPicker value={model} names={names} onChange={choose} />
      <Loaded query={detail} what="the routing">
        {(d) => {
          const r = d.routing;
          const champion = d.served.champion;
          const challenger = d.served.challenger;
          return (
            <>
              <div className="card" data-testid="current-split">
                <h2>Now</h2>
                <p>
                  champion v{champion ?? "–"}: <strong>{Math.round((1 - r.challenger_weight) * 100)}%</strong> · challenger v{challenger ?? "–"}:{" "}
                  <strong>{Math.round(r.challenger_weight * 100)}%</strong> · shadow {r.shadow ? "on" : "off"}
                </p>
                <p className="help">
                  {r.updated_at ? `Set ${formatTime(r.updated_at)} by ${r.updated_by}.` : "Never changed: all traffic goes to the champion."}
                  {champion === challenger ? " The challenger is the champion's own version: a split changes nothing until a new challenger exists." : ""}
                </p>
              </div>
              {can("admin") ? (
                <RoutingForm key={`${model}-${r.updated_at}`} model={model} weight={r.challenger_weight} shadow={r.shadow} />
              ) : (
                <p className="help">Changing the split needs an API key with the 'admin' scope.</p>
              )}
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}
