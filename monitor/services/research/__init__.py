"""Research: pseudonymised exports, compliance and impunity statistics."""
