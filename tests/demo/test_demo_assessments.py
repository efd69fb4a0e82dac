"""The demo's assessments: XH's three school years and its end of term decided for every
participant taking part (the cycle ended in June 2026); PT's 2025 under way; PT's and HA's years;
HA's units (HA-ASSESS); and the certificates that follow: XH's completion certificates
(XH-FAIL-END) and SJ's honour certificates (SJ-HONOUR)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.models import (
    Assessment,
    AssessmentDecision,
    ComponentAssessment,
    FilingLevel,
    UnitAssessment,
)
from bureaus.models import Bureau
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment
from demo.assessments import DEMO_ASSESSMENTS, load_demo_assessments

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
        yield
        from django.core.management import call_command as run

        run("flush", "--noinput", verbosity=0)


def finals(code: str, year: str) -> dict[str, str]:
    return dict(
        AssessmentDecision.objects.filter(
            assessment__scheme__programme__code=code,
            assessment__year_key=year,
            finalised_at__isnull=False,
        ).values_list("assessment__enrolment__teacher__user__username", "result")
    )


def test_XH_ASSESS_every_year_and_the_end_of_term_decided_and_pt_2025_under_way(demo):
    with bureau_scope(Bureau.objects.get(code="xuhui")):
        first, second = finals("xh-backbone-2023", "2023"), finals("xh-backbone-2023", "2024")
        assert len(first) == 26 and first["xh_t18"] == "fail" and first["xh_t03"] == "excellent"
        # xh_t07 withdrew in February 2025: not assessed for 2024
        assert "xh_t07" not in second and len(second) == 25
        assert second["xh_t18"] == "fail" and second["xh_t24"] == "fail"
        third = finals("xh-backbone-2023", "2025")
        assert third["xh_t18"] == "pass" and third["xh_t24"] == "fail"
        # XH-FAIL-END: the end of term, decided in July 2026 (xh_t26 was terminated before)
        end = finals("xh-backbone-2023", "")
        assert end["xh_t24"] == "fail" and end["xh_t18"] == "pass" and "xh_t26" not in end
        assert len(end) == 24
    with bureau_scope(Bureau.objects.get(code="putuo")):
        under_way = Assessment.objects.filter(
            scheme__programme__code="pt-class-teacher-2024", year_key="2025"
        )
        assert under_way.exists()
        assert not AssessmentDecision.objects.filter(assessment__in=under_way).exists()
        filed = ComponentAssessment.objects.filter(assessment__in=under_way)
        # two schools in three have filed their part; each by the school's administrator
        assert 0 < filed.count() < under_way.count() * 2
        assert set(filed.values_list("level", flat=True)) == {FilingLevel.SCHOOL}
        assert set(filed.values_list("filed_by__username", flat=True)) <= {
            "pt_school_admin",
            "pt_staff",
        }
    with bureau_scope(Bureau.objects.get(code="xuhui")):
        # dated to the day they stand for, not the load
        decided = AssessmentDecision.objects.filter(assessment__year_key="2023").first()
        assert decided.finalised_at.date().isoformat() == "2024-07-03"


def test_XH_FAIL_1_XH_FAIL_2_XH_TERMINATE_the_demo_shows_each_consequence(demo):
    from assessments.models import Consequence, Ending, RectificationPlan
    from assessments.selectors import stipend_suspended

    with bureau_scope(Bureau.objects.get(code="xuhui")):
        plans = dict(
            RectificationPlan.objects.values_list("enrolment__teacher__user__username", "status")
        )
        assert plans == {"xh_t18": "accepted", "xh_t24": "returned"}
        t18 = Enrolment.objects.get(
            teacher__user__username="xh_t18", programme__code="xh-backbone-2023"
        )
        assert stipend_suspended(t18, "2025") and not stipend_suspended(t18, "2024")
        plan = RectificationPlan.objects.get(enrolment=t18)
        assert plan.due_on.isoformat() == "2024-08-02"  # 30 days from the decision of 2024-07-03
        ending = Ending.objects.get()
        assert ending.enrolment.teacher.user.username == "xh_t26"
        assert ending.enrolment.status == "terminated"
        # terminated in November 2025: not assessed for the 2025 school year
        assert not Assessment.objects.filter(enrolment=ending.enrolment, year_key="2025").exists()
    for code in ("putuo", "haian", "songjiang"):  # their documents name no such consequence
        with bureau_scope(Bureau.objects.get(code=code)):
            assert not Consequence.objects.exists()


def test_SJ_TITLE_one_class_teacher_meets_every_condition_and_one_misses_the_excellent(demo):
    from accounts.models import TeacherProfile
    from assessments.selectors import title_route

    with bureau_scope(Bureau.objects.get(code="songjiang")):
        meets = title_route(TeacherProfile.objects.get(user__username="sj_t02"))
        misses = title_route(TeacherProfile.objects.get(user__username="sj_t20"))
    assert meets.applies and not misses.applies
    assert [c.met for c in misses.checks] == [True, True, True, False]


def test_HA_ASSESS_every_unit_of_haian_has_its_2022_result(demo):
    with bureau_scope(Bureau.objects.get(code="haian")):
        units = UnitAssessment.objects.filter(year_key="2022")
        assert units.count() == 7
        assert units.get(learning_district__name="南莫镇学区").result == "excellent"
        assert units.get(school__name="海安市实验小学").result == "fail"
        assert finals("ha-1115-2022", "2022")["ha_t22"] == "fail"


def test_loading_again_changes_nothing_and_a_wrong_entry_names_the_file(demo, tmp_path):
    before = AssessmentDecision.objects.all_bureaus().count()
    assert load_demo_assessments() == []
    assert AssessmentDecision.objects.all_bureaus().count() == before

    data = json.loads(DEMO_ASSESSMENTS.read_text(encoding="utf-8"))
    data["bureaus"][0]["programmes"][0]["assessments"][0]["results"]["xh_t18"]["result"] = "bad"
    path = tmp_path / "assessments.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match=r"assessments\.json: .*result 'bad' must be one of"):
        load_demo_assessments(path)


# --- The certificates that follow (fixtures/demo_certificates.json) ----------------------------


def test_XH_FAIL_END_the_demo_completion_certificates_follow_the_end_of_term(demo):
    from django.core.exceptions import ValidationError

    from accounts.models import TeacherProfile, User
    from certificates.models import Certificate, CertificateKind
    from certificates.selectors import certificates_due, why_not
    from certificates.services import certificate_issue

    with bureau_scope(Bureau.objects.get(code="xuhui")):
        kind = CertificateKind.objects.get(programme__code="xh-backbone-2023", type="completion")
        valid = dict(
            kind.certificates.filter(status="valid").values_list(
                "teacher__user__username", "holder_name"
            )
        )
        passed = set(finals("xh-backbone-2023", "")) - {"xh_t24"}
        # everyone who passed has one (xh_t09's was revoked), the one who failed has none
        assert set(valid) == passed - {"xh_t09"}
        assert "xh_t24" not in valid and not certificates_due(kind=kind)
        failed = TeacherProfile.objects.get(user__username="xh_t24")
        assert "不合格" in why_not(kind=kind, teacher=failed)
        with pytest.raises(ValidationError):
            certificate_issue(
                actor=User.objects.get(username="xh_staff"), kind=kind, teacher=failed
            )
        # numbered gaplessly in issue order, the reissue taking the next number
        seqs = sorted(kind.certificates.values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))

        revoked = Certificate.objects.get(teacher__user__username="xh_t09")
        assert revoked.status == "revoked" and "公开课" in revoked.revoked_reason
        old, new = Certificate.objects.filter(teacher__user__username="xh_t04").order_by("seq")
        assert old.status == "revoked" and old.replaced_by == new
        assert (old.holder_name, new.holder_name) == ("向宇杭", "向宇航")
        assert valid["xh_t04"] == "向宇航"


def test_SJ_HONOUR_the_demo_honour_certificates_go_to_twenty_years_and_more(demo):
    from certificates.models import CertificateKind

    with bureau_scope(Bureau.objects.get(code="songjiang")):
        kind = CertificateKind.objects.get(programme__code="sj-class-teacher-2024")
        holders = kind.certificates.values_list(
            "teacher__years_class_teacher", "teacher__user__username"
        )
        assert holders and all(years >= 20 for years, _name in holders)
