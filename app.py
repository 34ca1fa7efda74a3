"""Entry point: `flask --app app …` and `gunicorn app:app`."""
from dwgk import create_app

app = create_app()
