"""Groups in the admin: a new group's lead manages it (XH-WS-LEAD) and it owes what its form
owes; files and documents are listed, never edited; deadlines are still extended there."""

from __future__ import annotations

import datetime as dt

from django.contrib.messages import get_messages

from accounts.models import User
from bureaus.models import AuditEntry
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment
from workshops.access import MANAGE
from workshops.models import Deadline, Obligation, Team


def inline_management(response, filled: dict[str, int]) -> dict:
    """Management-form data for every inline on an admin page; ``filled`` new rows per prefix."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        initial = inline.formset.initial_form_count()
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(initial + filled.get(prefix, 0)),
                f"{prefix}-INITIAL_FORMS": str(initial),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def as_posted(response) -> dict:
    """What the browser posts back for an admin change page left as it is."""
    data = inline_management(response, {})

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            data[form.add_prefix(name)] = field.prepare_value(value) if name == "kinds" else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.initial_forms:
            add(form)
    return data


def team_fields(programme, lead, **extra) -> dict:
    return {
        "programme": programme.pk,
        "kind": "workshop",
        "name": "初中数学作业设计工作坊",
        "workshop_type": "inter_school",
        "lead": lead.pk,
        "assistant": "",
        "school": "",
        "learning_district": "",
        "stage": "junior",
        "subject": "maths",
        "project_title": "双减背景下的初中数学作业设计",
        "description": "",
        **extra,
    }


def enrol_as_backbone(cast, user) -> Enrolment:
    with bureau_scope(cast.bureau):
        return Enrolment.objects.create(
            bureau=cast.bureau,
            programme=cast.programme,
            teacher=user.teacher_profile,
            tier=cast.programme.tiers.get(code="backbone"),
            school=user.teacher_profile.school,
            enrolled_on=dt.date(2023, 9, 1),
        )


def test_XH_WS_LEAD_a_team_added_in_the_admin_is_managed_by_its_lead_and_owes_its_forms_dues(
    xuhui, putuo
):
    client = xuhui.client("staff")
    page = client.get("/admin/workshops/team/add/")
    assert page.status_code == 200
    prefixes = {i.formset.prefix for i in page.context["inline_admin_formsets"]}
    assert {"memberships", "obligations", "schedules", "courses", "documents"} <= prefixes
    data = inline_management(page, {"obligations": 1})
    User.objects.all_bureaus().filter(pk=xuhui.mentor.pk).update(trainer_researcher=True)
    data.update(team_fields(xuhui.programme, xuhui.mentor, workshop_type="college_school"))
    # Staff add one obligation of their own; the presets of the form come on top of it.
    data.update(
        {
            "obligations-0-order": "9",
            "obligations-0-rule": "XH-WS-LEAD",
            "obligations-0-title": "学期研修活动",
            "obligations-0-counts": "activities",
            "obligations-0-kinds": "集体备课、课例研究， 专题研讨",
            "obligations-0-min_count": "2",
            "obligations-0-period": "semester",
        }
    )
    response = client.post("/admin/workshops/team/add/", data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.errors for i in response.context["inline_admin_formsets"] for f in i.formset],
    )
    with bureau_scope(xuhui.bureau):
        team = Team.objects.get(name="初中数学作业设计工作坊")
        assert (team.stage, team.subject) == ("junior", "maths")
        mentor = User.objects.get(pk=xuhui.mentor.pk)
        assert mentor.has_perm(MANAGE, team)
        assert not User.objects.get(pk=xuhui.lead.pk).has_perm(MANAGE, team)
        own = Obligation.objects.get(team=team, title="学期研修活动")
        assert own.kinds == ["集体备课", "课例研究", "专题研讨"]
        assert set(team.obligations.values_list("title", flat=True)) == {
            "学期研修活动",
            "研究方案",
            "年度实施计划",
            "项目研究报告",
        }
        # XH-BRIEF: the quarterly briefing over the programme's cycle, with its deadlines.
        schedule = team.schedules.get()
        assert (schedule.frequency, schedule.day) == ("quarterly", 28)
        assert Deadline.objects.filter(team=team).count() == 12
        assert AuditEntry.objects.filter(action="group.presets", target_id=str(team.pk)).exists()
    # The kinds read back as staff typed them, joined.
    page = client.get(f"/admin/workshops/team/{team.pk}/change/").content.decode()
    assert "集体备课、课例研究、专题研讨" in page
    # Putuo's staff never see it.
    assert putuo.client("staff").get(f"/admin/workshops/team/{team.pk}/change/").status_code == 404


def test_XC_ASSIST_a_cadre_team_added_in_the_admin_gets_its_assistant_and_bimonthly_briefings(
    xuhui,
):
    client = xuhui.client("staff")
    page = client.get("/admin/workshops/team/add/")
    data = inline_management(page, {})
    data.update(
        team_fields(
            xuhui.programme,
            xuhui.lead,
            kind="cadre_team",
            name="学区干部团队",
            workshop_type="",
            assistant=xuhui.teacher.pk,
            learning_district=xuhui.district.pk,
        )
    )
    assert client.post("/admin/workshops/team/add/", data).status_code == 302
    with bureau_scope(xuhui.bureau):
        team = Team.objects.get(name="学区干部团队")
        for user in (xuhui.lead, xuhui.teacher):
            assert User.objects.get(pk=user.pk).has_perm(MANAGE, team)
        # XC-TEAM's plan, salons, summaries … are its learning district's duties (UnitDuty).
        assert not team.obligations.exists()
        assert team.schedules.get().frequency == "bimonthly"


def test_XH_WS_LEAD_changing_the_lead_moves_the_permission(xuhui):
    client = xuhui.client("staff")
    team = xuhui.extras["team"]
    url = f"/admin/workshops/team/{team.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = as_posted(page)
    enrol_as_backbone(xuhui, xuhui.mentor)  # XH-WS-TYPES: an inter-school lead is a participant
    data["lead"] = xuhui.mentor.pk
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.errors for i in response.context["inline_admin_formsets"] for f in i.formset],
    )
    with bureau_scope(xuhui.bureau):
        team.refresh_from_db()
        assert team.lead_id == xuhui.mentor.pk
        assert User.objects.get(pk=xuhui.mentor.pk).has_perm(MANAGE, team)
        assert not User.objects.get(pk=xuhui.lead.pk).has_perm(MANAGE, team)
        # A change is not a new group: no presets are added by saving it.
        assert not team.obligations.exists()
        # The rows shown read-only are untouched.
        assert team.documents.count() == 1 and team.courses.count() == 1


def test_the_presets_action_adds_what_a_team_lacks_and_says_how_many(xuhui):
    client = xuhui.client("staff")
    team = xuhui.extras["team"]
    changelist = "/admin/workshops/team/"
    posted = {"action": "apply_presets", "_selected_action": [team.pk]}
    response = client.post(changelist, posted, follow=True)
    assert response.status_code == 200
    assert any("3" in str(m) for m in get_messages(response.wsgi_request))
    with bureau_scope(xuhui.bureau):
        assert team.obligations.count() == 3
        assert team.schedules.count() == 1  # it had its schedule already
    response = client.post(changelist, posted, follow=True)
    assert any("0" in str(m) for m in get_messages(response.wsgi_request))
    with bureau_scope(xuhui.bureau):
        assert team.obligations.count() == 3
    # Leadership reads groups but runs no action.
    page = xuhui.client("leader").get(changelist).content.decode()
    assert "apply_presets" not in page


def test_the_extend_action_still_works(xuhui):
    client = xuhui.client("staff")
    with bureau_scope(xuhui.bureau):
        deadline = xuhui.extras["team"].deadlines.order_by("due")[1]
    response = client.post(
        "/admin/workshops/deadline/",
        {
            "action": "extend",
            "_selected_action": [deadline.pk],
            "apply": "1",
            "to": "2024-01-10",
            "reason": "坊主外出参加市级培训",
        },
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        deadline.refresh_from_db()
        assert deadline.extended_to == dt.date(2024, 1, 10)
        assert deadline.extension_reason == "坊主外出参加市级培训"


def test_files_and_documents_are_listed_with_links_through_the_portal_and_never_edited(xuhui):
    client = xuhui.client("staff")
    activity = xuhui.extras["activity"]
    page = client.get(f"/admin/workshops/activityrecord/{activity.pk}/change/").content.decode()
    stored = xuhui.extras["activity_file"]
    assert f"/activities/{activity.pk}/files/{stored.pk}/" in page
    assert 'name="module"' in page and 'name="session_format"' in page
    briefing = xuhui.extras["briefing"]
    page = client.get(f"/admin/workshops/briefing/{briefing.pk}/change/").content.decode()
    assert f"/deadlines/{briefing.deadline_id}/files/{xuhui.extras['briefing_file'].pk}/" in page
    document = xuhui.extras["document"]
    assert document.title in client.get("/admin/workshops/teamdocument/").content.decode()
    page = client.get(f"/admin/workshops/teamdocument/{document.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert f"/documents/{document.pk}/" in page.content.decode()
    assert client.get("/admin/workshops/teamdocument/add/").status_code == 403
    team_page = client.get(f"/admin/workshops/team/{xuhui.extras['team'].pk}/change/")
    assert document.title in team_page.content.decode()
    assert xuhui.extras["course"].title in team_page.content.decode()
    # Leadership reads all of it.
    leader = xuhui.client("leader")
    for url in (
        "/admin/workshops/teamdocument/",
        f"/admin/workshops/team/{xuhui.extras['team'].pk}/change/",
        f"/admin/workshops/activityrecord/{activity.pk}/change/",
    ):
        assert leader.get(url).status_code == 200, url


def add_teams_with_documents(cast, start: int, stop: int) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.uploads.samples import MINIMAL_PDF
    from workshops.services import document_upload, team_permissions_sync

    with bureau_scope(cast.bureau):
        source = cast.extras["team"]
        for i in range(start, stop):
            team = Team.objects.create(
                bureau=cast.bureau,
                programme=source.programme,
                kind="workshop",
                name=f"工作坊{i}",
                lead=cast.lead,
            )
            team_permissions_sync(team=team)
            document_upload(
                actor=cast.lead,
                team=team,
                kind="research_plan",
                title=f"研究方案{i}",
                upload=SimpleUploadedFile(f"plan{i}.pdf", MINIMAL_PDF),
                on=dt.date(2023, 10, 1),
            )


def test_the_team_changelist_does_not_query_per_row(xuhui):
    """The same number of queries for 3 groups (and documents) more as for 30."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = xuhui.client("staff")
    urls = ("/admin/workshops/team/", "/admin/workshops/teamdocument/")

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        return len(captured)

    add_teams_with_documents(xuhui, 0, 3)
    for url in urls:
        queries(url)  # the session, roles and content types, once
    few = {url: queries(url) for url in urls}
    add_teams_with_documents(xuhui, 3, 30)
    many = {url: queries(url) for url in urls}
    assert many == few


# --- XH-WS-TYPES: who may lead which workshop --------------------------------------------------


def test_XH_WS_TYPES_the_admin_refuses_a_college_school_workshop_not_led_by_a_trainer_researcher(
    xuhui,
):
    client = xuhui.client("staff")
    page = client.get("/admin/workshops/team/add/")
    data = inline_management(page, {})
    data.update(team_fields(xuhui.programme, xuhui.mentor, workshop_type="college_school"))
    response = client.post("/admin/workshops/team/add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["lead"]
    assert "研训员" in errors[0] and xuhui.mentor.full_name in errors[0]
    with bureau_scope(xuhui.bureau):
        assert not Team.objects.filter(name="初中数学作业设计工作坊").exists()
    # Once the bureau marks the mentor as a 研训员 in the user admin, the same workshop is saved.
    user_url = f"/admin/accounts/user/{xuhui.mentor.pk}/change/"
    assert "trainer_researcher" in client.get(user_url).content.decode()
    User.objects.all_bureaus().filter(pk=xuhui.mentor.pk).update(trainer_researcher=True)
    response = client.post("/admin/workshops/team/add/", data)
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        assert Team.objects.get(name="初中数学作业设计工作坊").lead_id == xuhui.mentor.pk


def test_XH_WS_TYPES_the_admin_refuses_an_inter_school_workshop_led_by_a_non_participant(xuhui):
    User.objects.all_bureaus().filter(pk=xuhui.mentor.pk).update(trainer_researcher=True)
    client = xuhui.client("staff")
    page = client.get("/admin/workshops/team/add/")
    data = inline_management(page, {})
    for workshop_type in ("inter_school", "intra_school"):
        data.update(team_fields(xuhui.programme, xuhui.mentor, workshop_type=workshop_type))
        response = client.post("/admin/workshops/team/add/", data)
        assert response.status_code == 200
        [error] = response.context["adminform"].form.errors["lead"]
        assert xuhui.mentor.full_name in error
    # A 骨干 of the programme may lead it.
    enrol_as_backbone(xuhui, xuhui.mentor)
    response = client.post("/admin/workshops/team/add/", data)
    assert response.status_code == 302
    # A 带头人 may too; a college-school workshop stays closed to them.
    page = client.get("/admin/workshops/team/add/")
    data = inline_management(page, {})
    data.update(team_fields(xuhui.programme, xuhui.lead, name="第二工作坊"))
    assert client.post("/admin/workshops/team/add/", data).status_code == 302
    data.update(team_fields(xuhui.programme, xuhui.lead, name="第三工作坊"))
    data["workshop_type"] = "college_school"
    assert client.post("/admin/workshops/team/add/", data).status_code == 200
