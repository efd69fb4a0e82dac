"""A new ``Programme.config_stamp`` whenever something the requirement engine reads of a
programme changes, so that ``programmes.selectors`` never serves an old view of it.

Receivers rather than services: the admin's inlines, cascades and the programme copy all change
these rows, and a stale engine view would mark teachers wrongly. They only stamp; nothing else
happens here. (``QuerySet.update`` and ``bulk_create`` on these models send no signals: nothing in
the portal changes them that way, and a test keeps it so.)
"""

from __future__ import annotations

import uuid

from django.db.models.signals import m2m_changed, post_delete, post_save


def _stamp(**filters) -> None:
    from .models import Programme

    Programme.objects.all_bureaus().filter(**filters).update(config_stamp=uuid.uuid4())


def _programme_row(sender, instance, raw=False, **kwargs) -> None:
    """A row of one programme (phase, calendar period, tier, requirement)."""
    if instance.programme_id:
        _stamp(pk=instance.programme_id)


def _criterion(sender, instance, raw=False, **kwargs) -> None:
    from .models import Requirement

    _stamp(
        pk__in=Requirement.objects.all_bureaus()
        .filter(pk=instance.requirement_id)
        .values("programme_id")
    )


def _bureau_row(sender, instance, raw=False, **kwargs) -> None:
    """A row every programme of the bureau reads (an evidence kind, a level's name)."""
    _stamp(bureau_id=instance.bureau_id)


def _links(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    from .models import Criterion, Requirement

    if isinstance(instance, Requirement):
        _stamp(pk=instance.programme_id)
    elif isinstance(instance, Criterion):
        _criterion(Criterion, instance)
    else:  # the other side of the link (a tier or a kind): its programmes or bureau
        _bureau_row(type(instance), instance)


def connect() -> None:
    from bureaus.models import LevelName

    from .models import CalendarPeriod, Criterion, EvidenceKind, Phase, Requirement, Tier

    for model in (Phase, CalendarPeriod, Tier, Requirement):
        post_save.connect(_programme_row, sender=model, dispatch_uid=f"stamp-{model.__name__}")
        post_delete.connect(_programme_row, sender=model, dispatch_uid=f"stamp-d-{model.__name__}")
    post_save.connect(_criterion, sender=Criterion, dispatch_uid="stamp-Criterion")
    post_delete.connect(_criterion, sender=Criterion, dispatch_uid="stamp-d-Criterion")
    for model in (EvidenceKind, LevelName):
        post_save.connect(_bureau_row, sender=model, dispatch_uid=f"stamp-{model.__name__}")
        post_delete.connect(_bureau_row, sender=model, dispatch_uid=f"stamp-d-{model.__name__}")
    for through in (Requirement.tiers.through, Criterion.tiers.through, Criterion.kinds.through):
        m2m_changed.connect(_links, sender=through, dispatch_uid=f"stamp-{through.__name__}")
