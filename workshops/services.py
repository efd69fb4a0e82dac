"""Writes on groups: who manages them, members, deadlines from schedules, briefings, extensions,
activities, documents, courses, and the reminder scan. Each write runs in one transaction with
its audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from accounts.models import Notification, TeacherProfile
from accounts.roles import Role
from accounts.services import administered_school_id, notifications_create_bulk
from bureaus.files import check_uploads, store
from bureaus.services import audit_record
from bureaus.tenancy import all_bureaus, bureau_scope
from cohorts import selectors as cohort_selectors
from cohorts.models import Enrolment
from programmes.models import Phase

from . import rules
from .access import MANAGE, can_manage
from .models import (
    MEMBER_DOCUMENT_KINDS,
    ActivityFile,
    ActivityRecord,
    AttendanceRecord,
    Briefing,
    BriefingFile,
    Deadline,
    GroupRules,
    MemberRole,
    Membership,
    Obligation,
    ReportingSchedule,
    Team,
    TeamDocument,
    TeamKind,
    TeamUserObjectPermission,
    UnitDuty,
    UnitFiling,
    UnitFilingFile,
    UnitFilingKind,
    UnitScope,
    WorkshopCourse,
    WorkshopType,
)
from .reminders import REMINDER_SOURCES


def team_lead_check(*, programme, kind: str, workshop_type: str, lead) -> None:
    """XH-WS-TYPES: refuse a workshop whose lead may not lead its type: a 院校合作 workshop is
    led by a 研训员 the bureau marked as one, a 校际/校内 workshop by a 带头人 or 骨干 enrolled in
    the programme. Called by every path that creates or edits a group (the admin, the demo)."""
    if kind != TeamKind.WORKSHOP or not workshop_type or lead is None or programme is None:
        return  # a workshop of no type yet: its type decides who may lead it
    with bureau_scope(programme.bureau_id):  # the admin of a platform superuser has none
        tier_rank = (
            Enrolment.objects.filter(programme=programme, teacher__user=lead)
            .values_list("tier__lead_rank", flat=True)
            .first()
        )
    rank = rules.workshop_lead_rank(
        workshop_type, trainer_researcher=lead.trainer_researcher, tier_rank=tier_rank
    )
    if rank is not None:
        return
    name = lead.get_full_name()
    if workshop_type == WorkshopType.COLLEGE_SCHOOL:
        message = _(
            "A college–school workshop is led by a trainer-researcher (研训员); %(name)s is not "
            "marked as one. Mark them in their user record, or choose another lead."
        )
    else:
        message = _(
            "An inter-school or intra-school workshop is led by a subject leader or a backbone "
            "teacher enrolled in this programme; %(name)s is not one."
        )
    raise ValidationError({"lead": message % {"name": name}})


def team_permissions_sync(*, team: Team) -> None:
    """The group's lead and assistant hold ``manage_team`` on it, and nobody else does: called
    whenever a group is created or its lead or assistant changes."""
    holders = {team.lead_id, team.assistant_id} - {None}
    TeamUserObjectPermission.objects.filter(content_object=team).exclude(
        user_id__in=holders
    ).delete()
    for user in get_user_model().objects.filter(pk__in=holders):
        assign_perm(MANAGE, user, team)


def team_presets_apply(*, actor, team: Team) -> int:
    """Give a group what its form owes by the seeds (``rules.PRESETS``): its counted obligations
    and its reporting schedule over the programme's cycle. Skips what the group already has;
    returns how many obligations were added."""
    obligations, schedule = rules.PRESETS.get(team.kind, ((), None))
    with transaction.atomic():
        have = set(team.obligations.values_list("rule", "title"))
        added = [
            Obligation(
                bureau_id=team.bureau_id,
                team=team,
                rule=spec.rule,
                title=spec.title,
                counts=spec.counts,
                kinds=sorted(spec.kinds),
                min_count=spec.min_count,
                period=spec.period,
                order=order,
            )
            for order, spec in enumerate(obligations, start=1)
            if (spec.rule, spec.title) not in have
        ]
        Obligation.objects.bulk_create(added)
        if schedule is not None and not team.schedules.exists():
            cycle = team.programme.cycle
            created = ReportingSchedule.objects.create(
                bureau_id=team.bureau_id,
                team=team,
                title=schedule.title,
                frequency=schedule.schedule.frequency,
                day=schedule.schedule.day,
                starts=cycle.start,
                ends=cycle.end,
            )
            schedule_deadlines_sync(created)
        if added or schedule is not None:
            audit_record(
                bureau=team.bureau_id,
                actor=actor,
                action="group.presets",
                target=team,
                obligations=[o.title for o in added],
            )
    return len(added)


def _require_manager(actor, team: Team) -> None:
    if not can_manage(actor, team):
        raise PermissionDenied(_("Only the group's lead or assistant can do this."))


@transaction.atomic
def membership_add(
    *,
    actor,
    team: Team,
    teacher: TeacherProfile,
    role: str = MemberRole.MEMBER,
    task_division: str = "",
) -> Membership:
    """The lead adds a teacher to the group, with their share of the work."""
    _require_manager(actor, team)
    if teacher.bureau_id != team.bureau_id:
        raise ValidationError(_("The teacher belongs to another bureau."))
    if Membership.objects.filter(team=team, teacher=teacher).exists():
        raise ValidationError(_("%(name)s is already a member.") % {"name": teacher.user.full_name})
    membership = Membership.objects.create(
        bureau_id=team.bureau_id,
        team=team,
        teacher=teacher,
        role=role,
        task_division=task_division.strip(),
    )
    audit_record(
        bureau=team.bureau_id,
        actor=actor,
        action="membership.add",
        target=team,
        teacher=teacher.user.full_name,
        task_division=membership.task_division,
    )
    return membership


@transaction.atomic
def membership_update(*, actor, membership: Membership, task_division: str) -> Membership:
    """The lead sets a member's share of the work (XH-WS-LEAD: task division)."""
    _require_manager(actor, membership.team)
    before = membership.task_division
    membership.task_division = task_division.strip()
    membership.save(update_fields=["task_division"])
    audit_record(
        bureau=membership.bureau_id,
        actor=actor,
        action="membership.update",
        target=membership.team,
        teacher=membership.teacher.user.full_name,
        before=before,
        after=membership.task_division,
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    """The lead takes a member off the group; their attendance records go with them."""
    team = membership.team
    _require_manager(actor, team)
    name = membership.teacher.user.full_name
    membership.delete()
    audit_record(
        bureau=team.bureau_id, actor=actor, action="membership.remove", target=team, teacher=name
    )


def enrolled_teachers(team: Team):
    """The teachers a lead may add: the programme's participants who are not members yet."""
    return (
        TeacherProfile.objects.filter(
            pk__in=Enrolment.objects.filter(programme_id=team.programme_id).values("teacher_id")
        )
        .exclude(memberships__team=team)
        .select_related("user", "school")
        .order_by("school__name", "user__full_name")
    )


def schedule_deadlines_sync(schedule: ReportingSchedule) -> int:
    """Create the schedule's deadlines that do not exist yet; returns how many there are."""
    days = rules.deadlines(schedule.rule, schedule.starts, schedule.ends)
    Deadline.objects.bulk_create(
        [
            Deadline(
                bureau_id=schedule.bureau_id, schedule=schedule, team_id=schedule.team_id, due=day
            )
            for day in days
        ],
        ignore_conflicts=True,
    )
    return len(days)


@transaction.atomic
def briefing_file(
    *,
    actor,
    deadline: Deadline,
    text: str,
    files: Sequence[UploadedFile] = (),
    on: dt.date | None = None,
) -> Briefing:
    """The group's lead (or its project assistant) files the briefing owed by ``deadline``."""
    team = deadline.team
    if not can_manage(actor, team):
        raise PermissionDenied(_("Only the group's lead or assistant files its briefings."))
    if not text.strip():
        raise ValidationError({"text": _("Write the briefing before filing it.")})
    accepted = check_uploads(files)
    # Lock the deadline row: two tabs filing at once file one briefing, not an error page.
    Deadline.objects.select_for_update().filter(pk=deadline.pk).first()
    if Briefing.objects.filter(deadline=deadline).exists():
        raise ValidationError(_("The briefing for this deadline was filed already."))
    briefing = Briefing.objects.create(
        bureau_id=deadline.bureau_id,
        deadline=deadline,
        text=text.strip(),
        filed_by=actor,
        filed_on=on or timezone.localdate(),
    )
    store(BriefingFile, {"bureau_id": briefing.bureau_id, "briefing": briefing}, files, accepted)
    audit_record(
        bureau=deadline.bureau_id,
        actor=actor,
        action="briefing.file",
        target=deadline,
        due=deadline.due,
        filed_on=briefing.filed_on,
        files=len(files),
    )
    return briefing


@transaction.atomic
def deadline_extend(*, actor, deadline: Deadline, to: dt.date, reason: str) -> Deadline:
    """Staff grant one deadline an extension, with the reason."""
    if not actor.has_role(Role.BUREAU_STAFF):
        raise PermissionDenied
    if to <= deadline.due:
        raise ValidationError({"to": _("An extension must be later than the deadline.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if Briefing.objects.filter(deadline=deadline).exists():
        raise ValidationError(_("The briefing was filed already; there is nothing to extend."))
    before = deadline.extended_to
    deadline.extended_to, deadline.extension_reason = to, reason.strip()
    deadline.save(update_fields=["extended_to", "extension_reason"])
    audit_record(
        bureau=deadline.bureau_id,
        actor=actor,
        action="deadline.extend",
        target=deadline,
        before=before,
        after=to,
        reason=reason.strip(),
    )
    return deadline


def reminder_settings() -> tuple[tuple[int, ...], int]:
    before = tuple(getattr(settings, "REMINDER_DAYS_BEFORE", (7, 1)))
    return before, int(getattr(settings, "REMINDER_OVERDUE_AFTER_DAYS", 1))


def reminders_scan(*, today: dt.date | None = None) -> int:
    """Send every reminder due today for briefings not yet filed, and for requirements of a
    participant due inside their period and not met yet, each at most once.

    A sweep across all bureaus (deliberately), set-based: the deadlines near today are read in
    one query, the reminders due are worked out by ``rules.reminders_due``, and each is claimed
    by inserting its notification through ``notifications_create_bulk``, unique per (recipient,
    key): a reminder another scan already claimed, at the same moment or before, is skipped by
    the database. E-mails go out in one task per bureau for the notifications this scan claimed.
    """
    today = today or timezone.localdate()
    before, overdue_after = reminder_settings()
    lookahead = dt.timedelta(days=max(before, default=0))
    lookback = dt.timedelta(days=overdue_after + 7)  # a week to catch a missed overdue notice
    window = Q(extended_to__isnull=True, due__range=(today - lookback, today + lookahead)) | Q(
        extended_to__range=(today - lookback, today + lookahead)
    )
    rows = []
    with all_bureaus():
        candidates = Deadline.objects.filter(window, briefing__isnull=True).values_list(
            "pk",
            "bureau_id",
            "due",
            "extended_to",
            "team__name",
            "team__lead_id",
            "team__assistant_id",
            "schedule__title",
        )
        with translation.override(settings.LANGUAGE_CODE):
            for pk, bureau_id, due, extended_to, name, lead, assistant, title in candidates:
                for reminder in rules.reminders_due(
                    due,
                    today,
                    filed=False,
                    extended_to=extended_to,
                    before=before,
                    overdue_after=overdue_after,
                ):
                    subject, body = _reminder_text(reminder, name, title, due, extended_to)
                    for recipient in {lead, assistant} - {None}:
                        rows.append(
                            Notification(
                                bureau_id=bureau_id,
                                recipient_id=recipient,
                                key=f"reminder:{pk}:{reminder.kind}:{reminder.days}",
                                subject=subject,
                                body=body,
                            )
                        )
            rows += _requirement_reminders(today, before, overdue_after)
            rows += _plan_reminders(today, before, overdue_after)
            for source in REMINDER_SOURCES:
                rows += source(today=today, before=before, overdue_after=overdue_after)
    return notifications_create_bulk(rows)


def _plan_reminders(
    today: dt.date, before: tuple[int, ...], overdue_after: int
) -> list[Notification]:
    """The reminders due today to participants whose development plan is due (XH-CYCLE: by
    2023-11-30) and not handed in; keyed by enrolment, so each is made once."""
    link = reverse("cohorts:my_progress")
    rows = []
    items = cohort_selectors.plan_due_items(
        today=today, lookahead=max(before, default=0), lookback=overdue_after + 7
    )
    for item in items:
        for reminder in rules.reminders_due(
            item.due, today, filed=False, before=before, overdue_after=overdue_after
        ):
            values = {
                "programme": item.programme,
                "date": item.due.strftime("%Y-%m-%d"),
                "days": reminder.days,
            }
            if reminder.kind == rules.ReminderKind.OVERDUE:
                subject = _("Overdue: your development plan (due %(date)s)") % values
                body = _(
                    "Your personal three-year development plan for %(programme)s was due on "
                    "%(date)s. Please upload it as soon as you can."
                )
            else:
                subject = _("Your development plan is due in %(days)s days") % values
                body = _(
                    "Your personal three-year development plan for %(programme)s is due on "
                    "%(date)s. Please upload it by then."
                )
            rows.append(
                Notification(
                    bureau_id=item.bureau_id,
                    recipient_id=item.user_id,
                    key=f"plan:{item.enrolment_id}:{reminder.kind}:{reminder.days}",
                    subject=subject,
                    body=body % values,
                    link=link,
                )
            )
    return rows


def _requirement_reminders(
    today: dt.date, before: tuple[int, ...], overdue_after: int
) -> list[Notification]:
    """The reminders due today to participants for requirements due inside a period and not
    met yet: before the due date, and one overdue notice; keyed by enrolment, clause and period,
    so each is made once."""
    link = reverse("cohorts:my_progress")
    rows = []
    items = cohort_selectors.due_items(
        today=today, lookahead=max(before, default=0), lookback=overdue_after + 7
    )
    for item in items:
        for reminder in rules.reminders_due(
            item.due, today, filed=False, before=before, overdue_after=overdue_after
        ):
            subject, body = _requirement_reminder_text(reminder, item)
            rows.append(
                Notification(
                    bureau_id=item.bureau_id,
                    recipient_id=item.user_id,
                    key=(
                        f"due:{item.enrolment_id}:{item.requirement_id}:{item.clause}:"
                        f"{item.window_key}:{reminder.kind}:{reminder.days}"
                    ),
                    subject=subject,
                    body=body,
                    link=link,
                )
            )
    return rows


def _requirement_reminder_text(reminder, item) -> tuple[str, str]:
    values = {
        "requirement": item.requirement,
        "programme": item.programme,
        "period": item.window_label,
        "date": item.due.strftime("%Y-%m-%d"),
        "days": reminder.days,
    }
    if reminder.kind == rules.ReminderKind.OVERDUE:
        return (
            _("Overdue: %(requirement)s (due %(date)s)") % values,
            _(
                "%(requirement)s of %(programme)s (%(period)s) was due on %(date)s and is not "
                "met yet. Please upload its evidence as soon as you can."
            )
            % values,
        )
    return (
        _("%(requirement)s is due in %(days)s days") % values,
        _(
            "%(requirement)s of %(programme)s (%(period)s) is due on %(date)s. Please upload its "
            "evidence by then."
        )
        % values,
    )


def _reminder_text(reminder, team_name, title, due, extended_to) -> tuple[str, str]:
    date = rules.effective_deadline(due, extended_to).strftime("%Y-%m-%d")
    values = {"group": team_name, "title": title, "date": date, "days": reminder.days}
    if reminder.kind == rules.ReminderKind.OVERDUE:
        return (
            _("Overdue: %(group)s %(title)s (due %(date)s)") % values,
            _(
                "The %(title)s of %(group)s was due on %(date)s and has not been filed. Please "
                "file it as soon as you can."
            )
            % values,
        )
    return (
        _("%(title)s due in %(days)s days: %(group)s") % values,
        _("The %(title)s of %(group)s is due on %(date)s.") % values,
    )


@transaction.atomic
def activity_record(
    *,
    actor,
    team,
    data: dict,
    present_member_ids,
    files: Sequence[UploadedFile] = (),
) -> ActivityRecord:
    """The lead records an activity, who attended it (every member gets a row), and its
    materials and photos."""

    if not can_manage(actor, team):
        raise PermissionDenied(_("Only the group's lead records its activities."))
    members = set(team.memberships.values_list("pk", flat=True))
    present = set(present_member_ids)
    if present - members:
        raise ValidationError(_("Attendance can only be taken for the group's members."))
    accepted = check_uploads(files)
    activity = ActivityRecord(bureau_id=team.bureau_id, team=team, recorded_by=actor, **data)
    activity.full_clean(exclude=["bureau", "team", "recorded_by"])
    activity.save()
    store(ActivityFile, {"bureau_id": team.bureau_id, "activity": activity}, files, accepted)
    AttendanceRecord.objects.bulk_create(
        [
            AttendanceRecord(
                bureau_id=team.bureau_id,
                activity=activity,
                membership_id=member_id,
                present=member_id in present,
            )
            for member_id in sorted(members)
        ]
    )
    audit_record(
        bureau=team.bureau_id,
        actor=actor,
        action="activity.record",
        target=team,
        topic=activity.topic,
        date=activity.date,
        present=len(present),
        files=len(files),
    )
    return activity


@transaction.atomic
def activity_attendance_complete(*, actor, activity: ActivityRecord) -> int:
    """Give every member of the activity's group an attendance row (with the row's default, to
    be corrected in the admin's attendance inline), as a recorded activity has; rows already there
    are kept. Returns how many were added."""
    known = set(activity.attendance.values_list("membership_id", flat=True))
    added = AttendanceRecord.objects.bulk_create(
        [
            AttendanceRecord(bureau_id=activity.bureau_id, activity=activity, membership_id=pk)
            for pk in activity.team.memberships.values_list("pk", flat=True)
            if pk not in known
        ]
    )
    if added:
        audit_record(
            bureau=activity.bureau_id,
            actor=actor,
            action="activity.attendance_complete",
            target=activity.team,
            topic=activity.topic,
            date=activity.date,
            added=len(added),
        )
    return len(added)


@transaction.atomic
def document_upload(
    *,
    actor,
    team: Team,
    kind: str,
    title: str,
    upload: UploadedFile,
    notes: str = "",
    on: dt.date | None = None,
) -> TeamDocument:
    """A group's lead or assistant files one of the group's documents (research plan, a school
    year's implementation plan, a summary, a portfolio …); a member files their own (a mentee's
    learning plan, reading note, forum report, personal portfolio …)."""
    if not can_manage(actor, team):
        member = Membership.objects.filter(team=team, teacher__user=actor).exists()
        if not member or kind not in MEMBER_DOCUMENT_KINDS:
            raise PermissionDenied(_("Only the group's lead files this kind of document."))
    if not title.strip():
        raise ValidationError({"title": _("Give the document a title.")})
    (checked,) = check_uploads([upload])
    document = TeamDocument.objects.create(
        bureau_id=team.bureau_id,
        team=team,
        kind=kind,
        title=title.strip(),
        notes=notes.strip(),
        author=actor,
        submitted_on=on or timezone.localdate(),
        file=upload,
        original_name=checked.name,
        size=upload.size,
        content_type=checked.content_type,
    )
    audit_record(
        bureau=team.bureau_id,
        actor=actor,
        action="document.upload",
        target=team,
        kind=kind,
        title=document.title,
    )
    return document


@transaction.atomic
def document_review(*, actor, document: TeamDocument, comment: str) -> TeamDocument:
    """The lead (a mentor) reviews a member's document, such as a mentee's portfolio
    (XC-MENTEE: reviewed by the mentor before completion)."""
    team = document.team
    if not can_manage(actor, team):
        raise PermissionDenied(_("Only the group's lead reviews its members' documents."))
    if document.author_id == actor.pk:
        raise ValidationError(_("A document is reviewed by somebody other than its author."))
    if not comment.strip():
        raise ValidationError({"comment": _("Write the review before saving it.")})
    document.reviewed_by, document.reviewed_on = actor, timezone.localdate()
    document.review_comment = comment.strip()
    document.save(update_fields=["reviewed_by", "reviewed_on", "review_comment"])
    audit_record(
        bureau=document.bureau_id,
        actor=actor,
        action="document.review",
        target=team,
        title=document.title,
    )
    return document


@transaction.atomic
def course_record(*, actor, team: Team, data: dict) -> WorkshopCourse:
    """The lead records a course the workshop turned its results into (XH-WS-OUTPUT)."""
    _require_manager(actor, team)
    course = WorkshopCourse(bureau_id=team.bureau_id, team=team, recorded_by=actor, **data)
    course.full_clean(exclude=["bureau", "team", "recorded_by"])
    course.save()
    audit_record(
        bureau=team.bureau_id,
        actor=actor,
        action="course.record",
        target=team,
        title=course.title,
        hours=course.hours,
    )
    return course


# --- Duties of units (SJ-SCHOOL, XC-TEAM, PT-HOURS, HA-ASSESS) ----------------------------------


def _may_file_for(actor, *, school=None, district=None) -> bool:
    if actor.bureau_id != (school or district).bureau_id:
        return False
    if actor.has_role(Role.BUREAU_STAFF):
        return True
    if not actor.has_role(Role.SCHOOL_ADMIN):
        return False
    administered = administered_school_id(actor)
    if school is not None:
        return administered is not None and administered == school.pk
    return administered is not None and administered == district.lead_school_id


@transaction.atomic
def unit_filing_create(
    *,
    actor,
    programme,
    data: dict,
    files: Sequence[UploadedFile] = (),
    school=None,
    district=None,
) -> UnitFiling:
    """A school's administrator (or bureau staff) files a record of one of the unit's duties:
    a school-based training session, the school's training plan, a principals' salon of the
    learning district it leads, the year-end unit assessment … with its files."""
    if (school is None) == (district is None):
        raise ValueError("a filing is for one school or one learning district")
    unit = school or district
    if unit.bureau_id != programme.bureau_id or not _may_file_for(
        actor, school=school, district=district
    ):
        raise PermissionDenied(_("Only the school's administrator files for it."))
    kind = data.get("kind") or ""
    if kind not in UnitFilingKind.values:
        raise ValidationError({"kind": _("Choose what you are filing.")})
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the record a title.")})
    day = data.get("date")
    if day is None:
        raise ValidationError({"date": _("Give the date.")})
    if day > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    cycle = programme.cycle
    if not cycle.start <= day <= cycle.end:
        raise ValidationError(
            {
                "date": _("The date is outside the programme's cycle (%(cycle)s).")
                % {"cycle": programme.cycle_label}
            }
        )
    hours = data.get("hours")
    if hours is not None and hours <= 0:
        raise ValidationError({"hours": _("Class hours must be more than 0.")})
    needs_hours = any(
        duty.min_hours is not None and (not duty.kinds or kind in duty.kinds)
        for duty in programme.unit_duties.all()
        if (duty.owed_by == UnitScope.LEARNING_DISTRICT) == (district is not None)
    )
    if needs_hours and hours is None:
        raise ValidationError({"hours": _("Give the class hours: they count towards the total.")})
    accepted = check_uploads(list(files)) if files else []
    filing = UnitFiling.objects.create(
        bureau_id=programme.bureau_id,
        programme=programme,
        school=school,
        learning_district=district,
        kind=kind,
        title=title,
        date=day,
        hours=hours,
        notes=(data.get("notes") or "").strip(),
        filed_by=actor,
    )
    if files:
        store(
            UnitFilingFile,
            {"bureau_id": programme.bureau_id, "filing": filing},
            files,
            accepted,
        )
    audit_record(
        bureau=programme.bureau_id,
        actor=actor,
        action="unit_filing.create",
        target=filing,
        unit=str(unit),
        kind=kind,
        title=title,
        date=day,
        hours=hours,
        files=len(files),
    )
    return filing


def unit_duties_copy(*, actor, source, target, months: int) -> None:
    """A programme's duties of units go with it to its next cycle (``programme_copy``); they
    carry no dates, so ``months`` changes nothing in them; a duty owed in a phase is owed in the
    copy's phase of the same name."""
    phases = {p.name: p for p in Phase.objects.filter(programme=target)}
    UnitDuty.objects.bulk_create(
        UnitDuty(
            bureau_id=target.bureau_id,
            programme=target,
            rule=duty.rule,
            title=duty.title,
            owed_by=duty.owed_by,
            min_classes=duty.min_classes,
            kinds=list(duty.kinds or ()),
            period=duty.period,
            phase=phases.get(duty.phase.name) if duty.phase_id else None,
            min_count=duty.min_count,
            min_hours=duty.min_hours,
            description=duty.description,
            order=duty.order,
        )
        for duty in UnitDuty.objects.filter(programme=source)
        .select_related("phase")
        .order_by("order", "id")
    )


def group_rules_copy(*, actor, source, target, months: int) -> None:
    """The rules of a programme's groups (XC-ATTEND, PT-HOURS) go with it to its next cycle
    (``programme_copy``); they carry no dates, so ``months`` changes nothing in them."""
    found = GroupRules.objects.filter(programme=source).first()
    if found is None:
        return
    GroupRules.objects.create(
        bureau_id=target.bureau_id,
        programme=target,
        keeps_attendance=found.keeps_attendance,
        max_absent_share=found.max_absent_share,
        training_hours_a_year=found.training_hours_a_year,
    )
