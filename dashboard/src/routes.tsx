// Every page has its own URL (shareable, with its selection in the query string) and its own
// chunk: a page's code and its chart library load when the page is first opened.
import { createBrowserRouter, type RouteObject } from "react-router";
import { Layout } from "./components/Layout";
import { Page } from "./components/Page";
import { Loading } from "./components/States";
import { LoginPage } from "./pages/Login";
import { useSession, type Scope } from "./session";

type PageModule = { default: React.ComponentType };

/** A lazily loaded page. With `scope`, a key without it gets the page's explanation instead,
 * and the page's own queries (which the services would refuse with 403) never run. */
const page = (load: () => Promise<PageModule>, scope?: Scope, title = ""): Pick<RouteObject, "lazy"> => ({
  lazy: async () => {
    const Body = (await load()).default;
    if (!scope) return { Component: Body };
    return {
      Component: function Guarded() {
        const { can } = useSession();
        return can(scope) ? <Body /> : <Page title={title} scope={scope}>{null}</Page>;
      },
    };
  },
});

export const routes: RouteObject[] = [
  { path: "/login", Component: LoginPage },
  {
    path: "/",
    Component: Layout,
    HydrateFallback: () => <Loading what="the page" />,
    children: [
      { index: true, ...page(() => import("./pages/Overview")) },
      { path: "models", ...page(() => import("./pages/Models"), "train", "Models") },
      { path: "models/:name", ...page(() => import("./pages/ModelDetail"), "train", "Model") },
      { path: "models/:name/compare", ...page(() => import("./pages/Compare"), "train", "Compare versions") },
      { path: "training", ...page(() => import("./pages/Training"), "train", "Training") },
      { path: "training/:jobId", ...page(() => import("./pages/TrainingJob"), "train", "Training job") },
      { path: "pipelines", ...page(() => import("./pages/Pipelines"), "train", "Pipelines") },
      { path: "data-quality", ...page(() => import("./pages/DataQuality"), "monitor", "Data quality") },
      { path: "monitoring", ...page(() => import("./pages/Monitoring"), "monitor", "Monitoring") },
      { path: "alerts", ...page(() => import("./pages/Alerts"), "monitor", "Alerts") },
      { path: "predict", ...page(() => import("./pages/Predict"), "predict", "Predict") },
      { path: "routing", ...page(() => import("./pages/Routing"), "predict", "Routing") },
      { path: "keys", ...page(() => import("./pages/Keys"), "admin", "API keys") },
      { path: "*", ...page(() => import("./pages/NotFound")) },
    ],
  },
];

export const router = createBrowserRouter(routes);
