"""Bearer tokens verified once per process.

flask-jwt-extended decodes a token three times a request (its claims unverified, its header,
then its signature and claims). A token's signature and claims are fixed: what passed once
passes again, so the verified claims are kept (a bounded LRU, keyed by the token and the
verification settings, the key included). Only the expiry depends on the time: it is checked
again on every use. Revocation, deactivation and a changed password are not decided here:
they are read from the database on every request (services.accounts.auth). A token that fails
is never kept: it takes flask-jwt-extended's own path, which raises its usual errors.
"""
from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from flask_jwt_extended import JWTManager
from flask_jwt_extended.config import config
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_jwt_extended.tokens import _decode_jwt
from jwt.exceptions import PyJWTError

VERIFIED_TOKENS = 4096  # distinct tokens kept per process (about 2 KiB each)
MAX_TOKEN_LENGTH = 4096  # longer strings are never kept (ours are about 400 characters)

clock = time.time  # the tests move it


@lru_cache(maxsize=VERIFIED_TOKENS)
def _verified(encoded_token: str, secret: str, algorithms: tuple[str, ...], issuer: Any,
              identity_claim_key: str, verify_sub: bool) -> dict[str, Any]:
    """The token's claims once its signature, issuer, nbf and iat are verified (not its
    expiry); raises as PyJWT does."""
    return _decode_jwt(algorithms=list(algorithms), allow_expired=True,
                       audience=None,  # type: ignore[arg-type]
                       csrf_value=None, encoded_token=encoded_token,  # type: ignore[arg-type]
                       identity_claim_key=identity_claim_key, issuer=issuer, leeway=config.leeway,
                       secret=secret, verify_aud=False, verify_sub=verify_sub)


def _expired(claims: dict[str, Any]) -> bool:
    """PyJWT's rule: expired when exp <= now - leeway."""
    exp = claims.get("exp")
    return isinstance(exp, (int, float)) and exp <= clock() - config.leeway


class CachingJWTManager(JWTManager):
    """flask-jwt-extended's manager with verified tokens remembered (see the module)."""

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value: Any = None,
                                allow_expired: bool = False) -> dict[str, Any]:
        if (csrf_value is None and config.decode_audience is None and isinstance(encoded_token, str)
                and len(encoded_token) <= MAX_TOKEN_LENGTH and isinstance(config.decode_key, str)):
            try:
                claims = _verified(encoded_token, config.decode_key, tuple(config.decode_algorithms),
                                   config.decode_issuer, config.identity_claim_key, config.verify_sub)
            except (PyJWTError, JWTExtendedException, ValueError, TypeError):
                claims = None  # flask-jwt-extended's path below raises what it should
            if claims is not None and (allow_expired or not _expired(claims)):
                return dict(claims)
        return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)


def forget_verified() -> None:
    """Empty this process's verified tokens (tests)."""
    _verified.cache_clear()
