"""The assessment board (staff, per programme and year): each participant with the components
filed and missing and the decision in force, read in a constant number of queries."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import TeacherProfile, User
from assessments import selectors, services
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment
from tests.assessments.helpers import component, make_scheme


def add_participants(cast, count: int, *, start: int = 0) -> list[Enrolment]:
    tier = cast.programme.tiers.get(code="backbone")
    made = []
    for n in range(start, start + count):
        user = User.objects.create_user(
            username=f"{cast.bureau.code}_board_{n}",
            password="x",
            full_name=f"教师{n}",
            bureau=cast.bureau,
        )
        profile = TeacherProfile.objects.create(
            bureau=cast.bureau,
            user=user,
            staff_number=f"B{n:04d}",
            gender="F",
            school=cast.school,
            subject="maths",
            stage="junior",
        )
        made.append(
            Enrolment.objects.create(
                bureau=cast.bureau,
                programme=cast.programme,
                teacher=profile,
                tier=tier,
                school=cast.school,
                enrolled_on=dt.date(2023, 9, 1),
            )
        )
    return made


def assess_all(cast, scheme, enrolments) -> None:
    """Each participant: the district's part filed and a draft decision."""
    for enrolment in enrolments:
        assessment = services.assessment_get_or_open(
            enrolment=enrolment, scheme=scheme, year_key="2024"
        )
        services.component_file(
            actor=cast.staff,
            assessment=assessment,
            component=component(scheme, "district"),
            result="pass",
        )
        services.decision_make(actor=cast.staff, assessment=assessment, result="pass")


def board_queries(scheme) -> tuple[int, selectors.Board]:
    with CaptureQueriesContext(connection) as queries:
        board = selectors.assessment_board(scheme=scheme, year_key="2024")
        for row in board.rows:  # what a page reads of each row
            str(row.enrolment.teacher.user.full_name)
            str(row.enrolment.tier.name)
            [f.filed_by.full_name for f in row.filed.values()]
            if row.decision is not None:
                str(row.decision.decided_by.full_name)
    return len(queries), board


def test_the_board_reads_in_the_same_queries_for_3_or_23_participants(xuhui):
    scheme = make_scheme(xuhui)
    with bureau_scope(xuhui.bureau):
        assess_all(xuhui, scheme, add_participants(xuhui, 1))
        small, board = board_queries(scheme)
        assert len(board.rows) == 3
        assess_all(xuhui, scheme, add_participants(xuhui, 20, start=1))
        large, board = board_queries(scheme)
    assert len(board.rows) == 23
    assert small == large <= 5


def test_the_board_shows_filed_missing_and_the_decision_in_force(xuhui):
    scheme = make_scheme(xuhui)
    teacher = xuhui.extras["enrolment_backbone"]
    with bureau_scope(xuhui.bureau):
        assessment = services.assessment_get_or_open(
            enrolment=teacher, scheme=scheme, year_key="2024"
        )
        for actor, level, result in (
            (xuhui.teacher, "self", ""),
            (xuhui.school_admin, "school", "pass"),
            (xuhui.staff, "district", "fail"),
        ):
            services.component_file(
                actor=actor,
                assessment=assessment,
                component=component(scheme, level),
                result=result,
                text="自评" if level == "self" else "",
            )
        first = services.decision_finalise(
            actor=xuhui.staff,
            decision=services.decision_make(
                actor=xuhui.staff, assessment=assessment, result="fail"
            ),
        )
        correction = services.decision_correct(
            actor=xuhui.staff, decision=first, result="pass", reason="复核"
        )
        # Another year's assessment is not on this year's board.
        services.assessment_get_or_open(enrolment=teacher, scheme=scheme, year_key="2023")
        board = selectors.assessment_board(scheme=scheme, year_key="2024")
    rows = {row.enrolment.pk: row for row in board.rows}
    mine = rows[teacher.pk]
    assert mine.complete and mine.missing == []
    assert {c.level for c in board.components if c.pk in mine.filed} == {
        "self",
        "school",
        "district",
    }
    assert mine.decision == correction and mine.history == [first]
    lead = rows[xuhui.extras["enrolment_leader"].pk]
    assert lead.assessment is None and lead.decision is None
    assert [c.level for c in lead.missing] == ["self", "school", "district"]
