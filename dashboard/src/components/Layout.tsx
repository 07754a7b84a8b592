import { useEffect } from "react";
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { NAV } from "../nav";
import { useSession } from "../session";

export function Layout() {
  const { caller, can, logout } = useSession();
  const location = useLocation();
  const navigate = useNavigate();

  useEffect(() => {
    const refused = (event: Event) => {
      logout((event as CustomEvent<string>).detail);
      navigate("/login", { replace: true });
    };
    window.addEventListener("mlaas:unauthorized", refused);
    return () => window.removeEventListener("mlaas:unauthorized", refused);
  }, [logout, navigate]);

  if (!caller) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">MLaaS</span>
        <nav aria-label="Pages">
          <ul>
            {NAV.filter((item) => item.scope === null || can(item.scope)).map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.to === "/"}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span title={`key ${caller.prefix}`}>
            {caller.name} <small>({caller.scopes.join(", ")})</small>
          </span>
          <button type="button" onClick={() => logout()}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
