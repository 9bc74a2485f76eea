"""Flask extensions, created unbound and attached in the factory."""
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from monitor.tokens import CachingJWTManager


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
jwt = CachingJWTManager()
