"""What follows from final decisions, written and withdrawn by the service (XH-FAIL-1,
XH-FAIL-2, XH-FAIL-END, XH-BONUS), the facts later apps read, the bar on the next cohort and the
end of participation (XH-TERMINATE)."""

from __future__ import annotations

import datetime as dt

import pytest
import tablib
from django.utils import timezone

from accounts.models import Notification
from assessments import rules, selectors, services
from assessments.models import (
    AssessmentScheme,
    Consequence,
    Ending,
    PlanStatus,
    RectificationPlan,
)
from bureaus.models import AuditEntry
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment, EnrolmentStatusChange
from cohorts.resources import RosterResource
from programmes.models import Programme, Tier


def scheme_of(cast, kind: str = "annual", programme=None) -> AssessmentScheme:
    """A scheme with no component to file first: the decision is all these tests need."""
    programme = programme or cast.programme
    with bureau_scope(cast.bureau):
        found = AssessmentScheme.objects.filter(programme=programme, kind=kind).first()
        if found is None:
            found = AssessmentScheme.objects.create(
                bureau=cast.bureau,
                programme=programme,
                kind=kind,
                title="学年考核" if kind == "annual" else "届满考核",
                results=["excellent", "pass", "fail"],
                consequence_rules=(
                    ["XH-FAIL-1", "XH-FAIL-2", "XH-BONUS"] if kind == "annual" else ["XH-FAIL-END"]
                ),
            )
        return found


def decide(cast, year_key: str, result: str, *, kind: str = "annual", enrolment=None):
    """Staff decide and finalise one assessment of the backbone teacher (骨干)."""
    enrolment = enrolment or cast.extras["enrolment_backbone"]
    with bureau_scope(cast.bureau):
        assessment = services.assessment_get_or_open(
            enrolment=enrolment, scheme=scheme_of(cast, kind), year_key=year_key
        )
        draft = services.decision_make(actor=cast.staff, assessment=assessment, result=result)
        return services.decision_finalise(actor=cast.staff, decision=draft)


def in_force(cast, enrolment=None) -> list[tuple[str, str, str]]:
    enrolment = enrolment or cast.extras["enrolment_backbone"]
    with bureau_scope(cast.bureau):
        return sorted(
            (c.effect, c.year_key, c.target_year)
            for c in Consequence.objects.filter(enrolment=enrolment, withdrawn_at__isnull=True)
        )


def audit(cast, action: str) -> list[AuditEntry]:
    with bureau_scope(cast.bureau):
        return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_XH_FAIL_1_a_backbone_failing_2023_is_warned_and_owes_a_rectification_plan(xuhui):
    decision = decide(xuhui, "2023", "fail")
    enrolment = xuhui.extras["enrolment_backbone"]
    assert in_force(xuhui) == [("rectification_plan", "2023", ""), ("warning", "2023", "")]
    with bureau_scope(xuhui.bureau):
        plan = RectificationPlan.objects.get(enrolment=enrolment)
        enrolment.refresh_from_db()
        change = EnrolmentStatusChange.objects.filter(enrolment=enrolment).last()
        notes = list(Notification.objects.filter(recipient=xuhui.teacher))
    assert plan.status == PlanStatus.OWED
    assert plan.due_on == timezone.localdate() + dt.timedelta(days=rules.RECTIFICATION_DAYS)
    assert plan.consequence.decision == decision
    assert "2023学年考核不合格" in plan.consequence.reason
    assert enrolment.status == "warned" and change.to_status == "warned"
    assert any("整改方案" in n.subject for n in notes)
    assert [e.data["effect"] for e in audit(xuhui, "consequence.add")] == [
        "warning",
        "rectification_plan",
    ]
    assert audit(xuhui, "enrolment.status")[-1].data["after"] == "warned"


def test_XH_FAIL_2_failing_2024_too_suspends_the_2025_stipend(xuhui):
    decide(xuhui, "2023", "fail")
    decide(xuhui, "2024", "fail")
    enrolment = xuhui.extras["enrolment_backbone"]
    with bureau_scope(xuhui.bureau):
        reason = selectors.stipend_suspended(enrolment, "2025")
        assert selectors.stipend_suspended(enrolment, "2024") is None
    assert reason is not None and "2025学年" in reason and "暂停" in reason
    assert ("stipend_suspended", "2024", "2025") in in_force(xuhui)


def test_XH_FAIL_2_fails_in_2023_and_2025_with_a_pass_between_count_as_two(xuhui):
    with bureau_scope(xuhui.bureau):
        Programme.objects.filter(pk=xuhui.programme.pk).update(end_month=dt.date(2027, 6, 1))
        xuhui.programme.refresh_from_db()
    decide(xuhui, "2023", "fail")
    decide(xuhui, "2024", "pass")
    decide(xuhui, "2025", "fail")
    enrolment = xuhui.extras["enrolment_backbone"]
    with bureau_scope(xuhui.bureau):
        assert selectors.stipend_suspended(enrolment, "2026") is not None
        assert selectors.stipend_suspended(enrolment, "2025") is None
    assert ("stipend_suspended", "2025", "2026") in in_force(xuhui)


def test_XH_BONUS_an_excellent_year_is_a_bonus_entitlement(xuhui):
    decide(xuhui, "2023", "excellent")
    decide(xuhui, "2024", "pass")
    with bureau_scope(xuhui.bureau):
        assert selectors.bonus_years(xuhui.extras["enrolment_backbone"]) == ["2023"]


def test_consequences_follow_only_the_rules_the_programmes_schemes_name(xuhui):
    """XH-FAIL-1, XH-FAIL-2, XH-BONUS are Xuhui's rules: a programme whose scheme names none of
    them records its results and nothing follows from them (the status still follows)."""
    with bureau_scope(xuhui.bureau):
        scheme_of(xuhui)
        AssessmentScheme.objects.filter(programme=xuhui.programme).update(consequence_rules=[])
    decide(xuhui, "2023", "excellent")
    decide(xuhui, "2024", "fail")
    enrolment = xuhui.extras["enrolment_backbone"]
    with bureau_scope(xuhui.bureau):
        assert not Consequence.objects.filter(enrolment=enrolment).exists()
        assert not RectificationPlan.objects.filter(enrolment=enrolment).exists()
        assert selectors.bonus_years(enrolment) == []
        enrolment.refresh_from_db()
        assert enrolment.status == "warned"


def next_programme(cast) -> Programme:
    with bureau_scope(cast.bureau):
        programme = Programme.objects.create(
            bureau=cast.bureau,
            code="backbone-2026",
            name="下一期骨干培养方案",
            start_month=dt.date(2026, 9, 1),
            end_month=dt.date(2029, 6, 1),
            status="active",
        )
        Tier.objects.create(
            bureau=cast.bureau, programme=programme, code="backbone", name="骨干", order=1
        )
    return programme


def roster_of(cast, *, override: str | None = None) -> tablib.Dataset:
    profile = cast.teacher.teacher_profile
    headers = ["工号", "姓名", "学校", "层次"]
    row = [profile.staff_number, cast.teacher.full_name, cast.school.name, "骨干"]
    if override is not None:
        headers.append("放行理由")
        row.append(override)
    return tablib.Dataset(row, headers=headers)


def test_XH_FAIL_END_an_end_of_term_fail_bars_the_teacher_from_the_next_roster(xuhui):
    decide(xuhui, "", "fail", kind="end_of_term")
    enrolment = xuhui.extras["enrolment_backbone"]
    following = next_programme(xuhui)
    with bureau_scope(xuhui.bureau):
        enrolment.refresh_from_db()
        assert enrolment.status == "failed"
        assert selectors.certificate_allowed(enrolment) is False
        assert selectors.barred(xuhui.bureau, xuhui.teacher.teacher_profile)
        result = RosterResource(programme=following, actor=xuhui.staff).import_data(
            roster_of(xuhui), dry_run=False
        )
        assert result.has_validation_errors() or result.has_errors()
        messages = " ".join(
            str(m) for row in result.invalid_rows for m in row.error.messages
        ) or " ".join(str(e.error) for row in result.rows for e in row.errors)
        assert "结业考核不合格，不得申报下一期" in messages
        assert "放行理由" in messages
        assert not Enrolment.objects.filter(programme=following).exists()


def test_XH_FAIL_END_staff_let_a_barred_teacher_through_with_a_reason_audited(xuhui):
    decide(xuhui, "", "fail", kind="end_of_term")
    following = next_programme(xuhui)
    with bureau_scope(xuhui.bureau):
        result = RosterResource(programme=following, actor=xuhui.staff).import_data(
            roster_of(xuhui, override="领导小组会议同意再次申报"), dry_run=False
        )
        assert not result.has_validation_errors() and not result.has_errors()
        assert Enrolment.objects.filter(programme=following).count() == 1
    [entry] = audit(xuhui, "enrolment.override")
    assert entry.data["reason"] == "领导小组会议同意再次申报"
    assert entry.actor == xuhui.staff


def test_XH_FAIL_END_the_admin_asks_for_a_reason_to_enrol_a_barred_teacher(xuhui):
    decide(xuhui, "", "fail", kind="end_of_term")
    following = next_programme(xuhui)
    client = xuhui.client("staff")
    with bureau_scope(xuhui.bureau):
        tier = following.tiers.get()
    data = {
        "programme": following.pk,
        "teacher": xuhui.teacher.teacher_profile.pk,
        "tier": tier.pk,
        "school": xuhui.school.pk,
        "enrolled_on": "2026-09-01",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/cohorts/enrolment/add/", data)
    assert response.status_code == 200
    assert "不得申报下一期" in response.content.decode()
    response = client.post(
        "/admin/cohorts/enrolment/add/", {**data, "override_reason": "经领导小组同意"}
    )
    assert response.status_code == 302
    [entry] = audit(xuhui, "enrolment.override")
    assert entry.data["reason"] == "经领导小组同意"


def test_XH_FAIL_1_correcting_a_fail_to_a_pass_withdraws_its_consequences_audited(xuhui):
    decision = decide(xuhui, "2023", "fail")
    enrolment = xuhui.extras["enrolment_backbone"]
    with bureau_scope(xuhui.bureau):
        correction = services.decision_correct(
            actor=xuhui.staff, decision=decision, result="pass", reason="复核后成绩更正"
        )
        withdrawn = list(Consequence.objects.filter(enrolment=enrolment))
        plan = RectificationPlan.objects.get(enrolment=enrolment)
        enrolment.refresh_from_db()
    assert in_force(xuhui) == []
    assert len(withdrawn) == 2
    assert all(c.withdrawn_at and c.withdrawn_by_decision == correction for c in withdrawn)
    assert all(c.withdraw_reason == "复核后成绩更正" for c in withdrawn)
    assert plan.status == PlanStatus.WITHDRAWN
    assert enrolment.status == "active"
    assert [e.data["effect"] for e in audit(xuhui, "consequence.withdraw")] == [
        "warning",
        "rectification_plan",
    ]


def test_XH_FAIL_END_correcting_the_end_of_term_fail_lifts_the_bar(xuhui):
    decision = decide(xuhui, "", "fail", kind="end_of_term")
    enrolment = xuhui.extras["enrolment_backbone"]
    with bureau_scope(xuhui.bureau):
        services.decision_correct(
            actor=xuhui.staff, decision=decision, result="pass", reason="补考合格"
        )
        enrolment.refresh_from_db()
        assert selectors.certificate_allowed(enrolment) is True
        assert selectors.barred(xuhui.bureau, xuhui.teacher.teacher_profile) is None
    assert enrolment.status == "completed"


def test_XH_TERMINATE_a_termination_ends_participation_that_day(xuhui):
    enrolment = xuhui.extras["enrolment_backbone"]
    today = timezone.localdate()
    with bureau_scope(xuhui.bureau):
        ending = services.enrolment_end(
            actor=xuhui.staff,
            enrolment=enrolment,
            ground="ethics",
            effective_on=today,
            reason="严重违反师德",
            document_number="徐教领〔2024〕3号",
        )
        enrolment.refresh_from_db()
        change = EnrolmentStatusChange.objects.filter(enrolment=enrolment).last()
        note = Notification.objects.get(recipient=xuhui.teacher, key__startswith="enrolment-ended")
        assert selectors.certificate_allowed(enrolment) is False
    assert ending.kind == "terminated"
    assert enrolment.status == "terminated"
    assert (change.to_status, change.effective_on) == ("terminated", today)
    assert "徐教领〔2024〕3号" in note.body
    assert audit(xuhui, "enrolment.end")[0].data["ground"] == "ethics"
    # A later result does not bring the status back.
    decide(xuhui, "2023", "fail")
    with bureau_scope(xuhui.bureau):
        enrolment.refresh_from_db()
    assert enrolment.status == "terminated"


def test_XH_TERMINATE_bad_input_is_refused_in_chinese_and_nothing_is_written(xuhui):
    enrolment = xuhui.extras["enrolment_backbone"]
    with bureau_scope(xuhui.bureau), pytest.raises(rules.InvalidEnding) as caught:
        services.enrolment_end(
            actor=xuhui.staff,
            enrolment=enrolment,
            ground="holiday",
            effective_on=timezone.localdate() + dt.timedelta(days=3),
            reason="",
            document_number="",
        )
    assert set(caught.value.errors) == {"kind", "effective_on", "reason", "document_number"}
    assert "决定" in caught.value.errors["document_number"]
    with bureau_scope(xuhui.bureau):
        assert not Ending.objects.exists()


def test_XH_TERMINATE_staff_record_a_withdrawal_in_the_admin(xuhui):
    client = xuhui.client("staff")
    enrolment = xuhui.extras["enrolment_backbone"]
    data = {
        "enrolment": enrolment.pk,
        "ground": "transfer",
        "effective_on": "2030-01-01",
        "document_number": "徐教领〔2024〕5号",
        "reason": "调离本区",
    }
    response = client.post("/admin/assessments/ending/add/", data)
    assert response.status_code == 200
    assert "尚未到来" in response.content.decode() or "将来" in response.content.decode()
    today = timezone.localdate().isoformat()
    response = client.post("/admin/assessments/ending/add/", {**data, "effective_on": today})
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"
    assert len(audit(xuhui, "enrolment.end")) == 1


def test_XH_FAIL_END_appointing_a_barred_teacher_from_the_pool_needs_a_reason(xuhui):
    from django.core.exceptions import ValidationError

    from assessments.models import InitAssessment
    from cohorts.models import ReservePoolEntry
    from cohorts.services import pool_appoint

    decide(xuhui, "", "fail", kind="end_of_term")
    following = next_programme(xuhui)
    profile = xuhui.teacher.teacher_profile
    with bureau_scope(xuhui.bureau):
        entry = ReservePoolEntry.objects.create(
            bureau=xuhui.bureau,
            programme=following,
            teacher=profile,
            pre_service_hours=40,
            trainee_year_done=True,
        )
        InitAssessment.objects.create(
            bureau=xuhui.bureau,
            programme=following,
            teacher=profile,
            result="pass",
            assessed_on=dt.date(2026, 6, 1),
        )
        tier = following.tiers.get()
        with pytest.raises(ValidationError, match="不得申报下一期"):
            pool_appoint(actor=xuhui.staff, entry=entry, tier=tier, on=dt.date(2026, 9, 1))
        pool_appoint(
            actor=xuhui.staff,
            entry=entry,
            tier=tier,
            on=dt.date(2026, 9, 1),
            override_reason="经领导小组同意",
        )
        assert Enrolment.objects.filter(programme=following, teacher=profile).exists()
    assert audit(xuhui, "enrolment.override")[0].data["reason"] == "经领导小组同意"
