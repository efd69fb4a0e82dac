"""Panels other apps add to a school's page, so accounts does not depend on them.

An app registers a ``SchoolPanel(template, context)`` from its ``AppConfig.ready()``;
``context(request, school)`` returns the panel's context, or None to leave it out. The page is
reached only by those who may see the school (``access.get_school_for_user``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class SchoolPanel:
    template: str
    context: Callable[..., dict | None]  # context(request, school)


SCHOOL_PANELS: list[SchoolPanel] = []


def register_school_panel(panel: SchoolPanel) -> None:
    """Add a panel to every school's page (again: no change)."""
    if panel not in SCHOOL_PANELS:
        SCHOOL_PANELS.append(panel)


def school_panels_for(request: HttpRequest, school) -> list[dict]:
    found = []
    for panel in SCHOOL_PANELS:
        context = panel.context(request, school)
        if context is not None:
            found.append({"template": panel.template, **context})
    return found
