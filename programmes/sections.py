"""What later apps add to a programme, so programmes names none of them.

From its own ``AppConfig.ready()`` an app registers:

- ``register_copy_section(name, copy=...)``: its part of a programme's configuration, copied when
  ``programme_copy`` makes the next cycle. ``copy(*, actor, source, target, months)`` runs in the
  copy's transaction, after the programme's own calendar, tiers and requirements; ``months`` is
  how far every date moves.
- ``register_programme_link(ProgrammeLink(...))``: a button on the programme's page (``place``
  "actions" at the top, "board" in the row of boards below) or a link in its row of the list
  ("list"); ``applies(programme)`` limits it to the programmes whose configuration has its page
  (e.g. only a programme with a PT-HOURS figure has school-based training hours).

How a section is loaded from a seed file is registered with ``demo.registry.add_seed_section``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class CopySection:
    name: str
    copy: Callable[..., None]


_COPY_SECTIONS: dict[str, CopySection] = {}


def register_copy_section(name: str, *, copy: Callable[..., None]) -> None:
    """Copy this part of a programme's configuration to a new cycle (again: no change)."""
    if name in _COPY_SECTIONS and _COPY_SECTIONS[name].copy is not copy:
        raise ValueError(f"a copy section {name!r} is registered already")
    _COPY_SECTIONS[name] = CopySection(name, copy)


def remove_copy_section(name: str) -> None:
    """Take a section out again (for tests)."""
    _COPY_SECTIONS.pop(name, None)


def copy_sections() -> list[CopySection]:
    """The registered sections, in the order they were added (that of INSTALLED_APPS)."""
    return list(_COPY_SECTIONS.values())


def _everybody(user) -> bool:
    return True


def _every_programme(programme) -> bool:
    return True


@dataclass(frozen=True)
class ProgrammeLink:
    label: str
    url_name: str
    place: str = "actions"  # "actions", "board" or "list"
    visible: Callable[..., bool] = _everybody  # visible(user)
    with_pk: bool = True  # the URL takes the programme's pk; otherwise ?programme=<pk>
    order: int = 500
    applies: Callable[..., bool] = _every_programme  # applies(programme)


_LINKS: list[ProgrammeLink] = []


def register_programme_link(*links: ProgrammeLink) -> None:
    """Add links to a programme's pages (again: no change), kept in their ``order``."""
    for link in links:
        if link not in _LINKS:
            _LINKS.append(link)
    _LINKS.sort(key=lambda link: link.order)


def links_for(user, programme, place: str) -> list[dict]:
    """The links at ``place`` that ``user`` sees for ``programme``: label and URL."""
    found = []
    for link in _LINKS:
        if link.place != place or not link.visible(user) or not link.applies(programme):
            continue
        if link.with_pk:
            url = reverse(link.url_name, args=[programme.pk])
        else:
            url = f"{reverse(link.url_name)}?programme={programme.pk}"
        found.append({"label": link.label, "url": url})
    return found
