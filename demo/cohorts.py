"""Demo participation: who takes part in each seed programme, and the evidence they filed.

``fixtures/demo_cohorts.json`` lists, per demo bureau, the two reviewers (the bureau's programme
administrator and a school's training administrator) and, per seed programme, its enrolments:
teacher (by username), tier (by code), dates, later status changes and the evidence the teacher
filed, each item with its state. The loader writes the rows a teacher's and the reviewers' work
through the services would have left behind: enrolments with their dated status history, evidence
with one small PDF each, the review events, audit entries and the notices of returned items, all
dated along the way rather than at load time.

The file is checked as a whole against its schema (``demo.schema``) before anything is written; a
mistake is a ``ValueError`` naming the file and the entry. A programme that already has enrolments
is left as it is. Each programme is written in one transaction, inside its bureau's scope.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification, TeacherProfile, User
from accounts.roles import Role
from accounts.services import administered_school_id
from bureaus.files import check_file
from bureaus.models import AuditEntry, Bureau
from bureaus.selectors import level_names
from bureaus.tenancy import bureau_scope
from cohorts.models import (
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    Evidence,
    EvidenceEvent,
    EvidenceFile,
    EvidenceState,
)
from demo import registry, schema
from programmes.models import EvidenceKind, Programme, Requirement, Tier

DEMO_COHORTS = Path(settings.BASE_DIR) / "fixtures" / "demo_cohorts.json"

_EVENING, _OFFICE_HOURS = (18, 21), (9, 16)  # when teachers file, and when reviewers review

# Raises ValueError for the entry named first, with the message second.
_Fail = Callable[[str, str], NoReturn]


def load_demo_cohorts(path: Path = DEMO_COHORTS) -> list[str]:
    """Load the demo enrolments and evidence ``path`` describes; one line per programme loaded.

    Programmes that already have enrolments are skipped, so running it again changes nothing and
    returns an empty list. Raises ValueError, naming the file and the entry, for a malformed file,
    a bureau or programme that is not there (run ``load_demo`` and ``load_programmes`` first), or
    an unknown username, tier, evidence kind or requirement code.
    """
    path = Path(path)
    data = schema.read(path, "cohorts")
    loaded: list[str] = []
    for entry in data["bureaus"]:
        bureau = Bureau.objects.filter(code=entry["bureau"]).first()
        if bureau is None:
            raise ValueError(
                f"{path}: bureau {entry['bureau']!r}: there is no such bureau; "
                "load the demo bureaus first (`manage.py load_demo`)."
            )
        with bureau_scope(bureau):
            for spec in entry["programmes"]:
                line = _load_programme(bureau, entry["reviewers"], spec, source=path)
                if line:
                    loaded.append(line)
    return loaded


# --- Resolving against the bureau's rows --------------------------------------------------------


@dataclass
class _Item:
    """One evidence item, resolved, with the steps of its review history."""

    evidence: Evidence
    requirements: list[Requirement]
    steps: list[_Step] = field(default_factory=list)
    previous_return: bool = False


@dataclass(frozen=True)
class _Step:
    """One move of an item from state to state: who, when, and the reviewer's comment."""

    before: str
    after: str
    actor: User
    at: dt.datetime
    comment: str = ""


@dataclass
class _Lookups:
    """The bureau's rows the file refers to, read once per programme."""

    programme: Programme
    staff: User
    school_admin: User
    admin_school_id: int | None
    profiles: dict[str, TeacherProfile]
    tiers: dict[str, Tier]
    kinds: dict[str, EvidenceKind]
    requirements: dict[str, tuple[Requirement, frozenset[str]]]


def _lookups(reviewers: dict, programme: Programme, fail: _Fail) -> _Lookups:
    """Read the reviewers, teachers, tiers, kinds and requirements the entries may name."""
    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=[reviewers["bureau_staff"], reviewers["school_admin"]]
        )
    }
    staff = users.get(reviewers["bureau_staff"])
    if staff is None or not staff.has_role(Role.BUREAU_STAFF):
        fail("reviewers", f"{reviewers['bureau_staff']!r} is not a bureau staff user here")
    school_admin = users.get(reviewers["school_admin"])
    if school_admin is None or not school_admin.has_role(Role.SCHOOL_ADMIN):
        fail("reviewers", f"{reviewers['school_admin']!r} is not a school administrator here")
    return _Lookups(
        programme=programme,
        staff=staff,
        school_admin=school_admin,
        admin_school_id=administered_school_id(school_admin),
        profiles={
            profile.user.username: profile
            for profile in TeacherProfile.objects.select_related("user", "school")
        },
        tiers={tier.code: tier for tier in Tier.objects.filter(programme=programme)},
        kinds={kind.code: kind for kind in EvidenceKind.objects.all()},
        requirements={
            requirement.code: (requirement, frozenset(t.code for t in requirement.tiers.all()))
            for requirement in Requirement.objects.filter(programme=programme).prefetch_related(
                "tiers"
            )
        },
    )


def _load_programme(bureau: Bureau, reviewers: dict, spec: dict, *, source: Path) -> str | None:
    """Write one programme's enrolments and evidence, in one transaction; None if present."""
    where = f"bureau {bureau.code!r}: programme {spec['programme']!r}"

    def fail(place: str, message: str) -> NoReturn:
        """Raise the ValueError that names the file, the programme and the entry."""
        raise ValueError(f"{source}: {where}: {place}: {message}")

    programme = Programme.objects.filter(code=spec["programme"]).first()
    if programme is None:
        raise ValueError(
            f"{source}: {where}: there is no such programme in the bureau; "
            "load the programme seeds first (`manage.py load_programmes`)."
        )
    stored: list[str] = []
    storage = EvidenceFile._meta.get_field("file").storage
    try:
        with transaction.atomic():
            if Enrolment.objects.filter(programme=programme).exists():
                return None
            found = _lookups(reviewers, programme, fail)
            enrolments, changes, items = _resolve(spec, found, fail)
            _write(bureau, found, enrolments, changes, items, stored, source=source)
    except BaseException:
        _remove(storage, stored)  # files are not part of the transaction
        raise
    return (
        f"{bureau.code} · {programme.code}: {len(enrolments)} enrolments, "
        f"{len(items)} evidence items"
    )


def _resolve(
    spec: dict, found: _Lookups, fail: _Fail
) -> tuple[list[Enrolment], list[list[EnrolmentStatusChange]], list[_Item]]:
    """The unsaved rows of every enrolment and evidence item, each checked against the bureau."""
    now = timezone.now()
    enrolments: list[Enrolment] = []
    changes: list[list[EnrolmentStatusChange]] = []
    items: list[_Item] = []
    for entry in spec["enrolments"]:
        here = f"enrolment {entry['teacher']!r}"
        enrolment, history = _enrolment(entry, spec["enrolment_reason"], found, here, fail)
        enrolments.append(enrolment)
        changes.append(history)
        for index, item in enumerate(entry["evidence"]):
            items.append(
                _evidence(
                    item,
                    enrolment,
                    found,
                    now,
                    f"{here}: evidence {index + 1} ({item['title']!r})",
                    fail,
                )
            )
    return enrolments, changes, items


def _enrolment(
    entry: dict, reason: str, found: _Lookups, here: str, fail: _Fail
) -> tuple[Enrolment, list[EnrolmentStatusChange]]:
    """An enrolment, with its status history from the initial activation on."""
    profile = found.profiles.get(entry["teacher"])
    if profile is None:
        fail(here, f"no teacher with username {entry['teacher']!r} in this bureau")
    tier = found.tiers.get(entry["tier"])
    if tier is None:
        fail(here, f"unknown tier {entry['tier']!r}; the programme has {sorted(found.tiers)}")
    enrolled_on = dt.date.fromisoformat(entry["enrolled_on"])
    plan_due = entry.get("plan_due")
    enrolment = Enrolment(
        bureau_id=found.programme.bureau_id,
        programme=found.programme,
        teacher=profile,
        tier=tier,
        school=profile.school,
        status=EnrolmentStatus.ACTIVE,
        enrolled_on=enrolled_on,
        plan_due=dt.date.fromisoformat(plan_due) if plan_due else None,
    )
    history = [
        EnrolmentStatusChange(
            bureau_id=enrolment.bureau_id,
            enrolment=enrolment,
            from_status="",
            to_status=EnrolmentStatus.ACTIVE,
            effective_on=enrolled_on,
            reason=reason,
            actor=found.staff,
        )
    ]
    for change in entry.get("status_changes", []):
        history.append(
            EnrolmentStatusChange(
                bureau_id=enrolment.bureau_id,
                enrolment=enrolment,
                from_status=history[-1].to_status,
                to_status=change["status"],
                effective_on=dt.date.fromisoformat(change["effective_on"]),
                reason=change.get("reason", "").strip(),
                actor=found.staff,
            )
        )
    enrolment.status = history[-1].to_status
    _clean(enrolment, here, fail)
    return enrolment, history


def _evidence(
    item: dict, enrolment: Enrolment, found: _Lookups, now: dt.datetime, here: str, fail: _Fail
) -> _Item:
    """An evidence item with the fields its submissions and reviews would have set."""
    kind = found.kinds.get(item["kind"])
    if kind is None:
        fail(here, f"unknown evidence kind {item['kind']!r} in this bureau")
    day = dt.date.fromisoformat(item["date"])
    cycle = found.programme.cycle
    if not cycle.start <= day <= cycle.end:
        fail(here, f"dated {day}, outside the programme's cycle {found.programme.cycle_label}")
    hours = item.get("hours")
    if kind.has_hours and hours is None:
        fail(here, f"a {kind.code!r} item needs its class hours")
    if not kind.has_hours and hours is not None:
        fail(here, f"a {kind.code!r} item does not record class hours")
    mode = item.get("delivery_mode", "")
    if kind.has_delivery_mode and not mode:
        fail(here, f"a {kind.code!r} item needs its delivery mode (online or face to face)")
    if not kind.has_delivery_mode and mode:
        fail(here, f"a {kind.code!r} item does not record a delivery mode")
    requirements = []
    for code in item["requirements"]:
        requirement, tiers = found.requirements.get(code, (None, frozenset()))
        if requirement is None:
            fail(here, f"unknown requirement code {code!r} in this programme")
        if enrolment.tier.code not in tiers:
            fail(here, f"requirement {code!r} is not one of tier {enrolment.tier.code!r}'s")
        requirements.append(requirement)
    state = item["state"]
    teacher = enrolment.teacher
    if state == EvidenceState.SCHOOL_APPROVED and (
        teacher.school_id != found.admin_school_id or teacher.user_id == found.school_admin.pk
    ):
        fail(
            here,
            f"{found.school_admin.username!r} only approves the evidence of the other teachers "
            "of their own school",
        )
    evidence = Evidence(
        bureau_id=enrolment.bureau_id,
        teacher=teacher,
        kind=kind,
        title=item["title"].strip(),
        level=item["level"],
        date=day,
        hours=None if hours is None else Decimal(str(hours)),
        delivery_mode=mode,
        description=item.get("description", "").strip(),
        dimensions=list(item.get("dimensions", [])),
        mentee_names="\n".join(item.get("mentee_names", [])),
        state=state,
    )
    if kind.names_people and not evidence.mentee_names.strip():
        fail(here, f"a {kind.code!r} item names its mentees ('mentee_names')")
    _clean(evidence, here, fail)
    resolved = _Item(evidence, requirements, previous_return="returned_before" in item)
    resolved.steps = _history(item, resolved, found, now)
    last_submit = [s for s in resolved.steps if s.after == EvidenceState.SUBMITTED]
    evidence.submitted_at = last_submit[-1].at if last_submit else None
    evidence.review_comment = item.get("review_comment", "").strip()
    if state == EvidenceState.VERIFIED:
        evidence.verified_at, evidence.verified_by = resolved.steps[-1].at, found.staff
    evidence.created_at = _created(evidence, now)
    evidence.updated_at = resolved.steps[-1].at if resolved.steps else evidence.created_at
    return resolved


def _clean(obj: models.Model, here: str, fail: _Fail) -> None:
    """The model's own checks on single fields (lengths, choices, digits), without queries."""
    links = [f.name for f in obj._meta.fields if f.is_relation]
    try:
        obj.full_clean(exclude=links, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        fail(
            here, "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items())
        )
    if wrong := obj.cross_bureau_links():
        fail(here, f"links into another bureau: {wrong}")


# --- Dates along the way ------------------------------------------------------------------------


def _spread(evidence: Evidence, salt: str, low: int, high: int) -> int:
    """A number from low to high, the same for the same item on every run."""
    key = f"{evidence.teacher.staff_number}|{evidence.title}|{evidence.date}|{salt}"
    return low + zlib.crc32(key.encode()) % (high - low + 1)


def _moment(evidence: Evidence, salt: str, day: dt.date, hours: tuple[int, int]) -> dt.datetime:
    """A time on ``day`` within ``hours`` (local), the same for the same item on every run."""
    at = dt.time(_spread(evidence, f"{salt}-hour", *hours), _spread(evidence, f"{salt}-min", 0, 59))
    return timezone.make_aware(dt.datetime.combine(day, at))


def _created(evidence: Evidence, now: dt.datetime) -> dt.datetime:
    """When the teacher filed the item: an evening a few days after the activity."""
    day = evidence.date + dt.timedelta(days=_spread(evidence, "created", 0, 4))
    return min(_moment(evidence, "created", day, _EVENING), now)


def _history(item: dict, resolved: _Item, found: _Lookups, now: dt.datetime) -> list[_Step]:
    """The submissions and reviews that led to the item's state, in order, never after ``now``.

    Teachers submit in the evening; reviewers work office hours.
    """
    evidence = resolved.evidence
    teacher = evidence.teacher.user
    state = evidence.state
    if state == EvidenceState.DRAFT:
        return []
    moment = _created(evidence, now)
    steps: list[_Step] = []

    def step(before: str, after: str, actor: User, days: int, comment: str = "") -> None:
        """Record a move ``days`` after the previous one, in the actor's working hours."""
        nonlocal moment
        day = timezone.localtime(moment).date() + dt.timedelta(days=days)
        hours = _EVENING if actor == teacher else _OFFICE_HOURS
        at = _moment(evidence, f"step-{len(steps)}", day, hours)
        moment = min(max(at, moment + dt.timedelta(minutes=5)), now)
        steps.append(_Step(before, after, actor, moment, comment))

    staff, draft, submitted = found.staff, EvidenceState.DRAFT, EvidenceState.SUBMITTED
    if resolved.previous_return:
        step(draft, submitted, teacher, _spread(evidence, "first", 0, 2))
        comment = item["returned_before"].strip()
        step(submitted, EvidenceState.RETURNED, staff, _spread(evidence, "back", 2, 9), comment)
        step(EvidenceState.RETURNED, submitted, teacher, _spread(evidence, "again", 1, 6))
    else:
        step(draft, submitted, teacher, _spread(evidence, "submit", 0, 2))
    days = _spread(evidence, "review", 2, 14)
    if state == EvidenceState.RETURNED:
        step(submitted, state, staff, days, item["review_comment"].strip())
    elif state == EvidenceState.SCHOOL_APPROVED:
        step(submitted, state, found.school_admin, days)
    elif state == EvidenceState.VERIFIED:
        step(submitted, state, staff, days)
    return steps


# --- Writing ------------------------------------------------------------------------------------


def _write(
    bureau: Bureau,
    found: _Lookups,
    enrolments: list[Enrolment],
    changes: list[list[EnrolmentStatusChange]],
    items: list[_Item],
    stored: list[str],
    *,
    source: Path,
) -> None:
    """Insert everything, in bulk; the names of the files saved to storage go into ``stored``."""
    Enrolment.objects.bulk_create(enrolments, batch_size=500)
    history = [change for group in changes for change in group]
    for change in history:
        change.created_at = _at(change.effective_on, dt.time(10, 0))
    _create_as_of(EnrolmentStatusChange, history, "created_at")

    evidence = [item.evidence for item in items]
    _create_as_of(Evidence, evidence, "created_at", "updated_at")
    Link = Evidence.requirements.through
    Link.objects.bulk_create(
        [
            Link(evidence_id=item.evidence.pk, requirement_id=requirement.pk)
            for item in items
            for requirement in item.requirements
        ],
        batch_size=1000,
    )
    files = [_file(item.evidence, stored) for item in items]
    _create_as_of(EvidenceFile, files, "uploaded_at")

    events = [
        EvidenceEvent(
            bureau_id=bureau.pk,
            evidence=item.evidence,
            from_state=step.before,
            to_state=step.after,
            actor=step.actor,
            comment=step.comment,
            created_at=step.at,
        )
        for item in items
        for step in item.steps
    ]
    _create_as_of(EvidenceEvent, events, "created_at")
    _notify_returns(bureau, items)
    _audit(bureau, found, enrolments, history, items, source=source)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    """``day`` at ``time`` in the portal's time zone, or now if that is later than now."""
    return min(timezone.make_aware(dt.datetime.combine(day, time)), timezone.now())


def _create_as_of(model: type[models.Model], rows: Sequence[models.Model], *stamps: str) -> None:
    """Insert ``rows`` keeping the times they carry in ``stamps``.

    The automatic timestamps (``auto_now_add``, ``auto_now``) are set to the present on insert;
    they are put back to when things happened with an update, which leaves them alone.
    """
    kept = [[getattr(row, name) for name in stamps] for row in rows]
    model.objects.bulk_create(rows, batch_size=500)
    for row, values in zip(rows, kept, strict=True):
        for name, value in zip(stamps, values, strict=True):
            setattr(row, name, value)
    model.objects.bulk_update(rows, list(stamps), batch_size=500)


def _file(evidence: Evidence, stored: list[str]) -> EvidenceFile:
    """The item's one PDF, checked as an upload is, and saved to storage."""
    teacher = evidence.teacher
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            evidence.title,
            f"{teacher.user.full_name}（{teacher.school.name}）",
            f"{evidence.kind.name}，{level_names(evidence.bureau_id).name(evidence.level)}，"
            f"{evidence.date:%Y-%m-%d}",
        ]
    if evidence.hours is not None:
        lines.append(f"{evidence.hours.normalize():f} 课时")
    if evidence.description:
        lines.append(evidence.description)
    content = demo_pdf(lines)
    name = _file_name(evidence.title)
    checked = check_file(name, io.BytesIO(content), len(content), max_bytes=len(content))
    row = EvidenceFile(
        bureau_id=evidence.bureau_id,
        evidence=evidence,
        original_name=name,
        size=len(content),
        content_type=checked.content_type,
        uploaded_at=evidence.created_at,
    )
    row.file.save(name, ContentFile(content), save=False)
    stored.append(row.file.name)
    return row


def _file_name(title: str) -> str:
    """A file name made from the title, without characters file systems refuse."""
    cleaned = "".join("_" if ch in '\\/:*?"<>|' else ch for ch in title).strip()
    return f"{cleaned[:80]}.pdf"


def _remove(storage: Storage, names: Iterable[str]) -> None:
    """Delete files saved before a failed transaction rolled their rows back."""
    for name in names:
        storage.delete(name)


def _notify_returns(bureau: Bureau, items: list[_Item]) -> None:
    """The notice a teacher gets when an item is returned, read once it was submitted again."""
    notices = []
    with translation.override(settings.LANGUAGE_CODE):
        for item in items:
            evidence = item.evidence
            for number, step in enumerate(item.steps, start=1):
                if step.after != EvidenceState.RETURNED:
                    continue
                later = item.steps[number] if number < len(item.steps) else None
                notices.append(
                    Notification(
                        bureau_id=bureau.pk,
                        recipient=evidence.teacher.user,
                        key=f"evidence-returned:{evidence.pk}:{number}",
                        subject=(_("Returned: %(title)s") % {"title": evidence.title})[:200],
                        body=_("Your evidence “%(title)s” was returned: %(comment)s")
                        % {"title": evidence.title, "comment": step.comment},
                        link=f"/evidence/{evidence.pk}/",
                        created_at=step.at,
                        read_at=later.at if later else None,
                    )
                )
    _create_as_of(Notification, notices, "created_at")


def _audit(
    bureau: Bureau,
    found: _Lookups,
    enrolments: list[Enrolment],
    history: list[EnrolmentStatusChange],
    items: list[_Item],
    *,
    source: Path,
) -> None:
    """The audit entries the roster import, the status changes and the reviews would have left."""
    programme_type = ContentType.objects.get_for_model(Programme)
    enrolment_type = ContentType.objects.get_for_model(Enrolment)
    evidence_type = ContentType.objects.get_for_model(Evidence)
    first_day = min(e.enrolled_on for e in enrolments) if enrolments else timezone.localdate()
    entries = [
        AuditEntry(
            bureau=bureau,
            actor=found.staff,
            action="roster.import",
            target_type=programme_type,
            target_id=str(found.programme.pk),
            target_repr=str(found.programme)[:200],
            data={"rows": len(enrolments), "new_teachers": 0, "source": source.name},
            created_at=_at(first_day, dt.time(9, 30)),
        )
    ]
    for change in history:
        if not change.from_status:
            continue
        entries.append(
            AuditEntry(
                bureau=bureau,
                actor=change.actor,
                action="enrolment.status",
                target_type=enrolment_type,
                target_id=str(change.enrolment.pk),
                target_repr=str(change.enrolment)[:200],
                data={
                    "before": change.from_status,
                    "after": change.to_status,
                    "reason": change.reason,
                },
                created_at=change.created_at,
            )
        )
    for item in items:
        for step in item.steps:
            submit = step.after == EvidenceState.SUBMITTED
            entries.append(
                AuditEntry(
                    bureau=bureau,
                    actor=step.actor,
                    action="evidence.submit" if submit else f"evidence.{step.after}",
                    target_type=evidence_type,
                    target_id=str(item.evidence.pk),
                    target_repr=str(item.evidence)[:200],
                    data={"state": step.after} if submit else {"comment": step.comment},
                    created_at=step.at,
                )
            )
    _create_as_of(AuditEntry, entries, "created_at")


registry.add_step("cohorts", command="load_demo_cohorts")


# --- A small PDF --------------------------------------------------------------------------------


def demo_pdf(lines: Sequence[str]) -> bytes:
    """A one-page A4 PDF showing ``lines`` (the first as a heading) in a standard Chinese font.

    The font is Adobe's STSong-Light with the UniGB-UCS2-H encoding, which PDF readers supply
    themselves, so nothing is embedded and the file stays about a kilobyte and a half.
    """

    def hex_text(text: str) -> str:
        """The text as UCS-2 code units, the encoding the font's CMap reads."""
        return "".join(f"{ord(ch):04X}" if ord(ch) <= 0xFFFF else "003F" for ch in text)

    heading = textwrap.wrap(lines[0], 26) if lines else []
    body = [part for line in lines[1:] for part in textwrap.wrap(line, 38)]
    text = ["BT", "72 770 Td", "/F1 18 Tf", "26 TL"]
    text += [f"<{hex_text(part)}> Tj T*" for part in heading]
    text += ["/F1 12 Tf", "20 TL", "T*"]
    text += [f"<{hex_text(part)}> Tj T*" for part in body]
    text.append("ET")
    stream = "\n".join(text).encode("ascii")
    title = "FEFF" + "".join(f"{b:02X}" for b in (lines[0] if lines else "").encode("utf-16-be"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 7 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [5 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 6 0 R /DW 1000 /W [1 95 500] >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title <" + title.encode("ascii") + b"> /Producer (Teacher development portal) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body_bytes in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body_bytes + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 8 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
