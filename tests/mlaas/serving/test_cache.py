"""The in-process prediction cache: keys carry the version, canonical records, LRU and TTL."""

from __future__ import annotations

import pytest

from mlaas.serving.cache import PredictionCache, cache_key, canonical_json

RECORD = {"age": 41, "plan": "pro", "monthly_charges": 70.5, "autopay": True}


def test_get_returns_what_was_set_and_counts_hits_and_misses() -> None:
    cache = PredictionCache(None)
    assert cache.backend == "memory"
    assert cache.get("churn", "3", RECORD) is None
    cache.set("churn", "3", RECORD, {"output": "yes", "probabilities": {"no": 0.2, "yes": 0.8}})
    assert cache.get("churn", "3", RECORD) == {
        "output": "yes",
        "probabilities": {"no": 0.2, "yes": 0.8},
    }
    assert (cache.hits, cache.misses) == (1, 1)


def test_a_new_version_never_returns_the_old_answer() -> None:
    cache = PredictionCache(None)
    cache.set("churn", "3", RECORD, "yes")
    assert cache.get("churn", "4", RECORD) is None
    assert cache.get("house_prices", "3", RECORD) is None
    cache.set("churn", "4", RECORD, "no")
    assert (cache.get("churn", "3", RECORD), cache.get("churn", "4", RECORD)) == ("yes", "no")
    assert cache_key("churn", "4", RECORD).startswith("churn:4:")


def test_canonical_json_ignores_key_order_and_number_spelling() -> None:
    shuffled = {"autopay": True, "monthly_charges": 70.5, "plan": "pro", "age": 41.0}
    assert canonical_json(shuffled) == canonical_json(RECORD)
    assert cache_key("churn", "1", {"x": 1}) == cache_key("churn", "1", {"x": 1.0})
    assert cache_key("churn", "1", {"x": -0.0}) == cache_key("churn", "1", {"x": 0})


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"x": 1}, {"x": "1"}),  # a category "1" is not the number 1
        ({"x": True}, {"x": 1}),  # a bool is not a number
        ({"x": None}, {"x": 0}),  # null is imputed, not zero
        ({"x": 0.1}, {"x": 0.10000000000000002}),  # distinct floats stay distinct
        ({"x": 1}, {"x": 1, "y": None}),  # an extra field changes the record
    ],
)
def test_canonical_json_keeps_different_records_apart(
    a: dict[str, object], b: dict[str, object]
) -> None:
    assert cache_key("m", "1", a) != cache_key("m", "1", b)


def test_cache_refuses_values_it_cannot_key() -> None:
    with pytest.raises(TypeError):
        cache_key("m", "1", {"x": object()})
    with pytest.raises(ValueError):
        cache_key("m", "1", {"x": float("nan")})


def test_least_recently_used_entries_are_evicted_first() -> None:
    cache = PredictionCache(None, max_entries=3)
    for i in range(3):
        cache.set("m", "1", {"i": i}, i)
    assert cache.get("m", "1", {"i": 0}) == 0  # 0 is now the most recently used
    cache.set("m", "1", {"i": 3}, 3)
    assert len(cache) == 3
    assert cache.get("m", "1", {"i": 1}) is None
    assert [cache.get("m", "1", {"i": i}) for i in (0, 2, 3)] == [0, 2, 3]


def test_entries_expire_after_the_ttl() -> None:
    now = [100.0]
    cache = PredictionCache(None, ttl_s=30, clock=lambda: now[0])
    cache.set("m", "1", RECORD, 1.5)
    now[0] += 29.9
    assert cache.get("m", "1", RECORD) == 1.5
    now[0] += 0.2
    assert cache.get("m", "1", RECORD) is None
    assert len(cache) == 0


def test_batches_hit_and_miss_per_record() -> None:
    cache = PredictionCache(None)
    records = [{"i": i} for i in range(4)]
    cache.set_many("m", "1", records[:2], ["a", None])  # None is never cached
    assert cache.get_many("m", "1", records) == ["a", None, None, None]
    assert (cache.hits, cache.misses) == (1, 3)


def test_cached_values_are_copies() -> None:
    cache = PredictionCache(None)
    cache.set("m", "1", RECORD, {"output": [1, 2]})
    cache.get("m", "1", RECORD)["output"].append(3)
    assert cache.get("m", "1", RECORD) == {"output": [1, 2]}
