"""Who may see which school. Views go through these helpers, never through School.objects."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role
from accounts.services import administered_school_id

from .models import School


def schools_for_user(user) -> QuerySet[School]:
    """The schools of the bureau in scope that ``user`` may see."""
    schools = School.objects.select_related("learning_district")
    if user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP):
        return schools
    if user.has_role(Role.SCHOOL_ADMIN):
        return schools.filter(pk=administered_school_id(user))
    return schools.none()


def get_school_for_user(user, pk: int) -> School:
    """The school, if ``user`` may see it; otherwise the same 404 as a school that doesn't exist."""
    school = schools_for_user(user).filter(pk=pk).first()
    if school is None:
        raise Http404
    return school
