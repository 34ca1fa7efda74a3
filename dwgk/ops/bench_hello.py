"""The bare Flask app `make bench` compares dwgk with: one route, served the same way."""
from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
