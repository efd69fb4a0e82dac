"""The engine's view of a programme is kept per process under ``Programme.config_stamp``: read
once, then one query (the stamp) while nothing it is made of changes, and read afresh after any
change — through the admin's forms, the m2m links, the calendar, the bureau's kinds and level
names."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bureaus.models import LevelName
from bureaus.tenancy import bureau_scope
from programmes import rules
from programmes.models import (
    CalendarPeriod,
    Criterion,
    EvidenceKind,
    Phase,
    Programme,
    Requirement,
    Tier,
)
from programmes.selectors import requirement_specs

ROOT = Path(__file__).resolve().parents[2]


def fresh(cast) -> Programme:
    """The programme as a new request reads it."""
    return Programme.objects.get(pk=cast.programme.pk)


def add_holiday(programme: Programme, name: str, starts: dt.date, ends: dt.date) -> None:
    CalendarPeriod.objects.create(
        bureau=programme.bureau,
        programme=programme,
        kind="holiday",
        name=name,
        starts=starts,
        ends=ends,
    )


def spec_of(cast) -> rules.RequirementSpec:
    (_requirement, spec), *_rest = requirement_specs(fresh(cast))
    return spec


def test_an_unchanged_programme_is_read_with_one_query(xuhui):
    with bureau_scope(xuhui.bureau):
        cold = fresh(xuhui)
        with CaptureQueriesContext(connection) as first:
            specs = requirement_specs(cold)
            years = cold.years
        warm = fresh(xuhui)
        with CaptureQueriesContext(connection) as second:
            again = requirement_specs(warm)
            assert warm.years == years  # the calendar comes with it
    assert len(first) >= 8 and len(second) == 1
    assert [s for _r, s in again] == [s for _r, s in specs]


def test_a_criterion_changed_in_its_form_is_read_afresh(xuhui):
    with bureau_scope(xuhui.bureau):
        assert spec_of(xuhui).clauses[0].alternatives[0].min_count == 1
        criterion = Criterion.objects.get(requirement__programme=xuhui.programme, clause=1)
        criterion.min_count = 3
        criterion.save()
        assert spec_of(xuhui).clauses[0].alternatives[0].min_count == 3
        criterion.delete()
        assert len(spec_of(xuhui).clauses) == 1


def test_links_changed_are_read_afresh(xuhui):
    with bureau_scope(xuhui.bureau):
        assert spec_of(xuhui).tiers == {"leader", "backbone"}
        requirement = Requirement.objects.get(programme=xuhui.programme)
        requirement.tiers.remove(Tier.objects.get(programme=xuhui.programme, code="backbone"))
        assert spec_of(xuhui).tiers == {"leader"}
        paper = EvidenceKind.objects.create(bureau=xuhui.bureau, code="paper", name="论文")
        criterion = Criterion.objects.get(requirement=requirement, clause=1)
        criterion.kinds.add(paper)
        assert spec_of(xuhui).clauses[0].alternatives[0].kinds == {"public_lesson", "paper"}
        criterion.tiers.set([Tier.objects.get(programme=xuhui.programme, code="leader")])
        assert spec_of(xuhui).clauses[0].tiers == {"leader"}
        paper.delete()  # from the kind's side of the link
        assert spec_of(xuhui).clauses[0].alternatives[0].kinds == {"public_lesson"}


def test_the_bureaus_kinds_and_level_names_are_read_afresh(xuhui):
    with bureau_scope(xuhui.bureau):
        assert spec_of(xuhui).clauses[0].alternatives[0].kind_names[0].endswith("公开教学")
        kind = EvidenceKind.objects.get(code="public_lesson")
        kind.name = "公开课"
        kind.save()
        alternative = spec_of(xuhui).clauses[0].alternatives[0]
        assert alternative.kind_names == ("公开课",)
        assert alternative.level_label == ""  # the default name
        LevelName.objects.create(bureau=xuhui.bureau, level=1, name="本校")
        assert spec_of(xuhui).clauses[0].alternatives[0].level_label == "本校"


def test_the_calendar_and_phases_are_read_afresh(xuhui):
    with bureau_scope(xuhui.bureau):
        before = [w.key for w in fresh(xuhui).years]
        requirement_specs(fresh(xuhui))
        programme = fresh(xuhui)
        programme.year_basis = "calendar_year"
        programme.save()
        after = fresh(xuhui)
        requirement_specs(after)
        assert [w.key for w in after.years] != before
        add_holiday(programme, "寒假", dt.date(2024, 1, 20), dt.date(2024, 2, 20))
        listed = fresh(xuhui)
        requirement_specs(listed)
        assert [h.name for h in listed.cycle.holidays] == ["寒假"]
        phase = Phase.objects.create(
            bureau=xuhui.bureau,
            programme=programme,
            name="实施阶段",
            starts=programme.start_month,
            ends=dt.date(2025, 8, 31),
        )
        criterion = Criterion.objects.get(requirement__programme=programme, clause=1)
        criterion.phase = phase
        criterion.save()
        assert spec_of(xuhui).clauses[0].within == (phase.starts, dt.date(2025, 8, 31))
        phase.ends = dt.date(2025, 12, 31)
        phase.save()
        assert spec_of(xuhui).clauses[0].within == (phase.starts, dt.date(2025, 12, 31))


def test_another_bureaus_change_leaves_this_one_kept(xuhui, putuo):
    with bureau_scope(xuhui.bureau):
        requirement_specs(fresh(xuhui))
    with bureau_scope(putuo.bureau):
        kind = EvidenceKind.objects.get(code="public_lesson")
        kind.name = "普陀公开课"
        kind.save()
    with bureau_scope(xuhui.bureau):
        programme = fresh(xuhui)
        with CaptureQueriesContext(connection) as queries:
            requirement_specs(programme)
    assert len(queries) == 1


CONFIG_MODELS = ("Criterion", "Requirement", "Tier", "Phase", "CalendarPeriod", "EvidenceKind")
CONFIG_MODELS += ("LevelName",)
BULK = re.compile(
    r"\b(" + "|".join(CONFIG_MODELS) + r")\.objects\b[^\n]*\.(update|bulk_create|bulk_update)\("
)


APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))


@pytest.mark.parametrize("folder", APPS)
def test_no_portal_code_changes_the_configuration_without_signals(folder):
    """QuerySet.update and bulk writes send no signals: the kept views would go stale."""
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
        for match in BULK.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found


def test_a_calendar_read_before_a_change_is_not_kept_for_others(xuhui):
    with bureau_scope(xuhui.bureau):
        stale = fresh(xuhui)
        assert stale.cycle.holidays == ()  # read now, before the holiday is added
        add_holiday(stale, "暑假", dt.date(2024, 7, 1), dt.date(2024, 8, 31))
        requirement_specs(stale)  # the new stamp, read with the old calendar in hand
        later = fresh(xuhui)
        requirement_specs(later)
        assert [h.name for h in later.cycle.holidays] == ["暑假"]
