"""Reads on programmes: the engine's view of a programme's requirements."""

from __future__ import annotations

from collections import defaultdict

from bureaus.selectors import level_names

from . import rules
from .models import Programme, Requirement


def requirement_specs(programme: Programme) -> list[tuple[Requirement, rules.RequirementSpec]]:
    """Each requirement of the programme with its engine spec, in order; a constant number of
    queries however many requirements and criteria there are. The reason texts name levels as the
    programme's bureau does (HA-TIERS: 海安市级 where Xuhui says 区级)."""
    named = level_names(programme.bureau_id).names
    requirements = (
        Requirement.objects.filter(programme=programme)
        .prefetch_related("tiers", "criteria__tiers", "criteria__kinds")
        .order_by("order", "id")
    )
    result = []
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
                    alternatives=tuple(
                        rules.Alternative(
                            kinds=frozenset(k.code for k in c.kinds.all()),
                            kind_names=tuple(k.name for k in c.kinds.all()),
                            min_level=rules.Level(c.min_level),
                            min_count=c.min_count,
                            min_hours=c.min_hours,
                            delivery=c.delivery_mode,
                            min_total_hours=c.min_total_hours,
                            level_label=named.get(c.min_level, ""),
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
        result.append((requirement, spec))
    return result
