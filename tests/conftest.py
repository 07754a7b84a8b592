"""Shared fixtures: every test gets its own embedded home folder (SQLite, local lake, MLflow)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import TEST_DEFAULTS, home_env, platform_variables

PROJECT_DIR = Path(__file__).resolve().parents[1]

# Airflow reads its configuration when first imported: point it at a throw-away home and our
# dags/ before any test module imports it.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="mlaas-test-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(PROJECT_DIR / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
# A developer's exported platform settings (an MLflow URI, a database URL) never reach a test:
# tests choose their stores themselves (`use_home`, MLAAS_TEST_* for the integration servers).
for _name in platform_variables():
    del os.environ[_name]
os.environ.update(TEST_DEFAULTS)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Airflow's SQLite metadata DB, migrated once per test session (~5 s)."""
    subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), "db", "migrate"],
        check=True,
        capture_output=True,
        env=dict(os.environ),
    )
    return _AIRFLOW_HOME


@pytest.fixture(autouse=True)
def _restore_process_state() -> Iterator[None]:
    """The environment, logger levels and root handlers as they were before the test: one that
    runs the CLI or a service's logging set-up in this process leaves nothing behind for the
    next, whatever order they run in. (pytest restores warning filters itself.)"""
    environment = dict(os.environ)
    root_handlers = list(logging.root.handlers)
    levels = {
        name: logger.level
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    root_level = logging.root.level
    yield
    if os.environ != environment:
        os.environ.clear()
        os.environ.update(environment)
    for handler in list(logging.root.handlers):  # pytest's capture handlers come and go
        if handler not in root_handlers and not type(handler).__module__.startswith("_pytest"):
            logging.root.removeHandler(handler)
    logging.root.setLevel(root_level)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and logger.level != levels.get(name, logging.NOTSET):
            logger.setLevel(levels.get(name, logging.NOTSET))


# What the stub resolver knows; anything else "does not resolve". Tests never ask real DNS.
FAKE_DNS: dict[str, list[str]] = {"example.com": ["93.184.215.14"], "localhost": ["127.0.0.1"]}


@pytest.fixture(autouse=True)
def _no_real_name_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    """Webhook hosts are resolved through a stub (tests set FAKE_DNS entries to play a DNS
    that changes): no test sends a query off the machine."""
    import socket

    def resolve(host: str, port: int) -> list[str]:
        if host.lower() not in FAKE_DNS:
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: name not known (stub resolver)")
        return list(FAKE_DNS[host.lower()])

    monkeypatch.setattr("mlaas.monitoring.webhooks.resolve_host", resolve)


@pytest.fixture(autouse=True)
def _answers_follow_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every TestClient answer of the three services must be declared in their committed
    OpenAPI documents, its JSON body matching the declared schema (tests/contract.py)."""
    from starlette.testclient import TestClient

    from tests.contract import undocumented

    send = TestClient.request

    def checked(self: TestClient, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        response = send(self, method, url, *args, **kwargs)
        title = getattr(getattr(self, "app", None), "title", "")
        problem = undocumented(
            title,
            method,
            response.request.url.path,
            response.status_code,
            response.headers.get("content-type", ""),
            b"" if kwargs.get("stream") else response.content,
        )
        assert problem is None, problem
        return response

    monkeypatch.setattr(TestClient, "request", checked)


@pytest.fixture
def mlaas_home(tmp_path: Path) -> Iterator[Path]:
    """A fresh MLAAS_HOME with all stores on their embedded defaults."""
    with home_env(tmp_path / "mlaas-home") as home:
        yield home


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules marked `slow` first, each group still in its shuffled order: with one process per
    core the longest files start at once instead of finishing the run alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """What the API fuzzing ran (tests/services/test_api_fuzz.py), in the run's summary."""
    lines = [
        str(value)
        for report in terminalreporter.stats.get("passed", [])
        for name, value in getattr(report, "user_properties", [])
        if name == "api-fuzz"
    ]
    if lines:
        terminalreporter.section("API fuzzing (schemathesis)")
        for line in sorted(lines):
            terminalreporter.write_line(line)
