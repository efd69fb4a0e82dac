"""Deadlines from schedules, briefings filed against them, extensions, and reminders sent once
(XH-BRIEF)."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.models import Notification
from accounts.tasks import deliver_notification_batch
from bureaus.tenancy import bureau_scope
from workshops.models import Deadline
from workshops.services import (
    briefing_file,
    deadline_extend,
    reminders_scan,
    schedule_deadlines_sync,
)

from ..conftest import require_service


def deadline_on(cast, day: dt.date) -> Deadline:
    with bureau_scope(cast.bureau):
        return Deadline.objects.get(team=cast.extras["team"], due=day)


def reminders(cast):
    with bureau_scope(cast.bureau):
        return list(
            Notification.objects.filter(key__startswith="reminder:").values_list(
                "recipient__username", "key"
            )
        )


def test_XH_BRIEF_the_schedule_makes_the_cycles_deadlines_once(xuhui):
    team = xuhui.extras["team"]
    with bureau_scope(xuhui.bureau):
        days = list(Deadline.objects.filter(team=team).values_list("due", flat=True))
        assert len(days) == 12 and days[0] == dt.date(2023, 9, 28)
        assert days[-1] == dt.date(2026, 6, 28)
        schedule_deadlines_sync(team.schedules.get())
        assert Deadline.objects.filter(team=team).count() == 12


def test_only_the_lead_files_and_only_once(xuhui):
    deadline = deadline_on(xuhui, dt.date(2023, 12, 28))
    with bureau_scope(xuhui.bureau):
        with pytest.raises(PermissionDenied):
            briefing_file(actor=xuhui.teacher, deadline=deadline, text="越权")
        briefing_file(actor=xuhui.lead, deadline=deadline, text="本季度完成两次研讨")
        with pytest.raises(ValidationError):
            briefing_file(actor=xuhui.lead, deadline=deadline, text="再次")


def test_staff_extend_a_deadline_with_a_reason(xuhui):
    deadline = deadline_on(xuhui, dt.date(2024, 3, 28))
    with bureau_scope(xuhui.bureau):
        with pytest.raises(PermissionDenied):
            deadline_extend(
                actor=xuhui.lead, deadline=deadline, to=dt.date(2024, 4, 10), reason="延期"
            )
        with pytest.raises(ValidationError):
            deadline_extend(
                actor=xuhui.staff, deadline=deadline, to=dt.date(2024, 4, 10), reason=""
            )
        deadline_extend(
            actor=xuhui.staff, deadline=deadline, to=dt.date(2024, 4, 10), reason="坊主外出培训"
        )
        deadline.refresh_from_db()
        assert deadline.effective_due == dt.date(2024, 4, 10)


def test_XH_BRIEF_reminders_are_sent_once_per_deadline_kind_and_recipient(
    xuhui, putuo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert reminders_scan(today=dt.date(2024, 3, 21)) == 2  # both bureaus' leads, 7 days
    assert len(callbacks) == 2  # one e-mail task per bureau, not one per reminder
    assert reminders(xuhui) == [
        ("xh_lead", f"reminder:{deadline_on(xuhui, dt.date(2024, 3, 28)).pk}:before:7")
    ]
    assert reminders_scan(today=dt.date(2024, 3, 21)) == 0  # the same day again: nothing
    assert reminders_scan(today=dt.date(2024, 3, 24)) == 0  # the 7-day reminder was sent
    assert reminders_scan(today=dt.date(2024, 3, 27)) == 2  # the 1-day reminder
    assert reminders_scan(today=dt.date(2024, 3, 29)) == 2  # overdue notices
    assert reminders_scan(today=dt.date(2024, 3, 30)) == 0


def test_no_reminder_for_a_filed_briefing_and_the_extension_moves_them(xuhui):
    deadline = deadline_on(xuhui, dt.date(2024, 6, 28))
    with bureau_scope(xuhui.bureau):
        briefing_file(
            actor=xuhui.lead, deadline=deadline, text="已按时提交", on=dt.date(2024, 6, 20)
        )
    assert reminders_scan(today=dt.date(2024, 6, 27)) == 0
    later = deadline_on(xuhui, dt.date(2024, 9, 28))
    with bureau_scope(xuhui.bureau):
        deadline_extend(
            actor=xuhui.staff, deadline=later, to=dt.date(2024, 10, 15), reason="国庆假期"
        )
    assert reminders_scan(today=dt.date(2024, 9, 29)) == 0  # not overdue: it was extended
    assert reminders_scan(today=dt.date(2024, 10, 14)) == 1


def test_the_batch_task_emails_each_reminder_once(xuhui):
    reminders_scan(today=dt.date(2024, 3, 21))
    with bureau_scope(xuhui.bureau):
        batch = Notification.objects.get(key__startswith="reminder:").batch
    assert deliver_notification_batch(str(batch), xuhui.bureau.pk) == 1
    assert deliver_notification_batch(str(batch), xuhui.bureau.pk) == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["xh_lead@example.edu.cn"]
    assert "7" in mail.outbox[0].subject and "数学工作坊" in mail.outbox[0].subject


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_the_same_moment_send_no_duplicate(xuhui, putuo):
    require_service("postgres")
    results, errors = [], []
    barrier = threading.Barrier(2)

    def scan():
        try:
            barrier.wait()
            results.append(reminders_scan(today=dt.date(2024, 3, 21)))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 2  # between them, each reminder once
    assert len(reminders(xuhui)) == 1 and len(reminders(putuo)) == 1
