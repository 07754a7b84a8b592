"""The PromQL the platform ships: every query of every generated Grafana dashboard (panels,
annotations, variables) and every alert rule, with the variables Grafana would fill in."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DASHBOARDS = ROOT / "grafana" / "dashboards"
RULES = ROOT / "infra" / "prometheus" / "alerts.yml"
# The comparison that turns an expression into a condition: a trailing numeric comparison (an
# alert rule's last line, an annotation's `> 0`).
THRESHOLD = re.compile(r"\s*(==|!=|>=|<=|>|<)\s*[-+0-9.e]+\s*$")
METRIC = re.compile(r"\b((?:mlaas|process|python)_[a-z0-9_]+|up)\b(?!\s*\()")


@dataclass(frozen=True)
class Shipped:
    where: str  # "services.json: Request rate (A)", "alert MlaasWorkerDown"
    expr: str


def dashboards() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text()) for path in sorted(DASHBOARDS.glob("*.json"))}


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in dashboard["panels"] if p["type"] != "row"]


def dashboard_queries() -> list[Shipped]:
    found = []
    for name, dashboard in dashboards().items():
        for panel in panels(dashboard):
            for target in panel["targets"]:
                where = f"{name}: {panel['title']} ({target['refId']})"
                found.append(Shipped(where, target["expr"]))
        for annotation in dashboard.get("annotations", {}).get("list", []):
            if "expr" in annotation:
                found.append(
                    Shipped(f"{name}: annotation {annotation['name']}", annotation["expr"])
                )
    return found


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def alert_queries() -> list[Shipped]:
    """Each rule's expression without its threshold line: the series it compares."""
    return [
        Shipped(f"alert {rule['alert']}", without_threshold(str(rule["expr"])))
        for rule in alert_rules()
    ]


def without_threshold(expr: str) -> str:
    """An expression (an annotation's `... > 0`) without a trailing numeric comparison."""
    return THRESHOLD.sub("", expr.strip())


def bind(expr: str, *, model: str, service: str, rate_interval: str = "1m") -> str:
    """The query Grafana sends with these variable values."""
    return (
        expr.replace("$__rate_interval", rate_interval)
        .replace("$model", re.escape(model))
        .replace("$service", re.escape(service))
    )


def metric_names(expr: str) -> set[str]:
    """Metric names an expression reads (label names and functions are not metrics)."""
    without_labels = re.sub(r"\{[^}]*\}", "", expr)
    without_by = re.sub(r"\b(by|without)\s*\([^)]*\)", "", without_labels)
    return set(METRIC.findall(without_by))
