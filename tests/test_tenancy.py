"""Bureau tenancy fails closed: no bureau in scope is an error, never every row."""

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from accounts.models import TeacherProfile, User
from bureaus.models import AuditEntry, LearningDistrict, School
from bureaus.tenancy import (
    BureauManager,
    BureauScopeError,
    all_bureaus,
    bureau_scope,
    is_tenant_model,
    no_bureau,
)

# Models with a bureau that deliberately have no scoped manager; each needs a reason.
UNSCOPED_ON_PURPOSE: dict[str, str] = {}

# Models of the portal's own apps that belong to no bureau, each with the reason.
GLOBAL_MODELS: dict[str, str] = {
    "bureaus.Bureau": "the tenant itself",
    "bureaus.SchoolUserObjectPermission": "a guardian grant, read through its scoped school",
    "bureaus.SchoolGroupObjectPermission": "a guardian grant, read through its scoped school",
    "workshops.TeamUserObjectPermission": "a guardian grant, read through its scoped group",
}

PORTAL_APPS = {
    "bureaus",
    "accounts",
    "programmes",
    "cohorts",
    "workshops",
    "assessments",
    "credits",
}
PORTAL_APPS |= {"stipends"}


def tenant_models():
    return [m for m in apps.get_models() if is_tenant_model(m)]


def ungated(models) -> list[str]:
    """The portal's models that are neither tenant-owned with the scoped manager nor global."""
    wrong = []
    for model in models:
        label = model._meta.label
        if model._meta.app_label not in PORTAL_APPS or label in GLOBAL_MODELS:
            continue
        scoped = isinstance(model._default_manager, BureauManager)
        if not is_tenant_model(model) or not (scoped or label in UNSCOPED_ON_PURPOSE):
            wrong.append(label)
    return wrong


def test_every_model_of_the_portal_is_tenant_owned_or_global_with_a_reason():
    assert ungated(apps.get_models()) == []
    assert {app.label for app in apps.get_app_configs()} >= PORTAL_APPS
    stale = set(GLOBAL_MODELS) - {m._meta.label for m in apps.get_models()}
    assert stale == set(), f"listed as global but gone: {stale}"


def test_the_gate_catches_a_new_model_that_forgot_its_bureau():
    from django.db import models

    class Stray(models.Model):  # noqa: DJ008 - a cohorts model with no bureau, on no list
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "cohorts"

    class Unscoped(models.Model):  # noqa: DJ008 - a bureau, but the plain manager
        bureau = models.ForeignKey("bureaus.Bureau", on_delete=models.CASCADE)

        class Meta:
            app_label = "credits"

    try:
        assert ungated([Stray, Unscoped, School]) == ["cohorts.Stray", "credits.Unscoped"]
    finally:
        for label, name in (("cohorts", "stray"), ("credits", "unscoped")):
            apps.all_models[label].pop(name, None)
        apps.clear_cache()


def test_every_tenant_owned_model_has_the_scoped_default_manager():
    found = tenant_models()
    assert {m._meta.label for m in found} >= {
        "bureaus.School",
        "bureaus.LearningDistrict",
        "bureaus.AuditEntry",
        "accounts.User",
        "accounts.TeacherProfile",
        "accounts.Notification",
    }
    unprotected = [
        m._meta.label
        for m in found
        if not isinstance(m._default_manager, BureauManager)
        and m._meta.label not in UNSCOPED_ON_PURPOSE
    ]
    assert unprotected == [], f"tenant-owned models without BureauManager: {unprotected}"


def test_every_bureau_unique_constraint_includes_the_bureau():
    for model in tenant_models():
        for constraint in model._meta.constraints:
            fields = getattr(constraint, "fields", ())
            if fields and model is not User and "recipient" not in fields:
                assert "bureau" in fields, f"{model._meta.label}.{constraint.name} lacks bureau"
        assert not model._meta.unique_together, model._meta.label


@pytest.mark.parametrize("model", [School, LearningDistrict, TeacherProfile, AuditEntry, User])
def test_reading_without_a_bureau_in_scope_raises(xuhui, model):
    with no_bureau(), pytest.raises(BureauScopeError):
        list(model.objects.all())
    with no_bureau(), pytest.raises(BureauScopeError):
        model.objects.count()
    with no_bureau(), pytest.raises(BureauScopeError):
        model.objects.exists()


def test_updates_and_deletes_without_scope_raise(xuhui):
    with no_bureau(), pytest.raises(BureauScopeError):
        School.objects.update(number_of_classes=1)
    with no_bureau(), pytest.raises(BureauScopeError):
        School.objects.filter(name="x").delete()


def test_a_bureau_sees_only_its_own_rows(xuhui, putuo):
    with bureau_scope(putuo.bureau):
        assert set(School.objects.values_list("pk", flat=True)) == {
            putuo.school.pk,
            putuo.other_school.pk,
        }
        assert not School.objects.filter(pk=xuhui.school.pk).exists()
        assert School.objects.filter(pk=xuhui.school.pk).update(number_of_classes=99) == 0
        assert User.objects.filter(username="xh_staff").first() is None
    with bureau_scope(xuhui.bureau):
        assert School.objects.get(pk=xuhui.school.pk).number_of_classes == 18


def test_the_named_way_around_the_scope(xuhui, putuo):
    assert School.objects.all_bureaus().count() == 4
    with all_bureaus():
        assert School.objects.count() == 4


def test_a_queryset_made_outside_any_scope_is_scoped_when_it_runs(xuhui, putuo):
    # As a form field built at import time would be: the scope applies when the SQL runs.
    with no_bureau():
        field = forms.ModelChoiceField(queryset=School.objects.all())
    with bureau_scope(putuo.bureau):
        assert {s.pk for s in field.queryset} == {putuo.school.pk, putuo.other_school.pk}
    with bureau_scope(xuhui.bureau):
        assert {s.pk for s in field.queryset.all()} == {xuhui.school.pk, xuhui.other_school.pk}


def test_subqueries_are_scoped_too(xuhui, putuo):
    with bureau_scope(putuo.bureau):
        # A subquery over schools, evaluated from an all-bureaus outer query, keeps the scope.
        outer = LearningDistrict.objects.all_bureaus().filter(
            Exists(School.objects.filter(learning_district=OuterRef("pk")))
        )
        assert list(outer) == [putuo.district]
        inner_in = TeacherProfile.objects.all_bureaus().filter(school__in=School.objects.all())
        assert {p.bureau_id for p in inner_in} == {putuo.bureau.pk}


def test_links_across_bureaus_are_refused(xuhui, putuo):
    with all_bureaus():
        school = School(
            bureau=putuo.bureau, name="跨局学校", stage="primary", learning_district=xuhui.district
        )
        with pytest.raises(ValidationError) as error:
            school.full_clean()
        assert "learning_district" in error.value.message_dict
        with pytest.raises(ValueError):
            school.save()
        profile = TeacherProfile(
            bureau=putuo.bureau,
            user=putuo.staff,
            school=xuhui.school,
            staff_number="X1",
            gender="M",
            subject="maths",
            stage="junior",
        )
        with pytest.raises(ValueError):
            profile.save()


def test_names_are_unique_per_bureau_not_globally(xuhui, putuo):
    with bureau_scope(putuo.bureau):
        School.objects.create(bureau=putuo.bureau, name=xuhui.school.name, stage="junior")
        assert School.objects.filter(name=xuhui.school.name).count() == 1
        with pytest.raises(IntegrityError), transaction.atomic():
            School.objects.create(bureau=putuo.bureau, name=xuhui.school.name, stage="primary")
    assert School.objects.all_bureaus().filter(name=xuhui.school.name).count() == 2


def test_a_scoped_subquery_inside_an_annotation_of_a_global_model(xuhui, putuo):
    from django.contrib.auth.models import Group
    from django.db.models import Count, Q

    with bureau_scope(putuo.bureau):
        counts = dict(
            Group.objects.annotate(
                n=Count("user", filter=Q(user__in=User.objects.filter(is_active=True)))
            ).values_list("name", "n")
        )
    assert counts["role:teacher"] == 4  # Putuo's four teachers, none of Xuhui's
