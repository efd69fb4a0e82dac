"""Reads on programmes: the engine's view of a programme's requirements."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch, prefetch_related_objects

from bureaus.selectors import level_names

from . import rules
from .models import Criterion, CriterionCounts, Programme, Requirement

Specs = list[tuple[Requirement, rules.RequirementSpec]]


def requirement_specs(programme: Programme) -> Specs:
    """Each requirement of the programme with its engine spec, in order; a constant number of
    queries however many requirements and criteria there are. The reason texts name levels as the
    programme's bureau does (HA-TIERS: 海安市级 where Xuhui says 区级)."""
    return requirement_specs_of([programme.pk], programmes=[programme]).get(programme.pk, [])


# The engine's view of recently used programmes, kept per process under the programme's
# ``config_stamp`` (a new stamp on every change to what it is made of, see
# ``programmes.invalidation``): a request then reads one stamp instead of seven tables. The
# requirements kept are shared between requests and read only.
_kept: OrderedDict[tuple[int, uuid.UUID], tuple[tuple, tuple | None]] = OrderedDict()
_KEPT = 64
_lock = threading.Lock()


def forget_specs() -> None:
    """Drop every programme's kept view (tests measuring a cold read; never needed otherwise)."""
    with _lock:
        _kept.clear()


def requirement_specs_of(
    programme_ids: Iterable[int], *, programmes: Iterable[Programme] = ()
) -> dict[int, Specs]:
    """``requirement_specs`` for many programmes at once (by id): one query while their
    configuration is unchanged, otherwise a constant number more. Each requirement comes with
    its programme, and each programme given has its calendar read."""
    ids = list(programme_ids)
    given = {p.pk: p for p in programmes}
    stamps = dict(Programme.objects.filter(pk__in=ids).values_list("pk", "config_stamp"))
    found: dict[int, Specs] = {}
    unread: list[int] = []
    for pk, stamp in stamps.items():
        with _lock:
            entry = _kept.get((pk, stamp))
            if entry is not None:
                _kept.move_to_end((pk, stamp))
        if entry is None:
            unread.append(pk)
            continue
        specs, cycle = entry
        programme = given.get(pk)
        if programme is not None and cycle is not None and "_cycle" not in programme.__dict__:
            programme.__dict__["_cycle"] = cycle  # ``Programme.cycle`` checks it still fits
        found[pk] = list(specs)
    if unread:
        # A calendar read before this call may be older than the stamp: it is not kept.
        read_before = {pk for pk, p in given.items() if "_cycle" in p.__dict__}
        read = _read_specs(unread, programmes=[given[pk] for pk in unread if pk in given])
        for pk in unread:
            specs = read.get(pk, [])
            programme = given.get(pk) or (specs[0][0].programme if specs else None)
            cycle = None
            if programme is not None and pk not in read_before:
                programme.cycle  # noqa: B018 - read now (prefetched) to be kept with the specs
                cycle = programme.__dict__.get("_cycle")
            with _lock:
                _kept[pk, stamps[pk]] = (tuple(specs), cycle)
                while len(_kept) > _KEPT:
                    _kept.popitem(last=False)
            found[pk] = specs
    return found


def _read_specs(
    programme_ids: Iterable[int], *, programmes: Iterable[Programme] = ()
) -> dict[int, Specs]:
    """The engine's view of the programmes read from their tables, in a constant number of
    queries; each requirement comes with its programme (one instance per programme, given
    or read, with its calendar read for all of them at once)."""
    requirements = (
        Requirement.objects.filter(programme_id__in=list(programme_ids))
        .select_related("programme")
        .prefetch_related(
            "tiers",
            Prefetch("criteria", Criterion.objects.select_related("phase")),
            "criteria__tiers",
            "criteria__kinds",
        )
        .order_by("programme_id", "order", "id")
    )
    requirements = list(requirements)
    shared = {p.pk: p for p in programmes}
    for requirement in requirements:
        requirement.programme = shared.setdefault(requirement.programme_id, requirement.programme)
    unread = [p for p in shared.values() if "_cycle" not in p.__dict__]
    prefetch_related_objects(unread, "calendar_periods")
    names: dict[int, dict[int, str]] = {}

    def named_in(bureau_id: int) -> dict[int, str]:
        if bureau_id not in names:
            names[bureau_id] = level_names(bureau_id).names
        return names[bureau_id]

    result: dict[int, list[tuple[Requirement, rules.RequirementSpec]]] = defaultdict(list)
    for requirement in requirements:
        clauses: dict[int, list] = defaultdict(list)
        for criterion in requirement.criteria.all():
            clauses[criterion.clause].append(criterion)
        spec_clauses = []
        for number in sorted(clauses):
            criteria = clauses[number]
            first = criteria[0]
            spec_clauses.append(
                rules.Clause(
                    period=rules.Period(first.period),
                    tiers=frozenset(t.code for t in first.tiers.all()),
                    condition=first.condition_spec,
                    within=(first.phase.starts, first.phase.ends) if first.phase else None,
                    deadline=next((c.deadline for c in criteria if c.deadline), None),
                    alternatives=tuple(
                        rules.Alternative(
                            kinds=frozenset(k.code for k in c.kinds.all()),
                            kind_names=tuple(k.name for k in c.kinds.all()),
                            min_level=rules.Level(c.min_level),
                            min_count=c.min_count,
                            min_hours=c.min_hours,
                            delivery=c.delivery_mode,
                            min_total_hours=c.min_total_hours,
                            counts_people=c.counts == CriterionCounts.PEOPLE,
                            level_label=named_in(requirement.programme.bureau_id).get(
                                c.min_level, ""
                            ),
                        )
                        for c in criteria
                    ),
                )
            )
        spec = rules.RequirementSpec(
            key=requirement.code,
            title=requirement.title,
            clauses=tuple(spec_clauses),
            tiers=frozenset(t.code for t in requirement.tiers.all()),
        )
        result[requirement.programme_id].append((requirement, spec))
    return dict(result)
