"""The base form: CSRF from Flask-WTF, messages in Chinese, whitespace stripped."""
from __future__ import annotations

from typing import Callable

from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from dwgk.core.errors import Refusal
from dwgk.core.types import MAX_ID
from dwgk.extensions import db

# What save() returns when the change was refused (the reasons are on the form).
REFUSED = object()


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            # Strip surrounding whitespace from every text input.
            filters = list(unbound_field.kwargs.get("filters", []))
            if unbound_field.field_class.__name__ in {"StringField", "TextAreaField", "EmailField"}:
                filters.append(lambda value: value.strip() if isinstance(value, str) else value)
            return unbound_field.bind(form=form, filters=filters, **options)

    def add_error(self, field: str | None, message: str) -> None:
        """Attach a service's refusal to the field it concerns (or to the form)."""
        if field and field in self:
            self[field].errors = list(self[field].errors) + [message]
        else:
            self.form_errors.append(message)


def optional_int(value):
    """`coerce` for a select whose empty choice means "none": "" -> None, "7" -> 7, and
    anything else -> -1, which matches no choice and is refused with the field's message."""
    if value in (None, "", "None"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if 0 <= number <= MAX_ID else -1


def save(form: BaseForm, change: Callable, *, duplicate: tuple[str, str] | None = None,
         conflict: str | None = None):
    """Make a service's change and commit it; its result, or REFUSED with nothing saved.

    A service's Refusal goes next to its field. `duplicate=(field, message)`: a unique key
    taken by a concurrent save between the service's check and the commit. `conflict`: the
    message for a version column that refused a stale save (someone saved in between)."""
    try:
        result = change()
        db.session.commit()
    except Refusal as exc:
        db.session.rollback()
        form.add_error(exc.field, str(exc))
    except IntegrityError:
        db.session.rollback()
        if duplicate is None:
            raise
        form.add_error(*duplicate)
    except StaleDataError:
        db.session.rollback()
        if conflict is None:
            raise
        form.add_error(None, conflict)
    else:
        return result
    return REFUSED
