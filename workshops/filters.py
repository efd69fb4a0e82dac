"""The GET filter forms of the programme-wide pages: which school year, which kind of group."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.models import Programme
from programmes.rules import Period, Window, windows

from .models import TeamKind


def years_of(programme: Programme) -> list[Window]:
    """The programme's years; for a cycle too short to hold one, the whole cycle."""
    return programme.years or windows(Period.CYCLE, programme.cycle)


def default_school_year(programme: Programme, today: dt.date) -> Window | None:
    """The programme's year that contains today; once the cycle is over (or before it
    starts), its last one."""
    years = years_of(programme)
    return next((w for w in years if today in w), years[-1] if years else None)


class SchoolYearFilterForm(forms.Form):
    """A school year of the programme; unbound, the one under way. With ``whole_cycle`` the
    empty choice stands for the whole cycle."""

    school_year = forms.ChoiceField(label=_("school year"), required=False)

    def __init__(self, *args, programme: Programme, today: dt.date, whole_cycle=False, **kwargs):
        super().__init__(*args, **kwargs)
        self._years = {w.key: w for w in years_of(programme)}
        self._default = default_school_year(programme, today)
        self._whole_cycle = whole_cycle
        choices = [(w.key, w.label) for w in self._years.values()]
        if whole_cycle:
            choices.insert(0, ("", _("the whole cycle")))
        field = self.fields["school_year"]
        field.label = programme.year_noun
        field.choices = choices
        field.initial = self._default.key if self._default else ""

    @property
    def chosen_year(self) -> Window | None:
        """The school year chosen: the default when nothing (or nothing valid) was chosen; None
        for the whole cycle (chosen, not merely absent: an export link may carry no year)."""
        if not self.is_bound or "school_year" not in self.data or not self.is_valid():
            return self._default
        key = self.cleaned_data.get("school_year")
        if not key:
            return None if self._whole_cycle else self._default
        return self._years.get(key, self._default)


class BoardFilterForm(SchoolYearFilterForm):
    kind = forms.ChoiceField(label=_("kind"), required=False)
    missing_only = forms.BooleanField(
        label=_("only groups with a missing briefing"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("every kind"))] + list(TeamKind.choices)

    @property
    def chosen_kind(self) -> str:
        return self.cleaned_data.get("kind", "") if self.is_bound and self.is_valid() else ""

    @property
    def only_missing(self) -> bool:
        return bool(self.is_bound and self.is_valid() and self.cleaned_data.get("missing_only"))
