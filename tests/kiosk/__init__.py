"""The notice-board screen: helpers shared by its HTTP and browser tests."""
from __future__ import annotations


def make_screen(slug: str = "hall", *, name: str = "教学楼大厅", categories=(), rotation_seconds: int = 15,
                orientation=None, notice_line: str = "", active: bool = True):
    """A screen saved through the service (inside an app context; the caller commits)."""
    from dwgk.kiosk import services
    from dwgk.kiosk.models import Orientation

    return services.create_screen(services.ScreenInput(
        slug=slug, name=name, orientation=orientation or Orientation.LANDSCAPE,
        rotation_seconds=rotation_seconds, notice_line=notice_line, active=active,
        category_ids=[c.id for c in categories]))
