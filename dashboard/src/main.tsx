import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router";
import { ApiFailure } from "./api/errors";
import { router } from "./routes";
import { SessionProvider } from "./session";
import "./styles.css";

/** A refused key ends the session: the login page says why (see Layout). */
function onError(error: unknown): void {
  if (error instanceof ApiFailure && error.status === 401) {
    window.dispatchEvent(new CustomEvent("mlaas:unauthorized", { detail: error.explain() }));
  }
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // a refused key, a missing scope or a missing model does not get better by asking again
      retry: (count, error) =>
        count < 2 && !(error instanceof ApiFailure && error.status >= 400 && error.status < 500),
    },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <SessionProvider>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </SessionProvider>
  </StrictMode>,
);
