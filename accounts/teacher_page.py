"""Panels other apps add to a teacher's pages — the teacher's own profile (/me/) and the page
staff and the school administrator read (/schools/teachers/<pk>/) — so accounts does not depend
on them.

An app registers a ``TeacherPanel(template, context)`` from its ``AppConfig.ready()``;
``context(request, profile, own)`` returns the panel's context, or None to leave it out (``own``:
the teacher is looking at their own page). The staff page is reached only by those who may see
the teacher's school.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class TeacherPanel:
    template: str
    context: Callable[..., dict | None]  # context(request, profile, own)


TEACHER_PANELS: list[TeacherPanel] = []


def register_teacher_panel(panel: TeacherPanel) -> None:
    """Add a panel to every teacher's pages (again: no change)."""
    if panel not in TEACHER_PANELS:
        TEACHER_PANELS.append(panel)


def teacher_panels_for(request: HttpRequest, profile, *, own: bool) -> list[dict]:
    found = []
    if profile is None:
        return found
    for panel in TEACHER_PANELS:
        context = panel.context(request, profile, own)
        if context is not None:
            found.append({"template": panel.template, **context})
    return found
