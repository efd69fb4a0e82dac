"""Writes on groups: deadlines from schedules, briefings, extensions, and the reminder scan."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification
from accounts.roles import Role
from bureaus.services import audit_record
from bureaus.tenancy import all_bureaus

from . import rules
from .models import ActivityRecord, AttendanceRecord, Briefing, Deadline, ReportingSchedule


def schedule_deadlines_sync(schedule: ReportingSchedule) -> int:
    """Create the schedule's deadlines that do not exist yet; returns how many there are."""
    days = rules.deadlines(schedule.rule, schedule.starts, schedule.ends)
    Deadline.objects.bulk_create(
        [
            Deadline(
                bureau_id=schedule.bureau_id, schedule=schedule, group_id=schedule.group_id, due=day
            )
            for day in days
        ],
        ignore_conflicts=True,
    )
    return len(days)


@transaction.atomic
def briefing_file(*, actor, deadline: Deadline, text: str, on: dt.date | None = None) -> Briefing:
    """The group's lead (or its project assistant) files the briefing owed by ``deadline``."""
    group = deadline.group
    if actor.pk not in (group.lead_id, group.assistant_id):
        raise PermissionDenied(_("Only the group's lead or assistant files its briefings."))
    if not text.strip():
        raise ValidationError(_("Write the briefing before filing it."))
    if Briefing.objects.filter(deadline=deadline).exists():
        raise ValidationError(_("The briefing for this deadline was filed already."))
    briefing = Briefing.objects.create(
        bureau_id=deadline.bureau_id,
        deadline=deadline,
        text=text.strip(),
        filed_by=actor,
        filed_on=on or timezone.localdate(),
    )
    audit_record(
        bureau=deadline.bureau_id,
        actor=actor,
        action="briefing.file",
        target=deadline,
        due=deadline.due,
        filed_on=briefing.filed_on,
    )
    return briefing


@transaction.atomic
def deadline_extend(*, actor, deadline: Deadline, to: dt.date, reason: str) -> Deadline:
    """Staff grant one deadline an extension, with the reason."""
    if not actor.has_role(Role.BUREAU_STAFF):
        raise PermissionDenied
    if to <= deadline.due:
        raise ValidationError(_("An extension must be later than the deadline."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the extension."))
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
    """Send every reminder due today for briefings not yet filed, each at most once.

    A sweep across all bureaus (deliberately), set-based: the deadlines near today are read in
    one query, the reminders due are worked out by ``rules.reminders_due``, and each is claimed
    by inserting its notification, which is unique per (recipient, key): a reminder another scan
    already claimed, at the same moment or before, is skipped by the database. E-mails go out in
    one task per bureau for the notifications this scan claimed.
    """
    from accounts.tasks import deliver_notification_batch

    today = today or timezone.localdate()
    before, overdue_after = reminder_settings()
    lookahead = dt.timedelta(days=max(before, default=0))
    lookback = dt.timedelta(days=overdue_after + 7)  # a week to catch a missed overdue notice
    window = Q(extended_to__isnull=True, due__range=(today - lookback, today + lookahead)) | Q(
        extended_to__range=(today - lookback, today + lookahead)
    )
    batch = uuid.uuid4()
    rows = []
    with all_bureaus():
        candidates = Deadline.objects.filter(window, briefing__isnull=True).values_list(
            "pk",
            "bureau_id",
            "due",
            "extended_to",
            "group__name",
            "group__lead_id",
            "group__assistant_id",
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
                                batch=batch,
                                key=f"reminder:{pk}:{reminder.kind}:{reminder.days}",
                                subject=subject,
                                body=body,
                            )
                        )
        with transaction.atomic():
            Notification.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
            claimed = defaultdict(int)
            for bureau_id in Notification.objects.filter(batch=batch).values_list(
                "bureau_id", flat=True
            ):
                claimed[bureau_id] += 1
            for bureau_id in claimed:
                transaction.on_commit(
                    lambda b=bureau_id: deliver_notification_batch.delay(str(batch), b)
                )
    return sum(claimed.values())


def _reminder_text(reminder, group_name, title, due, extended_to) -> tuple[str, str]:
    date = rules.effective_deadline(due, extended_to).strftime("%Y-%m-%d")
    values = {"group": group_name, "title": title, "date": date, "days": reminder.days}
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
def activity_record(*, actor, group, data: dict, present_member_ids) -> ActivityRecord:
    """The lead records an activity and who attended it (every member gets a row)."""

    if actor.pk not in (group.lead_id, group.assistant_id) and not actor.has_role(
        Role.BUREAU_STAFF
    ):
        raise PermissionDenied(_("Only the group's lead records its activities."))
    activity = ActivityRecord.objects.create(
        bureau_id=group.bureau_id, group=group, recorded_by=actor, **data
    )
    members = set(group.memberships.values_list("pk", flat=True))
    present = set(present_member_ids)
    if present - members:
        raise ValidationError(_("Attendance can only be taken for the group's members."))
    AttendanceRecord.objects.bulk_create(
        [
            AttendanceRecord(
                bureau_id=group.bureau_id,
                activity=activity,
                membership_id=member_id,
                present=member_id in present,
            )
            for member_id in sorted(members)
        ]
    )
    audit_record(
        bureau=group.bureau_id,
        actor=actor,
        action="activity.record",
        target=group,
        topic=activity.topic,
        date=activity.date,
        present=len(present),
    )
    return activity
