"""Evaluation: the inputs of the pure evaluator (cases), the sweep and the rulebook."""
