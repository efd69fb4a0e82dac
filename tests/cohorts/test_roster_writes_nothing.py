"""A roster with one bad row writes nothing: no accounts, no profiles, no enrolments.

The rows are counted outside any preview: the preview is a dry run that rolls back whatever it
did, so a check made there cannot see a write that the real import would keep. These tests run
the import for real (the resource, the admin's confirm step with the file the preview stored, and
the background task) and count every kind of row a roster creates.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from import_export.formats.base_formats import XLSX

from accounts.models import TeacherProfile, User
from bureaus.models import AuditEntry
from bureaus.tenancy import all_bureaus, bureau_scope
from cohorts.models import Enrolment, EnrolmentStatusChange, RosterImport
from cohorts.resources import RosterResource
from cohorts.tasks import run_roster_import

from .test_roster import CONFIRM_URL, preview, roster

# A bad row at the start, in the middle and at the end: the good rows before and after it are
# new teachers whose accounts a careless import would create.
BAD_ROWS = [
    {0: {"学校": "不存在的学校"}},
    {5: {"层次": "不存在的层次"}},
    {9: {"工号": "R00002"}},  # the same teacher as an earlier row
]


def counts(cast) -> dict[str, int]:
    with all_bureaus():
        users = User.objects.all_bureaus()
        memberships = User.groups.through.objects.filter(
            user__in=users.values("pk"), group__in=Group.objects.values("pk")
        )
        found = {
            "users": users.count(),
            "group memberships": memberships.count(),
        }
    with bureau_scope(cast.bureau):
        found.update(
            {
                "profiles": TeacherProfile.objects.count(),
                "enrolments": Enrolment.objects.count(),
                "status changes": EnrolmentStatusChange.objects.count(),
                "audit rows": AuditEntry.objects.filter(action="roster.import").count(),
                "new staff numbers": TeacherProfile.objects.filter(
                    staff_number__startswith="R"
                ).count(),
            }
        )
    return found


def dataset(content: bytes):
    return XLSX().create_dataset(content)


@pytest.mark.parametrize("bad", BAD_ROWS, ids=["first", "middle", "last"])
def test_the_resource_writes_nothing_for_a_file_with_a_bad_row(xuhui, bad):
    before = counts(xuhui)
    with bureau_scope(xuhui.bureau):
        resource = RosterResource(programme=xuhui.programme, actor=xuhui.staff)
        result = resource.import_data(dataset(roster(xuhui, 10, bad=bad)), dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert counts(xuhui) == before


def test_the_resource_writes_everything_for_a_good_file(xuhui):
    """Positive control: the same call and counts do see the rows of a good file."""
    before = counts(xuhui)
    with bureau_scope(xuhui.bureau):
        resource = RosterResource(programme=xuhui.programme, actor=xuhui.staff)
        result = resource.import_data(dataset(roster(xuhui, 10)), dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    after = counts(xuhui)
    assert after["users"] == before["users"] + 10
    assert after["profiles"] == before["profiles"] + 10
    assert after["enrolments"] == before["enrolments"] + 10
    assert after["new staff numbers"] == 10
    assert after["audit rows"] == 1


@pytest.mark.parametrize("bad", BAD_ROWS, ids=["first", "middle", "last"])
def test_the_admins_confirm_step_writes_nothing_for_a_file_with_a_bad_row(xuhui, bad):
    """The preview shows no confirm button for a bad file, but the file it stored can still be
    posted to the confirm step, as the admin's own confirm form does."""
    client = xuhui.client("staff")
    before = counts(xuhui)
    response = preview(client, xuhui, roster(xuhui, 10, bad=bad))
    assert response.status_code == 200
    assert response.context["result"].has_validation_errors()
    assert "confirm_form" not in response.context
    stored = response.context["form"].cleaned_data["import_file"].tmp_storage_name
    assert stored
    assert counts(xuhui) == before
    done = client.post(
        CONFIRM_URL,
        {
            "import_file_name": stored,
            "original_file_name": "roster.xlsx",
            "format": "0",
            "resource": "",
            "programme": xuhui.programme.pk,
        },
    )
    assert done.status_code in (200, 302)
    assert counts(xuhui) == before


def test_the_admins_confirm_step_writes_a_good_file(xuhui):
    """Positive control for the confirm post above: the same post imports a good file."""
    client = xuhui.client("staff")
    before = counts(xuhui)
    response = preview(client, xuhui, roster(xuhui, 10))
    stored = response.context["form"].cleaned_data["import_file"].tmp_storage_name
    assert response.context["confirm_form"].initial["import_file_name"] == stored
    done = client.post(
        CONFIRM_URL,
        {
            "import_file_name": stored,
            "original_file_name": "roster.xlsx",
            "format": "0",
            "resource": "",
            "programme": xuhui.programme.pk,
        },
    )
    assert done.status_code == 302
    after = counts(xuhui)
    assert after["users"] == before["users"] + 10
    assert after["profiles"] == before["profiles"] + 10
    assert after["enrolments"] == before["enrolments"] + 10


@pytest.mark.parametrize("bad", BAD_ROWS, ids=["first", "middle", "last"])
def test_the_background_import_writes_nothing_for_a_file_with_a_bad_row(xuhui, bad):
    with bureau_scope(xuhui.bureau):
        job = RosterImport(
            bureau=xuhui.bureau,
            programme=xuhui.programme,
            original_name="roster.xlsx",
            created_by=xuhui.staff,
        )
        job.file.save("roster.xlsx", ContentFile(roster(xuhui, 10, bad=bad)), save=True)
    before = counts(xuhui)
    assert run_roster_import(job.pk, xuhui.bureau.pk) == "invalid"
    assert counts(xuhui) == before
