"""Tuning, training and evaluation: Optuna search over model families, refit, holdout metrics."""
