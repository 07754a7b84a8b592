"""Extremely randomized trees (scikit-learn): a forest whose splits are drawn at random, often
as accurate as a random forest and faster to fit; scored, explained and grown like one."""

from __future__ import annotations

from typing import Any

from mlaas.families.random_forest import RandomForestFamily


class ExtraTreesFamily(RandomForestFamily):
    name = "extra_trees"
    estimator_types = ("ExtraTreesClassifier", "ExtraTreesRegressor")

    def build(self, classification: bool, params: dict[str, Any], seed: int) -> Any:
        from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor

        forest = ExtraTreesClassifier if classification else ExtraTreesRegressor
        return forest(n_jobs=1, random_state=seed, **params)


FAMILY = ExtraTreesFamily()
