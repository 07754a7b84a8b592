// Who is logged in: the key (sessionStorage) and what it may do (GET /v1/me). Login asks each
// service in turn, so one service being down does not keep anyone out.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { monitoring, prediction, training } from "./api/client";
import { ApiFailure } from "./api/errors";
import { currentKey, forgetKey, storeKey } from "./api/key";

export type Scope = "predict" | "train" | "monitor" | "admin";

export interface Caller {
  name: string;
  prefix: string;
  scopes: string[];
}

interface Session {
  caller: Caller | null;
  /** Why the last session ended (a refused key), shown on the login page. */
  endedBecause: string | null;
  login(key: string): Promise<void>;
  logout(reason?: string): void;
  can(scope: Scope): boolean;
}

const SessionContext = createContext<Session | null>(null);
const CALLER = "mlaas.caller";

export async function whoAmI(): Promise<Caller> {
  let last: unknown = null;
  const askers = [
    () => training.GET("/v1/me"),
    () => monitoring.GET("/v1/me"),
    () => prediction.GET("/v1/me"),
  ];
  for (const ask of askers) {
    try {
      const { data } = await ask();
      if (data) return data;
    } catch (error) {
      if (error instanceof ApiFailure && !error.unreachable) throw error; // a refused key
      last = error;
    }
  }
  throw last ?? new Error("no service answered");
}

function storedCaller(): Caller | null {
  const stored = sessionStorage.getItem(CALLER);
  return stored && currentKey() ? (JSON.parse(stored) as Caller) : null;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [caller, setCaller] = useState<Caller | null>(storedCaller);
  const [endedBecause, setEndedBecause] = useState<string | null>(null);

  const login = useCallback(async (key: string) => {
    storeKey(key.trim());
    try {
      const me = await whoAmI();
      sessionStorage.setItem(CALLER, JSON.stringify(me));
      setEndedBecause(null);
      setCaller(me);
    } catch (error) {
      forgetKey();
      throw error;
    }
  }, []);

  const logout = useCallback((reason?: string) => {
    forgetKey();
    sessionStorage.removeItem(CALLER);
    setEndedBecause(reason ?? null);
    setCaller(null);
  }, []);

  const value = useMemo<Session>(
    () => ({
      caller,
      endedBecause,
      login,
      logout,
      can: (scope) => !!caller && (caller.scopes.includes(scope) || caller.scopes.includes("admin")),
    }),
    [caller, endedBecause, login, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
