"""Configuration: secrets made once in development, refused when missing in production."""
import base64
import os

import pytest

from monitor import create_app
from monitor.keyring import ConfigurationError


def test_production_refuses_to_start_without_secrets(tmp_path):
    with pytest.raises(ConfigurationError) as err:
        create_app({"ENV_NAME": "production", "SECRET_KEY": None, "JWT_SECRET_KEY": None,
                    "DATA_KEY": None, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    assert "DATA_KEY" in str(err.value)


def test_bad_data_key_is_refused(tmp_path):
    with pytest.raises(ConfigurationError):
        create_app({"SECRET_KEY": "s", "JWT_SECRET_KEY": "j" * 32, "DATA_KEY": "c2hvcnQ=",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})


def test_development_generates_keys_once_into_instance(tmp_path, monkeypatch):
    from monitor import keyring as secrets
    config = {"ENV_NAME": "development", "SECRET_KEY": None, "JWT_SECRET_KEY": None, "DATA_KEY": None}
    secrets.ensure_secrets(config, str(tmp_path))
    again = {"ENV_NAME": "development", "SECRET_KEY": None, "JWT_SECRET_KEY": None, "DATA_KEY": None}
    secrets.ensure_secrets(again, str(tmp_path))
    assert config == again
    assert len(base64.urlsafe_b64decode(config["DATA_KEY"])) == 32
    assert oct(os.stat(tmp_path / "data-key.txt").st_mode)[-3:] == "600"
