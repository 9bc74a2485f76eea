"""Flags: acknowledging and dismissing, raising and resolving (changes), the feed and webhooks."""
