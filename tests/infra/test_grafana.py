"""The Grafana dashboards as code (grafana/generate.py) and their provisioning, checked offline:
the committed JSON is what the generator builds; it fits Grafana's dashboard schema (the typed
models of Grafana Labs' foundation SDK read it back unchanged); every panel has a description, a
unit, the provisioned datasource and a place on the grid; every variable a query uses is
defined; every metric a query reads is documented. Their queries run against a real Prometheus
in tests/e2e."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from types import ModuleType
from typing import Any

import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import Dashboard

from tests.observability import (
    ROOT,
    alert_queries,
    dashboard_queries,
    dashboards,
    metric_names,
    panels,
)

GRAFANA = ROOT / "grafana"
PROVISIONING = GRAFANA / "provisioning"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("grafana_generate", GRAFANA / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_committed_dashboards_are_what_the_generator_builds() -> None:
    rendered = generator().render()
    committed = {p.name: p.read_text() for p in (GRAFANA / "dashboards").glob("*.json")}
    assert set(committed) == set(rendered) == {"services.json", "models.json", "training.json"}
    for name, text in rendered.items():
        assert committed[name] == text, f"{name} is stale: run python grafana/generate.py"


def test_the_dashboards_fit_grafanas_schema() -> None:
    """The SDK's models are generated from Grafana's schema: a key they do not know, or a value
    of the wrong type, does not survive the round trip."""
    for name, dashboard in dashboards().items():
        again = json.loads(json.dumps(Dashboard.from_json(dashboard), cls=JSONEncoder))
        assert again == dashboard, name
        assert {p["type"] for p in dashboard["panels"]} <= {"row", "timeseries", "stat"}


def test_every_panel_is_described_with_a_unit_on_the_provisioned_datasource() -> None:
    datasource = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yaml").read_text())
    uid = datasource["datasources"][0]["uid"]
    for name, dashboard in dashboards().items():
        assert dashboard["uid"].startswith("mlaas-") and dashboard["description"], name
        for panel in panels(dashboard):
            where = f"{name}: {panel['title']}"
            assert len(panel.get("description", "")) > 20, f"{where}: no description"
            assert panel["fieldConfig"]["defaults"].get("unit"), f"{where}: no unit"
            assert panel["datasource"] == {"type": "prometheus", "uid": uid}, where
            assert panel["targets"], f"{where}: no query"
            assert all(t["datasource"]["uid"] == uid for t in panel["targets"]), where
            steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
            assert steps and steps[0]["value"] is None, f"{where}: thresholds need a base step"


def test_panels_tile_the_grid_without_overlapping() -> None:
    for name, dashboard in dashboards().items():
        taken: set[tuple[int, int]] = set()
        ids = [p["id"] for p in dashboard["panels"]]
        assert len(ids) == len(set(ids)), f"{name}: duplicate panel ids"
        for panel in dashboard["panels"]:
            box = panel["gridPos"]
            assert box["x"] + box["w"] <= 24, f"{name}: {panel['title']} overflows"
            cells = {
                (x, y)
                for x in range(box["x"], box["x"] + box["w"])
                for y in range(box["y"], box["y"] + box["h"])
            }
            assert not cells & taken, f"{name}: {panel['title']} overlaps another panel"
            taken |= cells


def test_every_variable_a_query_uses_is_defined() -> None:
    for name, dashboard in dashboards().items():
        defined = {v["name"] for v in dashboard["templating"]["list"]}
        used: set[str] = set()
        for query in (q for q in dashboard_queries() if q.where.startswith(name)):
            used |= set(re.findall(r"\$(\w+)", query.expr)) - {"__rate_interval"}
        assert used == defined, f"{name}: uses {used}, defines {defined}"
        for variable in dashboard["templating"]["list"]:
            assert metric_names(variable["query"]), f"{name}: ${variable['name']} reads no metric"


def test_every_metric_a_query_reads_is_documented() -> None:
    documented = (ROOT / "docs" / "metrics.md").read_text()
    shipped = [*dashboard_queries(), *alert_queries()]
    for query in shipped:
        for metric in metric_names(query.expr):
            base = re.sub(r"_(bucket|count|sum|gcount|gsum|total)$", "", metric)
            assert f"`{base}" in documented, f"{query.where}: {metric} is not in docs/metrics.md"


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """container path -> host path (relative to infra/)."""
    found = {}
    for volume in service["volumes"]:
        source, target = volume.split(":")[:2]
        found[target] = source
    return found


def test_the_provisioning_files_load_from_paths_the_compose_stack_mounts() -> None:
    compose = yaml.safe_load((ROOT / "infra" / "docker-compose.yml").read_text())
    mounts = _mounts(compose["services"]["grafana"])
    assert mounts["/etc/grafana/provisioning"] == "../grafana/provisioning"
    providers = yaml.safe_load((PROVISIONING / "dashboards" / "mlaas.yaml").read_text())
    assert providers["apiVersion"] == 1
    [provider] = providers["providers"]
    assert provider["type"] == "file"
    source = mounts[provider["options"]["path"]]
    assert (ROOT / "infra" / source).resolve() == (GRAFANA / "dashboards").resolve()
    assert list((ROOT / "infra" / source).glob("*.json"))
    sources = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yaml").read_text())
    assert sources["apiVersion"] == 1 and sources["datasources"][0]["type"] == "prometheus"


def test_the_helpers_see_every_query_and_metric() -> None:
    """The query and metric extraction the checks above and tests/e2e rely on."""
    where = {q.where.split(" (")[0] for q in dashboard_queries()}
    assert {"services.json: Request rate", "models.json: annotation Alias moves"} <= where
    stripped = {q.where: q.expr for q in alert_queries()}
    assert stripped["alert MlaasWorkerDown"] == 'up{job="worker"}'
    expr = 'sum by (service) (rate(mlaas_http_errors_total{code="x"}[5m])) / up{job="w"}'
    assert metric_names(expr) == {"mlaas_http_errors_total", "up"}
