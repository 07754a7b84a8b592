// Loading, empty and error states, the same on every page.
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ApiFailure } from "../api/errors";

export function Loading({ what }: { what: string }) {
  return (
    <p className="state loading" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

export function ErrorNotice({ error }: { error: unknown }) {
  const text =
    error instanceof ApiFailure
      ? error.explain()
      : error instanceof Error
        ? error.message
        : String(error);
  const down = error instanceof ApiFailure && error.unreachable;
  return (
    <div className={`state error${down ? " down" : ""}`} role="alert">
      {text}
      {error instanceof ApiFailure && error.requestId ? (
        <small> (request {error.requestId})</small>
      ) : null}
    </div>
  );
}

/** A query's three states; `children` renders the data, `isEmpty` decides the empty state. */
export function Loaded<T>({
  query,
  what,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.isError) return <ErrorNotice error={query.error} />;
  if (isEmpty?.(query.data)) return <Empty>{empty ?? `No ${what} yet.`}</Empty>;
  return <>{children(query.data)}</>;
}
