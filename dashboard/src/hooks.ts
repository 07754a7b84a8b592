import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { data, monitoring, prediction, training } from "./api/client";
import { useSession } from "./session";

/** The registered models' names, from whichever service this key may ask. */
export function useModelNames() {
  const { can } = useSession();
  return useQuery({
    queryKey: ["model-names", can("train"), can("predict")],
    queryFn: async (): Promise<string[]> => {
      const body = can("train")
        ? await data(training.GET("/v1/models"))
        : can("predict")
          ? await data(prediction.GET("/v1/models"))
          : await data(monitoring.GET("/v1/models"));
      return body.models.map((m) => m.name).sort();
    },
  });
}

/** A selection kept in the URL's query string, so the page can be shared as it is. */
export function useParam(name: string, fallback = ""): [string, (value: string) => void] {
  const [params, setParams] = useSearchParams();
  const value = params.get(name) ?? fallback;
  const set = (next: string) =>
    setParams(
      (current) => {
        const copy = new URLSearchParams(current);
        if (next) copy.set(name, next);
        else copy.delete(name);
        return copy;
      },
      { replace: true },
    );
  return [value, set];
}

/** The model chosen in the URL (`?model=`), or the first registered one. */
export function useSelectedModel(): [string, (value: string) => void, string[] | undefined] {
  const names = useModelNames();
  const [chosen, choose] = useParam("model");
  return [chosen || names.data?.[0] || "", choose, names.data];
}

export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (Number.isInteger(value)) return value.toLocaleString("en");
  return Math.abs(value) >= 1000
    ? value.toLocaleString("en", { maximumFractionDigits: 1 })
    : value.toPrecision(digits);
}

export function formatTime(value: string | null | undefined): string {
  if (!value) return "–";
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : date.toLocaleString("en-GB", { dateStyle: "short", timeStyle: "medium" });
}
