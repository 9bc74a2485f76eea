"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from monitor import create_app

app = create_app()
