"""Assessment schemes and records for the fixed cast (tests/conftest.py)."""

from __future__ import annotations

from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentComponent,
    AssessmentDecision,
    AssessmentScheme,
    ComponentAssessment,
    ComponentFile,
    TeamAssessment,
    TeamAssessmentFile,
    UnitAssessment,
)
from bureaus.tenancy import bureau_scope
from tests.conftest import CANARY


def make_scheme(cast, *, kind: str = "annual", scored: bool = False) -> AssessmentScheme:
    """XH-ASSESS in small: a self-assessment, the group lead's assessment (XH-WS-LEAD, not
    needed for the decision), the school's and the district's project assessment."""
    with bureau_scope(cast.bureau):
        scheme = AssessmentScheme.objects.create(
            bureau=cast.bureau,
            programme=cast.programme,
            kind=kind,
            title=f"{CANARY}学年考核" if kind == "annual" else f"{CANARY}届满考核",
            rule="XH-ASSESS",
            results=["excellent", "pass", "fail"],
            consequence_rules=(
                ["XH-FAIL-1", "XH-FAIL-2", "XH-BONUS"] if kind == "annual" else ["XH-FAIL-END"]
            ),
            scored=scored,
            **({"excellent_from": 90, "pass_from": 60} if scored else {}),
        )
        for order, (title, level, required, weight) in enumerate(
            (
                ("个人自评", "self", True, 20),
                ("坊主评价", "team_lead", False, 20),
                ("学校考核", "school", True, 20),
                ("项目考核", "district", True, 40),
            ),
            start=1,
        ):
            AssessmentComponent.objects.create(
                bureau=cast.bureau,
                scheme=scheme,
                title=title,
                level=level,
                required=required,
                weight=weight if scored else None,
                order=order,
            )
    return scheme


def component(scheme: AssessmentScheme, level: str) -> AssessmentComponent:
    with bureau_scope(scheme.bureau_id):
        return AssessmentComponent.objects.get(scheme=scheme, level=level)


def assessment_records(cast) -> dict[str, object]:
    """One Xuhui row of every assessments model, for the walk as another bureau."""
    scheme = make_scheme(cast)
    with bureau_scope(cast.bureau):
        assessment = Assessment.objects.create(
            bureau=cast.bureau,
            enrolment=cast.extras["enrolment_backbone"],
            scheme=scheme,
            year_key="2023",
        )
        filing = ComponentAssessment.objects.create(
            bureau=cast.bureau,
            assessment=assessment,
            component=scheme.components.get(level="self"),
            level="self",
            text=f"{CANARY}自评",
            filed_by=cast.teacher,
            filed_at=timezone.now(),
        )
        from django.core.files.base import ContentFile

        from tests.uploads.samples import MINIMAL_PDF
        from workshops.models import Team

        stored = ComponentFile(
            bureau=cast.bureau,
            filing=filing,
            original_name=f"{CANARY}自评.pdf",
            size=len(MINIMAL_PDF),
            content_type="application/pdf",
        )
        stored.file.save("self.pdf", ContentFile(MINIMAL_PDF), save=True)
        team_assessment = TeamAssessment.objects.create(
            bureau=cast.bureau,
            team=Team.objects.get(pk=cast.extras["team"].pk),
            year_key="2023",
            result="pass",
            text=f"{CANARY}团队考核",
            filed_by=cast.lead,
            filed_at=timezone.now(),
        )
        team_file = TeamAssessmentFile(
            bureau=cast.bureau,
            team_assessment=team_assessment,
            original_name=f"{CANARY}团队总结.pdf",
            size=len(MINIMAL_PDF),
            content_type="application/pdf",
        )
        team_file.file.save("team.pdf", ContentFile(MINIMAL_PDF), save=True)
        decision = AssessmentDecision.objects.create(
            bureau=cast.bureau,
            assessment=assessment,
            result="pass",
            comment=CANARY,
            decided_by=cast.staff,
            decided_at=timezone.now(),
        )
        unit = UnitAssessment.objects.create(
            bureau=cast.bureau,
            programme=cast.programme,
            school=cast.other_school,  # directly under the bureau, in no learning district
            year_key="2023",
            result="pass",
            comment=CANARY,
            decided_by=cast.staff,
            decided_at=timezone.now(),
        )
    consequences = consequence_records(cast, decision)
    return {
        **consequences,
        "assessments.assessmentscheme": scheme,
        "assessments.assessment": assessment,
        "assessments.assessmentdecision": decision,
        "assessments.unitassessment": unit,
        "assessments.teamassessment": team_assessment,
        "filing": filing,
        "component_file": stored,
        "team_assessment_file": team_file,
    }


def consequence_records(cast, decision) -> dict[str, object]:
    """A consequence with its rectification plan and a file, an ending and a trainee class
    teacher assessment, all Xuhui's, for the walk as another bureau."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from assessments.models import (
        Consequence,
        Ending,
        PlanFile,
        RectificationPlan,
    )
    from tests.uploads.samples import MINIMAL_PDF

    enrolment = decision.assessment.enrolment
    with bureau_scope(cast.bureau):
        consequence = Consequence.objects.create(
            bureau=cast.bureau,
            enrolment=enrolment,
            rule="XH-FAIL-1",
            effect="rectification_plan",
            year_key="2023",
            reason=f"{CANARY}整改",
            due_on=dt.date(2024, 9, 30),
            decision=decision,
        )
        plan = RectificationPlan.objects.create(
            bureau=cast.bureau,
            consequence=consequence,
            enrolment=enrolment,
            due_on=dt.date(2024, 9, 30),
            status="submitted",
            text=f"{CANARY}整改方案",
        )
        stored = PlanFile(
            bureau=cast.bureau,
            plan=plan,
            original_name=f"{CANARY}.pdf",
            size=9,
            content_type="application/pdf",
        )
        stored.file.save("plan.pdf", ContentFile(MINIMAL_PDF), save=True)
        ending = Ending.objects.create(
            bureau=cast.bureau,
            enrolment=cast.extras["enrolment_leader"],
            kind="withdrawn",
            ground="transfer",
            effective_on=dt.date(2024, 9, 1),
            document_number=f"{CANARY}〔2024〕1号",
            reason=CANARY,
            decided_by=cast.staff,
        )
    return {
        "assessments.consequence": consequence,
        "assessments.rectificationplan": plan,
        "assessments.ending": ending,
        "assessments.initassessment": cast.extras["init_assessment"],
        "plan_file": stored,
    }
