"""Access to the application's cipher and rule sets from the service layer."""
from flask import current_app


def cipher():
    """The Cipher built from DATA_KEY at start-up."""
    return current_app.extensions["monitor.cipher"]


def rule_sets():
    """Loaded rule sets, by code."""
    return current_app.extensions["monitor.rule_sets"]
