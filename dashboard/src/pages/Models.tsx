import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { data, training } from "../api/client";
import { Page } from "../components/Page";
import { Loaded } from "../components/States";
import { Table } from "../components/Table";

interface ModelRow {
  name: string;
  versions: number;
  latest: number;
  aliases: Record<string, number>;
}

export default function Models() {
  const models = useQuery({
    queryKey: ["models"],
    queryFn: async () => (await data(training.GET("/v1/models"))).models as ModelRow[],
  });
  return (
    <Page title="Models" scope="train">
      <Loaded
        query={models}
        what="models"
        isEmpty={(rows) => rows.length === 0}
        empty="No model is registered yet: run a spec's pipeline or a training job."
      >
        {(rows) => (
          <Table
            caption="Registered models"
            rows={rows}
            rowKey={(m) => m.name}
            columns={[
              { header: "Model", cell: (m) => <Link to={`/models/${m.name}`}>{m.name}</Link> },
              { header: "Versions", cell: (m) => m.versions, numeric: true },
              { header: "Latest", cell: (m) => `v${m.latest}`, numeric: true },
              {
                header: "Aliases",
                cell: (m) =>
                  Object.entries(m.aliases)
                    .map(([alias, v]) => `${alias} → v${v}`)
                    .join(", ") || "–",
              },
            ]}
          />
        )}
      </Loaded>
    </Page>
  );
}
