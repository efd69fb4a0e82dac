"""The school pages (under the ``bureaus`` URL namespace, as before): staff list the bureau's
schools, a school administrator sees their own school."""

from django.shortcuts import redirect, render

from .access import get_school_for_user, role_required, schools_for_user
from .roles import Role
from .school_page import school_panels_for
from .selectors import school_list_rows, teachers_of_school
from .services import administered_school_id
from .teacher_page import teacher_panels_for


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP)
def school_list(request):
    schools = school_list_rows(schools_for_user(request.user))
    stage = request.GET.get("stage")
    if stage:
        schools = schools.filter(stage=stage)
    return render(request, "bureaus/school_list.html", {"schools": schools, "stage": stage})


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP, Role.SCHOOL_ADMIN)
def school_detail(request, pk: int):
    school = get_school_for_user(request.user, pk)
    return render(
        request,
        "bureaus/school_detail.html",
        {
            "school": school,
            "teachers": teachers_of_school(school),
            "panels": school_panels_for(request, school),
        },
    )


@role_required(Role.SCHOOL_ADMIN)
def my_school(request):
    school = get_school_for_user(request.user, administered_school_id(request.user))
    return redirect("bureaus:school_detail", pk=school.pk)


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP, Role.SCHOOL_ADMIN)
def teacher_detail(request, pk: int):
    """A teacher of a school the user may see: their profile and what other apps add."""
    from django.http import Http404

    from .models import TeacherProfile

    profile = (
        TeacherProfile.objects.filter(pk=pk, school__in=schools_for_user(request.user))
        .select_related("user", "school__learning_district")
        .first()
    )
    if profile is None:
        raise Http404
    return render(
        request,
        "bureaus/teacher_detail.html",
        {
            "profile": profile,
            "panels": teacher_panels_for(request, profile, own=False),
        },
    )
