"""A real Celery worker, in its own process, against a committed database.

The role-granted e-mail travels the whole way: the grant commits with its outbox job, the job is
handed to the broker after the commit, a separate worker process picks it up from the broker
(Redis, or the embedded filesystem broker that `make run` uses), reads the committed rows and
sends the e-mail exactly once.
"""

from __future__ import annotations

import email
import email.header
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Notification
from accounts.roles import Role
from accounts.services import role_grant
from accounts.tasks import deliver_notification_email
from bureaus import outbox
from bureaus.tenancy import bureau_scope
from config.celery import app

from .conftest import require_service

ROOT = Path(settings.BASE_DIR)


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = db.get("USER") or "postgres"
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"
    return f"sqlite:///{Path(db['NAME']).resolve()}"


def reset_publishing() -> None:
    """Forget pooled broker connections and the queue routing built from the old settings."""
    app._pool = None
    app.__dict__.pop("amqp", None)


@pytest.fixture
def broker(request, tmp_path):
    """Point this process's Celery app and a worker's environment at one broker and queue."""
    kind = request.param
    queue = f"portal-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
    }
    saved = {
        key: app.conf.get(key)
        for key in ("broker_url", "broker_transport_options", "task_default_queue")
    }
    if kind == "redis":
        require_service("redis")
        if os.environ.get("REQUIRE_SERVICES") == "1":
            require_service("postgres")
        url = os.environ["REDIS_URL"]
        env["CELERY_BROKER_URL"] = url
        options = {}
    else:
        url = "filesystem://"
        folder = tmp_path / "broker"
        env["CELERY_BROKER_URL"] = url
        env["CELERY_FILESYSTEM_DIR"] = str(folder)
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True)
        options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
        }
    app.conf.update(broker_url=url, broker_transport_options=options, task_default_queue=queue)
    reset_publishing()
    yield {"kind": kind, "env": env, "queue": queue, "mail": tmp_path / "mail", "log": tmp_path}
    app.conf.update(**saved)
    reset_publishing()
    if kind == "redis":
        import redis

        redis.Redis.from_url(url).delete(queue)


def start_worker(broker) -> tuple[subprocess.Popen, Path]:
    log = broker["log"] / "worker.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            broker["queue"],
            "--pool=solo",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"test-{broker['queue']}@%h",
        ],
        cwd=ROOT,
        env=broker["env"],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    return process, log


def sent_messages(folder: Path) -> list[tuple[str, str]]:
    """(recipient, subject) of every e-mail the file backend wrote; a file may hold several."""
    if not folder.exists():
        return []
    messages = []
    for path in folder.glob("*.log"):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                message = email.message_from_string(chunk.strip())
                subject = str(
                    email.header.make_header(email.header.decode_header(message["Subject"] or ""))
                )
                messages.append((message["To"], subject))
    return messages


def wait_for(predicate, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-4000:]}")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", ["redis", "filesystem"], indirect=True)
def test_a_real_worker_sends_the_role_grant_email_exactly_once(broker, xuhui):
    process, log = start_worker(broker)
    try:
        with bureau_scope(xuhui.bureau):
            role_grant(actor=xuhui.staff, user=xuhui.teacher, role=Role.MENTOR)
            notice = Notification.objects.filter(recipient=xuhui.teacher).latest("created_at")

        def ours() -> list[tuple[str, str]]:
            return [
                (to, subject)
                for to, subject in sent_messages(broker["mail"])
                if to == xuhui.teacher.email and "导师" in subject
            ]

        wait_for(lambda: ours(), 60, "the e-mail", log)
        with bureau_scope(xuhui.bureau):
            notice.refresh_from_db()
            assert notice.emailed_at is not None
        # Running the job again, twice, sends nothing more.
        with bureau_scope(xuhui.bureau):
            for _ in range(2):
                outbox.enqueue(
                    deliver_notification_email, notice.pk, xuhui.bureau.pk, bureau=xuhui.bureau
                )
        wait_for(
            lambda: log.read_text().count("already sent or gone") >= 2,
            60,
            "the repeated tasks",
            log,
        )
        assert len(ours()) == 1
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def start_beat(broker) -> tuple[subprocess.Popen, Path]:
    log = broker["log"] / "beat.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--loglevel=INFO",
            "--max-interval",
            "1",
        ],
        cwd=ROOT,
        env={**broker["env"], "REMINDER_SCAN_EVERY_SECONDS": "1"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    return process, log


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", ["redis"], indirect=True)
def test_XH_BRIEF_beat_and_a_real_worker_send_each_reminder_once(broker, xuhui):
    import datetime as dt

    from django.utils import timezone

    from accounts.models import Notification
    from workshops.models import ReportingSchedule
    from workshops.services import briefing_file, schedule_deadlines_sync

    today = timezone.localdate()
    team = xuhui.extras["team"]
    with bureau_scope(xuhui.bureau):
        # A monthly briefing due in 7 days, and one due tomorrow that was filed already.
        due = today + dt.timedelta(days=7)
        soon = ReportingSchedule.objects.create(
            bureau=xuhui.bureau,
            team=team,
            title="月度简报",
            frequency="monthly",
            day=due.day,
            starts=due,
            ends=due,
        )
        schedule_deadlines_sync(soon)
        filed_day = today + dt.timedelta(days=1)
        filed = ReportingSchedule.objects.create(
            bureau=xuhui.bureau,
            team=team,
            title="已交简报",
            frequency="monthly",
            day=filed_day.day,
            starts=filed_day,
            ends=filed_day,
        )
        schedule_deadlines_sync(filed)
        briefing_file(actor=xuhui.lead, deadline=filed.deadlines.get(), text="已提前提交")
    worker, worker_log = start_worker(broker)
    beat, beat_log = start_beat(broker)
    try:

        def reminder_rows():
            with bureau_scope(xuhui.bureau):
                return list(
                    Notification.objects.filter(key__startswith="reminder:").values_list(
                        "key", "emailed_at"
                    )
                )

        wait_for(
            lambda: any(sent for _key, sent in reminder_rows()),
            60,
            "the reminder e-mail",
            worker_log,
        )
        time.sleep(4)  # several more beat ticks, several more scans
        assert beat_log.read_text().count("scan_reminders") >= 3
        rows = reminder_rows()
        assert len(rows) == 1 and rows[0][0].endswith(":before:7")
        sent = [(to, s) for to, s in sent_messages(broker["mail"]) if "月度简报" in s]
        assert sent == [("xh_lead@example.edu.cn", sent[0][1])]
        assert not [s for _to, s in sent_messages(broker["mail"]) if "已交简报" in s]
    finally:
        for process in (beat, worker):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
