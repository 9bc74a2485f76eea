"""Use cases: authorization first, validation, one commit per use case."""
