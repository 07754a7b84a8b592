"""Reading a /metrics answer the way Prometheus does (prometheus_client's own parser), so tests
assert values of exact series instead of searching the text."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Series = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Series:
    """Every sample: (sample name, labels) -> value."""
    found: Series = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[sample.name, frozenset(sample.labels.items())] = sample.value
    return found


def value(series: Series, name: str, **labels: str) -> float:
    """The value of the one sample with exactly these labels (KeyError naming what exists)."""
    key = (name, frozenset(labels.items()))
    if key not in series:
        known = sorted(dict(k[1]) for k in series if k[0] == name)  # type: ignore[type-var]
        raise KeyError(f"no sample {name}{labels}; {name} has {known}")
    return series[key]


def names(series: Series) -> set[str]:
    return {name for name, _ in series}


def matching(series: Series, name: str, **labels: str) -> list[tuple[dict[str, str], float]]:
    """Every sample of `name` whose labels include these (others may have any value)."""
    wanted = set(labels.items())
    return [(dict(k), v) for (n, k), v in series.items() if n == name and wanted <= k]
