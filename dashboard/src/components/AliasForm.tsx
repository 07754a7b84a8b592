import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { training } from "../api/client";
import { useSession } from "../session";
import { ErrorNotice } from "./States";

/** Point an alias at a version (promote, roll back, set the challenger) with a mandatory reason,
 * which the audit log keeps. Only keys with `admin` see it. */
export function AliasForm({
  model,
  versions,
  initialVersion,
}: {
  model: string;
  versions: string[];
  initialVersion?: string;
}) {
  const { can } = useSession();
  const id = useId();
  const client = useQueryClient();
  const [alias, setAlias] = useState("champion");
  const [version, setVersion] = useState(initialVersion ?? versions[versions.length - 1] ?? "");
  const [reason, setReason] = useState("");
  const move = useMutation({
    mutationFn: async () =>
      (
        await training.POST("/v1/models/{name}/aliases/{alias}", {
          params: { path: { name: model, alias } },
          body: { version, reason },
        })
      ).data,
    onSuccess: () => {
      setReason("");
      return client.invalidateQueries();
    },
  });
  if (!can("admin")) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    move.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Move an alias</h2>
      <div className="row">
        <div className="field">
          <label htmlFor={`${id}-alias`}>Alias</label>
          <select id={`${id}-alias`} value={alias} onChange={(e) => setAlias(e.target.value)}>
            <option value="champion">champion (promote or roll back)</option>
            <option value="challenger">challenger</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-version`}>Version</label>
          <select id={`${id}-version`} value={version} onChange={(e) => setVersion(e.target.value)}>
            {versions.map((v) => (
              <option key={v} value={v}>
                v{v}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason (kept in the audit log)</label>
        <textarea
          id={`${id}-reason`}
          required
          minLength={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </div>
      <button type="submit" disabled={move.isPending || reason.trim().length < 3}>
        Point {alias} at v{version}
      </button>
      {move.isError ? <ErrorNotice error={move.error} /> : null}
      {move.isSuccess && move.data ? (
        <p role="status" className="state ok">
          {move.data.alias} → v{move.data.version}
        </p>
      ) : null}
    </form>
  );
}
