"""The one ordered scale of levels (级别), and a bureau's names for its steps.

Every bureau compares levels on the same scale: a higher level also satisfies a lower minimum.
What a step is called is the bureau's (HA-TIERS: Haian, a county-level city, calls its third step
海安市级, not 区级), and a bureau may hide a step it does not use from its choice lists. This module
is plain data, no database: ``bureaus.selectors.level_names`` reads a bureau's names into a
``LevelNames``, which pages, forms, exports and the requirement engine's reason texts use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum

from django.utils.translation import gettext_lazy as _


class Level(IntEnum):
    SCHOOL = 1
    LEARNING_DISTRICT = 2
    DISTRICT = 3
    MUNICIPAL = 4
    PROVINCIAL = 5
    NATIONAL = 6


# The names a bureau sees until it names a step itself.
DEFAULT_NAMES = {
    Level.SCHOOL: _("School level"),
    Level.LEARNING_DISTRICT: _("Learning-district level"),
    Level.DISTRICT: _("District level"),
    Level.MUNICIPAL: _("Municipal level"),
    Level.PROVINCIAL: _("Provincial level"),
    Level.NATIONAL: _("National level"),
}


@dataclass(frozen=True)
class LevelNames:
    """A bureau's names for the steps of the scale, and the steps it hides from its choices."""

    names: Mapping[int, str] = field(default_factory=dict)
    hidden: frozenset[int] = frozenset()

    def name(self, level: int | None) -> str:
        """The bureau's name of ``level``; "—" for no level, the number for one off the scale."""
        if level is None or level == "":
            return "—"
        try:
            step = Level(int(level))
        except ValueError:
            return str(level)
        return self.names.get(step) or str(DEFAULT_NAMES[step])

    def as_dict(self) -> dict[int, str]:
        """Every step's name, hidden ones too (a stored value must still read right)."""
        return {int(step): self.name(step) for step in Level}

    def choices(self, *, keep: int | None = None) -> list[tuple[int, str]]:
        """The steps offered in a choice list, in order; ``keep`` (a value already stored) stays
        offered even when its step is hidden, so editing a row never loses its level."""
        return [
            (int(step), self.name(step))
            for step in Level
            if step not in self.hidden or (keep is not None and int(keep) == step)
        ]

    def parse(self, text: object) -> Level | None:
        """The step a spreadsheet cell names: the bureau's name, the default name or the number
        (1–6). None when the text names no step."""
        value = str(text if text is not None else "").strip()
        if not value:
            return None
        if value.isdigit():
            try:
                return Level(int(value))
            except ValueError:
                return None
        # The bureau's names first: a bureau may give one level the default name of another.
        for step in Level:
            if value == self.names.get(step):
                return step
        for step in Level:
            if value == str(DEFAULT_NAMES[step]):
                return step
        return None
