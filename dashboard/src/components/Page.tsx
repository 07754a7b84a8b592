import { useEffect, type ReactNode } from "react";
import type { Scope } from "../session";
import { useSession } from "../session";

/** A page: its title (also the tab's), and — when the key lacks `scope` — only why not. */
export function Page({
  title,
  scope,
  children,
}: {
  title: string;
  scope?: Scope;
  children: ReactNode;
}) {
  const { can, caller } = useSession();
  useEffect(() => {
    document.title = `${title} · MLaaS`;
  }, [title]);
  const allowed = !scope || can(scope);
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      {allowed ? (
        children
      ) : (
        <div className="state error" role="alert">
          This page needs an API key with the '{scope}' scope; yours has{" "}
          {caller?.scopes.join(", ") || "none"}.
        </div>
      )}
    </section>
  );
}
