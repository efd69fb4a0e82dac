"""Panels other apps add to the home page, so accounts does not depend on them.

An app registers ``(template name, function of the request returning the panel's context or
None)`` in its ``AppConfig.ready()``; a panel whose function returns None is not shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[HttpRequest], dict | None]


DASHBOARD_PANELS: list[Panel] = []


def panels_for(request: HttpRequest) -> list[dict]:
    found = []
    for panel in DASHBOARD_PANELS:
        context = panel.context(request)
        if context is not None:
            found.append({"template": panel.template, **context})
    return found
