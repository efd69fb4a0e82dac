"""What the demo is made of, in order, and the parts other apps add to a programme seed.

Each module ``demo/<app label>.py`` (``demo/accounts.py``, ``demo/programmes.py``, ...) is
imported when the portal starts (``DemoConfig.ready``), in the order of INSTALLED_APPS, and
registers what it loads:

- ``add_step(name, command=...)``: one part of the demo, loaded by its own management command;
  ``manage.py seed_demo`` (what ``make demo`` runs) runs every step in the order they were added,
  so an app's step comes after those of the apps it builds on.
- ``add_seed_section(key, schema=..., load=...)``: a top-level ``key`` of a programme seed with
  its JSON Schema; ``load(programme, value, source=...)`` writes it for a new programme, in the
  seed's transaction, after the programme and its requirements. This is how a later app (credits,
  stipends) puts its part of a programme's configuration into the seed files without the
  programmes app or the seed loader naming it.

An app may also call these from its own ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from demo import schema as schemas


@dataclass(frozen=True)
class Step:
    """One part of the demo: its name and the management command that loads it alone."""

    name: str
    command: str


@dataclass(frozen=True)
class SeedSection:
    """A top-level key of a programme seed, and what writes it for a new programme."""

    key: str
    load: Callable[..., None]


_STEPS: dict[str, Step] = {}
_SEED_SECTIONS: dict[str, SeedSection] = {}


def add_step(name: str, *, command: str) -> Step:
    """Register a part of the demo (again: no change)."""
    step = Step(name, command)
    if _STEPS.get(name, step) != step:
        raise ValueError(f"a demo step named {name!r} is registered already")
    _STEPS[name] = step
    return step


def steps() -> list[Step]:
    """The parts of the demo, in the order ``seed_demo`` loads them."""
    return list(_STEPS.values())


def add_seed_section(key: str, *, schema: dict[str, Any], load: Callable[..., None]) -> None:
    """Let a programme seed carry ``key`` with this JSON Schema; ``load`` writes it."""
    if key in _SEED_SECTIONS and _SEED_SECTIONS[key].load is not load:
        raise ValueError(f"a seed section {key!r} is registered already")
    schemas.add_section("programme", key, schema)
    _SEED_SECTIONS[key] = SeedSection(key, load)


def remove_seed_section(key: str) -> None:
    """Take a section out again (for tests)."""
    _SEED_SECTIONS.pop(key, None)
    schemas.SCHEMAS["programme"]["properties"].pop(key, None)


def seed_sections() -> list[SeedSection]:
    """The registered sections of a programme seed, in the order they were added."""
    return list(_SEED_SECTIONS.values())
