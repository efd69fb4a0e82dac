"""Follow-up jobs go through one outbox: recorded with their cause, handed to the worker after the
commit, handed over again by the sweep, retried with a growing delay, and visible when they fail.
A broker outage never turns a committed action into an error and never loses the job.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import Notification
from accounts.roles import Role
from accounts.services import notification_create, role_grant
from accounts.tasks import deliver_notification_email
from bureaus import outbox
from bureaus.models import AuditEntry, OutboxJob, OutboxStatus
from bureaus.tenancy import bureau_scope

calls: list[tuple] = []


@outbox.job("test: records its call", max_attempts=3)
def record_call(value: int, bureau_id: int) -> None:
    calls.append((value, bureau_id))


@outbox.job("test: always fails", max_attempts=3)
def always_fails(bureau_id: int) -> None:
    raise ConnectionError("mail server unreachable")


@outbox.job("test: cannot succeed")
def cannot_succeed(bureau_id: int) -> None:
    raise outbox.PermanentJobError("the file is gone")


@outbox.job("test: a PDF", queue="pdf")
def make_a_pdf(value: int, bureau_id: int) -> None:
    calls.append((value, bureau_id))


@pytest.fixture(autouse=True)
def _clear_calls():
    calls.clear()


def _without_jobs(cast):
    """The cast's set-up recorded jobs (role-grant e-mails) that these tests do not look at."""
    with bureau_scope(cast.bureau):
        OutboxJob.objects.all().delete()
    mail.outbox.clear()
    return cast


@pytest.fixture
def xh(xuhui):
    return _without_jobs(xuhui)


@pytest.fixture
def pt(putuo):
    return _without_jobs(putuo)


def broker_down():
    return mock.patch.object(
        outbox, "_publish", side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6390")
    )


def jobs(cast, **filters):
    with bureau_scope(cast.bureau):
        return list(OutboxJob.objects.filter(**filters).order_by("pk"))


def test_a_job_is_recorded_only_when_its_cause_commits(xh):
    with bureau_scope(xh.bureau):
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue(record_call, 1, xh.bureau.pk, bureau=xh.bureau)
            raise RuntimeError("the change failed")
        assert not OutboxJob.objects.exists()
        outbox.enqueue(record_call, 2, xh.bureau.pk, bureau=xh.bureau)
        job = OutboxJob.objects.get()
    assert (job.task, job.args, job.status) == (
        "tests.test_outbox.record_call",
        [2, xh.bureau.pk],
        "pending",
    )


def test_a_function_that_is_not_a_job_is_refused(xh):
    with bureau_scope(xh.bureau), pytest.raises(ValueError):
        outbox.enqueue(print, 1, bureau=xh.bureau)


def test_after_the_commit_the_job_is_handed_to_the_worker(xh, django_capture_on_commit_callbacks):
    with bureau_scope(xh.bureau):
        with mock.patch.object(outbox, "_publish") as publish:
            with django_capture_on_commit_callbacks(execute=True):
                job = outbox.enqueue(record_call, 3, xh.bureau.pk, bureau=xh.bureau)
                publish.assert_not_called()  # not before the commit
        publish.assert_called_once_with(job.pk, xh.bureau.pk, job.task)
        job.refresh_from_db()
        assert job.status == OutboxStatus.DISPATCHED and job.dispatched_at is not None


@override_settings(CELERY_JOB_QUEUES={"pdf": "pdf-here"})
def test_a_job_that_names_its_queue_is_handed_over_on_that_queue_and_sweeps_keep_it(
    xh, django_capture_on_commit_callbacks
):
    from bureaus.tasks import run_outbox_job

    with bureau_scope(xh.bureau):
        with mock.patch.object(run_outbox_job, "apply_async") as apply:
            with django_capture_on_commit_callbacks(execute=True):
                job = outbox.enqueue(make_a_pdf, 1, xh.bureau.pk, bureau=xh.bureau)
                plain = outbox.enqueue(record_call, 2, xh.bureau.pk, bureau=xh.bureau)
        assert apply.call_args_list == [
            mock.call(args=[job.pk, xh.bureau.pk], retry=False, queue="pdf-here"),
            mock.call(args=[plain.pk, xh.bureau.pk], retry=False),
        ]
        OutboxJob.objects.filter(pk=job.pk).update(status=OutboxStatus.PENDING)
        with mock.patch.object(run_outbox_job, "apply_async") as apply:
            assert outbox.sweep(now=timezone.now() + dt.timedelta(minutes=1)) == 1
        apply.assert_called_once_with(args=[job.pk, xh.bureau.pk], retry=False, queue="pdf-here")


def test_a_broker_outage_leaves_the_job_pending_and_raises_nothing(
    xh, django_capture_on_commit_callbacks
):
    with bureau_scope(xh.bureau):
        with broker_down(), django_capture_on_commit_callbacks(execute=True):
            job = outbox.enqueue(record_call, 4, xh.bureau.pk, bureau=xh.bureau)
        job.refresh_from_db()
    assert job.status == OutboxStatus.PENDING
    assert job.attempts == 0  # an outage does not use up the job's runs
    assert job.last_error.startswith("broker: OperationalError")


def test_the_sweep_hands_over_pending_jobs_once_the_broker_is_back(xh, pt):
    with bureau_scope(xh.bureau), broker_down():
        ours = outbox.enqueue(record_call, 5, xh.bureau.pk, bureau=xh.bureau)
    with bureau_scope(pt.bureau), broker_down():
        theirs = outbox.enqueue(record_call, 6, pt.bureau.pk, bureau=pt.bureau)
    now = timezone.now()
    with broker_down():
        assert outbox.sweep(now=now + dt.timedelta(seconds=30)) == 0  # still down: stays pending
    with mock.patch.object(outbox, "_publish") as publish:
        assert outbox.sweep(now=now) == 0  # too fresh: its after-commit hand-over may be running
        assert outbox.sweep(now=now + dt.timedelta(seconds=30)) == 2
        assert sorted(c.args for c in publish.call_args_list) == sorted(
            [(ours.pk, xh.bureau.pk, ours.task), (theirs.pk, pt.bureau.pk, theirs.task)]
        )
        # Handed over: not again unless it is still not started five minutes on (lost).
        assert outbox.sweep(now=now + dt.timedelta(seconds=200)) == 0
        assert outbox.sweep(now=now + dt.timedelta(seconds=400)) == 2
    for cast, job in ((xh, ours), (pt, theirs)):
        assert outbox.run(job.pk, cast.bureau.pk) == "done"
        assert outbox.run(job.pk, cast.bureau.pk) == "not due"  # a second delivery does nothing
    assert sorted(calls) == sorted([(5, xh.bureau.pk), (6, pt.bureau.pk)])


def test_a_failing_job_runs_again_later_and_stops_as_failed_with_its_error(xh):
    with bureau_scope(xh.bureau), broker_down():
        job = outbox.enqueue(always_fails, xh.bureau.pk, bureau=xh.bureau)
    delays = []
    for run in range(1, 4):
        if run > 1:  # its delay has passed
            with bureau_scope(xh.bureau):
                OutboxJob.objects.filter(pk=job.pk).update(not_before=timezone.now())
        before = timezone.now()
        result = outbox.run(job.pk, xh.bureau.pk)
        with bureau_scope(xh.bureau):
            job.refresh_from_db()
        assert job.attempts == run
        assert "ConnectionError: mail server unreachable" in job.last_error
        if run < 3:
            assert (result, job.status) == ("retry", OutboxStatus.PENDING)
            delays.append(round((job.not_before - before).total_seconds() / 60))
            # Not due before its delay; due after it.
            with mock.patch.object(outbox, "_publish"):
                assert outbox.sweep(now=job.not_before - dt.timedelta(seconds=5)) == 0
                assert outbox.sweep(now=job.not_before + dt.timedelta(seconds=1)) == 1
        else:
            assert (result, job.status) == ("failed", OutboxStatus.FAILED)
    assert delays == [1, 2]  # 1 minute, then 2
    with mock.patch.object(outbox, "_publish"):
        assert outbox.sweep(now=timezone.now() + dt.timedelta(days=1)) == 0  # failed: left alone


def test_a_job_that_cannot_succeed_fails_at_once(xh):
    with bureau_scope(xh.bureau), broker_down():
        job = outbox.enqueue(cannot_succeed, xh.bureau.pk, bureau=xh.bureau)
    assert outbox.run(job.pk, xh.bureau.pk) == "failed"
    with bureau_scope(xh.bureau):
        job.refresh_from_db()
    assert job.status == OutboxStatus.FAILED and job.attempts == 1
    assert "the file is gone" in job.last_error


def test_a_run_whose_worker_died_is_run_again_once_it_falls_silent(xh):
    with bureau_scope(xh.bureau), broker_down():
        job = outbox.enqueue(record_call, 7, xh.bureau.pk, bureau=xh.bureau)
    started = timezone.now() - dt.timedelta(minutes=30)
    alive = timezone.now()
    with bureau_scope(xh.bureau):
        OutboxJob.objects.filter(pk=job.pk).update(
            status=OutboxStatus.RUNNING, started_at=started, heartbeat_at=alive, attempts=1
        )
    with mock.patch.object(outbox, "_publish") as publish:
        # A long run that still shows signs of life is left alone, however long it takes.
        assert outbox.sweep(now=alive + dt.timedelta(seconds=30)) == 0
        assert outbox.run(job.pk, xh.bureau.pk) == "not due"
        # Silent for over a minute: its worker is gone.
        assert outbox.sweep(now=alive + dt.timedelta(seconds=61)) == 1
    publish.assert_called_once()
    assert outbox.run(job.pk, xh.bureau.pk) == "done"
    with bureau_scope(xh.bureau):
        job.refresh_from_db()
    assert job.attempts == 2 and calls == [(7, xh.bureau.pk)]


@outbox.job("test: takes a while")
def slow_job(bureau_id: int) -> None:
    import time

    time.sleep(0.5)


@pytest.mark.django_db(transaction=True)
def test_a_running_job_shows_it_is_alive(xuhui, settings):
    settings.OUTBOX_HEARTBEAT_SECONDS = 0.1
    with bureau_scope(xuhui.bureau), broker_down():
        job = outbox.enqueue(slow_job, xuhui.bureau.pk, bureau=xuhui.bureau)
    beats = []
    real_run = outbox._Heartbeat.run

    def watched(self):
        real_run(self)
        with bureau_scope(xuhui.bureau):
            beats.append(OutboxJob.objects.get(pk=job.pk).heartbeat_at)

    with mock.patch.object(outbox._Heartbeat, "run", watched):
        assert outbox.run(job.pk, xuhui.bureau.pk) == "done"
    with bureau_scope(xuhui.bureau):
        job.refresh_from_db()
    assert beats and beats[0] > job.started_at + dt.timedelta(seconds=0.1)


def test_a_run_cut_off_on_its_last_attempt_fails_visibly(xh):
    with bureau_scope(xh.bureau), broker_down():
        job = outbox.enqueue(record_call, 8, xh.bureau.pk, bureau=xh.bureau)
        OutboxJob.objects.filter(pk=job.pk).update(
            status=OutboxStatus.RUNNING,
            started_at=timezone.now() - dt.timedelta(minutes=5),
            heartbeat_at=timezone.now() - dt.timedelta(minutes=4),
            attempts=3,
        )
    with mock.patch.object(outbox, "_publish") as publish:
        assert outbox.sweep() == 0
    publish.assert_not_called()
    with bureau_scope(xh.bureau):
        job.refresh_from_db()
    assert job.status == OutboxStatus.FAILED and "worker stopped" in job.last_error


def test_a_keyed_job_is_recorded_once(xh):
    with bureau_scope(xh.bureau), broker_down():
        first = outbox.enqueue(record_call, 9, xh.bureau.pk, bureau=xh.bureau, key="cert:1")
        again = outbox.enqueue(record_call, 9, xh.bureau.pk, bureau=xh.bureau, key="cert:1")
        assert first is not None and again is None
        assert OutboxJob.objects.count() == 1


# --- E-mail: sent means sent ---------------------------------------------------------------------


def notice(cast, key="test") -> Notification:
    with bureau_scope(cast.bureau), broker_down():
        return notification_create(
            recipient=cast.teacher, key=key, subject="材料被退回", body="请补充附件", link="/"
        )


class FailingBackend:
    """A mail backend whose server is unreachable."""

    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise self.error


def test_an_email_counts_as_sent_only_after_the_mail_server_took_it(xh):
    note = notice(xh)
    job = jobs(xh, task="accounts.tasks.deliver_notification_email")[0]
    with override_settings(EMAIL_BACKEND="tests.test_outbox.FailingBackend"):
        assert outbox.run(job.pk, xh.bureau.pk) == "retry"
    with bureau_scope(xh.bureau):
        note.refresh_from_db()
        job.refresh_from_db()
    assert note.emailed_at is None and note.email_claimed_at is None  # claim released
    assert job.status == OutboxStatus.PENDING and "SMTPServerDisconnected" in job.last_error
    assert job.not_before > timezone.now()  # retried later, with a delay
    assert mail.outbox == []
    # The server is back: once its delay has passed, the next run sends it, once.
    assert outbox.run(job.pk, xh.bureau.pk) == "not due"
    with bureau_scope(xh.bureau):
        OutboxJob.objects.filter(pk=job.pk).update(not_before=timezone.now())
    assert outbox.run(job.pk, xh.bureau.pk) == "done"
    assert deliver_notification_email(note.pk, xh.bureau.pk) == "already sent or gone"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [xh.teacher.email]
    with bureau_scope(xh.bureau):
        note.refresh_from_db()
    assert note.emailed_at is not None


def test_a_claimed_email_is_not_sent_by_a_second_run_until_the_claim_expires(xh):
    note = notice(xh)
    with bureau_scope(xh.bureau):
        Notification.objects.filter(pk=note.pk).update(email_claimed_at=timezone.now())
    # Another run is sending it right now: this one must not.
    assert deliver_notification_email(note.pk, xh.bureau.pk) == "already sent or gone"
    assert mail.outbox == []
    with bureau_scope(xh.bureau):  # that run died while sending: after a minute, try again
        Notification.objects.filter(pk=note.pk).update(
            email_claimed_at=timezone.now() - dt.timedelta(seconds=61)
        )
    assert deliver_notification_email(note.pk, xh.bureau.pk) == "sent"
    assert len(mail.outbox) == 1


def test_a_refused_address_is_recorded_and_not_retried(xh):
    note = notice(xh)
    job = jobs(xh, task="accounts.tasks.deliver_notification_email")[0]
    refused = smtplib.SMTPRecipientsRefused({xh.teacher.email: (550, b"no such user")})
    with (
        mock.patch.object(FailingBackend, "error", refused),
        override_settings(EMAIL_BACKEND="tests.test_outbox.FailingBackend"),
    ):
        assert outbox.run(job.pk, xh.bureau.pk) == "done"
    with bureau_scope(xh.bureau):
        note.refresh_from_db()
    assert note.emailed_at is None and "no such user" in note.email_error
    assert deliver_notification_email(note.pk, xh.bureau.pk) == "already sent or gone"


def test_a_batch_cut_off_by_the_mail_server_sends_only_the_rest_later(xh):
    import uuid

    batch = uuid.uuid4()
    with bureau_scope(xh.bureau):
        for who in (xh.teacher, xh.lead, xh.mentor):
            Notification.objects.create(
                bureau=xh.bureau,
                recipient=who,
                key=f"b:{who.pk}",
                subject="提醒",
                body="x",
                batch=batch,
            )
    from accounts.tasks import deliver_notification_batch

    sent_before_failure = []

    class HalfWay(FailingBackend):
        def send_messages(self, messages):
            if len(sent_before_failure) == 1:
                raise smtplib.SMTPServerDisconnected("gone")
            sent_before_failure.extend(messages)
            return len(messages)

    with mock.patch("django.core.mail.get_connection", return_value=HalfWay()):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            deliver_notification_batch(str(batch), xh.bureau.pk)
    with bureau_scope(xh.bureau):
        states = list(
            Notification.objects.filter(batch=batch).values_list("emailed_at", "email_claimed_at")
        )
    assert sum(1 for sent, _claim in states if sent) == 1
    assert all(claim is None for sent, claim in states if not sent)  # the failed one is released
    assert deliver_notification_batch(str(batch), xh.bureau.pk) == 2
    assert deliver_notification_batch(str(batch), xh.bureau.pk) == 0
    assert len(mail.outbox) == 2


# --- Staff see the jobs ---------------------------------------------------------------------


def test_staff_see_failed_jobs_with_their_error_and_run_them_again(
    xh, pt, django_capture_on_commit_callbacks
):
    with bureau_scope(xh.bureau), broker_down():
        job = outbox.enqueue(cannot_succeed, xh.bureau.pk, bureau=xh.bureau)
    outbox.run(job.pk, xh.bureau.pk)
    client = xh.client("staff")
    page = client.get("/admin/bureaus/outboxjob/?status=failed").content.decode()
    assert "the file is gone" in page and "test: cannot succeed" in page
    assert "需要处理" in page  # the status, in the staff's language
    with (
        mock.patch.object(outbox, "_publish") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/admin/bureaus/outboxjob/",
            {"action": "run_again", "_selected_action": [job.pk]},
        )
    assert response.status_code == 302
    publish.assert_called_once_with(job.pk, xh.bureau.pk, job.task)
    with bureau_scope(xh.bureau):
        job.refresh_from_db()
        assert job.status == OutboxStatus.DISPATCHED and job.attempts == 0
        assert AuditEntry.objects.filter(action="outbox.retry", actor=xh.staff).count() == 1
    # Another bureau's staff see none of it, and its job is the same 404 as a missing one.
    other = pt.client("staff")
    assert "the file is gone" not in other.get("/admin/bureaus/outboxjob/").content.decode()
    assert other.get(f"/admin/bureaus/outboxjob/{job.pk}/change/").status_code == 404
    # Teachers have no business there.
    assert xh.client("teacher").get("/admin/bureaus/outboxjob/").status_code == 302


def test_a_role_grant_during_a_broker_outage_commits_and_mails_later(
    xh, django_capture_on_commit_callbacks
):
    with bureau_scope(xh.bureau):
        with broker_down(), django_capture_on_commit_callbacks(execute=True):
            assert role_grant(actor=xh.staff, user=xh.teacher, role=Role.MENTOR)
        job = OutboxJob.objects.get(task="accounts.tasks.deliver_notification_email")
        assert job.status == OutboxStatus.PENDING
    with mock.patch.object(outbox, "_publish") as publish:
        assert outbox.sweep(now=timezone.now() + dt.timedelta(seconds=30)) == 1
    publish.assert_called_once()
    assert outbox.run(job.pk, xh.bureau.pk) == "done"
    assert [m.to for m in mail.outbox] == [[xh.teacher.email]]


def test_staff_are_told_on_their_home_page_when_jobs_failed(xh, pt):
    with bureau_scope(xh.bureau), broker_down():
        job = outbox.enqueue(cannot_succeed, xh.bureau.pk, bureau=xh.bureau)
    staff = xh.client("staff")
    assert 'data-testid="failed-jobs"' not in staff.get("/").content.decode()
    outbox.run(job.pk, xh.bureau.pk)
    page = staff.get("/").content.decode()
    assert "有 1 个后台任务" in page and "/admin/bureaus/outboxjob/?status=failed" in page
    # Not for teachers, and not for another bureau's staff.
    assert 'data-testid="failed-jobs"' not in xh.client("teacher").get("/").content.decode()
    assert 'data-testid="failed-jobs"' not in pt.client("staff").get("/").content.decode()


def test_after_a_broker_failure_the_next_hand_overs_wait_for_the_sweep(
    xh, django_capture_on_commit_callbacks
):
    """One request that records several jobs waits for one broker timeout, not one each."""
    with bureau_scope(xh.bureau):
        with (
            broker_down() as publish,
            django_capture_on_commit_callbacks(execute=True),
        ):
            for value in range(3):
                outbox.enqueue(record_call, value, xh.bureau.pk, bureau=xh.bureau)
        assert publish.call_count == 1
        assert OutboxJob.objects.filter(status=OutboxStatus.PENDING).count() == 3
    with mock.patch.object(outbox, "_publish") as publish:  # the sweep always tries
        assert outbox.sweep(now=timezone.now() + dt.timedelta(seconds=30)) == 3


def test_a_job_waiting_out_its_retry_delay_is_not_run_early_by_a_stray_message(xh):
    with bureau_scope(xh.bureau), broker_down():
        job = outbox.enqueue(always_fails, xh.bureau.pk, bureau=xh.bureau)
    assert outbox.run(job.pk, xh.bureau.pk) == "retry"
    assert outbox.run(job.pk, xh.bureau.pk) == "not due"  # a second message, at once
    with bureau_scope(xh.bureau):
        job.refresh_from_db()
        assert job.attempts == 1
        OutboxJob.objects.filter(pk=job.pk).update(not_before=timezone.now())
    assert outbox.run(job.pk, xh.bureau.pk) == "retry"


def test_the_sweep_leaves_a_run_alone_that_showed_life_after_it_was_listed(xh):
    with bureau_scope(xh.bureau), broker_down():
        job = outbox.enqueue(record_call, 1, xh.bureau.pk, bureau=xh.bureau)
    silent = timezone.now() - dt.timedelta(minutes=5)
    with bureau_scope(xh.bureau):
        OutboxJob.objects.filter(pk=job.pk).update(
            status=OutboxStatus.RUNNING, started_at=silent, heartbeat_at=silent, attempts=1
        )
    real_due_jobs = outbox.due_jobs

    def listed_then_beats(now=None):
        rows = list(real_due_jobs(now).values_list("pk", flat=True))
        with bureau_scope(xh.bureau):  # the heartbeat lands between the list and the reset
            OutboxJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
        return OutboxJob.objects.all_bureaus().filter(pk__in=rows)

    with (
        mock.patch.object(outbox, "due_jobs", listed_then_beats),
        mock.patch.object(outbox, "_publish") as publish,
    ):
        assert outbox.sweep() == 0
    publish.assert_not_called()
    with bureau_scope(xh.bureau):
        job.refresh_from_db()
    assert job.status == OutboxStatus.RUNNING
