"""Who may see and act on which evidence. Views, downloads and reviews all go through here."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.roles import Role
from accounts.services import administered_school_id
from bureaus.models import Bureau

from . import rules
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


# --- Review ---------------------------------------------------------------------------------------


def review_rights(user) -> rules.ReviewRights:
    school_id = administered_school_id(user) if user.has_role(Role.SCHOOL_ADMIN) else None
    return rules.ReviewRights(bureau=user.has_role(Role.BUREAU_STAFF), school_id=school_id)


def bureau_reviews_school_first(bureau_id: int) -> bool:
    return Bureau.objects.filter(pk=bureau_id, school_review_first=True).exists()


def reviewer_role(user, evidence: Evidence) -> rules.Reviewer | None:
    """As whom ``user`` may review this evidence now, if at all (``rules.review_as``)."""
    return rules.review_as(
        rules.State(evidence.state),
        evidence.level,
        evidence.teacher.school_id,
        rights=review_rights(user),
        school_review_first=bureau_reviews_school_first(evidence.bureau_id),
    )


def waiting_for_review(user) -> Q:
    """The evidence waiting for ``user``'s review, as a filter: ``rules.review_as`` spelled out
    over every state and the two kinds of level the rule tells apart (the school level and any
    other)."""
    rights = review_rights(user)
    school_first = bureau_reviews_school_first(user.bureau_id)
    levels = {True: Q(level=rules.SCHOOL_LEVEL), False: ~Q(level=rules.SCHOOL_LEVEL)}
    waiting = Q(pk__in=[])
    for state in rules.State:
        for school_level, level_filter in levels.items():
            level = rules.SCHOOL_LEVEL if school_level else rules.SCHOOL_LEVEL + 1
            reviewer = rules.reviewer_of(state, level, school_review_first=school_first)
            if reviewer == rules.Reviewer.SCHOOL and rights.school_id is not None:
                if rules.may_review(reviewer, rights.school_id, rights):
                    waiting |= (
                        Q(state=state) & level_filter & Q(teacher__school_id=rights.school_id)
                    )
            elif rules.may_review(reviewer, None, rights):
                waiting |= Q(state=state) & level_filter
    return waiting


def enrolments_for_user(user, programme):
    """The programme's enrolments ``user`` may see in the progress matrix."""
    from .models import Enrolment

    enrolments = Enrolment.objects.filter(programme=programme)
    if user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP):
        return enrolments
    if user.has_role(Role.SCHOOL_ADMIN):
        return enrolments.filter(school_id=administered_school_id(user))
    return enrolments.none()


def get_output_call_for_user(user, pk: int):
    """A call for outstanding outputs of a programme ``user`` may see."""
    from programmes.access import programmes_for_user

    from .models import OutputCall

    call = (
        OutputCall.objects.select_related("programme")
        .filter(pk=pk, programme__in=programmes_for_user(user))
        .first()
    )
    if call is None:
        raise Http404
    return call
