import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { training } from "../api/client";
import { ErrorNotice } from "./States";

/** A holdout plot logged with a version, fetched with the key and shown from a blob URL. */
export function Plot({ model, version, plot }: { model: string; version: string; plot: string }) {
  const image = useQuery({
    queryKey: ["plot", model, version, plot],
    staleTime: Infinity, // a version's plots never change
    queryFn: async () => {
      const { data: png } = await training.GET("/v1/models/{name}/versions/{version}/plots/{plot}", {
        params: { path: { name: model, version, plot } },
        parseAs: "blob",
      });
      return URL.createObjectURL(png as Blob);
    },
  });
  useEffect(() => () => void (image.data && URL.revokeObjectURL(image.data)), [image.data]);
  const label = `${plot.replaceAll("_", " ")} of ${model} v${version}`;
  if (image.isError) return <ErrorNotice error={image.error} />;
  return (
    <figure className="plot">
      {image.data ? <img src={image.data} alt={label} /> : <div className="plot-placeholder" aria-busy="true" />}
      <figcaption>{label}</figcaption>
    </figure>
  );
}
