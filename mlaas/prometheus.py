"""The Prometheus server `mlaas up` starts on the embedded defaults: its configuration, written
under `MLAAS_HOME/prometheus/` for the ports this run chose, with the platform's alert rules.

The jobs are those of the compose stack's infra/prometheus.yml (one per service and the worker),
so every Grafana panel and alert rule reads the same series on one machine as on the stack.
Debian's `prometheus` package (or any release on the PATH) provides the binary; without it
`mlaas up` says how to add it and goes on.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from mlaas.settings import Settings

JOBS = ("prediction", "training", "monitoring", "worker")
RULES = Path("infra") / "prometheus" / "alerts.yml"
HOW_TO_INSTALL = "apt-get install prometheus (Debian), or put a release's binary on the PATH"


def binary() -> str | None:
    return shutil.which("prometheus")


def folder(settings: Settings) -> Path:
    return settings.home / "prometheus"


def config(settings: Settings, targets: dict[str, int]) -> dict[str, Any]:
    """Scrape every platform process on loopback (`targets`: job -> port) and Prometheus itself;
    evaluate the platform's alert rules."""
    ports = {"prometheus": settings.prometheus_port} | {
        j: targets[j] for j in JOBS if j in targets
    }
    scrape = [
        {"job_name": job, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
        for job, port in ports.items()
    ]
    interval = settings.prometheus_scrape_interval
    return {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(settings.project_dir / RULES)],
        "scrape_configs": scrape,
    }


def write_config(settings: Settings, targets: dict[str, int]) -> Path:
    path = folder(settings) / "prometheus.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Written by `mlaas up` for this run's ports (mlaas/prometheus.py); do not edit.\n"
    path.write_text(header + yaml.safe_dump(config(settings, targets), sort_keys=False))
    return path


def command(settings: Settings, config_file: Path) -> list[str]:
    executable = binary() or "prometheus"
    return [
        executable,
        f"--config.file={config_file}",
        f"--storage.tsdb.path={folder(settings) / 'data'}",
        f"--web.listen-address=127.0.0.1:{settings.prometheus_port}",
        "--storage.tsdb.retention.time=15d",
        "--web.enable-lifecycle",  # POST /-/reload after editing the rules
    ]
