"""One prediction request, end to end: route, look up the cache, score, explain, shadow, log.

The FastAPI routes (native, MLflow scoring protocol, Open Inference Protocol v2) all end here, so
the behaviour is the same whichever protocol a client speaks.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Sized
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
import numpy as np
from sqlalchemy.exc import SQLAlchemyError

from mlaas.db import new_request_id, utcnow
from mlaas.errors import FieldError, NotFound, PlatformError, Unavailable
from mlaas.registry import CHALLENGER, CHAMPION
from mlaas.serving.cache import PredictionCache
from mlaas.serving.pool import ModelPool
from mlaas.serving.predictor import Prediction, Predictor
from mlaas.serving.predlog import LogBlock, PredictionLogWriter
from mlaas.serving.routing import RoutingConfig, choose_variant, get_routing
from mlaas.serving.schema import MissingInputs, RecordSchema
from mlaas.serving.typed import TypedRecords, as_dicts
from mlaas.settings import Settings, get_settings
from mlaas.single_flight import SingleFlight

T = TypeVar("T")

log = logging.getLogger("mlaas.serving")

MAX_BATCH = 10_000  # records in one /predict/batch call
MAX_ONLINE = 1_000  # records in one /predict call
LOOK_UP: Any = object()  # `_score`: look the cache up (the caller has not)


class ModelNotServed(NotFound):
    """No loaded model under that name (or not under the asked alias)."""

    code = "model_not_found"


class BatchSizeError(PlatformError, ValueError):
    """A call with no records, or more than one call may carry."""

    code = "batch_size"


class EmptyBatch(BatchSizeError):
    status = 422


class BatchTooLarge(BatchSizeError):
    status = 413


class NoDefaultModel(PlatformError, ValueError):
    """A one-model protocol (MLflow's /invocations) was called while several models are served."""

    code = "no_default_model"


class BadEntityIds(FieldError):
    """Entity ids no online store can look up (mixed kinds, integers beyond 64 bits)."""

    code = "invalid_request"


INT64 = (-(2**63), 2**63 - 1)


def _check_entity_ids(entity_ids: list[Any]) -> None:
    """Ids are all integers within 64 bits, or all strings (what a Feast entity key holds)."""
    kinds = {type(i) for i in entity_ids}
    if not (kinds <= {int} or kinds <= {str}):
        raise BadEntityIds("entity_ids", "give all ids as integers or all as strings")
    for position, entity in enumerate(entity_ids):
        if isinstance(entity, int) and not INT64[0] <= entity <= INT64[1]:
            raise BadEntityIds(f"entity_ids[{position}]", f"{entity} is beyond 64-bit integers")


class UnknownEntity(NotFound):
    """Entity ids the online feature store has no features for."""

    code = "unknown_entity"


class PredictionLogUnavailable(Unavailable):
    """Neither the platform DB nor the spool folder takes prediction log rows right now."""

    code = "prediction_log_unavailable"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "5"}


def _check_size(records: Sized, max_records: int) -> None:
    if not records:
        raise EmptyBatch("send at least one record")
    if len(records) > max_records:
        raise BatchTooLarge(f"{len(records)} records; at most {max_records} per call")


@dataclass(frozen=True)
class Outcome:
    request_id: str
    model: str
    version: str
    variant: str  # champion | challenger (what answered)
    prediction: Prediction
    explanations: list[dict[str, float]] | None = None
    explained_classes: list[Any] | None = None  # the class each explanation explains
    missing: MissingInputs | None = None  # which inputs were null (None: none was)
    cached: bool = False
    latency_ms: float = 0.0


@dataclass(frozen=True)
class Scoring:
    """A checked, routed and encoded request waiting for the model (see `begin`)."""

    request_id: str
    started: float  # perf_counter at arrival
    model: str
    variant: str
    predictor: Predictor
    records: list[dict[str, Any]] | TypedRecords
    X: np.ndarray
    missing: MissingInputs | None  # which inputs were null and what replaced them
    shadow: bool  # the challenger scores it too, off the request path


@dataclass
class Counters:
    requests: int = 0
    cache: Counter[tuple[str, str]] = field(default_factory=Counter)  # (model, hit | miss)
    shadow: Counter[tuple[str, str]] = field(default_factory=Counter)  # (model, ok | failed)
    by_variant: dict[str, int] = field(default_factory=dict)


class PredictionService:
    """Holds the served models and everything a request touches besides them."""

    def __init__(
        self,
        *,
        pool: ModelPool,
        cache: PredictionCache,
        prediction_log: PredictionLogWriter,
        routing_ttl_s: float = 5.0,
        shared_cache_min_ms: float = 1.0,
    ) -> None:
        self.pool, self.cache, self.prediction_log = pool, cache, prediction_log
        self.routing_ttl_s = routing_ttl_s
        self.shared_cache_min_s = shared_cache_min_ms / 1000
        # Per served version: a moving average of the seconds one record takes to score.
        self._scoring_s: dict[str, float] = {}
        self.counters = Counters()
        self._routing: dict[str, tuple[float, RoutingConfig]] = {}
        self._reads = SingleFlight()
        self._shadow = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlaas-shadow")
        # Batches score here: one thread per core (native code, no GIL); more would only take
        # turns on the same cores.
        self._scoring = ThreadPoolExecutor(
            max_workers=os.cpu_count() or 2, thread_name_prefix="mlaas-scoring"
        )
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> PredictionService:
        from mlaas.db import get_engine

        settings = settings or get_settings()
        return cls(
            pool=ModelPool(
                native_cache=settings.home / "cache" / "trees"
                if settings.serving_native_trees
                else None
            ),
            cache=PredictionCache(settings.redis_url or None),
            prediction_log=PredictionLogWriter(
                get_engine(), Path(settings.home) / "spool" / "prediction_log"
            ),
            shared_cache_min_ms=settings.serving_shared_cache_min_ms,
        )

    def close(self) -> None:
        self.pool.stop()
        self._shadow.shutdown(wait=True)
        self._scoring.shutdown(wait=True)
        self.prediction_log.close()

    # -- models ------------------------------------------------------------------------------

    def predictor(self, model: str, variant: str = CHAMPION) -> Predictor:
        try:
            return self.pool.get(model, variant)
        except KeyError:
            served = sorted(self.pool.served())
            if model in served:
                raise ModelNotServed(f"model {model!r} has no {variant!r} being served") from None
            raise ModelNotServed(f"model {model!r} is not served; served: {served}") from None

    def record_schema(self, model: str) -> RecordSchema | None:
        """The champion's record schema (bodies decode straight into it), None if not served."""
        try:
            return self.pool.get(model, CHAMPION).record_schema
        except KeyError:
            return None

    def default_model(self) -> str:
        """The model a one-model protocol scores: the configured one, else the only one served."""
        configured = get_settings().serving_default_model
        if configured:
            return configured
        served = sorted(self.pool.served())
        if len(served) == 1:
            return served[0]
        raise NoDefaultModel(
            f"/invocations serves one model; name it with the X-Model-Name header, set "
            f"MLAAS_SERVING_DEFAULT_MODEL (served: {served}) or call "
            "/v1/models/{name}/invocations"
        )

    def variant_for_version(self, model: str, version: str | None) -> str:
        """The alias under which `version` of `model` is served (champion when not given)."""
        served = self.pool.served().get(model)
        if not served:
            raise ModelNotServed(f"model {model!r} is not served")
        if version is None:
            return CHAMPION
        for alias, served_version in served.items():
            if served_version == version:
                return alias
        raise ModelNotServed(
            f"model {model!r} version {version!r} is not served (served: {served})"
        )

    def check_records(
        self, model: str, records: list[dict[str, Any]], *, max_records: int = MAX_ONLINE
    ) -> None:
        """Size and feature checks, so bad input fails now rather than later in a worker."""
        _check_size(records, max_records)
        self.predictor(model).to_matrix(records)

    def routing(self, model: str) -> RoutingConfig:
        """The model's split, re-read from the DB at most every `routing_ttl_s`. While the DB
        does not answer, the split last read keeps routing (a model never read gets the DB
        error: 503)."""
        hit = self._routing.get(model)
        if hit is not None and hit[0] >= time.monotonic():
            return hit[1]
        return self._read_routing(model)

    def _read_routing(self, model: str) -> RoutingConfig:
        last = self._routing.get(model)
        try:
            config = get_routing(model)
        except SQLAlchemyError:
            if last is None:
                raise
            config = last[1]
        self._routing[model] = (time.monotonic() + self.routing_ttl_s, config)
        return config

    async def _routing_read(self, model: str) -> None:
        """Make `routing(model)` answer from memory, reading the DB off the loop when due: once
        for all the requests that find it due together, and in the background during the last
        20% of its TTL, so requests of a busy model do not wait on it."""
        hit = self._routing.get(model)
        left = -1.0 if hit is None else hit[0] - time.monotonic()
        await self._reads.refresh(
            ("routing", model), left, self.routing_ttl_s, self._read_routing, model
        )

    async def serve(self, call: Callable[[], T]) -> T:
        """`call()` (a `predict` that reads the Feast online store) in a worker thread, so the
        event loop never waits on that I/O."""
        return await anyio.to_thread.run_sync(call)

    def forget_routing(self, model: str) -> None:
        self._routing.pop(model, None)

    def records_for_entities(self, model: str, entity_ids: list[Any]) -> list[dict[str, Any]]:
        """Feature records from the Feast online store, in the order of the ids."""
        from mlaas.features import FOUND, online_features

        spec = self.predictor(model).spec
        if not entity_ids or len(entity_ids) > MAX_ONLINE:
            too_few_or_many = EmptyBatch if not entity_ids else BatchTooLarge
            raise too_few_or_many(f"send 1 to {MAX_ONLINE} entity ids, got {len(entity_ids)}")
        _check_entity_ids(entity_ids)
        try:
            values = online_features(spec, entity_ids)
        except (ValueError, TypeError, OverflowError) as error:  # Feast could not convert an id
            raise BadEntityIds(
                "entity_ids", f"not valid {spec.entity_key} values for {model!r}: {error}"
            ) from None
        missing = [i for i, found in zip(entity_ids, values[FOUND], strict=True) if not found]
        if missing:
            raise UnknownEntity(f"unknown {spec.entity_key} for {model!r}: {missing}")
        return [
            {name: values[name][row] for name in spec.feature_names}
            for row in range(len(entity_ids))
        ]

    # -- predictions -------------------------------------------------------------------------

    def predict(
        self,
        model: str,
        records: list[dict[str, Any]] | TypedRecords,
        *,
        routing_key: str | None = None,
        explain: bool = False,
        explain_class: Any = None,
        request_id: str | None = None,
        variant: str | None = None,
        max_records: int = MAX_ONLINE,
    ) -> Outcome:
        """Score records with the variant routing picks (or the one asked for), log every row;
        explain them when asked (`explain_class`: another class than the default)."""
        scoring = self.begin(
            model,
            records,
            routing_key=routing_key,
            request_id=request_id,
            variant=variant,
            max_records=max_records,
        )
        prediction, cached = self._score(scoring)
        return self.finish(
            scoring, prediction, cached=cached, explain=explain, explain_class=explain_class
        )

    async def predict_async(
        self,
        model: str,
        records: list[dict[str, Any]] | TypedRecords,
        *,
        routing_key: str | None = None,
        explain: bool = False,
        explain_class: Any = None,
        request_id: str | None = None,
        variant: str | None = None,
    ) -> Outcome:
        """`predict` for the event loop: nothing here blocks it. A routing entry due to be
        re-read is read in a worker thread; the cache's Redis lookup is awaited (pipelined with
        other requests'); scoring a few records is CPU work, done inline (a thread hop would
        cost more than it saves)."""
        await self._routing_read(model)
        scoring = self.begin(
            model, records, routing_key=routing_key, request_id=request_id, variant=variant
        )
        hit = None
        if len(scoring.records) == 1:
            predictor = scoring.predictor
            record = as_dicts(scoring.records)[0]
            hit = await self.cache.get_async(
                predictor.model, predictor.cache_version, record, shared=self.shares(predictor)
            )
        prediction, cached = self._score(scoring, hit)
        return self.finish(
            scoring, prediction, cached=cached, explain=explain, explain_class=explain_class
        )

    def begin(
        self,
        model: str,
        records: list[dict[str, Any]] | TypedRecords,
        *,
        routing_key: str | None = None,
        request_id: str | None = None,
        variant: str | None = None,
        max_records: int = MAX_ONLINE,
    ) -> Scoring:
        """Check, route and encode a request: everything before the model runs.

        `predict` is begin + score + finish. An async caller can run only the scoring
        (`scoring.predictor.scores(scoring.X)`, native code that releases the GIL) in a worker
        thread and keep the Python steps on its own thread: for large batches that avoids
        several threads fighting over the GIL for the Python parts.
        """
        started = time.perf_counter()
        request_id = request_id or new_request_id()
        _check_size(records, max_records)
        problem = self.prediction_log.cannot_store
        if problem is not None:  # every answer is logged: no log, no answer (and no lost rows)
            raise PredictionLogUnavailable(f"{problem}; try again shortly")
        config = self.routing(model)
        served = self.pool.served().get(model, {})
        if variant is None:
            variant = choose_variant(config, routing_key) if CHALLENGER in served else CHAMPION
        predictor = self.predictor(model, variant)
        X, missing = predictor.encode(records)
        return Scoring(
            request_id=request_id,
            started=started,
            model=model,
            variant=variant,
            predictor=predictor,
            records=records,
            X=X,
            missing=missing,
            shadow=config.shadow and variant == CHAMPION and CHALLENGER in served,
        )

    async def scores_off_loop(self, scoring: Scoring) -> np.ndarray:
        """`scoring`'s model scores, computed in a scoring thread and awaited on the running
        event loop, which meanwhile serves other requests (see `begin`)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._scoring, scoring.predictor.scores, scoring.X)

    def finish(
        self,
        scoring: Scoring,
        prediction: Prediction | np.ndarray,
        *,
        cached: bool = False,
        explain: bool = False,
        explain_class: Any = None,
    ) -> Outcome:
        """Explain (when asked), log, shadow and count a scored request (`prediction` may be
        the raw scores)."""
        predictor, records, variant = scoring.predictor, scoring.records, scoring.variant
        if isinstance(prediction, np.ndarray):
            prediction = predictor.prediction(prediction)
        explanations = predictor.explain_matrix(scoring.X, explain_class) if explain else None
        latency_ms = (time.perf_counter() - scoring.started) * 1000
        self._log(scoring.request_id, predictor, variant, records, prediction, latency_ms)
        if scoring.shadow:
            self._shadow.submit(self._score_shadow, scoring.model, scoring.request_id, records)
        with self._lock:
            self.counters.requests += 1
            self.counters.by_variant[variant] = self.counters.by_variant.get(variant, 0) + 1
        return Outcome(
            request_id=scoring.request_id,
            model=scoring.model,
            version=predictor.version,
            variant=variant,
            prediction=prediction,
            explanations=explanations,
            explained_classes=predictor.explained_classes(list(prediction.outputs), explain_class)
            if explain
            else None,
            missing=scoring.missing,
            cached=cached,
            latency_ms=latency_ms,
        )

    def _score(self, scoring: Scoring, hit: Any = LOOK_UP) -> tuple[Prediction, bool]:
        """Single records use the cache (validated in `begin`: nothing invalid reaches it);
        `hit`: the cache entry (or None) when the caller has looked it up already."""
        predictor, records, X = scoring.predictor, scoring.records, scoring.X
        if len(records) != 1:
            return predictor.predict_matrix(X), False
        record = as_dicts(records)[0]
        if hit is LOOK_UP:
            shared = self.shares(predictor)
            hit = self.cache.get(predictor.model, predictor.cache_version, record, shared=shared)
        if hit is not None:
            self.counters.cache[predictor.model, "hit"] += 1
            return Prediction(outputs=[hit["output"]], probabilities=hit["probabilities"]), True
        self.counters.cache[predictor.model, "miss"] += 1
        started = time.perf_counter()
        prediction = predictor.predict_matrix(X)
        self._timed(predictor, time.perf_counter() - started)
        probabilities = prediction.probabilities[0] if prediction.probabilities else None
        self.cache.set(
            predictor.model,
            predictor.cache_version,
            record,
            {
                "output": prediction.outputs[0],
                "probabilities": [probabilities] if probabilities else None,
            },
            shared=self.shares(predictor),
        )
        return prediction, False

    def shares(self, predictor: Predictor) -> bool:
        """Whether `predictor`'s answers go through the shared (Redis) cache: yes until its
        scoring time is known, then only when scoring one record costs at least
        `shared_cache_min_s` — a cheaper model is faster to score again than to fetch (a
        200-tree LightGBM scores a record in ~0.05 ms; a Redis lookup and write cost a replica
        ~0.12 ms of CPU, bench/README.md)."""
        seconds = self._scoring_s.get(predictor.cache_version)
        return seconds is None or seconds >= self.shared_cache_min_s

    def _timed(self, predictor: Predictor, seconds: float) -> None:
        previous = self._scoring_s.get(predictor.cache_version)
        key = predictor.cache_version
        self._scoring_s[key] = seconds if previous is None else 0.9 * previous + 0.1 * seconds

    def _score_shadow(
        self, model: str, request_id: str, records: list[dict[str, Any]] | TypedRecords
    ) -> None:
        """The challenger scores the same records off the request path; logged, never returned."""
        try:
            started = time.perf_counter()
            predictor = self.pool.get(model, CHALLENGER)
            prediction = predictor.predict_records(records)
            latency_ms = (time.perf_counter() - started) * 1000
            self._log(request_id, predictor, "shadow", records, prediction, latency_ms)
            self.counters.shadow[model, "ok"] += 1
        except Exception as error:  # noqa: BLE001 - a shadow failure must never reach a client
            self.counters.shadow[model, "failed"] += 1
            log.warning("shadow scoring of %s failed: %s", model, error)

    def _log(
        self,
        request_id: str,
        predictor: Predictor,
        variant: str,
        records: list[dict[str, Any]] | TypedRecords,
        prediction: Prediction,
        latency_ms: float,
    ) -> None:
        self.prediction_log.submit_block(
            LogBlock(
                request_id=request_id,
                model=predictor.model,
                version=predictor.version,
                variant=variant,
                inputs=predictor.logged_inputs(
                    records.rows if isinstance(records, TypedRecords) else records
                ),
                prediction=prediction,
                latency_ms=latency_ms,
                created_at=utcnow(),
            )
        )
