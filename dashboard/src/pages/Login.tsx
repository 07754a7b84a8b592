import { useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { ApiFailure } from "../api/errors";
import { useSession } from "../session";

export function LoginPage() {
  const { caller, login, endedBecause } = useSession();
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = params.get("next")?.startsWith("/") ? params.get("next")! : "/";

  if (caller) return <Navigate to={next} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await login(key);
      navigate(next, { replace: true });
    } catch (error) {
      setProblem(error instanceof ApiFailure ? error.explain() : String(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="login">
      <h1>MLaaS dashboard</h1>
      {endedBecause ? (
        <p className="state error" role="alert">
          Logged out. {endedBecause}
        </p>
      ) : null}
      <form onSubmit={submit} aria-describedby="key-help">
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          required
          value={key}
          onChange={(event) => setKey(event.target.value)}
        />
        <p id="key-help" className="help">
          A key from <code>mlaas keys create</code> or printed once by <code>make run</code>. It is
          kept in this tab only (sessionStorage).
        </p>
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? "Checking…" : "Log in"}
        </button>
        {problem ? (
          <p className="state error" role="alert">
            {problem}
          </p>
        ) : null}
      </form>
    </main>
  );
}
