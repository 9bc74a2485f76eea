"""Pure domain logic: no Flask, no database (rules, evaluation, flags, research, signing)."""
