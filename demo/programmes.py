"""Programme seeds: a bureau's programme written down as JSON, loaded once into that bureau.

A seed file in ``fixtures/programmes/`` holds the bureau's code, the evidence kinds its programme
counts, and the programme itself: cycle, phases, milestones, tiers and requirements, each
requirement with its criteria (criteria that share a clause number are alternatives of that
clause). The file is checked as a whole against its schema (``demo.schema``) before anything is
written; a mistake is a ``ValueError`` that names the file, the requirement it is in and the path
of the value. Parts that other apps register (``demo.registry.add_seed_section``) are written
after the programme, in the same transaction.

This is also how a bureau's real programme gets into the portal (``manage.py load_programmes
FILE``); nothing else in the product calls it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from bureaus.models import Bureau
from bureaus.services import audit_record
from bureaus.tenancy import bureau_scope
from demo import registry, schema
from programmes import rules
from programmes.models import (
    CalendarPeriod,
    Criterion,
    CriterionCounts,
    EvidenceKind,
    Milestone,
    Phase,
    Programme,
    Repeat,
    Requirement,
    Tier,
    YearBasis,
)

SEED_DIR = Path(settings.BASE_DIR) / "fixtures" / "programmes"

_M = TypeVar("_M", bound=models.Model)


class SeedBureauMissing(LookupError):
    """A seed names a bureau code that no bureau has."""


def seed_files(directory: Path = SEED_DIR) -> list[Path]:
    """The seed files in ``directory``, by name."""
    return sorted(directory.glob("*.json"))


def read_seed(path: Path) -> dict[str, Any]:
    """The seed's data, checked against its schema (``demo.schema``); ValueError names the file."""
    return schema.read(Path(path), "programme")


def load_programme_seed(path: Path) -> Programme | None:
    """Create the programme a seed file describes, in its bureau, in one transaction.

    Returns None, changing nothing, when the bureau already has a programme with that code. The
    evidence kinds are taken from the bureau when it has them already (by code) and created
    otherwise. Raises ValueError for a malformed seed and SeedBureauMissing when the bureau does
    not exist.
    """
    path = Path(path)
    data = read_seed(path)
    bureau = Bureau.objects.filter(code=data["bureau"]).first()
    if bureau is None:
        raise SeedBureauMissing(
            f"{path}: there is no bureau with code {data['bureau']!r}; "
            "create it first (the demo bureaus come from `manage.py load_demo`)."
        )
    spec = data["programme"]
    with bureau_scope(bureau), transaction.atomic():
        if Programme.objects.filter(code=spec["code"]).exists():
            return None
        programme = _create(bureau, data, source=str(path))
        for section in registry.seed_sections():
            if section.key in data:
                section.load(programme, data[section.key], source=str(path))
        audit_record(
            bureau=bureau,
            actor=None,
            action="programme.seed",
            target=programme,
            source=path.name,
        )
    return programme


# --- Writing -----------------------------------------------------------------------------------


def _create(bureau: Bureau, data: dict, *, source: str) -> Programme:
    spec = data["programme"]
    kinds = {
        item["code"]: _evidence_kind(bureau, item, source=source) for item in data["evidence_kinds"]
    }
    programme = _saved(
        Programme(
            bureau=bureau,
            code=spec["code"],
            name=spec["name"],
            document_number=spec.get("document_number") or "",
            document_date=_optional_date(spec.get("document_date")),
            start_month=dt.datetime.strptime(spec["start_month"], "%Y-%m").date(),
            end_month=rules.month_end(dt.datetime.strptime(spec["end_month"], "%Y-%m").date()),
            status=spec["status"],
            description=spec.get("description") or "",
            assumptions=spec.get("assumptions") or "",
            year_basis=spec.get("year_basis") or YearBasis.SCHOOL_YEAR,
        ),
        source=source,
        where=f"programme {spec['code']!r}",
    )
    for item in spec.get("calendar") or []:
        _saved(
            CalendarPeriod(
                bureau=bureau,
                programme=programme,
                kind=item["kind"],
                name=item["name"],
                starts=dt.date.fromisoformat(item["starts"]),
                ends=dt.date.fromisoformat(item["ends"]),
            ),
            source=source,
            where=f"calendar period {item['name']!r}",
        )
    phases = {}
    for item in spec["phases"]:
        phases[item["name"]] = _saved(
            Phase(
                bureau=bureau,
                programme=programme,
                name=item["name"],
                starts=dt.date.fromisoformat(item["starts"]),
                ends=dt.date.fromisoformat(item["ends"]),
                description=item.get("description") or "",
            ),
            source=source,
            where=f"phase {item['name']!r}",
        )
    for item in spec["milestones"]:
        _saved(
            Milestone(
                bureau=bureau,
                programme=programme,
                title=item["title"],
                repeat=item.get("repeat") or Repeat.ONCE,
                due=_date_or_month(item.get("due")),
                month=item.get("month"),
                owner=item.get("owner") or "",
                scope=item.get("scope") or "",
                duration=item.get("duration") or "",
                description=item.get("description") or "",
            ),
            source=source,
            where=f"milestone {item['title']!r}",
        )
    tiers = {
        item["code"]: _saved(
            Tier(
                bureau=bureau,
                programme=programme,
                code=item["code"],
                name=item["name"],
                order=item["order"],
                description=item.get("description") or "",
                lead_rank=item.get("lead_rank") or "",
            ),
            source=source,
            where=f"tier {item['code']!r}",
        )
        for item in spec["tiers"]
    }
    for item in spec["requirements"]:
        where = f"requirement {item['code']!r}"
        requirement = _saved(
            Requirement(
                bureau=bureau,
                programme=programme,
                code=item["code"],
                title=item["title"],
                description=item.get("description") or "",
                assumption=item.get("assumption") or "",
                order=item["order"],
            ),
            source=source,
            where=where,
        )
        requirement.tiers.set([tiers[code] for code in item["tiers"]])
        for entry in item["criteria"]:
            criterion = _saved(
                Criterion(
                    bureau=bureau,
                    requirement=requirement,
                    clause=entry["clause"],
                    period=entry["period"],
                    min_level=entry["min_level"],
                    min_count=entry["min_count"],
                    min_hours=None
                    if entry["min_hours"] is None
                    else Decimal(str(entry["min_hours"])),
                    min_total_hours=None
                    if entry.get("min_total_hours") is None
                    else Decimal(str(entry["min_total_hours"])),
                    delivery_mode=entry["delivery_mode"],
                    phase=phases[entry["phase"]] if entry.get("phase") else None,
                    condition=entry.get("condition") or "",
                    condition_value=entry.get("condition_value") or "",
                    counts=entry.get("counts", CriterionCounts.ITEMS),
                    due_date=_optional_date(entry.get("due_date")),
                    due_month=entry.get("due_month"),
                    due_day=entry.get("due_day"),
                ),
                source=source,
                where=f"{where}: clause {entry['clause']}",
            )
            criterion.tiers.set([tiers[code] for code in entry["tiers"]])
            criterion.kinds.set([kinds[code] for code in entry["kinds"]])
    return programme


def _evidence_kind(bureau: Bureau, item: dict, *, source: str) -> EvidenceKind:
    """The bureau's kind with this code; created from the seed when the bureau lacks it."""
    existing = EvidenceKind.objects.filter(code=item["code"]).first()
    if existing is not None:
        return existing
    return _saved(
        EvidenceKind(
            bureau=bureau,
            code=item["code"],
            name=item["name"],
            has_hours=item["has_hours"],
            has_delivery_mode=item["has_delivery_mode"],
            names_people=item.get("names_people", False),
            counts_led_groups=item.get("counts_led_groups", False),
            order=item["order"],
        ),
        source=source,
        where=f"evidence kind {item['code']!r}",
    )


def _saved(obj: _M, *, source: str, where: str) -> _M:
    """Save ``obj`` after the model's own checks (lengths, choices, constraints)."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValueError(f"{source}: {where}: {_messages(exc)}") from exc
    obj.save()
    return obj


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def _optional_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _date_or_month(value: str | None) -> dt.date | None:
    """A date, YYYY-MM-DD, or a month, YYYY-MM (its first day)."""
    if not value:
        return None
    return dt.date.fromisoformat(f"{value}-01" if len(value) == 7 else value)


registry.add_step("programmes", command="load_programmes")
