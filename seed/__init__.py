"""Seed data: rule files (seed/rules/) and the demo data set."""
