"""Who may see which programme. Views, filters and the pages of other apps that take a
programme's id all go through here.

Every member of the bureau sees its active and closed programmes. A draft is being prepared by
bureau staff: only staff and leadership see it. For teachers, workshop leads, mentors and school
administrators a draft is the same 404 as a missing programme (or another bureau's).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role

from .models import Programme, ProgrammeStatus


def sees_drafts(user) -> bool:
    return user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP)


def programmes_for_user(user) -> QuerySet[Programme]:
    """The programmes of the bureau in scope that ``user`` may see."""
    programmes = Programme.objects.all()
    if sees_drafts(user):
        return programmes
    return programmes.exclude(status=ProgrammeStatus.DRAFT)


def get_programme_for_user(user, pk: int) -> Programme:
    programme = programmes_for_user(user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme
