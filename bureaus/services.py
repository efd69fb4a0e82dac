"""Writes that belong to the bureau itself: the audit record every other service calls."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from .models import AuditEntry, Bureau


def audit_record(
    *,
    bureau: Bureau | int,
    actor: models.Model | None,
    action: str,
    target: models.Model | None = None,
    **data: Any,
) -> AuditEntry:
    """Write one audit row. Call it inside the transaction of the write it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    bureau_id = bureau if isinstance(bureau, int) else bureau.pk
    entry = AuditEntry(
        bureau_id=bureau_id,
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        data=_jsonable(data),
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
        entry.target_repr = str(target)[:200]
    entry.save()
    return entry


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
