// Every page has its own URL (shareable, with its selection in the query string) and its own
// chunk: a page's code and its chart library load when the page is first opened.
import { createBrowserRouter, type RouteObject } from "react-router";
import { Layout } from "./components/Layout";
import { Loading } from "./components/States";
import { LoginPage } from "./pages/Login";

type PageModule = { default: React.ComponentType };
const page = (load: () => Promise<PageModule>): Pick<RouteObject, "lazy"> => ({
  lazy: async () => ({ Component: (await load()).default }),
});

export const routes: RouteObject[] = [
  { path: "/login", Component: LoginPage },
  {
    path: "/",
    Component: Layout,
    HydrateFallback: () => <Loading what="the page" />,
    children: [
      { index: true, ...page(() => import("./pages/Overview")) },
      { path: "models", ...page(() => import("./pages/Models")) },
      { path: "models/:name", ...page(() => import("./pages/ModelDetail")) },
      { path: "models/:name/compare", ...page(() => import("./pages/Compare")) },
      { path: "training", ...page(() => import("./pages/Training")) },
      { path: "training/:jobId", ...page(() => import("./pages/TrainingJob")) },
      { path: "pipelines", ...page(() => import("./pages/Pipelines")) },
      { path: "data-quality", ...page(() => import("./pages/DataQuality")) },
      { path: "monitoring", ...page(() => import("./pages/Monitoring")) },
      { path: "alerts", ...page(() => import("./pages/Alerts")) },
      { path: "predict", ...page(() => import("./pages/Predict")) },
      { path: "routing", ...page(() => import("./pages/Routing")) },
      { path: "keys", ...page(() => import("./pages/Keys")) },
      { path: "*", ...page(() => import("./pages/NotFound")) },
    ],
  },
];

export const router = createBrowserRouter(routes);
