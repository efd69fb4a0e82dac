"""Writes on programmes: copying a programme to a new cycle."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bureaus.services import audit_record

from . import rules
from .models import (
    CalendarPeriod,
    Criterion,
    Milestone,
    Phase,
    Programme,
    ProgrammeStatus,
    Requirement,
    Tier,
)
from .sections import copy_sections


def _shift(day: dt.date | None, months: int) -> dt.date | None:
    if day is None:
        return None
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    first = dt.date(year, month + 1, 1)
    return first.replace(day=min(day.day, rules.month_end(first).day))


@transaction.atomic
def programme_copy(
    *, actor, programme: Programme, code: str, name: str, start_month: dt.date
) -> Programme:
    """Copy a programme's calendar, tiers and requirements to a new cycle, as a draft.

    Every date moves by the same number of months as the cycle's start; the copy keeps the
    cycle's length.
    """
    if Programme.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A programme with this code already exists.")})
    start = rules.month_start(start_month)
    months = (
        (start.year - programme.start_month.year) * 12 + start.month - (programme.start_month.month)
    )
    copy = Programme.objects.create(
        bureau_id=programme.bureau_id,
        code=code,
        name=name,
        document_number="",
        document_date=None,
        start_month=start,
        end_month=_shift(programme.end_month, months),
        year_basis=programme.year_basis,
        status=ProgrammeStatus.DRAFT,
        description=programme.description,
    )
    phases = {}
    for phase in programme.phases.all():
        phases[phase.pk] = Phase.objects.create(
            bureau_id=copy.bureau_id,
            programme=copy,
            name=phase.name,
            starts=_shift(phase.starts, months),
            ends=_shift(phase.ends, months),
            description=phase.description,
        )
    for period in programme.calendar_periods.all():
        CalendarPeriod.objects.create(
            bureau_id=copy.bureau_id,
            programme=copy,
            kind=period.kind,
            name=period.name,
            starts=_shift(period.starts, months),
            ends=_shift(period.ends, months),
        )
    for milestone in programme.milestones.all():
        Milestone.objects.create(
            bureau_id=copy.bureau_id,
            programme=copy,
            title=milestone.title,
            repeat=milestone.repeat,
            due=_shift(milestone.due, months),
            month=milestone.month,
            owner=milestone.owner,
            scope=milestone.scope,
            duration=milestone.duration,
            description=milestone.description,
        )
    tiers = {}
    for tier in programme.tiers.all():
        tiers[tier.pk] = Tier.objects.create(
            bureau_id=copy.bureau_id,
            programme=copy,
            code=tier.code,
            name=tier.name,
            order=tier.order,
            description=tier.description,
            lead_rank=tier.lead_rank,
        )
    requirements = programme.requirements.prefetch_related(
        "tiers", "criteria__tiers", "criteria__kinds"
    )
    for requirement in requirements:
        new = Requirement.objects.create(
            bureau_id=copy.bureau_id,
            programme=copy,
            code=requirement.code,
            title=requirement.title,
            description=requirement.description,
            order=requirement.order,
        )
        new.tiers.set([tiers[t.pk] for t in requirement.tiers.all()])
        for criterion in requirement.criteria.all():
            new_criterion = Criterion.objects.create(
                bureau_id=copy.bureau_id,
                requirement=new,
                clause=criterion.clause,
                period=criterion.period,
                min_level=criterion.min_level,
                min_count=criterion.min_count,
                min_hours=criterion.min_hours,
                min_total_hours=criterion.min_total_hours,
                delivery_mode=criterion.delivery_mode,
                phase=phases.get(criterion.phase_id),
                condition=criterion.condition,
                condition_value=criterion.condition_value,
                counts=criterion.counts,
                due_date=_shift(criterion.due_date, months),
                due_month=criterion.due_month,
                due_day=criterion.due_day,
            )
            new_criterion.tiers.set([tiers[t.pk] for t in criterion.tiers.all()])
            new_criterion.kinds.set(criterion.kinds.all())
    # Later apps' parts of the configuration (assessment scheme, credit and stipend rules, ...).
    for section in copy_sections():
        section.copy(actor=actor, source=programme, target=copy, months=months)
    audit_record(
        bureau=copy.bureau_id,
        actor=actor,
        action="programme.copy",
        target=copy,
        source=programme.code,
        source_id=programme.pk,
    )
    return copy
