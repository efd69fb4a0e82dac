"""Who may see and act on which evidence. Views, downloads and reviews all go through here."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.roles import Role
from accounts.services import administered_school_id

from .models import Evidence, EvidenceFile


def evidence_for_user(user) -> QuerySet[Evidence]:
    """The evidence of the bureau in scope that ``user`` may see."""
    evidence = Evidence.objects.select_related("teacher__user", "teacher__school", "kind")
    if user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP):
        return evidence
    own = Q(teacher__user=user)
    if user.has_role(Role.SCHOOL_ADMIN):
        school_id = administered_school_id(user)
        if school_id is not None:
            return evidence.filter(own | Q(teacher__school_id=school_id))
    return evidence.filter(own)


def get_evidence_for_user(user, pk: int) -> Evidence:
    evidence = evidence_for_user(user).filter(pk=pk).first()
    if evidence is None:
        raise Http404
    return evidence


def get_own_evidence(user, pk: int) -> Evidence:
    """Evidence the user filed themselves (to edit or submit); anything else is not found."""
    evidence = (
        Evidence.objects.select_related("teacher", "kind").filter(pk=pk, teacher__user=user).first()
    )
    if evidence is None:
        raise Http404
    return evidence


def get_file_for_user(user, evidence_pk: int, file_pk: int) -> EvidenceFile:
    evidence = get_evidence_for_user(user, evidence_pk)
    found = EvidenceFile.objects.filter(pk=file_pk, evidence=evidence).first()
    if found is None:
        raise Http404
    return found


def enrolments_for_user(user, programme):
    """The programme's enrolments ``user`` may see in the progress matrix."""
    from .models import Enrolment

    enrolments = Enrolment.objects.filter(programme=programme)
    if user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP):
        return enrolments
    if user.has_role(Role.SCHOOL_ADMIN):
        return enrolments.filter(school_id=administered_school_id(user))
    return enrolments.none()
