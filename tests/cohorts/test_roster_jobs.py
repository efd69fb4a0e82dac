"""Large rosters are imported by a Celery task, all or nothing, with progress."""

from unittest import mock

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment, RosterImport
from cohorts.tasks import run_roster_import

from .test_roster import roster


def upload(client, cast, content: bytes, name="roster.xlsx"):
    return client.post(
        "/admin/cohorts/rosterimport/add/",
        {
            "programme": cast.programme.pk,
            "file": SimpleUploadedFile(name, content),
        },
    )


def test_a_large_roster_is_queued_then_imported_by_the_task(
    xuhui, django_capture_on_commit_callbacks
):
    client = xuhui.client("staff")
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, xuhui, roster(xuhui, 1200))
    assert response.status_code == 302
    assert len(callbacks) == 1  # enqueued after the commit
    with bureau_scope(xuhui.bureau):
        job = RosterImport.objects.get(original_name="roster.xlsx")
        assert job.status == "queued" and job.created_by == xuhui.staff
    seen = []
    real_set = cache.set

    def spy(key, value, *args, **kwargs):
        seen.append(value)
        return real_set(key, value, *args, **kwargs)

    with mock.patch.object(cache, "set", side_effect=spy):
        assert run_roster_import(job.pk, xuhui.bureau.pk) == "done"
    assert seen[0] == {"done": 500, "total": 1200} and seen[-1]["done"] == 1000
    with bureau_scope(xuhui.bureau):
        job.refresh_from_db()
        assert (job.total_rows, job.created_count, job.problems) == (1200, 1200, [])
        assert Enrolment.objects.filter(programme=xuhui.programme).count() == 1202
    # A second delivery of the same task does nothing.
    assert run_roster_import(job.pk, xuhui.bureau.pk) == "not queued"
    page = client.get(f"/admin/cohorts/rosterimport/{job.pk}/change/").content.decode()
    assert "已导入" in page and "1200" in page


def test_a_large_roster_with_errors_imports_nothing_and_lists_every_line(xuhui):
    client = xuhui.client("staff")
    bad = {5: {"学校": "无此学校"}, 900: {"层次": "无此层次"}}
    upload(client, xuhui, roster(xuhui, 1000, bad=bad))
    with bureau_scope(xuhui.bureau):
        job = RosterImport.objects.get(original_name="roster.xlsx")
    assert run_roster_import(job.pk, xuhui.bureau.pk) == "invalid"
    with bureau_scope(xuhui.bureau):
        job.refresh_from_db()
        assert job.problems == [
            "第 7 行 学校 列：“无此学校”不在本局的学校名单中。",
            "第 902 行 层次 列：“无此层次”不是本方案的层次。",
        ]
        assert Enrolment.objects.filter(programme=xuhui.programme).count() == 2
    page = client.get(f"/admin/cohorts/rosterimport/{job.pk}/change/").content.decode()
    assert "第 902 行" in page


def test_only_xlsx_and_csv_are_accepted(xuhui):
    response = upload(xuhui.client("staff"), xuhui, b"%PDF-1.4", name="roster.pdf")
    assert response.status_code == 200
    assert "xlsx" in response.content.decode()
    assert not RosterImport.objects.all_bureaus().filter(original_name="roster.pdf").exists()
