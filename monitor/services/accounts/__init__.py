"""Accounts: sign-in and tokens, users, passwords, login throttling."""
