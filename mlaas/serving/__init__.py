"""Serving: compiled predictors, the model pool, routing, prediction log, cache, rate limits."""
