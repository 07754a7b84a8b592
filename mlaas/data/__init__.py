"""Datasets the platform ships: a seeded synthetic churn generator and the real house prices."""
