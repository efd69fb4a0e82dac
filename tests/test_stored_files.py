"""A removed file leaves storage only after the commit, and only when its row is really gone: a
failed edit keeps the row and its file downloadable (evidence, activity, briefing and document
files alike)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from bureaus.tenancy import bureau_scope
from cohorts import services as evidence_services
from cohorts.models import Evidence, EvidenceFile
from tests.uploads.samples import MINIMAL_PDF
from workshops.models import ActivityFile, BriefingFile, TeamDocument

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _draft_with_a_file(cast) -> tuple[Evidence, EvidenceFile]:
    with bureau_scope(cast.bureau):
        evidence = evidence_services.evidence_save(
            actor=cast.teacher,
            teacher=cast.teacher.teacher_profile,
            data={
                "kind": cast.extras["evidence"].kind,
                "title": "草稿",
                "level": 1,
                "date": dt.date(2024, 10, 10),
            },
            requirements=[],
            files=[SimpleUploadedFile("教案.pdf", MINIMAL_PDF, content_type="application/pdf")],
        )
        return evidence, evidence.files.get()


def _edit_form(evidence, **extra) -> dict:
    return {
        "kind": evidence.kind_id,
        "title": evidence.title,
        "level": "1",
        "date": "2024-10-10",
        "hours": "",
        "delivery_mode": "",
        "description": "",
        **extra,
    }


def test_evidence_a_refused_submit_after_removing_the_only_file_keeps_it(xuhui):
    evidence, stored = _draft_with_a_file(xuhui)
    teacher = xuhui.client("teacher")
    response = teacher.post(
        f"/evidence/{evidence.pk}/edit/",
        _edit_form(evidence, remove_files=[stored.pk], submit="1"),
    )
    assert response.status_code == 200
    assert "提交前请至少附上一个文件" in response.content.decode()
    assert stored.file.storage.exists(stored.file.name)
    download = teacher.get(f"/evidence/{evidence.pk}/files/{stored.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == MINIMAL_PDF


def test_evidence_a_removed_file_leaves_storage_after_the_commit(
    xuhui, django_capture_on_commit_callbacks
):
    evidence, stored = _draft_with_a_file(xuhui)
    teacher = xuhui.client("teacher")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = teacher.post(
            f"/evidence/{evidence.pk}/edit/", _edit_form(evidence, remove_files=[stored.pk])
        )
        # Nothing leaves storage before the commit.
        assert stored.file.storage.exists(stored.file.name)
    assert response.status_code == 302
    assert callbacks
    assert not EvidenceFile.objects.all_bureaus().filter(pk=stored.pk).exists()
    assert not stored.file.storage.exists(stored.file.name)


def _stored(cast, model, key: str):
    """A stored file of the cast's group, saved again under the test's media folder."""
    with bureau_scope(cast.bureau):
        row = model.objects.get(pk=cast.extras[key].pk)
        row.file.save(row.original_name, ContentFile(MINIMAL_PDF), save=True)
        return row


CASES = [
    # model, the cast's row, what is deleted (the row itself or its parent), the download URL
    (ActivityFile, "activity_file", "activity", "/activities/{parent}/files/{pk}/"),
    (BriefingFile, "briefing_file", "briefing", "/deadlines/{deadline}/files/{pk}/"),
    (TeamDocument, "document", None, "/documents/{pk}/"),
]


def _url(template: str, row) -> str:
    parent = getattr(row, "activity_id", None)
    deadline = row.briefing.deadline_id if hasattr(row, "briefing") else None
    return template.format(pk=row.pk, parent=parent, deadline=deadline)


def _delete(row, parent: str | None) -> None:
    (getattr(row, parent) if parent else row).delete()


@pytest.mark.parametrize("model, key, parent, url", CASES, ids=lambda c: getattr(c, "__name__", c))
def test_a_removal_that_is_rolled_back_keeps_the_file(xuhui, model, key, parent, url):
    row = _stored(xuhui, model, key)
    pk = row.pk
    with bureau_scope(xuhui.bureau), pytest.raises(ValidationError):
        with transaction.atomic():
            _delete(row, parent)
            raise ValidationError("refused after the removal")
    assert row.file.storage.exists(row.file.name)
    with bureau_scope(xuhui.bureau):
        row = model.objects.get(pk=pk)
    download = xuhui.client("lead").get(_url(url, row))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == MINIMAL_PDF


@pytest.mark.parametrize("model, key, parent, url", CASES, ids=lambda c: getattr(c, "__name__", c))
def test_a_committed_removal_deletes_the_stored_file_after_the_commit(
    xuhui, django_capture_on_commit_callbacks, model, key, parent, url
):
    row = _stored(xuhui, model, key)
    pk = row.pk
    with django_capture_on_commit_callbacks(execute=True):
        with bureau_scope(xuhui.bureau):
            _delete(row, parent)
        assert row.file.storage.exists(row.file.name)
    assert not model.objects.all_bureaus().filter(pk=pk).exists()
    assert not row.file.storage.exists(row.file.name)


def test_a_file_still_named_by_a_row_is_kept(xuhui, django_capture_on_commit_callbacks):
    """Only rows that are really gone lose their file: a second row naming the same stored file
    keeps it."""
    row = _stored(xuhui, ActivityFile, "activity_file")
    with bureau_scope(xuhui.bureau):
        twin = ActivityFile.objects.create(
            bureau=row.bureau,
            activity=row.activity,
            file=row.file.name,
            original_name="twin.pdf",
            size=row.size,
            content_type=row.content_type,
        )
        with django_capture_on_commit_callbacks(execute=True):
            row.delete()
    assert row.file.storage.exists(row.file.name)
    assert twin.file.storage.exists(twin.file.name)
