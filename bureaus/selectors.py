from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.models import TeacherProfile

from .models import School


def school_list_rows(schools: QuerySet[School]) -> QuerySet[School]:
    return schools.annotate(teacher_count=Count("teacher_profiles")).order_by(
        "learning_district__name", "name"
    )


def teachers_of_school(school: School) -> QuerySet[TeacherProfile]:
    return (
        TeacherProfile.objects.filter(school=school)
        .select_related("user")
        .order_by("user__full_name")
    )
