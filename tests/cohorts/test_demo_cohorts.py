"""The demo participation (fixtures/demo_cohorts.json): loaded once, lively, and consistent.

The demo bureaus come first (``load_demo``), then the programme seeds (``load_programmes``), then
the enrolments and evidence (``load_demo_cohorts``), as ``make demo`` does. The loaded rows are
read back through the selectors the portal's pages use.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bureaus.files import check_file
from bureaus.models import AuditEntry, Bureau
from bureaus.tenancy import all_bureaus, bureau_scope
from cohorts.models import (
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    Evidence,
    EvidenceEvent,
    EvidenceFile,
    EvidenceState,
)
from cohorts.selectors import progress_for_enrolment, progress_matrix
from demo.cohorts import load_demo_cohorts
from programmes.models import Programme, Tier
from programmes.rules import Status

pytestmark = pytest.mark.django_db

PREFIXES = {"xuhui": "xh", "putuo": "pt", "haian": "ha", "songjiang": "sj"}
INSIDE_XH = dt.date(2025, 3, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    """The demo stores over a thousand small PDFs: keep them out of the shared test media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def load_everything() -> str:
    """What ``make demo`` loads; returns what load_demo_cohorts printed."""
    call_command("load_demo", stdout=StringIO())
    call_command("load_programmes", stdout=StringIO())
    out = StringIO()
    call_command("load_demo_cohorts", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    with all_bureaus():
        return {
            model.__name__: model.objects.count()
            for model in (
                Enrolment,
                EnrolmentStatusChange,
                Evidence,
                EvidenceFile,
                EvidenceEvent,
                AuditEntry,
            )
        }


def test_loading_twice_changes_nothing():
    first = load_everything()
    assert "xh-backbone-2023" in first and "sj-class-teacher-2024" in first
    before = row_counts()
    assert before["Evidence"] == before["EvidenceFile"] > 1000

    out = StringIO()
    call_command("load_demo_cohorts", stdout=out)

    assert "already present" in out.getvalue()
    assert row_counts() == before


def test_every_programme_has_twenty_enrolments_over_all_its_tiers_with_their_history():
    load_everything()
    for bureau in Bureau.objects.all():
        with bureau_scope(bureau):
            for programme in Programme.objects.all():
                enrolments = Enrolment.objects.filter(programme=programme)
                assert enrolments.count() >= 20, programme.code
                tiers = set(Tier.objects.filter(programme=programme).values_list("code", flat=True))
                used = set(enrolments.values_list("tier__code", flat=True))
                assert used == tiers, programme.code
                for enrolment in enrolments.prefetch_related("status_changes"):
                    history = list(enrolment.status_changes.all())
                    assert history[0].from_status == "" and history[0].to_status == "active"
                    assert history[0].effective_on == enrolment.enrolled_on
                    assert history[-1].to_status == enrolment.status
                    assert enrolment.school_id == enrolment.teacher.school_id
            # A warning and a withdrawal, each with the reason, in every bureau.
            changes = EnrolmentStatusChange.objects.exclude(from_status="")
            for status in (EnrolmentStatus.WARNED, EnrolmentStatus.WITHDRAWN):
                decided = changes.filter(to_status=status)
                assert decided.exists(), (bureau.code, status)
                assert all(change.reason.strip() for change in decided)
                assert {c.actor.username for c in decided} == {f"{PREFIXES[bureau.code]}_staff"}


def test_every_bureau_has_evidence_in_every_state_with_a_history_to_match():
    load_everything()
    for bureau in Bureau.objects.all():
        prefix = PREFIXES[bureau.code]
        with bureau_scope(bureau):
            states = Counter(Evidence.objects.values_list("state", flat=True))
            assert set(states) == set(EvidenceState.values), bureau.code
            assert states[EvidenceState.VERIFIED] > sum(states.values()) / 2

            evidence = Evidence.objects.select_related("kind", "verified_by").prefetch_related(
                "events__actor", "requirements"
            )
            for item in evidence:
                events = list(item.events.all())
                codes = {r.code for r in item.requirements.all()}
                assert codes or item.kind.code == "development_plan", item.title
                path = [(e.from_state, e.to_state) for e in events]
                if item.state == EvidenceState.DRAFT:
                    assert path == [] and item.submitted_at is None
                    continue
                assert path[0] == ("draft", "submitted")
                assert path[-1][1] == item.state
                submissions = [e for e in events if e.to_state == EvidenceState.SUBMITTED]
                assert item.submitted_at == submissions[-1].created_at
                assert [e.created_at for e in events] == sorted(e.created_at for e in events)
                assert item.created_at <= events[0].created_at
                last = events[-1]
                if item.state == EvidenceState.VERIFIED:
                    assert item.verified_by.username == f"{prefix}_staff"
                    assert item.verified_at == last.created_at
                else:
                    assert item.verified_at is None and item.verified_by is None
                if item.state == EvidenceState.RETURNED:
                    assert item.review_comment and last.comment == item.review_comment
                    assert last.actor.username == f"{prefix}_staff"
                if item.state == EvidenceState.SCHOOL_APPROVED:
                    assert last.actor.username == f"{prefix}_school_admin" and item.level == 1

            # Each demo teacher is enrolled and has something to fix, with the reviewer's comment.
            teacher = f"{prefix}_teacher"
            assert Enrolment.objects.filter(teacher__user__username=teacher).exists()
            own = Counter(
                Evidence.objects.filter(teacher__user__username=teacher).values_list(
                    "state", flat=True
                )
            )
            assert own[EvidenceState.RETURNED] >= 1 and own[EvidenceState.VERIFIED] >= 1
            assert len(own) >= 3, (teacher, own)
            assert (
                Evidence.objects.filter(
                    teacher__user__username=teacher, state=EvidenceState.RETURNED
                )
                .exclude(review_comment="")
                .exists()
            )

    with bureau_scope(Bureau.objects.get(code="songjiang")):
        dimensions = Evidence.objects.exclude(dimensions=[]).values_list("dimensions", flat=True)
        assert len(dimensions) >= 10
        assert {d for found in dimensions for d in found} >= {"ethics", "class_building"}


def test_progress_shows_met_missed_and_in_progress_inside_the_xh_cycle():
    load_everything()
    with bureau_scope(Bureau.objects.get(code="xuhui")):
        programme = Programme.objects.get(code="xh-backbone-2023")
        mine = Enrolment.objects.get(programme=programme, teacher__user__username="xh_teacher")
        rows = progress_for_enrolment(mine, today=INSIDE_XH)
        statuses = {row.requirement.code: row.result.status for row in rows}
        assert Status.MET in statuses.values()
        assert any(status != Status.MET for status in statuses.values())

        matrix = progress_matrix(
            programme, Enrolment.objects.filter(programme=programme), today=INSIDE_XH
        )
        cells = Counter(cell.status for row in matrix.rows for cell in row.cells if cell)
        assert cells[Status.MET] and cells[Status.MISSED] and cells[Status.IN_PROGRESS], cells
        assert len(matrix.rows) >= 20


def test_every_stored_file_is_a_valid_pdf():
    load_everything()
    with all_bureaus():
        files = list(EvidenceFile.objects.select_related("evidence"))
    assert files
    for stored in files:
        with stored.file.open("rb") as handle:
            accepted = check_file(stored.original_name, handle, stored.size, max_bytes=1 << 20)
            content = handle.read()
        assert accepted.content_type == stored.content_type == "application/pdf"
        assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
        assert stored.size == len(content)
        assert stored.file.name.startswith(f"evidence/{stored.bureau_id}/")


def broken_file(tmp_path: Path, **change) -> Path:
    """A one-enrolment cohorts file for Xuhui's backbone programme, with one thing changed."""
    evidence = {
        "kind": "public_lesson",
        "title": "《函数的单调性》区级公开课",
        "level": 3,
        "date": "2024-10-18",
        "requirements": ["任务二"],
        "state": "verified",
    }
    enrolment = {
        "teacher": "xh_teacher",
        "tier": "backbone",
        "enrolled_on": "2023-09-26",
        "evidence": [evidence],
    }
    for key, value in change.items():
        (evidence if key in evidence else enrolment)[key] = value
    data = {
        "bureaus": [
            {
                "bureau": "xuhui",
                "reviewers": {"bureau_staff": "xh_staff", "school_admin": "xh_school_admin"},
                "programmes": [
                    {
                        "programme": "xh-backbone-2023",
                        "enrolment_reason": "区教育局公布培养对象名单",
                        "enrolments": [enrolment],
                    }
                ],
            }
        ]
    }
    path = tmp_path / "cohorts.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "change, message",
    [
        ({"teacher": "xh_nobody"}, "enrolment 'xh_nobody': no teacher with username"),
        ({"tier": "principal"}, "unknown tier 'principal'"),
        ({"kind": "podcast"}, "unknown evidence kind 'podcast'"),
        ({"requirements": ["任务九"]}, "unknown requirement code '任务九'"),
        ({"date": "2022-05-01"}, "outside the programme's cycle"),
        ({"state": "returned"}, "needs the review comment"),
    ],
)
def test_a_mistake_names_the_file_and_the_entry_and_writes_nothing(tmp_path, change, message):
    call_command("load_demo", stdout=StringIO())
    call_command("load_programmes", stdout=StringIO())
    path = broken_file(tmp_path, **change)

    with pytest.raises(ValueError, match=message) as error:
        load_demo_cohorts(path)

    assert str(error.value).startswith(f"{path}: bureau 'xuhui'")
    with pytest.raises(CommandError, match=message):
        call_command("load_demo_cohorts", file=str(path), stdout=StringIO())
    assert row_counts()["Enrolment"] == row_counts()["Evidence"] == 0
    assert not list((tmp_path / "media").rglob("*.pdf"))
