"""Every model module, imported in one place so that Alembic and create_app see them all."""
from dwgk.accounts.models import User, UserRole  # noqa: F401
from dwgk.core.generation import generation_table  # noqa: F401
from dwgk.core.audit import AuditEvent  # noqa: F401
from dwgk.catalog.models import CatalogEntry, Category  # noqa: F401
from dwgk.core.models import OutgoingMail, UnitSettings, WorkdayOverride  # noqa: F401
from dwgk.disclosures.models import (Attachment, Disclosure, OpinionAdoption, Review,  # noqa: F401
                                     Revision)
from dwgk.feedback.models import Feedback  # noqa: F401
from dwgk.notifications.models import Notification  # noqa: F401
from dwgk.supervision.models import SupervisionNote  # noqa: F401
from dwgk.kiosk.models import KioskScreen  # noqa: F401
from dwgk.reporting.models import ReportNarrative  # noqa: F401
