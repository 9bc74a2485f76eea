"""Seed data: the demo and bulk data sets (the built-in law is monitor/rules/)."""
