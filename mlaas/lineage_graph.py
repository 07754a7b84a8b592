"""The lineage graph: dataset -> validation -> feature view -> training run -> model version ->
alias history -> predictions, walked from either end.

"Which versions used dataset X?" starts at the dataset (`dataset_lineage`); "what data trained
churn v3?" starts at the version (`version_lineage`). Both answer with the same graph: nodes
(kind, id, facts) and edges (from, to, relation), built from what the platform already records
(the `datasets`, `validation_results`, `audit_log` and prediction-log tables, the registry's
version tags and the training runs). Served by the training service and printed by
`mlaas lineage`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from mlaas.db import (
    audit_log,
    datasets,
    get_engine,
    prediction_log,
    prediction_log_blocks,
    validation_results,
)
from mlaas.errors import Invalid, NotFound


class DatasetNotFound(NotFound):
    code = "dataset_not_found"


class AmbiguousDataset(Invalid):
    code = "ambiguous_dataset"


@dataclass
class Graph:
    root: str
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, str]] = field(default_factory=list)

    def node(self, kind: str, key: str, **facts: Any) -> str:
        node_id = f"{kind}:{key}"
        self.nodes.setdefault(node_id, {"id": node_id, "kind": kind, **facts})
        return node_id

    def edge(self, source: str, target: str, relation: str) -> None:
        link = {"from": source, "to": target, "relation": relation}
        if link not in self.edges:
            self.edges.append(link)

    def to_dict(self) -> dict[str, Any]:
        return {"root": self.root, "nodes": list(self.nodes.values()), "edges": self.edges}


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _dataset_rows(content_hash: str, model: str | None) -> list[Any]:
    query = select(datasets).where(datasets.c.content_hash.startswith(content_hash))
    if model is not None:
        query = query.where(datasets.c.model == model)
    with get_engine().connect() as conn:
        return list(conn.execute(query))


def _add_dataset(graph: Graph, row: Any) -> str:
    """The dataset node, its source files and its validations."""
    dataset = graph.node(
        "dataset",
        f"{row.model}:{row.content_hash}",
        model=row.model,
        content_hash=row.content_hash,
        rows=row.rows,
        status=row.status,
        uri=row.uri,
        ingested_at=_iso(row.ingested_at),
    )
    for part in row.parts or []:
        name = part.get("uri") or f"{part['kind']} rows"
        facts = {("part" if k == "kind" else k): v for k, v in part.items()}
        source = graph.node("source", f"{row.model}:{row.content_hash}:{name}", **facts)
        graph.edge(dataset, source, "made_from")
    query = (
        select(validation_results)
        .where(
            validation_results.c.model == row.model,
            validation_results.c.content_hash == row.content_hash,
        )
        .order_by(validation_results.c.created_at)
    )
    with get_engine().connect() as conn:
        for check in conn.execute(query):
            stats = check.statistics or {}
            node = graph.node(
                "validation",
                check.id,
                suite=check.suite,
                success=check.success,
                expectations=f"{stats.get('successful_expectations')}/"
                f"{stats.get('evaluated_expectations')}",
                at=_iso(check.created_at),
            )
            graph.edge(dataset, node, "validated_by")
    return dataset


def _predictions(model: str, version: str) -> dict[str, Any]:
    """How many predictions the version served, and when the first and the last were."""
    counted = {}
    with get_engine().connect() as conn:
        for table, amount in (
            (prediction_log, func.count()),
            (prediction_log_blocks, func.coalesce(func.sum(prediction_log_blocks.c.records), 0)),
        ):
            c = table.c
            row = conn.execute(
                select(amount, func.min(c.created_at), func.max(c.created_at)).where(
                    c.model == model, c.version == version, c.variant != "shadow"
                )
            ).one()
            counted[table.name] = row
    total = sum(int(row[0] or 0) for row in counted.values())
    firsts = [row[1] for row in counted.values() if row[1] is not None]
    lasts = [row[2] for row in counted.values() if row[2] is not None]
    return {
        "count": total,
        "first": _iso(min(firsts)) if firsts else None,
        "last": _iso(max(lasts)) if lasts else None,
    }


def _alias_history(model: str, version: str) -> list[dict[str, Any]]:
    query = (
        select(audit_log)
        .where(
            audit_log.c.model == model,
            audit_log.c.version == version,
            audit_log.c.action == "set_alias",
        )
        .order_by(audit_log.c.at)
    )
    with get_engine().connect() as conn:
        return [
            {
                "alias": row.alias,
                "at": _iso(row.at),
                "actor": row.actor,
                "reason": row.reason,
                "previous_version": (row.details or {}).get("previous_version"),
            }
            for row in conn.execute(query)
        ]


def _add_version(graph: Graph, model: str, info: Any, dataset: str | None) -> str:
    """The version with its training run, feature view, alias moves and predictions, linked
    to the dataset node it was trained on."""
    from mlaas.lineage import load_spec_snapshot
    from mlaas.registry import TAG

    tags = info.tags
    lineage = info.lineage()
    spec = load_spec_snapshot(tags[f"{TAG}spec_hash"])
    view = graph.node("feature_view", spec.feature_view, model=model, spec_hash=spec.spec_hash)
    if dataset is not None:
        graph.edge(dataset, view, "published_as")
    run = graph.node(
        "training_run",
        info.run_id,
        family=lineage.get("family"),
        params=json.loads(lineage.get("params", "{}")),
        trigger=lineage.get("trigger"),
        retrain_mode=lineage.get("retrain_mode", "full"),
        frame_key=lineage.get("frame_key"),
    )
    graph.edge(view, run, "trained")
    version = graph.node(
        "model_version",
        f"{model}:{info.version}",
        model=model,
        version=info.version,
        aliases=info.aliases,
        created_at=_iso(datetime.fromtimestamp(info.created_at / 1000, tz=UTC)),
        metrics={
            k.removeprefix("holdout_"): v
            for k, v in info.metrics.items()
            if k.startswith("holdout_")
        },  # fmt: skip
    )
    graph.edge(run, version, "registered_as")
    for index, move in enumerate(_alias_history(model, info.version)):
        node = graph.node("alias", f"{model}:{info.version}:{index}", **move)
        graph.edge(version, node, "aliased")
    counts = _predictions(model, info.version)
    served = graph.node("predictions", f"{model}:{info.version}", **counts)
    graph.edge(version, served, "served")
    return version


def dataset_lineage(content_hash: str, *, model: str | None = None) -> dict[str, Any]:
    """Everything downstream of a dataset (a content hash or a prefix of one, at least 6
    characters): its validations, the feature view, runs and versions trained on it, their
    alias history and predictions."""
    from mlaas.registry import TAG, list_versions

    if len(content_hash) < 6:
        raise AmbiguousDataset(f"{content_hash!r}: give at least 6 characters of the hash")
    rows = _dataset_rows(content_hash, model)
    if not rows:
        where = f" of model {model!r}" if model else ""
        raise DatasetNotFound(f"no dataset{where} with a hash starting {content_hash!r}")
    if len({(r.model, r.content_hash) for r in rows}) > 1:
        found = sorted(f"{r.model}:{r.content_hash[:12]}" for r in rows)
        raise AmbiguousDataset(f"{content_hash!r} matches several datasets: {found}")
    row = rows[0]
    graph = Graph(root=f"dataset:{row.model}:{row.content_hash}")
    dataset = _add_dataset(graph, row)
    try:
        versions = list_versions(row.model)
    except LookupError:  # the model has no registered version yet
        versions = []
    for info in versions:
        if info.tags.get(f"{TAG}data_hash") == row.content_hash:
            _add_version(graph, row.model, info, dataset)
    return graph.to_dict()


def version_lineage(model: str, version: str) -> dict[str, Any]:
    """Everything upstream and downstream of a version: the dataset it was trained on (with
    its parts: source files, inbox files, labelled live traffic) and validations, the
    feature view, the run, its alias moves and predictions."""
    from mlaas.registry import TAG, get_version

    info = get_version(model, version)
    graph = Graph(root=f"model_version:{model}:{info.version}")
    data_hash = info.tags.get(f"{TAG}data_hash")
    rows = _dataset_rows(data_hash, model) if data_hash else []
    dataset = _add_dataset(graph, rows[0]) if rows else None
    _add_version(graph, model, info, dataset)
    return graph.to_dict()


def describe(graph: dict[str, Any]) -> list[str]:
    """The graph as indented lines from its root's dataset(s) down, for the CLI."""
    nodes = {node["id"]: node for node in graph["nodes"]}
    children: dict[str, list[tuple[str, str]]] = {}
    has_parent = set()
    for link in graph["edges"]:
        children.setdefault(link["from"], []).append((link["relation"], link["to"]))
        has_parent.add(link["to"])
    lines: list[str] = []

    def label(node: dict[str, Any]) -> str:
        kind = node["kind"]
        if kind == "dataset":
            return f"dataset {node['content_hash'][:12]} ({node['rows']} rows, {node['status']})"
        if kind == "source":
            where = node.get("uri") or "labelled live traffic"
            return f"from {node['part']} {where} ({node['rows']} rows)"
        if kind == "validation":
            verdict = "passed" if node["success"] else "failed"
            return f"validation {verdict} {node['expectations']} ({node['suite']}, {node['at']})"
        if kind == "feature_view":
            return f"feature view {node['id'].split(':', 1)[1]}"
        if kind == "training_run":
            run = node["id"].split(":", 1)[1]
            return f"training run {run} ({node['family']}, {node['retrain_mode']})"
        if kind == "model_version":
            aliases = f" [{', '.join(node['aliases'])}]" if node["aliases"] else ""
            return f"{node['model']} v{node['version']}{aliases}"
        if kind == "alias":
            return f"@{node['alias']} at {node['at']} by {node['actor']}: {node['reason']}"
        if not node["count"]:
            return "no predictions served yet"
        return f"{node['count']} predictions served ({node['first']} to {node['last']})"

    def walk(node_id: str, depth: int) -> None:
        lines.append("  " * depth + label(nodes[node_id]))
        for _, child in children.get(node_id, []):
            walk(child, depth + 1)

    for node_id in nodes:
        if node_id not in has_parent:
            walk(node_id, 0)
    return lines
