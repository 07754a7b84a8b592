import { Table } from "./Table";

export interface ExpectationFailure {
  expectation?: unknown;
  column?: unknown;
  reason?: unknown;
  unexpected_count?: unknown;
  partial_unexpected_list?: unknown;
}

/** The failing expectations of one validation run: which, on which column, and why. */
export function Failures({ failures, caption }: { failures: ExpectationFailure[]; caption: string }) {
  return (
    <Table
      caption={caption}
      rows={failures.map((f, i) => ({ ...f, key: String(i) }))}
      rowKey={(f) => f.key}
      columns={[
        { header: "Column", cell: (f) => (f.column ? <code>{String(f.column)}</code> : "(table)") },
        { header: "Expectation", cell: (f) => <code>{String(f.expectation)}</code> },
        { header: "Why", cell: (f) => String(f.reason ?? "") },
        { header: "Unexpected", cell: (f) => (f.unexpected_count == null ? "–" : String(f.unexpected_count)), numeric: true },
        {
          header: "Examples",
          cell: (f) => (Array.isArray(f.partial_unexpected_list) ? f.partial_unexpected_list.map(String).join(", ") : ""),
        },
      ]}
    />
  );
}
