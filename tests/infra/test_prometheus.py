"""Prometheus's configuration and alert rules, checked by `promtool` (Debian's `prometheus`
package; .ci/run installs it): the compose stack's config, the one `mlaas up` writes for its
ports, the rules, and the rules' unit tests on synthetic series (infra/prometheus/alerts.test.yml).
Queries against a real Prometheus scraping the running platform: tests/e2e."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from mlaas import prometheus
from mlaas.settings import Settings
from tests.integration.conftest import in_ci
from tests.observability import RULES, THRESHOLD, alert_rules

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"


def promtool(*args: str) -> str:
    tool = shutil.which("promtool")
    if tool is None:
        message = "no promtool: apt-get install prometheus (.ci/run does)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    run = subprocess.run([tool, *args], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"promtool {' '.join(args)}:\n{run.stdout}\n{run.stderr}"
    return run.stdout + run.stderr


def rules() -> list[dict[str, object]]:
    return alert_rules()


def test_the_compose_config_and_its_rules_pass_promtool() -> None:
    output = promtool("check", "config", str(INFRA / "prometheus.yml"))
    assert f"SUCCESS: {len(rules())} rules found" in output


def test_the_rules_fire_on_broken_slos_and_stay_silent_on_healthy_series() -> None:
    output = promtool("test", "rules", str(INFRA / "prometheus" / "alerts.test.yml"))
    assert "SUCCESS" in output
    tested = yaml.safe_load((INFRA / "prometheus" / "alerts.test.yml").read_text())["tests"]
    firing = {
        case["alertname"]
        for test in tested
        for case in test["alert_rule_test"]
        if case["exp_alerts"]
    }
    assert firing == {str(rule["alert"]) for rule in rules()}, "every rule has a firing test"


def test_every_rule_has_a_threshold_line_severity_and_runbook() -> None:
    """The e2e test evaluates each expression without its last (threshold) line; operators
    need a severity to route on and a runbook to act on."""
    for rule in rules():
        name, expr = rule["alert"], str(rule["expr"]).rstrip()
        last_line = expr.splitlines()[-1]
        assert THRESHOLD.fullmatch(last_line), f"{name}: the last line must be the comparison"
        labels, notes = rule["labels"], rule["annotations"]
        assert isinstance(labels, dict) and labels["severity"] in ("warning", "critical"), name
        assert isinstance(notes, dict) and {"summary", "description", "runbook"} <= set(notes)


def test_mlaas_up_scrapes_the_same_jobs_as_the_compose_stack(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", prometheus_port=9191)
    ports = {"prediction": 18000, "training": 18001, "monitoring": 18002, "worker": 19809}
    written = prometheus.write_config(settings, ports)
    promtool("check", "config", str(written))
    embedded = yaml.safe_load(written.read_text())
    compose = yaml.safe_load((INFRA / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in embedded["scrape_configs"]}
    assert set(jobs) == {job["job_name"] for job in compose["scrape_configs"]}
    assert jobs["worker"]["static_configs"] == [{"targets": ["127.0.0.1:19809"]}]
    assert jobs["prometheus"]["static_configs"] == [{"targets": ["127.0.0.1:9191"]}]
    assert embedded["rule_files"] == [str(RULES)]
    command = prometheus.command(settings, written)
    assert f"--storage.tsdb.path={tmp_path / 'home' / 'prometheus' / 'data'}" in command
    assert "--web.listen-address=127.0.0.1:9191" in command


def test_mlaas_up_goes_on_without_the_binary_and_says_how_to_add_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlaas import up

    monkeypatch.setattr(prometheus.shutil, "which", lambda _: None)
    settings = Settings(home=tmp_path / "home")
    assert up.prometheus_service(settings) is None
    assert "apt-get install prometheus" in prometheus.HOW_TO_INSTALL
    monkeypatch.setattr(prometheus.shutil, "which", lambda _: "/usr/bin/prometheus")
    service = up.prometheus_service(settings)
    assert service is not None and service.command[0] == "/usr/bin/prometheus"
    assert service.port == settings.prometheus_port and service.where.endswith(
        f":{settings.prometheus_port}"
    )
