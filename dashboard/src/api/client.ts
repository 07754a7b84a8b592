// The typed clients of the three services, generated from docs/openapi/*.json (see
// scripts/gen-client.mjs). Every call goes through openapi-fetch with two middlewares: the
// session's key as `Authorization: Bearer`, and one error model (ApiFailure) for whatever the
// answer was, so pages never look at raw responses.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths as MonitoringPaths } from "./monitoring";
import type { paths as PredictionPaths } from "./prediction";
import type { paths as TrainingPaths } from "./training";
import { ApiFailure, failureFrom, type ServiceName } from "./errors";
import { currentKey } from "./key";

function authorize(service: ServiceName): Middleware {
  return {
    onRequest({ request }) {
      const key = currentKey();
      if (key) request.headers.set("Authorization", `Bearer ${key}`);
      return request;
    },
    async onResponse({ response }) {
      if (!response.ok) throw await failureFrom(service, response);
      return response;
    },
    onError({ error }) {
      if (error instanceof DOMException && error.name === "AbortError") return error;
      // fetch itself failed: the proxy or the network, not the service's answer
      return new ApiFailure(service, 0, "unreachable", `the ${service} service does not answer`, {
        cause: error,
      });
    },
  };
}

function clientOf<Paths extends object>(service: ServiceName) {
  const client = createClient<Paths>({
    baseUrl: `${apiBase()}/${service}`,
    fetch: (request) => globalThis.fetch(request), // looked up per call (tests replace it)
  });
  client.use(authorize(service));
  return client;
}

/** Where the proxy paths start: same origin, `/api/<service>` (vite.config.ts, nginx.conf). */
export function apiBase(): string {
  return `${globalThis.location?.origin ?? "http://localhost"}/api`;
}

export const prediction = clientOf<PredictionPaths>("prediction");
export const training = clientOf<TrainingPaths>("training");
export const monitoring = clientOf<MonitoringPaths>("monitoring");

/** The data of a call; its failures were already thrown as ApiFailure by the middleware. */
export async function data<T>(pending: Promise<{ data?: T; error?: unknown }>): Promise<T> {
  const { data: body } = await pending;
  return body as T;
}
