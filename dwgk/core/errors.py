"""The one shape of a refusal: a service says no with a message for the person and, where it
concerns one form field, that field's name. Every domain's error is a Refusal, so a form can
put any of them next to its field (dwgk.web.forms)."""
from __future__ import annotations


class Refusal(ValueError):
    """A refused change; the message is shown to the user as it is, next to `field`."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
