"""Putuo's own forms, posted with Xuhui's ids in every choice and id field.

The cross-bureau walk aims Putuo's roles at Xuhui's URLs. These tests aim at Putuo's own pages and
admin forms instead, filled in with the ids of Xuhui's rows: every such form must refuse them (a
form error or a 404), and nothing of Xuhui's may change or be linked to Putuo's rows.
"""

from __future__ import annotations

import io

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from accounts.models import TeacherProfile, User
from accounts.services import administered_school_id
from bureaus.models import Bureau, LearningDistrict, School
from bureaus.tenancy import all_bureaus, bureau_scope, is_tenant_model
from cohorts.models import Enrolment, Evidence, EvidenceFile, ReservePoolEntry, RosterImport
from programmes.models import EvidenceKind, Requirement, Tier
from workshops.models import ActivityRecord, AttendanceRecord, Membership

from .conftest import CANARY
from .test_cross_bureau_walk import xuhui_objects
from .uploads.samples import MINIMAL_PDF

PDF = MINIMAL_PDF


def pdf(name="lesson.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def refused(response) -> bool:
    """A 404/403, or the form shown again with its errors."""
    if response.status_code in (403, 404):
        return True
    context = response.context or {}
    form = context["adminform"].form if "adminform" in context else context.get("form")
    return response.status_code == 200 and form is not None and bool(form.errors)


def no_canary(response) -> None:
    assert CANARY not in response.content.decode("utf-8", "replace")


def xuhui_row(model, xuhui):
    """One Xuhui row of ``model``, or None for a model no bureau owns."""
    if model is Bureau:
        return xuhui.bureau
    if not is_tenant_model(model):
        return None
    with all_bureaus():
        return model.objects.all_bureaus().filter(bureau=xuhui.bureau).order_by("pk").first()


# --- The site's forms ---------------------------------------------------------------------------


def evidence_data(putuo, **changes) -> dict:
    with bureau_scope(putuo.bureau):
        kind = EvidenceKind.objects.get()
        requirement = putuo.programme.requirements.get()
    data = {
        "kind": kind.pk,
        "title": "普陀公开课",
        "level": "1",
        "date": "2024-10-10",
        "hours": "",
        "delivery_mode": "",
        "description": "",
        "requirements": [requirement.pk],
        "output_call": "",
    }
    data.update(changes)
    return data


def xuhui_evidence_links(xuhui) -> dict:
    """Everything that links to Xuhui's kind, requirement and output call, by bureau."""
    with all_bureaus():
        kind = EvidenceKind.objects.all_bureaus().get(bureau=xuhui.bureau)
        requirement = Requirement.objects.all_bureaus().get(programme=xuhui.programme)
        return {
            "kind": set(
                Evidence.objects.all_bureaus().filter(kind=kind).values_list("bureau", flat=True)
            ),
            "requirement": set(
                Evidence.objects.all_bureaus()
                .filter(requirements=requirement)
                .values_list("bureau", flat=True)
            ),
            "call": set(
                Evidence.objects.all_bureaus()
                .filter(output_call=xuhui.extras["output_call"])
                .values_list("bureau", flat=True)
            ),
        }


def test_a_new_evidence_item_refuses_xuhuis_kind_requirement_and_call(xuhui, putuo):
    client = putuo.client("teacher")
    with bureau_scope(xuhui.bureau):
        kind = EvidenceKind.objects.get()
        requirement = xuhui.programme.requirements.get()
    call = xuhui.extras["output_call"]
    links = xuhui_evidence_links(xuhui)
    for field, value in (
        ("kind", kind.pk),
        ("requirements", [requirement.pk]),
        ("output_call", call.pk),
    ):
        response = client.post(
            "/evidence/new/",
            evidence_data(putuo, title=f"越界{field}", files=[pdf()]) | {field: value},
        )
        assert refused(response), field
        assert field in response.context["form"].errors, field
        no_canary(response)
    with all_bureaus():
        assert not Evidence.objects.all_bureaus().filter(title__startswith="越界").exists()
    assert xuhui_evidence_links(xuhui) == links
    # Positive control: the same post with Putuo's own values is saved.
    response = client.post("/evidence/new/", evidence_data(putuo, files=[pdf()]))
    assert response.status_code == 302
    with bureau_scope(putuo.bureau):
        assert Evidence.objects.filter(title="普陀公开课").exists()


def test_editing_evidence_refuses_xuhuis_ids_and_files(xuhui, putuo):
    client = putuo.client("teacher")
    client.post("/evidence/new/", evidence_data(putuo, title="普陀草稿", files=[pdf()]))
    with bureau_scope(putuo.bureau):
        draft = Evidence.objects.get(title="普陀草稿")
        own_file = draft.files.get()
    with bureau_scope(xuhui.bureau):
        kind = EvidenceKind.objects.get()
        requirement = xuhui.programme.requirements.get()
    xuhui_file = xuhui.extras["evidence_file"]
    links = xuhui_evidence_links(xuhui)
    for field, value in (
        ("kind", kind.pk),
        ("requirements", [requirement.pk]),
        ("output_call", xuhui.extras["output_call"].pk),
        ("remove_files", [xuhui_file.pk]),
    ):
        response = client.post(
            f"/evidence/{draft.pk}/edit/", evidence_data(putuo, title="普陀草稿") | {field: value}
        )
        assert refused(response), field
        assert field in response.context["form"].errors, field
        no_canary(response)
    assert xuhui_evidence_links(xuhui) == links
    with all_bureaus():
        assert EvidenceFile.objects.all_bureaus().filter(pk=xuhui_file.pk).exists()
        assert EvidenceFile.objects.all_bureaus().filter(pk=own_file.pk).exists()
    with bureau_scope(putuo.bureau):
        draft.refresh_from_db()
        assert draft.kind.bureau_id == putuo.bureau.pk and draft.output_call_id is None


def test_putuos_call_does_not_select_xuhuis_evidence(xuhui, putuo):
    evidence = xuhui.extras["evidence"]
    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        before = (evidence.output_call_id, evidence.selected_for_publication)
    response = putuo.client("staff").post(
        f"/outputs/{putuo.extras['output_call'].pk}/select/{evidence.pk}/", {"selected": "1"}
    )
    assert response.status_code == 404
    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        assert (evidence.output_call_id, evidence.selected_for_publication) == before


@pytest.mark.parametrize(
    "path",
    [
        "/evidence/{pt_evidence}/files/{xh_evidence_file}/",
        "/activities/{pt_activity}/files/{xh_activity_file}/",
        "/deadlines/{pt_deadline}/files/{xh_briefing_file}/",
        "/groups/{pt_group}/members/{xh_member}/",
    ],
)
def test_putuos_pages_do_not_reach_xuhuis_rows_by_a_second_id(xuhui, putuo, path):
    ids = {
        "pt_evidence": putuo.extras["evidence"].pk,
        "pt_activity": putuo.extras["activity"].pk,
        "pt_deadline": putuo.extras["deadline"].pk,
        "pt_group": putuo.extras["team"].pk,
        "xh_evidence_file": xuhui.extras["evidence_file"].pk,
        "xh_activity_file": xuhui.extras["activity_file"].pk,
        "xh_briefing_file": xuhui.extras["briefing_file"].pk,
        "xh_member": xuhui.extras["membership"].pk,
    }
    url = path.format(**ids)
    for who in ("staff", "lead", "teacher"):
        client = putuo.client(who)
        assert client.get(url).status_code in (403, 404), (who, url)
    for data in ({"task_division": CANARY}, {"remove": "1"}):
        assert putuo.client("lead").post(url, data).status_code in (403, 404, 405), url
    with bureau_scope(xuhui.bureau):
        member = Membership.objects.get(pk=xuhui.extras["membership"].pk)
        assert member.task_division == "负责课例研究"


def test_adding_a_member_refuses_a_xuhui_teacher(xuhui, putuo):
    team = putuo.extras["team"]
    response = putuo.client("lead").post(
        f"/groups/{team.pk}/members/add/",
        {"teacher": xuhui.teacher.teacher_profile.pk, "role": "member", "task_division": "x"},
    )
    assert refused(response)
    assert "teacher" in response.context["form"].errors
    no_canary(response)
    with all_bureaus():
        assert (
            not Membership.objects.all_bureaus()
            .filter(teacher=xuhui.teacher.teacher_profile, team=team)
            .exists()
        )


def test_an_activity_refuses_xuhuis_members_as_present(xuhui, putuo):
    team = putuo.extras["team"]
    client = putuo.client("lead")
    data = {"date": "2024-03-01", "kind": "集体备课", "topic": "越界考勤", "hours": "2"}
    response = client.post(
        f"/groups/{team.pk}/activities/new/",
        data | {"present": [xuhui.extras["membership"].pk]},
    )
    assert refused(response)
    assert "present" in response.context["form"].errors
    no_canary(response)
    with all_bureaus():
        assert not ActivityRecord.objects.all_bureaus().filter(topic="越界考勤").exists()
        assert (
            not AttendanceRecord.objects.all_bureaus()
            .filter(membership=xuhui.extras["membership"], activity__team=team)
            .exists()
        )
    # Positive control: Putuo's own member is accepted.
    response = client.post(
        f"/groups/{team.pk}/activities/new/",
        data | {"topic": "本坊考勤", "present": [putuo.extras["membership"].pk]},
    )
    assert response.status_code == 302
    with bureau_scope(putuo.bureau):
        assert ActivityRecord.objects.filter(topic="本坊考勤").exists()


@pytest.mark.parametrize(
    "who, url",
    [
        ("staff", "/evidence/review/?state=verified&school={xh_school}&kind={xh_kind}"),
        ("school_admin", "/evidence/review/?school={xh_school}&kind={xh_kind}"),
        ("staff", "/programmes/{pt_programme}/progress/?tier={xh_tier}&school={xh_school}"),
        ("staff", "/programmes/{pt_programme}/progress/?format=xlsx&tier={xh_tier}"),
        ("staff", "/groups/?programme={xh_programme}"),
        ("lead", "/groups/?programme={xh_programme}"),
    ],
)
def test_putuos_filters_refuse_xuhuis_ids(xuhui, putuo, who, url):
    with bureau_scope(xuhui.bureau):
        ids = {
            "xh_school": xuhui.school.pk,
            "xh_kind": EvidenceKind.objects.get().pk,
            "xh_tier": Tier.objects.filter(programme=xuhui.programme).first().pk,
            "xh_programme": xuhui.programme.pk,
            "pt_programme": putuo.programme.pk,
        }
    response = putuo.client(who).get(url.format(**ids))
    assert response.status_code == 200
    if "format=xlsx" in url:
        book = load_workbook(io.BytesIO(response.content))
        cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
        assert not any(CANARY in c for c in cells)
        return
    no_canary(response)
    assert response.context["filters"].errors, f"{url}: the filter took Xuhui's id"


# --- The admin's forms --------------------------------------------------------------------------


def admin_forms(client, url):
    """The main form and every inline form of an admin page."""
    response = client.get(url)
    assert response.status_code == 200, url
    found = [("", response.context["adminform"].form)]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        found += [(formset.prefix, f) for f in [*formset.forms, formset.empty_form]]
    return found


REGISTERED = sorted(m._meta.label_lower for m in admin.site._registry)


@pytest.mark.parametrize("label", REGISTERED)
def test_every_admin_choice_field_refuses_xuhuis_rows(xuhui, putuo, label):
    """Each id field of Putuo's admin forms (add and change, with their inlines) refuses the
    Xuhui row of its model, through the field's own validation as the admin runs it."""
    model = apps.get_model(label)
    client = putuo.client("staff")
    own = xuhui_objects(putuo)[label]
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    for url in (f"{base}{own.pk}/change/", f"{base}add/"):
        if client.get(url).status_code != 200:
            continue  # a page Putuo's staff may not use (platform only, or nothing to add)
        for prefix, form in admin_forms(client, url):
            for name, field in form.fields.items():
                if not isinstance(field, forms.ModelChoiceField):
                    continue
                other = xuhui_row(field.queryset.model, xuhui)
                if other is None:
                    continue
                value = (
                    [other.pk] if isinstance(field, forms.ModelMultipleChoiceField) else other.pk
                )
                with bureau_scope(putuo.bureau):
                    try:
                        field.clean(value)
                    except ValidationError:
                        continue
                pytest.fail(f"{url}: {prefix}{name} accepts Xuhui's {field.queryset.model}")


# The admin id fields the test above must have checked: it passes vacuously if it finds none.
EXPECTED_ADMIN_FIELDS = {
    "bureaus.school::learning_district",
    "bureaus.learningdistrict::lead_school",
    "cohorts.enrolment::programme",
    "cohorts.enrolment::teacher",
    "cohorts.enrolment::tier",
    "cohorts.enrolment::school",
    "cohorts.reservepoolentry::programme",
    "cohorts.reservepoolentry::teacher",
    "cohorts.outputcall::programme",
    "workshops.team::programme",
    "workshops.team::lead",
}


def test_the_admin_choice_fields_checked_include_the_known_ones(xuhui, putuo):
    checked = set()
    client = putuo.client("staff")
    objects = xuhui_objects(putuo)
    for label in REGISTERED:
        model = apps.get_model(label)
        own = objects[label]
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{own.pk}/change/"
        if client.get(url).status_code != 200:
            continue
        for prefix, form in admin_forms(client, url):
            for name, field in form.fields.items():
                if isinstance(field, forms.ModelChoiceField):
                    if xuhui_row(field.queryset.model, xuhui) is not None:
                        checked.add(f"{label}:{prefix}:{name}")
    assert EXPECTED_ADMIN_FIELDS <= checked, sorted(EXPECTED_ADMIN_FIELDS - checked)


def test_the_admin_refuses_a_school_in_xuhuis_district(xuhui, putuo):
    response = putuo.client("staff").post(
        "/admin/bureaus/school/add/",
        {"name": "越界学校", "stage": "primary", "learning_district": xuhui.district.pk},
    )
    assert refused(response)
    no_canary(response)
    with all_bureaus():
        assert not School.objects.all_bureaus().filter(name="越界学校").exists()


def test_the_admin_refuses_xuhuis_school_as_a_districts_lead(xuhui, putuo):
    district = putuo.district
    response = putuo.client("staff").post(
        f"/admin/bureaus/learningdistrict/{district.pk}/change/",
        {"name": district.name, "lead_school": xuhui.school.pk},
    )
    assert refused(response)
    with bureau_scope(putuo.bureau):
        assert LearningDistrict.objects.get(pk=district.pk).lead_school_id == putuo.school.pk


def test_the_admin_refuses_an_enrolment_of_xuhuis_rows(xuhui, putuo):
    with bureau_scope(putuo.bureau):
        tier = Tier.objects.filter(programme=putuo.programme).first()
        own = {
            "programme": putuo.programme.pk,
            "teacher": putuo.mentor.teacher_profile.pk,
            "tier": tier.pk,
            "school": putuo.other_school.pk,
            "enrolled_on": "2024-09-01",
            "plan_due": "",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        }
    with bureau_scope(xuhui.bureau):
        theirs = {
            "programme": xuhui.programme.pk,
            "teacher": xuhui.mentor.teacher_profile.pk,
            "tier": Tier.objects.filter(programme=xuhui.programme).first().pk,
            "school": xuhui.other_school.pk,
        }
    client = putuo.client("staff")
    for field, value in theirs.items():
        response = client.post("/admin/cohorts/enrolment/add/", own | {field: value})
        assert refused(response), field
        assert field in response.context["adminform"].form.errors, field
        no_canary(response)
    with all_bureaus():
        assert (
            not Enrolment.objects.all_bureaus()
            .filter(teacher__in=[xuhui.mentor.teacher_profile, putuo.mentor.teacher_profile])
            .exists()
        )
    # Positive control: Putuo's own rows are enrolled.
    assert client.post("/admin/cohorts/enrolment/add/", own).status_code == 302
    with bureau_scope(putuo.bureau):
        assert Enrolment.objects.filter(teacher=putuo.mentor.teacher_profile).exists()


def test_appointing_from_the_pool_refuses_xuhuis_tier(xuhui, putuo):
    entry = putuo.extras["pool_entry"]
    with bureau_scope(xuhui.bureau):
        tier = Tier.objects.filter(programme=xuhui.programme).first()
    response = putuo.client("staff").post(
        "/admin/cohorts/reservepoolentry/",
        {
            "action": "appoint",
            "_selected_action": [entry.pk],
            "apply": "1",
            "tier": tier.pk,
            "on": "2024-09-01",
        },
    )
    assert response.status_code == 200
    assert "tier" in response.context["form"].errors
    no_canary(response)
    with all_bureaus():
        assert (
            not Enrolment.objects.all_bureaus()
            .filter(tier=tier)
            .exclude(bureau=xuhui.bureau)
            .exists()
        )
        assert (
            not Enrolment.objects.all_bureaus()
            .filter(teacher=putuo.mentor.teacher_profile)
            .exists()
        )
        assert ReservePoolEntry.objects.all_bureaus().get(pk=entry.pk).enrolment_id is None


def test_a_roster_for_xuhuis_programme_is_refused(xuhui, putuo):
    client = putuo.client("staff")
    response = client.post(
        "/admin/cohorts/enrolment/import/",
        {
            "format": "0",
            "programme": xuhui.programme.pk,
            "import_file": SimpleUploadedFile("roster.xlsx", b"PK"),
        },
    )
    assert refused(response)
    assert "programme" in response.context["form"].errors
    response = client.post(
        "/admin/cohorts/enrolment/process_import/",
        {
            "format": "0",
            "programme": xuhui.programme.pk,
            "import_file_name": "x.xlsx",
            "original_file_name": "x.xlsx",
            "resource": "",
        },
    )
    assert response.status_code == 200 and "programme" in response.context["confirm_form"].errors
    response = client.post(
        "/admin/cohorts/rosterimport/add/",
        {"programme": xuhui.programme.pk, "file": SimpleUploadedFile("roster.csv", b"a,b\n")},
    )
    assert refused(response)
    with all_bureaus():
        assert (
            not RosterImport.objects.all_bureaus()
            .filter(programme=xuhui.programme, bureau=putuo.bureau)
            .exists()
        )
        assert RosterImport.objects.all_bureaus().filter(programme=xuhui.programme).count() == 1
        assert Enrolment.objects.all_bureaus().filter(programme=xuhui.programme).count() == 2


def test_a_user_cannot_be_made_administrator_of_a_xuhui_school(xuhui, putuo):
    client = putuo.client("staff")
    url = f"/admin/accounts/user/{putuo.teacher.pk}/change/"
    form = client.get(url).context["adminform"].form
    assert "administered_school" in form.fields
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(field, forms.ModelMultipleChoiceField):
            data[name] = [getattr(v, "pk", v) for v in (value or [])]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    for inline in client.get(url).context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{key}"] = management.initial.get(key, 0)
        data[f"{formset.prefix}-TOTAL_FORMS"] = 0
        data[f"{formset.prefix}-INITIAL_FORMS"] = 0
    data["administered_school"] = xuhui.school.pk
    response = client.post(url, data)
    assert refused(response)
    assert "administered_school" in response.context["adminform"].form.errors
    no_canary(response)
    with bureau_scope(putuo.bureau):
        teacher = User.objects.get(pk=putuo.teacher.pk)
        assert administered_school_id(teacher) is None
        assert TeacherProfile.objects.get(user=teacher).school_id == putuo.school.pk
