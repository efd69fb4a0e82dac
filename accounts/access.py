"""Who may reach which page about people, and which schools they may see.

School pages live here rather than in bureaus: they depend on roles, and bureaus imports no
other app. Views go through these helpers, never through School.objects.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect

from bureaus.models import School

from .roles import Role
from .services import administered_school_id


def bureau_member_required(view: Callable) -> Callable:
    """Signed in and belonging to a bureau (platform superusers go to the admin)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.bureau_id is None:
            if request.user.is_superuser:
                return redirect("admin:index")  # platform administrators work in the admin
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: str) -> Callable[[Callable], Callable]:
    """Signed in to a bureau and holding one of ``roles``; 403 otherwise."""

    def decorator(view: Callable) -> Callable:
        @bureau_member_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


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
