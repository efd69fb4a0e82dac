"""SJ-HONOUR in a batch: staff issue every honour certificate due in one action; the worker issues
them chunk by chunk, and a worker killed midway, run again, gives exactly one certificate each —
nobody twice, nobody skipped. The progress is read from the certificates in one query."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import TeacherProfile, User
from bureaus import outbox
from bureaus.models import AuditEntry, OutboxJob
from bureaus.tenancy import bureau_scope
from certificates import batches
from certificates.models import Certificate, CertificateBatch, RenderState
from cohorts.models import Enrolment

from .conftest import make_kind, run_jobs


def add_class_teachers(cast, count: int, *, school=None, years: int = 22) -> list[TeacherProfile]:
    """``count`` class teachers of ``years`` years, enrolled in the cast's programme."""
    school = school or cast.school
    found = []
    with bureau_scope(cast.bureau):
        tier = cast.programme.tiers.get(code="backbone")
        start = User.objects.count()
        for n in range(start, start + count):
            user = User.objects.create_user(
                username=f"{cast.bureau.code}_ct{n}",
                password="x",
                full_name=f"班主任{n:03d}喆",
                bureau=cast.bureau,
            )
            profile = TeacherProfile.objects.create(
                bureau=cast.bureau,
                user=user,
                staff_number=f"CT-{n}",
                gender="F",
                school=school,
                subject="chinese",
                stage="junior",
                years_teaching=years + 5,
                years_class_teacher=years,
            )
            Enrolment.objects.create(
                bureau=cast.bureau,
                programme=cast.programme,
                teacher=profile,
                tier=tier,
                school=school,
                enrolled_on=dt.date(2023, 9, 1),
            )
            found.append(profile)
    return found


@pytest.fixture
def honour(xuhui):
    return make_kind(xuhui, title="荣誉证书", type="honour", min_class_teacher_years=20)


def start(cast, kind, school=None) -> CertificateBatch:
    with bureau_scope(cast.bureau):
        return batches.batch_start(actor=cast.staff, kind=kind, school=school)


def certificates_of(cast, kind):
    with bureau_scope(cast.bureau):
        return list(Certificate.objects.filter(kind=kind).order_by("seq"))


def test_SJ_HONOUR_a_batch_of_n_issues_n_and_makes_their_pdfs(xuhui, honour, fake_renderer):
    due = add_class_teachers(xuhui, 5)
    batch = start(xuhui, honour)
    assert batch.total == 5
    with bureau_scope(xuhui.bureau):
        assert AuditEntry.objects.filter(action="certificate.batch").count() == 1
        jobs = OutboxJob.objects.filter(task__endswith="issue_batch")
        assert [j.args for j in jobs] == [[batch.pk, xuhui.bureau.pk]]
        assert batches.batch_progress(batch) == batches.Progress(0, 0, 0, 5)
    run_jobs(xuhui.bureau)
    issued = certificates_of(xuhui, honour)
    assert sorted(c.teacher_id for c in issued) == sorted(p.pk for p in due)
    assert [c.seq for c in issued] == [1, 2, 3, 4, 5]  # gapless, in issue order
    assert {c.batch_id for c in issued} == {batch.pk}
    with bureau_scope(xuhui.bureau):
        batch.refresh_from_db()
        assert tuple(batches.batch_progress(batch)) == (5, 5, 0, 5)
    assert batch.finished_at is not None
    # Run again (a second delivery of the message, a second batch): nothing more is issued.
    again = start(xuhui, honour)
    assert again.total == 0 and again.finished_at is not None
    with bureau_scope(xuhui.bureau):
        assert batches.batch_issue(batch.pk) == 0
    assert len(certificates_of(xuhui, honour)) == 5


def test_SJ_HONOUR_a_batch_for_one_school_issues_only_its_teachers(xuhui, honour, fake_renderer):
    here = add_class_teachers(xuhui, 2)
    add_class_teachers(xuhui, 2, school=xuhui.other_school)
    batch = start(xuhui, honour, school=xuhui.school)
    assert batch.total == 2
    run_jobs(xuhui.bureau)
    assert sorted(c.teacher_id for c in certificates_of(xuhui, honour)) == sorted(
        p.pk for p in here
    )


def test_a_worker_killed_midway_resumes_without_duplicating_or_skipping(
    xuhui, honour, fake_renderer, monkeypatch
):
    """The worker dies in the second chunk (after its first certificate): that chunk is rolled
    back, the first stays. The sweep hands the silent job over again and the run finishes the
    batch: exactly N certificates, one each, numbers without gaps."""
    from certificates import services

    due = add_class_teachers(xuhui, 7)
    monkeypatch.setattr(batches, "CHUNK", 3)
    real_issue = services.certificate_issue
    calls = {"n": 0}

    class Killed(Exception):
        pass

    def dying_issue(**kwargs):
        calls["n"] += 1
        if calls["n"] == 5:  # the second certificate of the second chunk
            raise Killed
        return real_issue(**kwargs)

    monkeypatch.setattr(services, "certificate_issue", dying_issue)
    batch = start(xuhui, honour)
    with bureau_scope(xuhui.bureau):
        job = OutboxJob.objects.get(task__endswith="issue_batch")
        assert outbox.run(job.pk, xuhui.bureau.pk) == "retry"
        assert Certificate.objects.filter(batch=batch).count() == 3  # the first chunk only
        # The worker was killed rather than failing politely: the job is left running, silent.
        long_ago = timezone.now() - dt.timedelta(hours=1)
        OutboxJob.objects.filter(pk=job.pk).update(
            status="running", started_at=long_ago, heartbeat_at=long_ago, not_before=None
        )
    monkeypatch.setattr(services, "certificate_issue", real_issue)
    assert outbox.sweep() >= 1  # the sweep finds it silent and hands it over again
    run_jobs(xuhui.bureau)
    issued = certificates_of(xuhui, honour)
    assert len(issued) == 7
    assert sorted(c.teacher_id for c in issued) == sorted(p.pk for p in due)
    assert [c.seq for c in issued] == list(range(1, 8))
    with bureau_scope(xuhui.bureau):
        batch.refresh_from_db()
        assert tuple(batches.batch_progress(batch)) == (7, 7, 0, 7)
        assert batch.finished_at is not None


def test_progress_counts_issued_made_and_failed_in_one_query(
    xuhui, honour, fake_renderer, django_assert_num_queries
):
    add_class_teachers(xuhui, 6)
    batch = start(xuhui, honour)
    with bureau_scope(xuhui.bureau):
        batches.batch_issue(batch.pk)  # issued; no PDF made yet
        batch.refresh_from_db()
        with django_assert_num_queries(1):
            assert tuple(batches.batch_progress(batch)) == (6, 0, 0, 6)
        first, second, *_rest = Certificate.objects.filter(batch=batch).order_by("seq")
        Certificate.objects.filter(pk=first.pk).update(render_state=RenderState.DONE)
        Certificate.objects.filter(pk=second.pk).update(render_state=RenderState.FAILED)
        with django_assert_num_queries(1):
            progress = batches.batch_progress(batch)
    assert tuple(progress) == (6, 1, 1, 6)
    assert progress.percent == (6 + 1) * 50 // 6 and not progress.settled
    assert batch.finished_at is None


def test_staff_start_a_batch_and_follow_it_on_its_page(xuhui, honour, fake_renderer):
    add_class_teachers(xuhui, 3)
    client = xuhui.client("staff")
    detail = client.get(f"/certificates/kinds/{honour.pk}/").content.decode()
    assert 'data-testid="due">3<' in detail
    response = client.post(f"/certificates/kinds/{honour.pk}/issue-all/", {"school": ""})
    with bureau_scope(xuhui.bureau):
        batch = CertificateBatch.objects.get()
    assert response["Location"] == f"/certificates/batches/{batch.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and "certificate_batch.js" in page and 'http-equiv="refresh"' in page
    data = client.get(f"/certificates/batches/{batch.pk}/progress/").json()
    assert (data["issued"], data["total"], data["settled"]) == (0, 3, False)
    run_jobs(xuhui.bureau)
    data = client.get(f"/certificates/batches/{batch.pk}/progress/").json()
    assert (data["issued"], data["made"], data["total"]) == (3, 3, 3)
    assert data["settled"] and data["finished"] and data["percent"] == 100
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page and "已完成" in page


def test_XH_FAIL_END_a_completion_batch_issues_those_who_passed_and_not_the_one_who_failed(
    xuhui, fake_renderer
):
    from tests.certificates.helpers import add_participant, decide_end_of_term

    completion = make_kind(xuhui)
    passed = [add_participant(xuhui) for _ in range(3)]
    failed = add_participant(xuhui)
    for enrolment in passed:
        decide_end_of_term(xuhui, enrolment, "pass")
    decide_end_of_term(xuhui, failed, "fail")
    batch = start(xuhui, completion)
    assert batch.total == 3
    run_jobs(xuhui.bureau)
    issued = certificates_of(xuhui, completion)
    assert sorted(c.enrolment_id for c in issued) == sorted(e.pk for e in passed)
    assert failed.teacher_id not in {c.teacher_id for c in issued}
    assert all(c.fields.get("result") for c in issued)  # the printed result comes with the due
