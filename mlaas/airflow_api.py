"""Airflow 3's REST API, for triggering and listing a spec's pipeline DAG runs.

Token auth: `POST /auth/token` with the admin user's password gives a JWT (cached until shortly
before it expires). New DAGs start paused, so a trigger unpauses first. A trigger starts spec
`s`'s manual DAG `mlaas_pipeline_s`; listings also show its automatic retrains, which run in
`mlaas_retrain_s` (mlaas.orchestration).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from mlaas.errors import NotFound, Unavailable
from mlaas.orchestration import admin_password_file, dag_id_for, retrain_dag_id_for
from mlaas.settings import Settings, get_settings

TOKEN_TTL_S = 20 * 60  # Airflow's default JWT lifetime is longer; refresh well before


class AirflowUnavailable(Unavailable):
    """Airflow's API did not answer (not started, wrong URL) or refused our credentials."""

    code = "airflow_unavailable"


class AirflowNotFound(NotFound):
    """Airflow does not know the DAG or run."""

    code = "dag_not_found"


def _password(settings: Settings) -> str:
    if settings.airflow_password:
        return settings.airflow_password
    path = admin_password_file(settings)
    try:
        return str(json.loads(path.read_text())[settings.airflow_username])
    except (OSError, KeyError, ValueError):
        raise AirflowUnavailable(
            f"no Airflow password: set MLAAS_AIRFLOW_PASSWORD or run `mlaas up` (writes {path})"
        ) from None


@dataclass
class AirflowClient:
    """A small client; one per process is enough (it keeps the token)."""

    base_url: str
    username: str
    password: str
    # Airflow standalone on SQLite can take several seconds to trigger a run on a busy machine:
    # a short timeout turned a slow answer into a 503 (seen on 2 cores under the test suite).
    timeout_s: float = 20.0
    _token: tuple[str, float] | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> AirflowClient:
        settings = settings or get_settings()
        return cls(
            settings.airflow_api_url.rstrip("/"), settings.airflow_username, _password(settings)
        )

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = httpx.request(
                method, f"{self.base_url}{path}", timeout=self.timeout_s, **kwargs
            )
        except httpx.HTTPError as error:
            raise AirflowUnavailable(
                f"Airflow API at {self.base_url} is not reachable ({type(error).__name__}: "
                f"{error}); start it with `mlaas up` or set MLAAS_AIRFLOW_API_URL"
            ) from None
        return response

    def token(self) -> str:
        if self._token is not None and self._token[1] > time.monotonic():
            return self._token[0]
        response = self._request(
            "POST", "/auth/token", json={"username": self.username, "password": self.password}
        )
        if response.status_code not in (200, 201):
            raise AirflowUnavailable(
                f"Airflow refused the credentials of {self.username!r} "
                f"(HTTP {response.status_code})"
            )
        token = str(response.json()["access_token"])
        self._token = (token, time.monotonic() + TOKEN_TTL_S)
        return token

    def _api(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token()}"}
        response = self._request(method, f"/api/v2{path}", headers=headers, **kwargs)
        if response.status_code == 401:  # expired token: once more with a fresh one
            self._token = None
            headers = {"Authorization": f"Bearer {self.token()}"}
            response = self._request(method, f"/api/v2{path}", headers=headers, **kwargs)
        if response.status_code == 404:
            raise AirflowNotFound(f"Airflow: {path} not found")
        if response.status_code >= 400:
            raise AirflowUnavailable(
                f"Airflow API {method} {path} failed: HTTP {response.status_code} "
                f"{response.text[:200]}"
            )
        return response.json()

    def trigger(self, spec: str, conf: dict[str, Any] | None = None) -> dict[str, Any]:
        """Unpause the spec's DAG and start a run now; returns the run."""
        dag_id = dag_id_for(spec)
        self._api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
        run: dict[str, Any] = self._api(
            "POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf or {}}
        )
        return run

    def runs(self, spec: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs of the spec's two DAGs (manual and automatic, see
        mlaas.orchestration), newest first, each with its DAG id and its task instances'
        states. AirflowNotFound when the spec has no pipeline DAG."""
        found: list[tuple[str, dict[str, Any]]] = []
        for dag_id in (dag_id_for(spec), retrain_dag_id_for(spec)):
            params = {"limit": limit, "order_by": "-run_after"}
            try:
                body = self._api("GET", f"/dags/{dag_id}/dagRuns", params=params)
            except AirflowNotFound:
                if dag_id == dag_id_for(spec):
                    raise
                continue  # a deployment from before automatic retrains had their own DAG
            found += [(dag_id, run) for run in body.get("dag_runs", [])]
        found.sort(key=lambda item: str(item[1].get("run_after") or ""), reverse=True)
        runs: list[dict[str, Any]] = []
        for dag_id, run in found[:limit]:
            tasks = self._api("GET", f"/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances")
            run_view = {
                k: run.get(k)
                for k in ("dag_run_id", "state", "run_type", "start_date", "end_date", "conf")
            }
            run_view["dag_id"] = dag_id
            run_view["tasks"] = [
                {
                    "task_id": t.get("task_id"),
                    "state": t.get("state"),
                    "try_number": t.get("try_number"),
                    "start_date": t.get("start_date"),
                    "end_date": t.get("end_date"),
                }
                for t in tasks.get("task_instances", [])
            ]
            runs.append(run_view)
        return runs

    def xcom(self, spec: str, run_id: str, task_id: str, *, dag_id: str | None = None) -> Any:
        """A task's return value in one run of `dag_id` (default: the spec's manual pipeline
        DAG); None when it has none."""
        dag_id = dag_id or dag_id_for(spec)
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries"
        try:
            entry = self._api("GET", f"{path}/return_value", params={"deserialize": True})
        except AirflowNotFound:
            return None
        value = entry.get("value")
        return json.loads(value) if isinstance(value, str) else value
