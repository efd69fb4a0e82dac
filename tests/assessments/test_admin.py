"""The assessments admin: staff read the records and revise drafts, a finalised decision is
read-only, the finalise action goes through the service, and another bureau gets a 404."""

import pytest

from assessments import services
from assessments.models import AssessmentDecision
from bureaus.models import AuditEntry
from bureaus.tenancy import bureau_scope
from tests.assessments.helpers import assessment_records, component


@pytest.fixture
def records(xuhui):
    return assessment_records(xuhui)


def urls(records) -> list[str]:
    found = []
    for label in (
        "assessmentscheme",
        "assessment",
        "assessmentdecision",
        "unitassessment",
        "teamassessment",
    ):
        obj = records[f"assessments.{label}"]
        found += [
            f"/admin/assessments/{label}/",
            f"/admin/assessments/{label}/{obj.pk}/change/",
        ]
    return found


def test_staff_and_leadership_open_every_page_and_another_bureau_gets_404(xuhui, putuo, records):
    for who in ("staff", "leader"):
        client = xuhui.client(who)
        for url in urls(records):
            assert client.get(url).status_code == 200, (who, url)
    other = putuo.client("staff")
    for url in urls(records):
        if url.endswith("/change/"):
            assert other.get(url).status_code == 404, url
        else:
            assert "XHCANARY" not in other.get(url).content.decode()


def test_a_draft_is_revised_through_the_service_and_finalised_by_the_action(xuhui, records):
    decision = records["assessments.assessmentdecision"]
    assessment = records["assessments.assessment"]
    scheme = records["assessments.assessmentscheme"]
    client = xuhui.client("staff")
    url = f"/admin/assessments/assessmentdecision/{decision.pk}/change/"
    response = client.post(url, {"result": "excellent", "comment": "成果突出"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.result, decision.comment) == ("excellent", "成果突出")
    with bureau_scope(xuhui.bureau):
        assert AuditEntry.objects.filter(action="assessment.decide").count() == 1
    changelist = "/admin/assessments/assessmentdecision/"
    action = {"action": "finalise", "_selected_action": [decision.pk]}
    # The school's and the district's parts are still missing: nothing is finalised.
    refused = client.post(changelist, action, follow=True)
    assert "还差：学校考核（学校）、项目考核（区级）" in refused.content.decode()
    decision.refresh_from_db()
    assert not decision.is_final
    with bureau_scope(xuhui.bureau):
        for actor, level in ((xuhui.school_admin, "school"), (xuhui.staff, "district")):
            services.component_file(
                actor=actor,
                assessment=assessment,
                component=component(scheme, level),
                result="pass",
            )
    done = client.post(changelist, action, follow=True)
    assert "已确认 1 条考核结果" in done.content.decode()
    decision.refresh_from_db()
    assert decision.is_final


def test_a_finalised_decision_is_read_only_in_the_admin(xuhui, records):
    decision = records["assessments.assessmentdecision"]
    with bureau_scope(xuhui.bureau):
        AssessmentDecision.objects.filter(pk=decision.pk).update(
            finalised_at=decision.decided_at, finalised_by=xuhui.staff
        )
    client = xuhui.client("staff")
    url = f"/admin/assessments/assessmentdecision/{decision.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="result"' not in page.content.decode()
    assert client.post(url, {"result": "fail", "comment": ""}).status_code == 403
    decision.refresh_from_db()
    assert decision.result == "pass"
    # Records are not added or deleted here either.
    assert client.get("/admin/assessments/assessmentdecision/add/").status_code == 403
    assert client.get(f"{url.removesuffix('change/')}delete/").status_code == 403
