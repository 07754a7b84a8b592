import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiFailure } from "../src/api/errors";
import { Layout } from "../src/components/Layout";
import { Page } from "../src/components/Page";
import { Loaded } from "../src/components/States";
import { LoginPage } from "../src/pages/Login";
import { SessionProvider } from "../src/session";

afterEach(() => vi.unstubAllGlobals());

function logInAs(scopes: string[]): void {
  sessionStorage.setItem("mlaas.apiKey", "mlaas_abcd1234_secret");
  sessionStorage.setItem("mlaas.caller", JSON.stringify({ name: "tester", prefix: "abcd1234", scopes }));
}

function app(path: string) {
  const router = createMemoryRouter(
    [
      { path: "/login", Component: LoginPage },
      {
        path: "/",
        Component: Layout,
        children: [
          { index: true, element: <Page title="Overview">home</Page> },
          { path: "keys", element: <Page title="API keys" scope="admin">secret stuff</Page> },
        ],
      },
    ],
    { initialEntries: [path] },
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <SessionProvider>
      <QueryClientProvider client={client}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </SessionProvider>,
  );
}

describe("pages by scope", () => {
  it("shows a predict-only key no training, monitoring or admin pages", () => {
    logInAs(["predict"]);
    app("/");
    const menu = screen.getByRole("navigation", { name: "Pages" });
    const links = Array.from(menu.querySelectorAll("a")).map((a) => a.textContent);
    expect(links).toEqual(["Overview", "Predict", "Routing"]);
  });

  it("shows an admin every page", () => {
    logInAs(["admin"]);
    app("/");
    expect(screen.getByRole("link", { name: "Keys" })).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Pages" }).querySelectorAll("a")).toHaveLength(10);
  });

  it("tells a key without the scope which scope a page needs instead of showing it", () => {
    logInAs(["monitor"]);
    app("/keys");
    expect(screen.getByRole("alert")).toHaveTextContent("This page needs an API key with the 'admin' scope; yours has monitor.");
    expect(screen.queryByText("secret stuff")).not.toBeInTheDocument();
  });

  it("sends a visitor without a key to the login page, remembering where they were going", async () => {
    app("/keys");
    expect(await screen.findByLabelText("API key")).toBeInTheDocument();
  });
});

describe("login", () => {
  it("says why a key is refused and stays on the login page", async () => {
    const refused = new Response(JSON.stringify({ error: { code: "invalid_api_key", message: "unknown API key" } }), {
      status: 401,
      headers: { "Content-Type": "application/json" },
    });
    vi.stubGlobal("fetch", vi.fn(async () => refused.clone()));
    app("/login");
    await userEvent.type(screen.getByLabelText("API key"), "mlaas_00000000_nope");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Your API key was refused: unknown API key");
    expect(sessionStorage.getItem("mlaas.apiKey")).toBeNull();
  });

  it("logs in with the first service that answers when another is down", async () => {
    const fetch = vi.fn(async (request: Request) =>
      request.url.includes("/api/training/")
        ? Promise.reject(new TypeError("Failed to fetch"))
        : new Response(JSON.stringify({ name: "ops", prefix: "abcd1234", scopes: ["monitor"], created_at: "2026-01-01T00:00:00Z" }), {
            status: 200,
            headers: { "Content-Type": "application/json" },
          }),
    );
    vi.stubGlobal("fetch", fetch);
    app("/login");
    await userEvent.type(screen.getByLabelText("API key"), "mlaas_abcd1234_secret");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await waitFor(() => expect(screen.getByText(/ops/)).toBeInTheDocument());
    expect(screen.getByRole("link", { name: "Monitoring" })).toBeInTheDocument();
  });
});

describe("query states", () => {
  function Probe({ fn, empty }: { fn: () => Promise<string[]>; empty?: boolean }) {
    const query = useQuery({ queryKey: ["probe", String(fn)], queryFn: fn, retry: false });
    return (
      <Loaded query={query} what="things" isEmpty={empty ? (d) => d.length === 0 : undefined}>
        {(d) => <p>{d.join(",")}</p>}
      </Loaded>
    );
  }
  const wrap = (ui: React.ReactNode) => render(<QueryClientProvider client={new QueryClient()}>{ui}</QueryClientProvider>);

  it("shows loading, then the data", async () => {
    wrap(<Probe fn={async () => ["a", "b"]} />);
    expect(screen.getByRole("status")).toHaveTextContent("Loading things…");
    expect(await screen.findByText("a,b")).toBeInTheDocument();
  });

  it("shows the empty state", async () => {
    wrap(<Probe fn={async () => []} empty />);
    expect(await screen.findByText("No things yet.")).toBeInTheDocument();
  });

  it("shows a service that is down as down", async () => {
    wrap(
      <Probe
        fn={async () => {
          throw new ApiFailure("monitoring", 0, "unreachable", "x");
        }}
      />,
    );
    expect(await screen.findByRole("alert")).toHaveTextContent("The monitoring service is down or unreachable.");
  });
});
