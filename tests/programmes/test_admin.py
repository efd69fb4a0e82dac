"""Bureau staff configure a programme entirely in the admin (XH-TIERS, XH-CYCLE shapes)."""

import datetime as dt

from bureaus.models import AuditEntry
from bureaus.tenancy import bureau_scope
from programmes import rules
from programmes.models import EvidenceKind, Programme, Requirement, Tier
from programmes.selectors import requirement_specs


def inline_management(response, filled: dict[str, int]) -> dict:
    """Management-form data for every inline on an admin page; ``filled`` rows per prefix."""
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


def add_programme(client, code="pilot-2026"):
    page = client.get("/admin/programmes/programme/add/")
    data = inline_management(page, {"tiers": 2, "phases": 1, "milestones": 1})
    data.update(
        {
            "code": code,
            "name": "2026-2028 青年教师试点方案",
            "status": "draft",
            "document_number": "普教发〔2026〕1号",
            "document_date": "2026-06-01",
            "start_month": "2026-09-01",
            "end_month": "2028-06-01",
            "year_basis": "school_year",
            "description": "",
            "tiers-0-order": "1",
            "tiers-0-code": "leader",
            "tiers-0-name": "带头人",
            "tiers-0-description": "",
            "tiers-1-order": "2",
            "tiers-1-code": "backbone",
            "tiers-1-name": "骨干",
            "tiers-1-description": "",
            "phases-0-name": "启动",
            "phases-0-starts": "2026-09-01",
            "phases-0-ends": "2026-11-30",
            "phases-0-description": "",
            "milestones-0-repeat": "once",
            "milestones-0-due": "2026-11-30",
            "milestones-0-title": "完成个人三年发展规划",
            "milestones-0-owner": "教师专业发展中心",
            "milestones-0-scope": "",
            "milestones-0-duration": "",
        }
    )
    response = client.post("/admin/programmes/programme/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Programme.objects.all_bureaus().get(code=code)


def add_requirement(client, programme, code, tiers, criteria):
    page = client.get("/admin/programmes/requirement/add/")
    data = inline_management(page, {"criteria": len(criteria)})
    data.update(
        {
            "programme": programme.pk,
            "order": "1",
            "code": code,
            "title": f"{code}标题",
            "tiers": [t.pk for t in tiers],
            "description": "",
        }
    )
    for i, criterion in enumerate(criteria):
        for key, value in criterion.items():
            data[f"criteria-{i}-{key}"] = value
    return client.post("/admin/programmes/requirement/add/", data)


def test_staff_configure_two_tiers_and_three_requirements_in_the_admin(putuo):
    client = putuo.client("staff")
    programme = add_programme(client)
    with bureau_scope(putuo.bureau):
        leader, backbone = Tier.objects.filter(programme=programme).order_by("order")
        assert programme.start_month == dt.date(2026, 9, 1)
        assert programme.end_month == dt.date(2028, 6, 30)
        assert [w.key for w in programme.years] == ["2026", "2027"]
        kind = EvidenceKind.objects.get(code="public_lesson")
    lesson = {
        "clause": "1",
        "period": "year",
        "kinds": [kind.pk],
        "min_level": "1",
        "min_count": "1",
        "min_hours": "",
        "delivery_mode": "",
    }
    district = {**lesson, "clause": "2", "period": "cycle", "min_level": "3", "tiers": [leader.pk]}
    for code, tiers, criteria in (
        ("任务一", [leader, backbone], [lesson]),
        ("任务二", [leader, backbone], [lesson, district]),
        (
            "任务三",
            [leader],
            [{**lesson, "min_count": "2"}, {**lesson, "min_level": "3", "min_count": "1"}],
        ),
    ):
        response = add_requirement(client, programme, code, tiers, criteria)
        assert response.status_code == 302, (
            response.context["adminform"].form.errors,
            [f.errors for i in response.context["inline_admin_formsets"] for f in i.formset],
        )
    with bureau_scope(putuo.bureau):
        specs = {spec.key: spec for _req, spec in requirement_specs(programme)}
    assert set(specs) == {"任务一", "任务二", "任务三"}
    assert specs["任务二"].clauses[1].tiers == frozenset({"leader"})
    assert specs["任务二"].clauses[1].alternatives[0].min_level == rules.Level.DISTRICT
    assert len(specs["任务三"].clauses) == 1 and len(specs["任务三"].clauses[0].alternatives) == 2
    assert not specs["任务三"].applies_to("backbone")


def test_criteria_of_one_clause_must_agree_on_period(putuo):
    client = putuo.client("staff")
    with bureau_scope(putuo.bureau):
        kind = EvidenceKind.objects.get()
        tiers = list(putuo.programme.tiers.all())
    one = {
        "clause": "1",
        "period": "year",
        "kinds": [kind.pk],
        "min_level": "1",
        "min_count": "1",
    }
    response = add_requirement(
        client, putuo.programme, "任务九", tiers, [one, {**one, "period": "cycle"}]
    )
    assert response.status_code == 200
    errors = [f.errors for i in response.context["inline_admin_formsets"] for f in i.formset]
    assert any("period" in e for e in errors)
    assert not Requirement.objects.all_bureaus().filter(code="任务九").exists()


def test_a_requirement_cannot_take_tiers_of_another_programme(putuo):
    client = putuo.client("staff")
    other = add_programme(client, code="other")
    with bureau_scope(putuo.bureau):
        foreign = list(other.tiers.all())
    response = add_requirement(client, putuo.programme, "任务八", foreign, [])
    assert response.status_code == 200
    assert "tiers" in response.context["adminform"].form.errors


def test_copy_a_programme_to_a_new_cycle(xuhui):
    client = xuhui.client("staff")
    changelist = "/admin/programmes/programme/"
    form_page = client.post(
        changelist, {"action": "copy_to_new_cycle", "_selected_action": [xuhui.programme.pk]}
    )
    assert form_page.status_code == 200 and "start_month" in form_page.content.decode()
    response = client.post(
        changelist,
        {
            "action": "copy_to_new_cycle",
            "_selected_action": [xuhui.programme.pk],
            "apply": "1",
            "code": "backbone-2026",
            "name": "2026-2028 骨干培养方案",
            "start_month": "2026-09-15",
        },
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        copy = Programme.objects.get(code="backbone-2026")
        assert (copy.start_month, copy.end_month) == (dt.date(2026, 9, 1), dt.date(2029, 6, 30))
        assert copy.status == "draft"
        assert list(copy.tiers.values_list("code", flat=True)) == ["leader", "backbone"]
        original = {s.key: s for _r, s in requirement_specs(xuhui.programme)}
        copied = {s.key: s for _r, s in requirement_specs(copy)}
        assert copied == original
        assert AuditEntry.objects.filter(action="programme.copy", target_id=str(copy.pk)).exists()
    again = client.post(
        changelist,
        {
            "action": "copy_to_new_cycle",
            "_selected_action": [xuhui.programme.pk],
            "apply": "1",
            "code": "backbone-2026",
            "name": "重复",
            "start_month": "2026-09-01",
        },
    )
    assert again.status_code == 200
    assert "已有相同代码的培养方案" in again.content.decode()  # said in Chinese
    assert "already exists" not in again.content.decode()
    assert again.context["form"].errors["code"]
