"""Programme seeds: a bureau's programme written down as JSON, loaded once into that bureau.

A seed file in ``fixtures/programmes/`` holds the bureau's code, the evidence kinds its programme
counts, and the programme itself: cycle, phases, milestones, tiers and requirements, each
requirement with its criteria (criteria that share a clause number are alternatives of that
clause). The file is checked as a whole before anything is written; a mistake is a ``ValueError``
that names the file and the requirement it is in.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from bureaus.models import Bureau
from bureaus.services import audit_record
from bureaus.tenancy import bureau_scope

from . import rules
from .models import (
    Criterion,
    DeliveryMode,
    EvidenceKind,
    Level,
    Milestone,
    Period,
    Phase,
    Programme,
    ProgrammeStatus,
    Requirement,
    Tier,
)

SEED_DIR = Path(settings.BASE_DIR) / "fixtures" / "programmes"

_M = TypeVar("_M", bound=models.Model)
_MAX_HOURS = Decimal("100000")  # Criterion.min_hours holds 6 digits, one after the point

_TOP_KEYS = {"bureau", "evidence_kinds", "programme"}
_KIND_KEYS = {"code", "name", "has_hours", "has_delivery_mode", "order"}
_PROGRAMME_KEYS = {
    "code",
    "name",
    "document_number",
    "document_date",
    "start_month",
    "end_month",
    "status",
    "description",
    "phases",
    "milestones",
    "tiers",
    "requirements",
}
_PHASE_KEYS = {"name", "starts", "ends", "description"}
_MILESTONE_KEYS = {"due", "title", "owner", "scope", "duration", "description"}
_TIER_KEYS = {"code", "name", "order", "description", "lead_rank"}
_REQUIREMENT_KEYS = {"code", "title", "description", "order", "tiers", "criteria"}
_CRITERION_KEYS = {
    "clause",
    "period",
    "tiers",
    "kinds",
    "min_level",
    "min_count",
    "min_hours",
    "min_total_hours",
    "delivery_mode",
}
_OPTIONAL_KEYS = {
    "description",
    "document_number",
    "document_date",
    "owner",
    "scope",
    "duration",
    "min_total_hours",
    "lead_rank",
}


class SeedBureauMissing(LookupError):
    """A seed names a bureau code that no bureau has."""


def seed_files(directory: Path = SEED_DIR) -> list[Path]:
    """The seed files in ``directory``, by name."""
    return sorted(directory.glob("*.json"))


def read_seed(path: Path) -> dict[str, Any]:
    """The seed's data, checked (see ``check_seed``); ValueError names the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON: {exc}") from exc
    check_seed(data, source=str(path))
    return data


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
        audit_record(
            bureau=bureau,
            actor=None,
            action="programme.seed",
            target=programme,
            source=path.name,
        )
    return programme


# --- Checking ----------------------------------------------------------------------------------


def check_seed(data: Any, *, source: str) -> None:
    """Raise ValueError, naming ``source`` and the place, for anything the loader cannot take."""
    _SeedCheck(source).seed(data)


class _SeedCheck:
    """Checks one seed's data; every error names the file and where in it the problem is."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, message: str) -> NoReturn:
        raise ValueError(
            f"{self.source}: {where}: {message}" if where else f"{self.source}: {message}"
        )

    def seed(self, data: Any) -> None:
        self.keys(data, _TOP_KEYS, "")
        if not isinstance(data["bureau"], str) or not data["bureau"]:
            self.fail("", "'bureau' must be a bureau code")
        kinds: dict[str, dict] = {}
        for item in self.items(data["evidence_kinds"], "evidence_kinds"):
            where = f"evidence kind {item.get('code')!r}"
            self.keys(item, _KIND_KEYS, where)
            self.text(item, ("code", "name"), where)
            for flag in ("has_hours", "has_delivery_mode"):
                if not isinstance(item[flag], bool):
                    self.fail(where, f"'{flag}' must be true or false")
            self.whole(item["order"], where, "order", minimum=0)
            if item["code"] in kinds:
                self.fail(where, "is listed twice")
            kinds[item["code"]] = item
        self.programme(data["programme"], kinds)

    def programme(self, spec: Any, kinds: dict[str, dict]) -> None:
        self.keys(spec, _PROGRAMME_KEYS, "programme")
        where = f"programme {spec.get('code')!r}"
        self.text(spec, ("code", "name"), where)
        start = self.month(spec["start_month"], where, "start_month")
        end = self.month(spec["end_month"], where, "end_month")
        if end < start:
            self.fail(where, "the cycle ends before it starts")
        if spec.get("document_date"):
            self.date(spec["document_date"], where, "document_date")
        if spec["status"] not in ProgrammeStatus.values:
            self.fail(
                where, f"unknown status {spec['status']!r}; use one of {ProgrammeStatus.values}"
            )
        cycle = rules.Cycle(rules.month_start(start), rules.month_end(end))

        for item in self.items(spec["phases"], "phases"):
            where = f"phase {item.get('name')!r}"
            self.keys(item, _PHASE_KEYS, where)
            self.text(item, ("name",), where)
            starts = self.date(item["starts"], where, "starts")
            ends = self.date(item["ends"], where, "ends")
            if ends < starts:
                self.fail(where, "ends before it starts")
            if starts < cycle.start or ends > cycle.end:
                self.fail(where, "lies outside the programme's cycle")

        for item in self.items(spec["milestones"], "milestones"):
            where = f"milestone {item.get('title')!r}"
            self.keys(item, _MILESTONE_KEYS, where)
            self.text(item, ("title",), where)
            self.date(item["due"], where, "due")

        tiers: set[str] = set()
        for item in self.items(spec["tiers"], "tiers"):
            where = f"tier {item.get('code')!r}"
            self.keys(item, _TIER_KEYS, where)
            self.text(item, ("code", "name"), where)
            self.whole(item["order"], where, "order", minimum=0)
            if item["code"] in tiers:
                self.fail(where, "is listed twice")
            tiers.add(item["code"])

        codes: set[str] = set()
        for item in self.items(spec["requirements"], "requirements"):
            where = f"requirement {item.get('code')!r}"
            self.keys(item, _REQUIREMENT_KEYS, where)
            self.text(item, ("code", "title"), where)
            self.whole(item["order"], where, "order", minimum=0)
            if item["code"] in codes:
                self.fail(where, "is listed twice")
            codes.add(item["code"])
            self.requirement(item, tiers, kinds, where)

    def requirement(self, item: dict, tiers: set[str], kinds: dict[str, dict], where: str) -> None:
        own_tiers = set(self.codes(item["tiers"], where, "tiers"))
        if not own_tiers:
            self.fail(where, "names no tiers")
        if unknown := sorted(own_tiers - tiers):
            self.fail(where, f"unknown tier codes {unknown}")
        clauses: dict[int, list[dict]] = defaultdict(list)
        for criterion in self.items(item["criteria"], f"{where}: criteria"):
            self.keys(criterion, _CRITERION_KEYS, f"{where}: criterion")
            clause = self.whole(criterion["clause"], where, "clause", minimum=1)
            self.criterion(criterion, own_tiers, kinds, f"{where}: clause {clause}")
            clauses[clause].append(criterion)
        if not clauses:
            self.fail(where, "has no criteria")
        covered: set[str] = set()
        for clause, criteria in sorted(clauses.items()):
            first = criteria[0]
            for other in criteria[1:]:
                if other["period"] != first["period"]:
                    self.fail(
                        f"{where}: clause {clause}", "its alternatives disagree on the period"
                    )
                if set(other["tiers"]) != set(first["tiers"]):
                    self.fail(f"{where}: clause {clause}", "its alternatives disagree on the tiers")
            covered |= set(first["tiers"]) or own_tiers
        if missing := sorted(own_tiers - covered):
            self.fail(where, f"no clause applies to its tiers {missing}")

    def criterion(self, item: dict, tiers: set[str], kinds: dict[str, dict], where: str) -> None:
        if item["period"] not in Period.values:
            self.fail(where, f"unknown period {item['period']!r}; use one of {Period.values}")
        level = self.whole(item["min_level"], where, "min_level", minimum=1)
        if level not in Level.values:
            self.fail(where, f"min_level {level} must be one of {Level.values}")
        self.whole(item["min_count"], where, "min_count", minimum=1)
        if item["delivery_mode"] not in ("", *DeliveryMode.values):
            self.fail(where, f"unknown delivery mode {item['delivery_mode']!r}")
        hours = self.hours(item["min_hours"], where)
        self.hours(item.get("min_total_hours"), where)
        if unknown := sorted(set(self.codes(item["tiers"], where, "tiers")) - tiers):
            self.fail(where, f"tier codes {unknown} are not tiers of the requirement")
        own_kinds = self.codes(item["kinds"], where, "kinds")
        if not own_kinds:
            self.fail(where, "names no evidence kinds")
        if unknown := sorted(set(own_kinds) - set(kinds)):
            self.fail(where, f"unknown evidence kind codes {unknown}")
        if hours is not None and not all(kinds[k]["has_hours"] for k in own_kinds):
            self.fail(where, "asks for class hours of a kind that does not record them")
        if item["delivery_mode"] and not all(kinds[k]["has_delivery_mode"] for k in own_kinds):
            self.fail(where, "asks for a delivery mode of a kind that does not record it")

    # The shapes of single values.

    def keys(self, item: Any, expected: set[str], where: str) -> None:
        if not isinstance(item, dict):
            self.fail(where, "must be an object")
        if missing := sorted(expected - _OPTIONAL_KEYS - set(item)):
            self.fail(where, f"missing {missing}")
        if unknown := sorted(set(item) - expected):
            self.fail(where, f"unknown keys {unknown}")

    def items(self, value: Any, where: str) -> list[dict]:
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.fail(where, "must be a list of objects")
        return value

    def text(self, item: dict, names: tuple[str, ...], where: str) -> None:
        for name in names:
            if not isinstance(item[name], str) or not item[name].strip():
                self.fail(where, f"'{name}' must be a non-empty text")

    def whole(self, value: Any, where: str, name: str, *, minimum: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.fail(where, f"{name} {value!r} must be a whole number from {minimum}")
        return value

    def codes(self, value: Any, where: str, name: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
            self.fail(where, f"'{name}' must be a list of codes")
        return value

    def month(self, value: Any, where: str, name: str) -> dt.date:
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()
        except (TypeError, ValueError):
            self.fail(where, f"'{name}' {value!r} must be a month, YYYY-MM")

    def date(self, value: Any, where: str, name: str) -> dt.date:
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(where, f"'{name}' {value!r} must be a date, YYYY-MM-DD")

    def hours(self, value: Any, where: str) -> Decimal | None:
        if value is None:
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            hours = Decimal(str(value))
        except InvalidOperation:
            self.fail(where, f"min_hours {value!r} must be a number of class hours")
        if (
            not hours.is_finite()
            or not 0 <= hours < _MAX_HOURS
            or hours != hours.quantize(Decimal("0.1"))
        ):
            self.fail(where, f"min_hours {value!r} must be 0 to 99999.9, to one decimal place")
        return hours


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
        ),
        source=source,
        where=f"programme {spec['code']!r}",
    )
    for item in spec["phases"]:
        _saved(
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
                due=dt.date.fromisoformat(item["due"]),
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
