"""The Feast configuration, resolved from `mlaas.settings` and never from the process environment.

Feast would leave an unset `${VAR}` in feature_store.yaml literal and only fail at materialize
time, so the variables are filled in here, after parsing, from values derived from the settings.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote, urlparse

import yaml

from mlaas.settings import Settings, get_settings

if TYPE_CHECKING:
    from feast import FeatureStore
    from feast.repo_config import RepoConfig

_VAR = re.compile(r"\$\{([^}]*)\}")
_STORES: dict[tuple[str, str], FeatureStore] = {}


class FeastConfigError(ValueError):
    """The Feast config cannot be resolved; the message names the file and the variable."""


def config_variables(settings: Settings) -> dict[str, str]:
    """The `${VAR}` values a feature_store*.yaml may use, all derived from settings."""
    values = {
        "MLAAS_HOME": str(settings.home),
        "MLAAS_PROJECT_DIR": str(settings.project_dir),
        "MLAAS_DATABASE_URL": settings.database_url,
        "MLAAS_OBJECT_STORE_URL": settings.object_store_url,
    }
    if settings.s3_endpoint:
        values["MLAAS_S3_ENDPOINT_URL"] = s3_endpoint_url(settings)
    if settings.redis_url:  # Feast wants "host:port,db=N[,password=..][,ssl=true]"
        url = urlparse(settings.redis_url)
        host, port = url.hostname or "localhost", str(url.port or 6379)
        options = [f"db={url.path.strip('/') or '0'}"]
        options += [f"password={unquote(url.password)}"] if url.password else []
        options += ["ssl=true"] if url.scheme == "rediss" else []
        values["MLAAS_REDIS_HOST"], values["MLAAS_REDIS_PORT"] = host, port
        values["MLAAS_REDIS_CONNECTION"] = ",".join([f"{host}:{port}", *options])
    return values


def s3_endpoint_url(settings: Settings) -> str:
    return f"{'https' if settings.s3_secure else 'http'}://{settings.s3_endpoint}"


def _substitute(node: Any, values: dict[str, str], missing: set[str]) -> Any:
    if isinstance(node, dict):
        return {key: _substitute(value, values, missing) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(value, values, missing) for value in node]
    if isinstance(node, str):
        missing.update(name for name in _VAR.findall(node) if name not in values)
        return _VAR.sub(lambda m: values.get(m.group(1), m.group(0)), node)
    return node


def resolve_config(path: Path, settings: Settings) -> dict[str, Any]:
    """The YAML as a dict, `${VAR}`s filled in after parsing (a value cannot break the YAML)."""
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise FeastConfigError(f"{path}: Feast config not found (MLAAS_FEAST_CONFIG?)") from None
    if not isinstance(raw, dict):
        raise FeastConfigError(f"{path}: expected a mapping at the top level")
    missing: set[str] = set()
    resolved = _substitute(raw, config_variables(settings), missing)
    if missing:
        raise FeastConfigError(
            f"{path}: unresolved variable(s) {', '.join(sorted(missing))}; MLAAS_REDIS_* need "
            "MLAAS_REDIS_URL, MLAAS_S3_ENDPOINT_URL needs MLAAS_S3_ENDPOINT; known: "
            f"{sorted(config_variables(settings))}"
        )
    return cast(dict[str, Any], resolved)


def repo_config(settings: Settings | None = None) -> RepoConfig:
    from feast.repo_config import RepoConfig

    settings = settings or get_settings()
    resolved = resolve_config(settings.feature_store_yaml, settings)
    return RepoConfig(repo_path=settings.feature_repo_dir, **resolved)


def feature_store(settings: Settings | None = None) -> FeatureStore:
    """One FeatureStore per (config file, home) in a process: building one costs registry I/O."""
    settings = settings or get_settings()
    key = (str(settings.feature_store_yaml), str(settings.home))
    if key not in _STORES:
        from feast import FeatureStore

        (settings.home / "feast").mkdir(parents=True, exist_ok=True)
        logging.getLogger("feast").setLevel(logging.WARNING)  # its INFO lines are progress noise
        config = repo_config(settings)
        _STORES[key] = FeatureStore(repo_path=str(settings.feature_repo_dir), config=config)
    return _STORES[key]
