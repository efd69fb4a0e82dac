"""Facts about a participant that other apps know, counted by the requirement engine as verified
evidence: e.g. a group a participant leads in the portal counts as a 指导团队 (XH-T3).

Cohorts cannot name the apps downstream of it, so they register a source from their ``ready()``.
A source takes the programme, the teachers and the programme's evidence kinds, and returns the
synthetic facts of many teachers at once in a fixed number of queries (the progress matrix keeps
a constant query count); it returns nothing, without a query, when no kind asks for its facts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from programmes import rules

FactSource = Callable[..., dict[int, list[rules.Evidence]]]

_SOURCES: list[FactSource] = []


def register_fact_source(source: FactSource) -> None:
    """Add a source of facts, once (``ready()`` may run more than once in tests)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def extra_facts(
    *, programme, teacher_ids: Collection[int], kinds: Collection
) -> dict[int, list[rules.Evidence]]:
    """Per teacher id: the facts every registered source knows, within the programme's cycle.

    ``kinds`` are the EvidenceKind rows the programme's criteria count; a source decides from
    them whether it has anything to say.
    """
    found: dict[int, list[rules.Evidence]] = {}
    if not teacher_ids:
        return found
    for source in _SOURCES:
        for teacher_id, facts in source(
            programme=programme, teacher_ids=teacher_ids, kinds=kinds
        ).items():
            found.setdefault(teacher_id, []).extend(facts)
    return found


def programme_kinds(requirements) -> list:
    """The evidence kinds the requirements' criteria count (criteria and kinds prefetched, as
    ``programmes.selectors.requirement_specs`` leaves them): no query."""
    kinds: dict[int, object] = {}
    for requirement in requirements:
        for criterion in requirement.criteria.all():
            for kind in criterion.kinds.all():
                kinds[kind.pk] = kind
    return list(kinds.values())
