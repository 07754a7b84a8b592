"""The `mlaas` command: each subcommand is one call into the library.

Failures exit non-zero with one `error:` line naming the problem (no traceback); `--debug` shows
the traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Any, cast

import click

from mlaas.errors import PlatformError
from mlaas.specs import RETRAIN_MODES, RetrainMode

# What a user can fix (spec, data, name, busy port, a server that is down): one line, exit 1.
# Anything else: exit 2. `mlaas run` exits 3 when the version it registered was not promoted.
NOT_PROMOTED = 3
USER_ERRORS: tuple[type[Exception], ...] = (PlatformError, ValueError, LookupError, OSError)


def _echo_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        click.echo("(none)")
        return
    cells = [[_fmt(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value) or "-"
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in sorted(value.items())) or "-"
    return str(value)


@click.group()
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """MLaaS: declarative model specs in; validated, tuned, registered models out."""
    ctx.obj = {"debug": debug}
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # one line a result
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Commands print their own progress; library INFO logs are for --debug.
    logging.getLogger("mlaas").setLevel(logging.DEBUG if debug else logging.WARNING)


@cli.command()
@click.argument("spec")
@click.option("--source", help="Dataset path or s3:// URI instead of the spec's source.")
@click.option("--trigger", default="manual", show_default=True, help="Why this run happens.")
@click.option(
    "--mode",
    type=click.Choice(RETRAIN_MODES),
    help="Retraining mode (default: full); see docs/retraining.md.",
)
def run(spec: str, source: str | None, trigger: str, mode: str | None) -> None:
    """Run the training pipeline of SPEC (a name or a YAML path) in this process.

    Exit status: 0 the version is champion; 3 registered but not promoted (the gate's reason
    is in the JSON); 1 a failure you can fix (data, spec: one error line); 2 any other failure.
    """
    from mlaas.pipeline import run_pipeline
    from mlaas.specs import load_spec

    registration = run_pipeline(
        load_spec(spec),
        source=source,
        trigger=trigger,
        progress=lambda _step, line: click.echo(line),
        mode=cast(RetrainMode | None, mode),
    )
    click.echo(json.dumps(registration.to_xcom(), indent=2, allow_nan=False))
    if not registration.champion:
        sys.exit(NOT_PROMOTED)


@cli.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--target", required=True, help="The column to predict.")
@click.option("--entity-key", help="The column naming each row's entity.  [default: add row_id]")
@click.option("--timestamp", help="The event-time column.  [default: add recorded_at]")
@click.option("--name", help="Model name.  [default: from the file name]")
@click.option("--force", is_flag=True, help="Overwrite an existing spec, suite or data copy.")
def init(
    data: Path,
    target: str,
    entity_key: str | None,
    timestamp: str | None,
    name: str | None,
    force: bool,
) -> None:
    """Draft specs/<name>.yaml and expectations/<name>.json from DATA (csv or parquet).

    Types, the task, ranges, category sets, null rates and row counts are inferred from the
    data; the spec's comments say what was inferred and what to review."""
    from mlaas.drafting import draft, write_draft
    from mlaas.settings import get_settings

    settings = get_settings()
    result = draft(
        data,
        target=target,
        entity_key=entity_key,
        timestamp=timestamp,
        name=name,
        project_dir=settings.project_dir,
    )
    written = write_draft(
        result,
        specs_dir=settings.specs_dir,
        expectations_dir=settings.expectations_dir,
        project_dir=settings.project_dir,
        force=force,
    )
    for path in written:
        click.echo(f"wrote {path}")
    for note in result.notes:
        click.echo(f"review: {note}")
    click.echo(f"next: mlaas specs validate {written[0]} && mlaas run {result.name}")


@cli.command()
@click.argument("model")
@click.argument("version")
def reproduce(model: str, version: str) -> None:
    """Rebuild VERSION of MODEL from its lineage and compare holdout metrics."""
    from mlaas.reproduce import reproduce as rebuild

    report = rebuild(model, version)
    _echo_table(report.rows(), ["metric", "registered", "rebuilt", "abs_diff"])
    click.echo(report.summary())
    if not report.identical:
        sys.exit(1)


@cli.group()
def data() -> None:
    """Reference datasets."""


@data.command("generate")
@click.argument("spec")
@click.option("--rows", type=int, help="Rows to generate (churn: customers).")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Output .parquet or .csv.")
@click.option("--shift", multiple=True, help="Drift knob FEATURE=K: shift by K std (churn).")
@click.option(
    "--category-weight",
    "category_weights",
    multiple=True,
    help="Drift knob FEATURE=CATEGORY:WEIGHT, e.g. country=Germany:3 (churn).",
)
@click.option("--concept-shift", type=float, default=0.0, help="Drift the target relation.")
@click.option("--missing-rate", type=float, default=0.0, help="Share of NaN in numeric columns.")
def data_generate(
    spec: str,
    rows: int | None,
    seed: int,
    out: Path | None,
    shift: tuple[str, ...],
    category_weights: tuple[str, ...],
    concept_shift: float,
    missing_rate: float,
) -> None:
    """Write SPEC's dataset (churn: synthetic; house_prices, storms: real data)."""
    from mlaas.data.churn import ChurnDrift
    from mlaas.data.generate import generate_dataset
    from mlaas.specs import load_spec

    shifts = {}
    for item in shift:
        feature, sep, amount = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: expected FEATURE=K", param_hint="--shift")
        shifts[feature] = float(amount)
    weights: dict[str, dict[str, float]] = {}
    for item in category_weights:
        feature, sep, rest = item.partition("=")
        category, sep2, weight = rest.partition(":")
        if not (sep and sep2):
            raise click.BadParameter(
                f"{item!r}: expected FEATURE=CATEGORY:WEIGHT", param_hint="--category-weight"
            )
        weights.setdefault(feature, {})[category] = float(weight)
    drift = None
    if shifts or weights or concept_shift or missing_rate:
        drift = ChurnDrift(
            numeric_shift=shifts,
            category_weights=weights,
            concept_shift=concept_shift,
            missing_rate=missing_rate,
        )
    path = generate_dataset(load_spec(spec), seed=seed, rows=rows, drift=drift, out=out)
    click.echo(str(path))


@cli.group()
def registry() -> None:
    """Registered models, versions and aliases (MLflow)."""


@registry.command("list")
def registry_list() -> None:
    """Registered models with their aliases."""
    from mlaas.registry import list_models

    _echo_table(list_models(), ["name", "versions", "latest", "aliases"])


@registry.command("versions")
@click.argument("model")
def registry_versions(model: str) -> None:
    """Versions of MODEL with aliases, lineage and holdout metrics."""
    from mlaas.registry import list_versions

    rows = []
    problems: dict[str, dict[str, str]] = {}
    for v in list_versions(model):
        lineage = v.lineage()
        if lineage.get("metric_problems"):
            problems[v.version] = json.loads(lineage["metric_problems"])
        metrics = {k.removeprefix("holdout_"): m for k, m in v.metrics.items() if "holdout_" in k}
        rows.append(
            {
                "version": v.version,
                "aliases": v.aliases,
                "family": lineage.get("family"),
                "data": lineage.get("data_hash", "")[:12],
                "trigger": lineage.get("trigger"),
                "metrics": " ".join(
                    [f"{k}={m:.4g}" for k, m in sorted(metrics.items())]
                    + [f"{k}=null" for k in sorted(problems.get(v.version, {}))]
                ),
            }
        )
    _echo_table(rows, ["version", "aliases", "family", "data", "trigger", "metrics"])
    for version, reasons in problems.items():
        for metric, reason in sorted(reasons.items()):
            click.echo(f"v{version} {metric}=null: {reason}")
    if rows:
        click.echo(
            f"model cards: mlaas registry card {model} <version>, or GET "
            f"/v1/models/{model}/versions/<version>/card on the training service"
        )


@registry.command("card")
@click.argument("model")
@click.argument("version")
@click.option("--html", is_flag=True, help="The HTML page instead of Markdown.")
def registry_card(model: str, version: str, html: bool) -> None:
    """The model card of VERSION of MODEL: intended use, data, metrics with intervals, slices,
    fairness, the gate's decision, importance, limitations."""
    from mlaas.cards import read_card

    click.echo(read_card(model, version, html=html), nl=False)


@registry.command("classes")
@click.argument("model")
@click.argument("version")
def registry_classes(model: str, version: str) -> None:
    """Per-class precision, recall, F1 and support of VERSION on its holdout, and the
    confusion matrix (rows: true class, columns: predicted)."""
    from mlaas.registry import per_class_metrics

    report = per_class_metrics(model, version)
    if report is None:
        raise ValueError(f"{model} v{version} has no per-class report (regression, or older)")

    def shown(value: float | None) -> str:
        return "null" if value is None else f"{value:.4f}"

    rows = [
        {
            "class": row["class"],
            "precision": shown(row["precision"]),
            "recall": shown(row["recall"]),
            "f1": shown(row["f1"]),
            "support": row["support"],
        }
        for row in report["per_class"]
    ]
    _echo_table(rows, ["class", "precision", "recall", "f1", "support"])
    click.echo(
        f"\nconfusion matrix on {report['rows']} holdout rows (rows: true, columns: predicted)"
    )
    classes = [str(c) for c in report["classes"]]
    width = max(len(c) for c in classes + ["true"])
    click.echo(" " * width + " " + " ".join(f"{c:>{max(len(c), 5)}}" for c in classes))
    for name, counts in zip(classes, report["confusion_matrix"], strict=True):
        cells = " ".join(f"{n:>{max(len(c), 5)}}" for c, n in zip(classes, counts, strict=True))
        click.echo(f"{name:<{width}} {cells}")


@registry.command("alias")
@click.argument("model")
@click.argument("alias")
@click.argument("version")
@click.option("--reason", required=True, help="Why (kept in the audit log).")
def registry_alias(model: str, alias: str, version: str, reason: str) -> None:
    """Point ALIAS of MODEL at VERSION (e.g. roll back)."""
    from mlaas.registry import set_alias

    set_alias(model, alias, version, reason=reason)
    click.echo(f"{model}@{alias} -> v{version}")


@registry.command("promote")
@click.argument("model")
@click.argument("version")
@click.option("--reason", required=True, help="Why (kept in the audit log).")
def registry_promote(model: str, version: str, reason: str) -> None:
    """Make VERSION the champion of MODEL by hand (audited)."""
    from mlaas.registry import CHAMPION, set_alias

    set_alias(model, CHAMPION, version, reason=f"manual promotion: {reason}")
    click.echo(f"{model}@{CHAMPION} -> v{version}")


@registry.command("compare")
@click.argument("model")
@click.argument("a")
@click.argument("b")
def registry_compare(model: str, a: str, b: str) -> None:
    """Holdout metrics of versions A and B side by side, with a paired test on B's holdout."""
    from mlaas.promotion import compare

    result = compare(model, a, b)
    _echo_table(result["metrics"], ["metric", a, b])
    click.echo(result["test"]["reason"])


@registry.command("best")
@click.argument("model")
@click.option("--metric", help="Holdout metric (default: the spec's primary metric).")
def registry_best(model: str, metric: str | None) -> None:
    """The version of MODEL with the best holdout metric."""
    from mlaas.registry import best_version

    best = best_version(model, metric)
    click.echo(f"{model} v{best.version} aliases={_fmt(best.aliases)}")


@cli.group()
def keys() -> None:
    """API keys for the services (stored hashed)."""


@keys.command("create")
@click.option("--name", required=True, help="Who or what uses the key.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(["predict", "train", "monitor", "admin"]),
)
@click.option(
    "--model",
    "models",
    multiple=True,
    help="Limit the key to this model (repeat for several; default: every model).",
)
@click.option(
    "--expires-in-days", type=click.IntRange(1, 3650), help="The key then stops working."
)
def keys_create(
    name: str, scopes: tuple[str, ...], models: tuple[str, ...], expires_in_days: int | None
) -> None:
    """Create a key; it is printed once and never stored in plain text."""
    from datetime import timedelta

    from mlaas.auth import create_key
    from mlaas.db import utcnow

    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    key, _ = create_key(name, list(scopes), models=list(models) or None, expires_at=expires_at)
    click.echo(key)


@keys.command("rotate")
@click.argument("prefix")
def keys_rotate(prefix: str) -> None:
    """Replace the key with PREFIX: a new key (same name, scopes, models and lifetime) is
    printed once, and the old one is revoked."""
    from mlaas.auth import rotate_key

    key, _ = rotate_key(prefix)
    click.echo(key)


@keys.command("list")
def keys_list() -> None:
    """Keys (prefixes only) with scopes and state."""
    from mlaas.auth import list_keys

    rows = [
        {
            "prefix": k.prefix,
            "name": k.name,
            "scopes": k.scopes,
            "models": k.models or "all",
            "expires": k.expires_at,
            "revoked": k.revoked_at,
        }
        for k in list_keys()
    ]
    _echo_table(rows, ["prefix", "name", "scopes", "models", "expires", "revoked"])


@keys.command("revoke")
@click.argument("prefix")
def keys_revoke(prefix: str) -> None:
    """Revoke the key with PREFIX."""
    from mlaas.auth import revoke_key

    revoke_key(prefix)
    click.echo(f"revoked {prefix}")


@cli.group()
def retention() -> None:
    """Retention of the prediction log, feedback, spool and quarantine (MLAAS_RETENTION_*)."""


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="Count what would go; delete nothing.")
def retention_apply(dry_run: bool) -> None:
    """Delete what is older than each kind's retention (the daily mlaas_retention DAG does)."""
    from mlaas.retention import apply_retention

    for line in apply_retention(dry_run=dry_run).lines():
        click.echo(line)


@cli.group()
def audit() -> None:
    """The audit trail."""


@audit.command("export")
@click.option("--since", required=True, help="ISO date or time (UTC unless it says).")
@click.option("--model", help="Only this model.")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option("--output", type=click.Path(path_type=Path), help="A file.  [default: stdout]")
def audit_export(since: str, model: str | None, fmt: str, output: Path | None) -> None:
    """Every audit entry since SINCE, oldest first, as JSON lines or CSV."""
    from mlaas.audit_export import export_audit, parse_since

    text = export_audit(parse_since(since), model=model, fmt=fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text)
        click.echo(f"wrote {output}", err=True)


@cli.group()
def lineage() -> None:
    """Lineage graph: dataset -> validation -> feature view -> run -> version -> aliases ->
    predictions."""


def _echo_lineage(graph: dict[str, Any], as_json: bool) -> None:
    from mlaas.lineage_graph import describe

    if as_json:
        click.echo(json.dumps(graph, indent=2))
        return
    for line in describe(graph):
        click.echo(line)


@lineage.command("dataset")
@click.argument("content_hash")
@click.option("--model", help="Only this model's datasets.")
@click.option("--json", "as_json", is_flag=True, help="The graph as JSON (nodes and edges).")
def lineage_dataset(content_hash: str, model: str | None, as_json: bool) -> None:
    """Which versions used dataset CONTENT_HASH (6 or more leading characters), and all that
    follows from it."""
    from mlaas.lineage_graph import dataset_lineage

    _echo_lineage(dataset_lineage(content_hash, model=model), as_json)


@lineage.command("version")
@click.argument("model")
@click.argument("version")
@click.option("--json", "as_json", is_flag=True, help="The graph as JSON (nodes and edges).")
def lineage_version(model: str, version: str, as_json: bool) -> None:
    """What data trained VERSION of MODEL, and what became of it."""
    from mlaas.lineage_graph import version_lineage

    _echo_lineage(version_lineage(model, version), as_json)


@cli.group()
def specs() -> None:
    """Model specs."""


@specs.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--no-data", is_flag=True, help="Check the spec files only, not their data.")
def specs_validate(paths: tuple[Path, ...], no_data: bool) -> None:
    """Check spec files (default: every spec in the specs folder), and each against its data
    and expectation suite when the data is there (every column it names present, of its type,
    covered by the suite)."""
    from mlaas.settings import get_settings
    from mlaas.spec_check import SpecDataMismatch, check_spec_data
    from mlaas.specs import SpecError, load_spec_file, spec_files

    failed = 0
    views: dict[str, Path] = {}
    for path in paths or tuple(spec_files(get_settings().specs_dir)):
        try:
            spec = load_spec_file(path)
            if spec.feature_view in views:  # one Feast view would serve two models
                raise SpecError(
                    f"{path}: feature_view: {spec.feature_view!r} is also the feature view of "
                    f"{views[spec.feature_view]}; each model needs its own"
                )
            views[spec.feature_view] = path
            data = "" if no_data else check_spec_data(spec)
        except SpecError as error:
            failed += 1
            for line in str(error).splitlines():
                click.echo(f"error: {line}", err=True)
            continue
        except SpecDataMismatch as mismatch:
            failed += 1
            for problem in mismatch.problems:
                click.echo(f"error: {problem}", err=True)
            continue
        click.echo(f"{path}: ok ({spec.name}, {spec.task}, spec hash {spec.spec_hash[:12]}{data})")
    if failed:
        sys.exit(1)


@specs.command("prune")
def specs_prune() -> None:
    """Remove the Feast objects of models whose spec file is gone (and entities no view uses)."""
    from mlaas.features import prune_features
    from mlaas.settings import get_settings
    from mlaas.specs import load_specs

    models = {spec.name for spec in load_specs(get_settings().specs_dir)}
    removed = prune_features(models)
    for line in removed:
        click.echo(f"removed {line}")
    click.echo(f"{len(removed)} Feast object(s) removed; kept those of {sorted(models)}")


@cli.group(invoke_without_command=True)
@click.option(
    "--concurrency", type=int, default=2, show_default=True, help="Task processes (2 cores: 2)."
)
@click.option("--hostname", "node", help="Celery node name.  [default: mlaas@<host>]")
@click.pass_context
def worker(ctx: click.Context, concurrency: int, node: str | None) -> None:
    """Run the Celery worker for every platform queue (async predictions, training jobs)."""
    if ctx.invoked_subcommand is not None:
        return
    from mlaas import worker_metrics
    from mlaas.settings import get_settings
    from mlaas.worker import node_name, worker_argv

    settings, node = get_settings(), node or node_name()
    port = worker_metrics.start(settings, node)  # before the pool forks (multiprocess metrics)
    if port is not None:
        click.echo(
            f"worker metrics: http://{settings.worker_metrics_host}:{port}/metrics", err=True
        )
    from mlaas.tasks import celery_app

    app = celery_app()
    app.worker_main(worker_argv(app, concurrency=concurrency, node=node))


@worker.command("ping")
@click.option("--hostname", "node", help="Celery node name.  [default: mlaas@<host>]")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds to wait.")
def worker_ping(node: str | None, timeout: float) -> None:
    """Exit 0 when the worker answers a ping (the compose healthcheck; needs Redis)."""
    from mlaas.settings import get_settings
    from mlaas.tasks import celery_app
    from mlaas.worker import node_name, ping, ready_line

    node = node or node_name()
    answered = ping(celery_app(), node, timeout)
    if answered is None:
        scheme = get_settings().celery_broker_url.partition("://")[0]
        raise ValueError(
            f"the {scheme} broker cannot broadcast pings; "
            f"the worker's log says '{ready_line(node)}' once it consumes"
        )
    if not answered:
        raise LookupError(f"worker {node} did not answer within {timeout:g}s")
    click.echo(f"{node}: pong")


@cli.group()
def db() -> None:
    """The platform DB's schema (Alembic migrations in mlaas/migrations)."""


@db.command("current")
def db_current() -> None:
    """Print the database's schema revision and the newest one."""
    from mlaas.db import make_engine
    from mlaas.schema import current, head
    from mlaas.settings import get_settings

    engine = make_engine(get_settings().database_url)
    with engine.connect() as connection:
        found = current(connection)
    click.echo(f"database: {found or 'none (not migrated yet)'}; newest: {head()}")


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest revision (the platform does it when it opens it)."""
    from mlaas.db import make_engine
    from mlaas.schema import head, upgrade
    from mlaas.settings import get_settings

    upgrade(make_engine(get_settings().database_url))
    click.echo(f"database at revision {head()}")


@cli.command()
@click.option("--no-train", is_flag=True, help="Do not train models that lack a champion.")
@click.option("--no-serve", is_flag=True, help="Train if needed, then exit (start no process).")
def up(no_train: bool, no_serve: bool) -> None:
    """Prepare the home, train missing champions through Airflow, start every process."""
    from mlaas.up import up as start

    sys.exit(start(train=not no_train, serve=not no_serve, say=click.echo))


def one_line(message: str) -> str:
    """Several lines as one: '; ' between items, a plain space after a line ending in ':'."""
    parts = [line.strip() for line in message.strip().splitlines() if line.strip()]
    joined = ""
    for part in parts:
        separator = "" if not joined else (" " if joined.endswith(":") else "; ")
        joined += separator + part
    return joined


def main() -> None:
    debug = "--debug" in sys.argv
    if not debug:  # library chatter (deprecations, MLflow's DB set-up) is not for CLI users
        warnings.filterwarnings("ignore")
        os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except USER_ERRORS as error:
        if debug:
            raise
        message = one_line(str(error)) or type(error).__name__
        click.echo(f"error: {message}", err=True)
        sys.exit(1)
    except Exception as error:  # an unexpected failure: still one line, traceback on --debug
        if debug:
            raise
        click.echo(
            f"error: {type(error).__name__}: {error} (run with --debug for details)", err=True
        )
        sys.exit(2)
