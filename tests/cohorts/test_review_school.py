"""A school administrator (师训专管员) first reviews only the evidence of their own school.

The review service decides who may act on an item; these tests call it directly, so the school
comparison is checked without the view's lookup standing in front of it.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant
from bureaus.tenancy import bureau_scope
from cohorts.access import reviewer_role
from cohorts.models import Evidence, EvidenceEvent, EvidenceState
from cohorts.services import evidence_review
from programmes.models import EvidenceKind


def submitted(cast, profile, title: str) -> Evidence:
    """A school-level item waiting for the school's first review."""
    with bureau_scope(cast.bureau):
        return Evidence.objects.create(
            bureau=cast.bureau,
            teacher=profile,
            kind=EvidenceKind.objects.get(),
            title=title,
            level=1,
            date=dt.date(2024, 10, 10),
            state=EvidenceState.SUBMITTED,
        )


@pytest.fixture
def school_first(xuhui):
    xuhui.bureau.school_review_first = True
    xuhui.bureau.save()
    with bureau_scope(xuhui.bureau):
        # The mentor teaches at the other school; the school administrator holds the first school.
        assert xuhui.mentor.teacher_profile.school_id == xuhui.other_school.pk
        assert xuhui.teacher.teacher_profile.school_id == xuhui.school.pk
    return xuhui


@pytest.mark.parametrize("approve", [True, False])
def test_a_school_administrator_cannot_review_another_schools_evidence_through_the_service(
    school_first, approve
):
    x = school_first
    evidence = submitted(x, x.mentor.teacher_profile, "他校材料")
    with bureau_scope(x.bureau):
        assert reviewer_role(x.school_admin, evidence) is None
        with pytest.raises(PermissionDenied):
            evidence_review(actor=x.school_admin, evidence=evidence, approve=approve, comment="x")
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.SUBMITTED
        assert evidence.review_comment == ""
        assert not EvidenceEvent.objects.filter(evidence=evidence).exists()


def test_the_same_administrator_reviews_their_own_schools_evidence(school_first):
    """Positive control: the refusal above is the school, not the role or the state."""
    x = school_first
    evidence = submitted(x, x.teacher.teacher_profile, "本校材料")
    with bureau_scope(x.bureau):
        assert reviewer_role(x.school_admin, evidence) is not None
        evidence_review(actor=x.school_admin, evidence=evidence, approve=True)
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.SCHOOL_APPROVED


def test_the_other_schools_own_administrator_may_review_it(school_first):
    x = school_first
    evidence = submitted(x, x.mentor.teacher_profile, "他校材料")
    with bureau_scope(x.bureau):
        other_admin = User.objects.create_user(
            username="xh_other_school_admin",
            password="x",
            full_name="实验小学专管员",
            bureau=x.bureau,
        )
        role_grant(actor=None, user=other_admin, role=Role.SCHOOL_ADMIN, school=x.other_school)
        other_admin = User.objects.get(pk=other_admin.pk)  # fresh permission caches
        assert reviewer_role(other_admin, evidence) is not None
        assert reviewer_role(x.school_admin, evidence) is None
        evidence_review(actor=other_admin, evidence=evidence, approve=True)
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.SCHOOL_APPROVED


def test_the_review_page_refuses_another_schools_evidence(school_first):
    x = school_first
    evidence = submitted(x, x.mentor.teacher_profile, "他校材料")
    response = x.client("school_admin").post(
        f"/evidence/{evidence.pk}/review/", {"decision": "approve"}
    )
    assert response.status_code in (302, 403, 404)
    with bureau_scope(x.bureau):
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.SUBMITTED
