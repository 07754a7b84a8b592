import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { data, training } from "../api/client";
import { Page } from "../components/Page";
import { ErrorNotice, Loaded } from "../components/States";
import { Table } from "../components/Table";
import { formatTime } from "../hooks";
import { useSession, type Scope } from "../session";

const SCOPES: Scope[] = ["predict", "train", "monitor", "admin"];

function NewKey() {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["predict"]);
  const [copied, setCopied] = useState(false);
  const create = useMutation({
    mutationFn: () => data(training.POST("/v1/keys", { body: { name, scopes } })),
    onSuccess: () => {
      setName("");
      setCopied(false);
      return client.invalidateQueries({ queryKey: ["keys"] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="new-key-title">
      <h2 id="new-key-title">Create a key</h2>
      <div className="field">
        <label htmlFor="key-name">Who or what uses it</label>
        <input id="key-name" required value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <fieldset>
        <legend>Scopes (admin implies all)</legend>
        {SCOPES.map((scope) => (
          <label key={scope} className="check">
            <input
              type="checkbox"
              checked={scopes.includes(scope)}
              onChange={(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))}
            />
            {scope}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={create.isPending || !scopes.length || !name.trim()}>
        Create
      </button>
      {create.isError ? <ErrorNotice error={create.error} /> : null}
      {create.data ? (
        <div className="state ok" role="status">
          <p>The new key, shown this once — store it now:</p>
          <p className="row">
            <code data-testid="new-key">{create.data.key}</code>
            <button
              type="button"
              onClick={() => navigator.clipboard.writeText(create.data.key).then(() => setCopied(true))}
            >
              {copied ? "Copied" : "Copy"}
            </button>
          </p>
        </div>
      ) : null}
    </form>
  );
}

export default function Keys() {
  const client = useQueryClient();
  const { caller } = useSession();
  const keys = useQuery({ queryKey: ["keys"], queryFn: () => data(training.GET("/v1/keys")) });
  const revoke = useMutation({
    mutationFn: (prefix: string) => data(training.POST("/v1/keys/{prefix}/revoke", { params: { path: { prefix } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["keys"] }),
  });
  return (
    <Page title="API keys" scope="admin">
      <NewKey />
      <Loaded query={keys} what="keys" isEmpty={(d) => d.keys.length === 0}>
        {(d) => (
          <Table
            caption="Every key (secrets are never shown again)"
            rows={d.keys}
            rowKey={(k) => k.prefix}
            columns={[
              { header: "Prefix", cell: (k) => <code>{k.prefix}</code> },
              { header: "Name", cell: (k) => k.name },
              { header: "Scopes", cell: (k) => k.scopes.join(", ") },
              { header: "Created", cell: (k) => formatTime(k.created_at) },
              {
                header: "State",
                cell: (k) =>
                  k.revoked_at ? (
                    `revoked ${formatTime(k.revoked_at)}`
                  ) : (
                    <button type="button" className="danger" onClick={() => revoke.mutate(k.prefix)} aria-label={`Revoke key ${k.prefix} (${k.name})`}>
                      {k.prefix === caller?.prefix ? "Revoke (your own key: logs you out)" : "Revoke"}
                    </button>
                  ),
              },
            ]}
          />
        )}
      </Loaded>
      {revoke.isError ? <ErrorNotice error={revoke.error} /> : null}
    </Page>
  );
}
