"""Secrets: taken from the environment, or made once into instance/ in development."""
import base64
import os
import secrets

PRODUCTION_REQUIRED = ("SECRET_KEY", "JWT_SECRET_KEY", "DATA_KEY")


class ConfigurationError(RuntimeError):
    """The application cannot start with the settings it was given."""


def _read_or_create(path, make):
    """Return the content of `path`, creating it atomically with `make()` if absent."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as fh:
            return fh.read().strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        value = make()
        fh.write(value + "\n")
    return value


def ensure_secrets(config, instance_path):
    """Fill missing secrets: refuse in production, generate into instance/ otherwise."""
    missing = [name for name in PRODUCTION_REQUIRED if not config.get(name)]
    if not missing:
        return
    if config.get("ENV_NAME") == "production":
        raise ConfigurationError(
            "production mode needs real secrets; missing: " + ", ".join(missing))
    os.makedirs(instance_path, exist_ok=True)
    makers = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": lambda: secrets.token_urlsafe(48),
        "DATA_KEY": lambda: base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }
    for name in missing:
        path = os.path.join(instance_path, name.lower().replace("_", "-") + ".txt")
        config[name] = _read_or_create(path, makers[name])
