"""The broker goes down: people keep working, and nothing they did is lost.

A Redis of the test's own is the broker. It is stopped; staff return a piece of evidence and queue
a roster import. Both answer at once without an error. Redis comes back, the beat sweep hands the
recorded jobs over, and a real worker process sends the teacher's e-mail once and runs the import.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest
from django.conf import settings
from django.utils import timezone

from bureaus import outbox
from bureaus.models import OutboxJob, OutboxStatus
from bureaus.tenancy import bureau_scope
from cohorts.models import Evidence, RosterImport
from config.celery import app

from .cohorts.test_roster import roster
from .cohorts.test_roster_jobs import upload
from .conftest import require_service
from .test_celery_worker import (
    database_url,
    reset_publishing,
    sent_messages,
    start_worker,
    wait_for,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A throw-away redis-server on a port of its own, that the test can stop and start."""

    def __init__(self, folder):
        self.port = free_port()
        self.folder = folder
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_broker(tmp_path):
    require_service("redis")
    if os.environ.get("REQUIRE_SERVICES") == "1":
        require_service("postgres")
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed")
    redis = OwnRedis(tmp_path)
    redis.start()
    queue = f"portal-outage-{uuid.uuid4().hex[:8]}"
    saved = {
        key: app.conf.get(key)
        for key in ("broker_url", "broker_transport_options", "task_default_queue")
    }
    app.conf.update(
        broker_url=redis.url,
        broker_transport_options={"socket_connect_timeout": 2},
        task_default_queue=queue,
    )
    reset_publishing()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis.url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),  # the uploaded roster is read there
    }
    yield {"redis": redis, "env": env, "queue": queue, "mail": tmp_path / "mail", "log": tmp_path}
    redis.stop()
    app.conf.update(**saved)
    reset_publishing()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_staff_work_on_and_the_jobs_run_once_it_is_back(own_broker, xuhui):
    evidence = xuhui.extras["evidence"]
    with bureau_scope(xuhui.bureau):
        Evidence.objects.filter(pk=evidence.pk).update(state="submitted")
        OutboxJob.objects.all().delete()  # the cast's own set-up jobs are not this test's
    own_broker["redis"].stop()
    staff = xuhui.client("staff")

    returned, took = timed(
        lambda: staff.post(
            f"/evidence/{evidence.pk}/review/",
            {"decision": "return", "comment": "请补充听课记录"},
        )
    )
    assert returned.status_code == 302 and took < 3, (returned.status_code, took)
    queued, took = timed(lambda: upload(staff, xuhui, roster(xuhui, 30)))
    assert queued.status_code == 302 and took < 3, (queued.status_code, took)

    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        assert evidence.state == "returned"  # the action happened
        job = RosterImport.objects.get(original_name="roster.xlsx")
        assert job.status == "queued"
        pending = list(OutboxJob.objects.values_list("task", "status"))
    assert sorted(pending) == [
        ("accounts.tasks.deliver_notification_email", OutboxStatus.PENDING),
        ("cohorts.tasks.run_roster_import", OutboxStatus.PENDING),
    ]
    # While it is down, the sweep keeps the jobs and raises nothing.
    assert outbox.sweep(now=timezone.now() + timezone.timedelta(seconds=30)) == 0

    own_broker["redis"].start()
    worker, log = start_worker(own_broker)
    try:
        assert outbox.sweep(now=timezone.now() + timezone.timedelta(seconds=30)) == 2

        def returned_mail():
            return [
                (to, subject)
                for to, subject in sent_messages(own_broker["mail"])
                if to == xuhui.teacher.email and "退回" in subject
            ]

        def import_ended():
            with bureau_scope(xuhui.bureau):
                job.refresh_from_db()
            return job.status not in ("queued", "running")

        wait_for(returned_mail, 60, "the returned-evidence e-mail", log)
        wait_for(import_ended, 60, "the roster import", log)
        wait_for(
            lambda: all(
                status == OutboxStatus.DONE
                for status in OutboxJob.objects.all_bureaus().values_list("status", flat=True)
            ),
            30,
            "the jobs to be marked done",
            log,
        )
        assert (job.status, job.problems, job.created_count) == ("done", [], 30)
        # A later sweep hands nothing over again, so the e-mail stays single.
        assert outbox.sweep(now=timezone.now() + timezone.timedelta(hours=1)) == 0
        time.sleep(1)
        assert len(returned_mail()) == 1
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_with_the_cache_down_the_import_pages_still_open_and_the_import_runs(xuhui):
    """Redis is the cache too: a running import's progress is simply not shown."""
    from unittest import mock

    from django.core.cache import cache

    from cohorts.tasks import run_roster_import

    staff = xuhui.client("staff")
    upload(staff, xuhui, roster(xuhui, 5))
    with bureau_scope(xuhui.bureau):
        job = RosterImport.objects.get(original_name="roster.xlsx")
        RosterImport.objects.filter(pk=job.pk).update(status="running")
    down = ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch.object(cache, "get", side_effect=down),
        mock.patch.object(cache, "set", side_effect=down),
        mock.patch.object(cache, "delete", side_effect=down),
    ):
        assert staff.get("/admin/cohorts/rosterimport/").status_code == 200
        page = staff.get(f"/admin/cohorts/rosterimport/{job.pk}/change/")
        assert page.status_code == 200
        assert run_roster_import(job.pk, xuhui.bureau.pk) == "done"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_import_cut_off_by_a_killed_worker_runs_again_in_a_new_one(own_broker, xuhui, settings):
    import signal

    settings.OUTBOX_LOST_AFTER_SECONDS = 3
    own_broker["env"].update(OUTBOX_HEARTBEAT_SECONDS="1", OUTBOX_LOST_AFTER_SECONDS="3")
    staff = xuhui.client("staff")
    worker, log = start_worker(own_broker)
    try:
        upload(staff, xuhui, roster(xuhui, 3000))
        with bureau_scope(xuhui.bureau):
            job = RosterImport.objects.get(original_name="roster.xlsx")
            outbox_job = OutboxJob.objects.get(task="cohorts.tasks.run_roster_import")

        def running():
            with bureau_scope(xuhui.bureau):
                outbox_job.refresh_from_db()
            return outbox_job.status == OutboxStatus.RUNNING

        def importing():
            # the outbox marks its job running a moment before the task marks the import
            with bureau_scope(xuhui.bureau):
                job.refresh_from_db()
            return running() and job.status == "running"

        wait_for(importing, 60, "the import to start", log)
        worker.send_signal(signal.SIGKILL)  # the worker dies half-way, without a word
        worker.wait(timeout=10)
        with bureau_scope(xuhui.bureau):
            job.refresh_from_db()
        assert job.status == "running" and job.created_count == 0  # nothing half-written

        worker, log = start_worker(own_broker)
        assert outbox.sweep() == 0  # not yet: it may still be alive
        time.sleep(4)  # silent for longer than a heartbeat allows
        assert outbox.sweep() == 1

        def import_ended():
            with bureau_scope(xuhui.bureau):
                job.refresh_from_db()
            return job.status not in ("queued", "running")

        wait_for(import_ended, 120, "the import to run again", log)
        assert (job.status, job.problems[:3], job.created_count) == ("done", [], 3000)
        wait_for(lambda: not running(), 30, "the job to be marked done", log)
        assert (outbox_job.status, outbox_job.attempts) == (OutboxStatus.DONE, 2)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_the_portals_redis_down_staff_sign_in_and_work_without_an_error(own_broker, xuhui):
    """Redis is the portal's broker and its cache: with it stopped, every page still answers."""
    from django.test import Client, override_settings

    from .conftest import PASSWORD

    evidence = xuhui.extras["evidence"]
    with bureau_scope(xuhui.bureau):
        Evidence.objects.filter(pk=evidence.pk).update(state="submitted")
    own_broker["redis"].stop()
    dead_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_broker["redis"].url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    with override_settings(CACHES=dead_cache):
        staff = Client()
        steps = [
            lambda: staff.post(
                "/accounts/login/", {"username": "xh_staff", "password": PASSWORD}, follow=True
            ),
            lambda: staff.get("/evidence/review/"),
            lambda: staff.post(
                f"/evidence/{evidence.pk}/review/",
                {"decision": "return", "comment": "请补充听课记录"},
                follow=True,
            ),
            lambda: upload(staff, xuhui, roster(xuhui, 10)),
            lambda: staff.get("/admin/cohorts/rosterimport/"),
            lambda: staff.get("/admin/bureaus/outboxjob/"),
            lambda: staff.get("/"),
        ]
        for number, step in enumerate(steps):
            response, took = timed(step)
            assert response.status_code in (200, 302) and took < 3, (number, response, took)
    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        assert evidence.state == "returned"
        assert RosterImport.objects.filter(original_name="roster.xlsx", status="queued").exists()
