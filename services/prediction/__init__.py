"""The prediction service: every champion (and challenger) in the registry, over REST."""
