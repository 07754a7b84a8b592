"""Every served model, following the registry's `champion`/`challenger` aliases.

Readers never lock and never see a half-loaded model: the pool is an immutable snapshot
(`(model, alias) -> predictor`) replaced whole under a lock, and a new version is loaded and
warmed before the snapshot that points at it is published. A version already loaded under the
other alias is reused, so promoting the challenger swaps instantly. A load that fails keeps the
old version serving and is recorded in `last_error`.

Served models are those with a `champion` alias (plus their `challenger`). An alias removed in the
registry stops being served at the next refresh. `ready` turns True after the first refresh that
read the registry and has every champion loaded; it stays True afterwards (old versions keep
serving through later failures).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from mlaas.registry import CHALLENGER, CHAMPION

if TYPE_CHECKING:
    from mlaas.serving.predictor import Predictor

log = logging.getLogger("mlaas.serving.pool")

Loader = Callable[..., "Predictor"]

# MLflow's HTTP client retries a refused connection 7 times with exponential backoff (minutes
# in all): a service that polls the registry every few seconds gains nothing from that, and a
# service starting while the MLflow server is down would not answer /health/live for minutes.
REGISTRY_HTTP_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "15",
}


def fail_fast_registry_reads() -> None:
    """Bound each registry read to seconds (values a user exported win): the pool's next poll
    is the retry."""
    import os

    for name, value in REGISTRY_HTTP_DEFAULTS.items():
        os.environ.setdefault(name, value)


ALIASES = (CHAMPION, CHALLENGER)


def load_predictor(model: str, *, alias: str | None = None, version: str | None = None) -> Any:
    """The default loader, imported late (the predictor pulls in MLflow and the estimators)."""
    from mlaas.serving.predictor import load_predictor as load

    return load(model, alias=alias, version=version)


def registry_aliases() -> dict[str, dict[str, str]]:
    """model -> {alias: version} for every registered model that has a champion."""
    from mlaas.registry import model_aliases

    wanted: dict[str, dict[str, str]] = {}
    for model, all_aliases in model_aliases().items():
        aliases = {a: v for a, v in all_aliases.items() if a in ALIASES}
        if CHAMPION in aliases:
            wanted[model] = aliases
    return wanted


class Served(NamedTuple):
    version: str
    predictor: Predictor


class ModelPool:
    """Loaded predictors by (model, alias); `refresh()` follows the registry."""

    def __init__(
        self,
        *,
        loader: Loader = load_predictor,
        source: Callable[[], dict[str, dict[str, str]]] = registry_aliases,
        native_cache: Path | None = None,
    ) -> None:
        self._loader = loader
        self._source = source
        self.native_cache = native_cache  # where compiled trees are kept; None: booster only
        self._snapshot: Mapping[tuple[str, str], Served] = MappingProxyType({})
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = False
        self.loads: Counter[tuple[str, str]] = Counter()  # (model, "ok" | "failed") -> loads
        self.last_error: dict[str, str] = {}
        self.registry_error: str | None = None
        self.last_refresh_at: float | None = None  # time.time() of the last registry read

    @property
    def loads_total(self) -> int:
        return sum(n for (_, result), n in self.loads.items() if result == "ok")

    @property
    def load_failures_total(self) -> int:
        return sum(n for (_, result), n in self.loads.items() if result == "failed")

    def get(self, model: str, variant: str = CHAMPION) -> Predictor:
        """The predictor serving `model` under `variant`; KeyError if none is."""
        return self._snapshot[(model, variant)].predictor

    def served(self) -> dict[str, dict[str, str]]:
        """model -> {alias: version} as served right now."""
        found: dict[str, dict[str, str]] = {}
        for (model, alias), entry in self._snapshot.items():
            found.setdefault(model, {})[alias] = entry.version
        return found

    def refresh(self) -> list[str]:
        """Poll the aliases; load, warm and swap what changed. Returns one line per change."""
        with self._write_lock:
            try:
                wanted = self._source()
            except Exception as error:  # noqa: BLE001 - registry down: keep serving what we have
                if self.registry_error is None:  # once per outage, not at every poll
                    log.warning("registry unreachable, keeping the served models: %s", error)
                self.registry_error = f"{type(error).__name__}: {error}"
                return []
            if self.registry_error is not None:
                log.info("registry reachable again")
            self.registry_error = None
            self.last_refresh_at = time.time()
            gone = [key for key in self._snapshot if key[1] not in wanted.get(key[0], {})]
            changes = [f"{model}@{alias}: removed" for model, alias in gone]
            if gone:
                self._snapshot = MappingProxyType(
                    {k: v for k, v in self._snapshot.items() if k not in gone}
                )
            champions_ok = True
            for model, aliases in sorted(wanted.items()):
                for alias in ALIASES:
                    version = aliases.get(alias)
                    current = self._snapshot.get((model, alias))
                    if version is None or (current is not None and current.version == version):
                        continue
                    if self._swap_in(model, alias, version):
                        old = current.version if current else "none"
                        changes.append(f"{model}@{alias}: {old} -> {version}")
                    elif alias == CHAMPION and current is None:
                        champions_ok = False
            if champions_ok:
                self.ready = True
            return changes

    def _swap_in(self, model: str, alias: str, version: str) -> bool:
        """Load (or reuse) `version`, warm it, then publish a snapshot that serves it."""
        predictor = next(
            (
                entry.predictor
                for key, entry in self._snapshot.items()
                if key[0] == model and entry.version == version
            ),
            None,
        )
        if predictor is None:
            started = time.perf_counter()
            try:
                predictor = self._loader(model, version=version)
                warm = getattr(predictor, "warm", None)
                if callable(warm):
                    warm(native_cache=self.native_cache) if self.native_cache else warm()
            except Exception as error:  # noqa: BLE001 - any load failure keeps the old version
                self.loads[model, "failed"] += 1
                problem = f"v{version} ({alias}): {type(error).__name__}: {error}"
                self.last_error = {**self.last_error, model: problem}  # copied: readers iterate
                log.error(
                    "loading %s v%s failed; keeping the old version: %s", model, version, error
                )
                return False
            self.loads[model, "ok"] += 1
            log.info("loaded %s v%s in %.2fs", model, version, time.perf_counter() - started)
        if model in self.last_error:
            self.last_error = {k: v for k, v in self.last_error.items() if k != model}
        # One attribute assignment: readers see the old snapshot or the new one, never a mix.
        self._snapshot = MappingProxyType(
            {**self._snapshot, (model, alias): Served(version, predictor)}
        )
        return True

    def start(self, interval_s: float) -> None:
        """Refresh now and then every `interval_s` seconds in a daemon thread."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(interval_s,), name="mlaas-model-pool", daemon=True
        )
        self._thread.start()

    def _run(self, interval_s: float) -> None:
        while not self._stop.is_set():
            try:
                for change in self.refresh():
                    log.info("model pool: %s", change)
            except Exception:  # noqa: BLE001 - the poller must survive anything
                log.exception("model pool refresh failed")
            self._stop.wait(interval_s)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop polling and wait for a refresh in progress to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
