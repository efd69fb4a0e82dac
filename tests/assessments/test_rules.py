"""Assessment rules by rule id, over sequences of results, without a database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from assessments.rules import (
    RECTIFICATION_DAYS,
    AssessmentKind,
    Consequences,
    Decided,
    Effect,
    EndingGround,
    EndingKind,
    FollowingStatus,
    InvalidEnding,
    Result,
    Rule,
    consequences,
    diff,
    final_decisions,
    honour_eligible,
    init_passed,
    is_fail,
    lowest,
    result_label,
    senior_title_route,
    suggested_result,
    termination,
    unit_result,
    weighted_score,
)
from programmes.rules import Status

E, P, B, F = Result.EXCELLENT, Result.PASS, Result.BASIC_PASS, Result.FAIL
XH_YEARS = [(str(y), dt.date(y, 9, 1), dt.date(y + 1, 8, 31)) for y in (2023, 2024, 2025)]
TODAY = dt.date(2026, 12, 2)


def annual(year: int, result: Result, on: dt.date | None = None) -> Decided:
    return Decided(
        AssessmentKind.ANNUAL,
        str(year),
        dt.date(year + 1, 8, 31),
        result,
        on or dt.date(year + 1, 7, 10),
    )


def end_of_term(result: Result, on: dt.date = dt.date(2026, 7, 15)) -> Decided:
    return Decided(AssessmentKind.END_OF_TERM, "", dt.date(2026, 8, 31), result, on)


def run(results: dict[int, Result], *extra: Decided) -> Consequences:
    decided = [annual(y, r) for y, r in results.items()]
    return consequences([*decided, *extra], next_years=XH_YEARS)


def effects(found: Consequences) -> list[tuple[str, str, str]]:
    return [(c.effect, c.year_key, c.target_year) for c in found.items]


# --- Result -------------------------------------------------------------------------------------


def test_results_read_in_chinese_and_only_fail_is_a_fail():
    assert [result_label(r) for r in (E, P, B, F)] == ["优秀", "合格", "基本合格", "不合格"]
    assert result_label(None) == "尚未考核"
    assert [is_fail(r) for r in (E, P, B, F, None, "fail")] == [
        False,
        False,
        False,
        True,
        False,
        True,
    ]


def test_lowest_orders_excellent_pass_basic_pass_fail():
    assert lowest([E, B, P]) == B
    assert lowest(["excellent", "pass"]) == P
    with pytest.raises(ValueError):
        lowest([])


def test_an_annual_decision_needs_its_year_and_an_unknown_result_is_refused():
    with pytest.raises(ValueError, match="year"):
        Decided(AssessmentKind.ANNUAL, "", dt.date(2024, 8, 31), P, dt.date(2024, 7, 1))
    with pytest.raises(ValueError):
        Decided(AssessmentKind.ANNUAL, "2023", dt.date(2024, 8, 31), "good", dt.date(2024, 7, 1))


# --- XH-FAIL-1 ----------------------------------------------------------------------------------


def test_XH_FAIL_1_a_first_annual_fail_warns_and_owes_a_rectification_plan_in_30_days():
    found = run({2023: F})
    assert effects(found) == [
        (Effect.WARNING, "2023", ""),
        (Effect.RECTIFICATION_PLAN, "2023", ""),
    ]
    assert {c.rule for c in found.items} == {Rule.XH_FAIL_1}
    plan = found.of(Effect.RECTIFICATION_PLAN)[0]
    assert RECTIFICATION_DAYS == 30
    assert plan.due_on == dt.date(2024, 7, 10) + dt.timedelta(days=30)
    assert plan.reason == "2023学年考核不合格，须于2024年8月9日前提交书面整改方案。"
    assert found.of(Effect.WARNING)[0].reason == "2023学年考核不合格，给予警告。"
    assert found.status == FollowingStatus.WARNED
    assert found.suspended_years == []


def test_XH_FAIL_1_the_days_for_the_plan_are_configurable():
    found = consequences([annual(2023, F)], rectification_days=14)
    assert found.of(Effect.RECTIFICATION_PLAN)[0].due_on == dt.date(2024, 7, 24)
    with pytest.raises(ValueError):
        consequences([annual(2023, F)], rectification_days=0)


@pytest.mark.parametrize(
    "results, failed_year",
    [
        ({2023: F, 2024: P, 2025: P}, "2023"),
        ({2023: P, 2024: F, 2025: P}, "2024"),
        ({2023: E, 2024: B, 2025: F}, "2025"),
    ],
)
def test_XH_FAIL_1_one_fail_in_any_year_is_the_first_fail(results, failed_year):
    found = run(results)
    assert [c.year_key for c in found.of(Effect.WARNING)] == [failed_year]
    assert [c.year_key for c in found.of(Effect.RECTIFICATION_PLAN)] == [failed_year]
    assert found.of(Effect.STIPEND_SUSPENDED) == []


def test_XH_FAIL_1_a_basic_pass_is_not_a_fail():
    found = run({2023: B, 2024: B})
    assert found.items == ()
    assert found.status == FollowingStatus.ACTIVE


def test_XH_FAIL_1_mid_term_results_have_no_consequence():
    mid = Decided(AssessmentKind.MID_TERM, "2024", dt.date(2025, 1, 31), F, dt.date(2025, 1, 20))
    assert consequences([mid]).items == ()
    assert consequences([mid]).status == FollowingStatus.ACTIVE


# --- XH-FAIL-2 ----------------------------------------------------------------------------------


def test_XH_FAIL_2_failing_2023_and_2024_suspends_the_2025_stipend():
    found = run({2023: F, 2024: F})
    suspended = found.of(Effect.STIPEND_SUSPENDED)
    assert [(c.rule, c.year_key, c.target_year) for c in suspended] == [
        (Rule.XH_FAIL_2, "2024", "2025")
    ]
    assert found.suspended_years == ["2025"]
    assert suspended[0].reason == (
        "2024学年考核不合格，为第2次学年考核不合格，暂停发放2025学年津贴。"
    )
    # the first fail still owes its plan; the second gives no second plan
    assert [c.year_key for c in found.of(Effect.RECTIFICATION_PLAN)] == ["2023"]


def test_XH_FAIL_2_a_fail_in_2023_and_2025_with_a_pass_in_2024_counts_as_two():
    found = consequences(
        [annual(2023, F), annual(2024, P), annual(2025, F)],
        next_years=[*XH_YEARS, ("2026", dt.date(2026, 9, 1), dt.date(2027, 8, 31))],
    )
    assert found.suspended_years == ["2026"]
    assert found.of(Effect.STIPEND_SUSPENDED)[0].year_key == "2025"


def test_XH_FAIL_2_with_no_later_year_in_the_cycle_it_says_so_and_suspends_nothing():
    found = run({2023: F, 2024: P, 2025: F})
    suspended = found.of(Effect.STIPEND_SUSPENDED)
    assert len(suspended) == 1
    assert suspended[0].target_year == ""
    assert "本周期已无下一学年" in suspended[0].reason
    assert found.suspended_years == []


@pytest.mark.parametrize(
    "results, suspended",
    [
        ({2023: F, 2024: F, 2025: F}, ["2025"]),  # the third fail has no year after it
        ({2023: P, 2024: F, 2025: F}, []),
        ({2023: F, 2024: E, 2025: P}, []),
        ({2023: E, 2024: E, 2025: E}, []),
        ({2023: F, 2024: F}, ["2025"]),
    ],
)
def test_XH_FAIL_2_sequences_of_results(results, suspended):
    assert run(results).suspended_years == suspended


def test_XH_FAIL_2_each_fail_after_the_second_suspends_the_year_after_it():
    years = [(str(y), dt.date(y, 9, 1), dt.date(y + 1, 8, 31)) for y in range(2021, 2026)]
    decided = [annual(y, F) for y in (2021, 2022, 2023)]
    found = consequences(decided, next_years=years)
    assert found.suspended_years == ["2023", "2024"]
    assert "第3次" in found.of(Effect.STIPEND_SUSPENDED)[1].reason


def test_XH_FAIL_2_the_years_are_counted_in_year_order_whatever_the_order_given():
    found = consequences([annual(2024, F), annual(2023, F)], next_years=XH_YEARS)
    assert [c.year_key for c in found.of(Effect.WARNING)] == ["2023"]
    assert found.suspended_years == ["2025"]


def test_XH_FAIL_2_a_year_named_by_the_programme_reads_by_its_name():
    decided = [
        Decided(
            AssessmentKind.ANNUAL, "y1", dt.date(2022, 12, 31), F, dt.date(2023, 1, 5), "第一年"
        ),
        Decided(
            AssessmentKind.ANNUAL, "y2", dt.date(2023, 12, 31), F, dt.date(2024, 1, 5), "第二年"
        ),
    ]
    years = [("y3", dt.date(2024, 1, 1), dt.date(2024, 12, 31), "第三年")]
    found = consequences(decided, next_years=years)
    assert found.suspended_years == ["y3"]
    assert found.of(Effect.STIPEND_SUSPENDED)[0].reason == (
        "第二年考核不合格，为第2次学年考核不合格，暂停发放第三年津贴。"
    )


def test_XH_FAIL_2_only_the_latest_decision_of_an_assessment_counts():
    corrected = annual(2024, P, on=dt.date(2025, 8, 1))
    decided = [annual(2023, F), annual(2024, F), corrected]
    assert final_decisions(decided) == [annual(2023, F), corrected]
    assert run({2023: F}).items == consequences(decided, next_years=XH_YEARS).items


# --- XH-FAIL-END --------------------------------------------------------------------------------


def test_XH_FAIL_END_an_end_of_term_fail_withholds_the_certificate_and_bars_the_next_cohort():
    found = run({2023: P, 2024: P, 2025: P}, end_of_term(F))
    assert [(c.rule, c.effect) for c in found.items] == [
        (Rule.XH_FAIL_END, Effect.NO_CERTIFICATE),
        (Rule.XH_FAIL_END, Effect.BARRED),
    ]
    assert not found.certificate_allowed
    assert found.barred
    assert found.status == FollowingStatus.FAILED
    assert found.of(Effect.NO_CERTIFICATE)[0].reason == "届满考核不合格，不予发放结业证书。"
    assert found.of(Effect.BARRED)[0].reason == "届满考核不合格，取消新一届申报资格。"


@pytest.mark.parametrize("result", [E, P, B])
def test_XH_FAIL_END_an_end_of_term_pass_completes_even_after_annual_fails(result):
    found = run({2023: F, 2024: P}, end_of_term(result))
    assert found.certificate_allowed
    assert not found.barred
    assert found.status == FollowingStatus.COMPLETED
    assert found.status_reason == f"届满考核通过：{result_label(result)}。"
    # the annual consequences stay in force
    assert [c.effect for c in found.of(Effect.RECTIFICATION_PLAN)] == [Effect.RECTIFICATION_PLAN]


def test_XH_FAIL_END_an_end_of_term_excellent_is_no_annual_bonus():
    found = run({}, end_of_term(E))
    assert found.bonus_years == []


# --- XH-BONUS -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "results, bonus_years",
    [
        ({2023: E, 2024: E, 2025: E}, ["2023", "2024", "2025"]),
        ({2023: E, 2024: F, 2025: E}, ["2023", "2025"]),
        ({2023: P, 2024: B, 2025: F}, []),
    ],
)
def test_XH_BONUS_each_excellent_annual_result_is_a_bonus_for_that_year(results, bonus_years):
    found = run(results)
    assert found.bonus_years == bonus_years
    assert all(c.rule == Rule.XH_BONUS for c in found.of(Effect.BONUS))


def test_XH_BONUS_reads_in_plain_chinese():
    assert run({2024: E}).of(Effect.BONUS)[0].reason == "2024学年考核优秀，获得当年考核奖励。"


# --- Reversal: a correcting decision, the same function and a diff ------------------------------


def test_reversal_correcting_the_first_fail_to_a_pass_withdraws_the_warning_and_plan():
    before = run({2023: F})
    after = consequences(
        [annual(2023, F), annual(2023, P, on=dt.date(2024, 9, 1))], next_years=XH_YEARS
    )
    change = diff(before, after)
    assert change.add == ()
    assert [c.effect for c in change.withdraw] == [Effect.WARNING, Effect.RECTIFICATION_PLAN]
    assert (change.status_from, change.status_to) == (
        FollowingStatus.WARNED,
        FollowingStatus.ACTIVE,
    )
    assert change.status_changed and change


def test_reversal_correcting_the_second_fail_lifts_the_suspension_only():
    before = run({2023: F, 2024: F})
    after = run({2023: F, 2024: P})
    change = diff(before, after)
    assert [(c.effect, c.target_year) for c in change.withdraw] == [
        (Effect.STIPEND_SUSPENDED, "2025")
    ]
    assert change.add == ()
    assert not change.status_changed


def test_reversal_correcting_the_first_of_two_fails_moves_the_plan_and_lifts_the_suspension():
    before = run({2023: F, 2024: F})
    after = run({2023: P, 2024: F})
    change = diff(before, after)
    assert sorted((c.effect, c.year_key) for c in change.withdraw) == sorted(
        [
            (Effect.WARNING, "2023"),
            (Effect.RECTIFICATION_PLAN, "2023"),
            (Effect.STIPEND_SUSPENDED, "2024"),
        ]
    )
    assert sorted((c.effect, c.year_key) for c in change.add) == [
        (Effect.RECTIFICATION_PLAN, "2024"),
        (Effect.WARNING, "2024"),
    ]


def test_reversal_a_pass_corrected_to_a_fail_adds_its_consequences():
    change = diff(run({2023: P}), run({2023: F}))
    assert [c.effect for c in change.add] == [Effect.WARNING, Effect.RECTIFICATION_PLAN]
    assert change.withdraw == ()


def test_reversal_an_end_of_term_fail_corrected_to_a_pass_gives_the_certificate_back():
    change = diff(run({}, end_of_term(F)), run({}, end_of_term(P)))
    assert [c.effect for c in change.withdraw] == [Effect.NO_CERTIFICATE, Effect.BARRED]
    assert change.status_to == FollowingStatus.COMPLETED


def test_reversal_excellent_corrected_to_pass_withdraws_the_bonus():
    change = diff(run({2023: E}), run({2023: P}))
    assert [(c.effect, c.target_year) for c in change.withdraw] == [(Effect.BONUS, "2023")]


def test_reversal_the_same_results_change_nothing():
    change = diff(run({2023: F, 2024: F}), run({2023: F, 2024: F}))
    assert not change
    assert change.add == change.withdraw == change.changed == ()


def test_reversal_a_refiled_fail_with_a_new_date_keeps_the_plan_but_moves_its_due_date():
    before = run({2023: F})
    after = consequences([annual(2023, F, on=dt.date(2024, 8, 1))], next_years=XH_YEARS)
    change = diff(before, after)
    assert change.add == change.withdraw == ()
    [(old, new)] = change.changed
    assert old.effect == new.effect == Effect.RECTIFICATION_PLAN
    assert (old.due_on, new.due_on) == (dt.date(2024, 8, 9), dt.date(2024, 8, 31))


# --- XH-TERMINATE -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ground, kind",
    [
        ("ethics", EndingKind.TERMINATED),
        ("unlawful", EndingKind.TERMINATED),
        ("transfer", EndingKind.WITHDRAWN),
        ("other", EndingKind.WITHDRAWN),
    ],
)
def test_XH_TERMINATE_ethics_or_unlawful_conduct_terminates_transfer_or_other_withdraws(
    ground, kind
):
    ending = termination(
        ground,
        effective_on=dt.date(2026, 11, 20),
        reason="  领导小组审议通过  ",
        document_number="徐教〔2026〕12号",
        today=TODAY,
    )
    assert ending.kind == kind
    assert ending.ground == EndingGround(ground)
    assert ending.rule == Rule.XH_TERMINATE
    assert ending.last_day == dt.date(2026, 11, 20)  # participation ends that day
    assert ending.reason == "领导小组审议通过"


def test_XH_TERMINATE_reads_in_plain_chinese():
    ending = termination(
        "ethics",
        effective_on=dt.date(2026, 11, 20),
        reason="师德问题",
        document_number="徐教〔2026〕12号",
        today=TODAY,
    )
    assert ending.text == "经领导小组决定（徐教〔2026〕12号），自2026年11月20日起终止培养资格。"
    withdrawal = termination(
        "transfer", effective_on=TODAY, reason="调出本区", document_number="12", today=TODAY
    )
    assert withdrawal.text == "经领导小组决定（12），自2026年12月2日起退出培养。"


def test_XH_TERMINATE_a_missing_reason_or_document_number_is_refused_with_clear_messages():
    with pytest.raises(InvalidEnding) as refused:
        termination("ethics", effective_on=TODAY, reason="  ", document_number="", today=TODAY)
    assert refused.value.errors == {
        "reason": "请填写决定的理由。",
        "document_number": "请填写领导小组决定的文号。",
    }


def test_XH_TERMINATE_a_date_in_the_future_is_refused():
    with pytest.raises(InvalidEnding) as refused:
        termination(
            "transfer",
            effective_on=TODAY + dt.timedelta(days=1),
            reason="调动",
            document_number="1",
            today=TODAY,
        )
    assert refused.value.errors == {
        "effective_on": "生效日期（2026年12月3日）尚未到来，请在当天或之后登记该决定。"
    }


def test_XH_TERMINATE_a_missing_date_an_unknown_ground_and_a_day_before_enrolment_are_refused():
    with pytest.raises(InvalidEnding) as refused:
        termination("fired", effective_on=None, reason="r", document_number="1", today=TODAY)
    assert set(refused.value.errors) == {"kind", "effective_on"}
    assert isinstance(refused.value, ValueError)
    with pytest.raises(InvalidEnding, match="早于参加培养的日期"):
        termination(
            "other",
            effective_on=dt.date(2023, 8, 1),
            reason="r",
            document_number="1",
            today=TODAY,
            enrolled_on=dt.date(2023, 9, 1),
        )


# --- XH-ASSESS: the suggested result ------------------------------------------------------------

LEAD = ("综合考核", "坊主评价")
SCHOOL = ("综合考核", "学校评价")
REQUIRED = ["坊主评价", "学校评价"]


def suggest(progress, lead=P, school=P, required=REQUIRED):
    return suggested_result(
        progress=progress,
        components=[(*LEAD, lead), (*SCHOOL, school)],
        required_components=required,
        year_label="2024学年",
    )


def test_XH_ASSESS_missed_requirements_suggest_a_fail_with_the_tasks_named():
    found = suggest(
        [("任务一", Status.MET), ("任务二", Status.MISSED), ("任务三", Status.MISSED)],
        required=["坊主评价"],
        school=None,
    )
    assert found.result == F
    assert found.text == "2024学年 任务二、任务三未完成；坊主评价 合格"


def test_XH_ASSESS_a_missing_required_component_gives_no_suggestion_only_what_is_missing():
    found = suggest([("任务一", Status.MET)], school=None)
    assert found.result is None
    assert found.missing == ("学校评价",)
    assert found.text == "还缺：学校评价"


def test_XH_ASSESS_a_required_component_may_be_named_by_component_or_level():
    found = suggested_result(
        progress=[],
        components=[("项目考核", "区级", P), ("综合考核", "学校评价", None)],
        required_components=["项目考核", "综合考核"],
        year_label="2024学年",
    )
    assert found.missing == ("综合考核",)


@pytest.mark.parametrize(
    "progress, lead, school, expected",
    [
        ([("任务一", Status.MET), ("任务二", Status.MET)], E, E, E),
        ([("任务一", Status.MET), ("任务二", Status.MET)], E, P, P),
        ([("任务一", Status.MET), ("任务二", Status.IN_PROGRESS)], E, E, P),
        ([("任务一", Status.MET), ("任务二", Status.UPCOMING)], P, P, P),
        ([("任务一", Status.MET)], P, B, B),
        ([("任务一", Status.MET)], E, F, F),
        ([("任务一", Status.MISSED)], E, E, F),
        ([], E, E, E),
    ],
)
def test_XH_ASSESS_the_suggestion_rule(progress, lead, school, expected):
    assert suggest(progress, lead, school).result == expected


def test_XH_ASSESS_all_met_and_open_requirements_read_as_such():
    assert suggest([("任务一", Status.MET)], E, E).reasons == (
        "2024学年 各项任务均已完成",
        "坊主评价 优秀",
        "学校评价 优秀",
    )
    assert suggest([("任务四", "in_progress")]).reasons[0] == "2024学年 任务四尚在进行中"


# --- PT-EVAL: weighted scores -------------------------------------------------------------------

PT_WEIGHTS = {
    "参与度": Decimal(15),
    "作业提交": Decimal(15),
    "讨论互动": Decimal(10),
    "研修总结报告": Decimal(20),
    "案例分析": Decimal(20),
    "实践成果": Decimal(20),
}
PT_THRESHOLDS = {E: Decimal(90), P: Decimal(60)}


def pt_scores(process: str, outcome: str) -> dict[str, Decimal]:
    return {name: Decimal(process if i < 3 else outcome) for i, name in enumerate(PT_WEIGHTS)}


@pytest.mark.parametrize(
    "process, outcome, total, result",
    [
        ("100", "100", Decimal("100.00"), E),
        ("90", "90", Decimal("90.00"), E),
        ("80", "95", Decimal("89.00"), P),
        ("60", "60", Decimal("60.00"), P),
        ("50", "65", Decimal("59.00"), F),
        ("0", "0", Decimal("0.00"), F),
    ],
)
def test_PT_EVAL_process_and_outcome_scores_weighted_40_60(process, outcome, total, result):
    assert weighted_score(pt_scores(process, outcome), PT_WEIGHTS, PT_THRESHOLDS) == (
        total,
        result,
    )


def test_PT_EVAL_a_basic_pass_band_and_rounding_half_up_to_two_places():
    weights = {"过程性评价": Decimal(40), "成果性评价": Decimal(60)}
    thresholds = {E: Decimal(85), P: Decimal(70), B: Decimal(60)}
    assert weighted_score(
        {"过程性评价": Decimal("62.5"), "成果性评价": Decimal("60")}, weights, thresholds
    ) == (Decimal("61.00"), B)
    assert weighted_score(
        {"过程性评价": Decimal("70.01"), "成果性评价": Decimal("70")}, weights, thresholds
    ) == (Decimal("70.00"), P)
    total, _ = weighted_score(
        {"过程性评价": Decimal("33.333"), "成果性评价": Decimal("0")}, weights, thresholds
    )
    assert total == Decimal("13.33")
    assert isinstance(total, Decimal)


@pytest.mark.parametrize(
    "scores, weights, thresholds, message",
    [
        ({"a": Decimal(1)}, {"a": Decimal(1)}, PT_THRESHOLDS, "sum to 100"),
        ({"a": Decimal(1)}, {"a": Decimal(60), "b": Decimal(40)}, PT_THRESHOLDS, "no score for: b"),
        ({"a": 1, "b": 2}, {"a": Decimal(100)}, PT_THRESHOLDS, "no weight for: b"),
        ({"a": 50.0}, {"a": Decimal(100)}, PT_THRESHOLDS, "not a float"),
        ({"a": Decimal(50)}, {"a": 100.0}, PT_THRESHOLDS, "not a float"),
        ({"a": Decimal(101)}, {"a": Decimal(100)}, PT_THRESHOLDS, "0 to 100"),
        ({"a": "x"}, {"a": Decimal(100)}, PT_THRESHOLDS, "must be a number"),
        ({"a": 1, "b": 1}, {"a": Decimal(120), "b": Decimal(-20)}, PT_THRESHOLDS, "negative"),
        ({"a": 1}, {"a": 100}, {E: Decimal(50), P: Decimal(60)}, "below that for pass"),
        ({"a": 1}, {"a": 100}, {E: Decimal(90)}, "pass"),
        ({"a": 1}, {"a": 100}, {P: Decimal(60), F: Decimal(0)}, "fail has no threshold"),
        ({}, {}, PT_THRESHOLDS, "at least one"),
    ],
)
def test_PT_EVAL_bad_weights_scores_or_thresholds_are_refused_clearly(
    scores, weights, thresholds, message
):
    with pytest.raises(ValueError, match=message):
        weighted_score(scores, weights, thresholds)


# --- SJ-TITLE -----------------------------------------------------------------------------------


def route(**changes):
    values = dict(
        years_teaching=32,
        years_class_teacher=22,
        is_class_teacher=True,
        excellent_years=[2024],
        today=TODAY,
    )
    values.update(changes)
    return senior_title_route(**values)


def test_SJ_TITLE_all_four_conditions_met_the_route_applies():
    found = route()
    assert found.applies
    assert found.reasons == [
        "从教满30年：已满（32年）",
        "担任班主任满20年：已满（22年）",
        "现仍在班主任岗位：是",
        "近5年至少1次优秀：已满足（2024年度）",
    ]


@pytest.mark.parametrize("years, met", [(29, False), (30, True), (40, True)])
def test_SJ_TITLE_thirty_years_teaching(years, met):
    found = route(years_teaching=years, years_class_teacher=20)
    assert found.teaching.met is met
    assert found.applies is met
    assert found.teaching.text == f"从教满30年：{'已满' if met else '未满'}（{years}年）"


@pytest.mark.parametrize("years, met", [(19, False), (20, True), (25, True)])
def test_SJ_TITLE_twenty_years_as_class_teacher(years, met):
    found = route(years_class_teacher=years)
    assert found.class_teacher_years.met is met
    assert found.applies is met
    assert (
        found.class_teacher_years.text
        == f"担任班主任满20年：{'已满' if met else '未满'}（{years}年）"
    )


def test_SJ_TITLE_currently_a_class_teacher():
    found = route(is_class_teacher=False)
    assert not found.applies
    assert found.currently_class_teacher.text == "现仍在班主任岗位：否"
    assert [c.met for c in found.checks] == [True, True, False, True]


@pytest.mark.parametrize(
    "excellent, met",
    [
        ([], False),
        ([2021], False),  # today is 2026: the last five years are 2022 – 2026
        ([2022], True),
        ([2026], True),
        ([2027], False),  # not yet
        ([dt.date(2021, 12, 2)], False),
        ([dt.date(2021, 12, 3)], True),
        ([dt.date(2026, 12, 3)], False),
        ([2018, dt.date(2025, 7, 1)], True),
    ],
)
def test_SJ_TITLE_at_least_one_excellent_in_the_last_five_years(excellent, met):
    found = route(excellent_years=excellent)
    assert found.recent_excellent.met is met
    assert found.applies is met
    if not met:
        assert found.recent_excellent.text == "近5年至少1次优秀：未满足"


def test_SJ_TITLE_a_day_of_29_february_counts_back_five_years_safely():
    found = route(today=dt.date(2028, 2, 29), excellent_years=[dt.date(2023, 3, 1)])
    assert found.recent_excellent.met


def test_SJ_TITLE_impossible_years_are_refused():
    with pytest.raises(ValueError, match="cannot exceed"):
        route(years_teaching=10, years_class_teacher=20)
    with pytest.raises(ValueError, match="negative"):
        route(years_teaching=-1)
    with pytest.raises(ValueError, match="whole number"):
        route(years_teaching=30.5)


# --- SJ-HONOUR ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "years, eligible, reason",
    [
        (19, False, "担任班主任满20年：未满（19年）"),
        (20, True, "担任班主任满20年：已满（20年）"),
        (31, True, "担任班主任满20年：已满（31年）"),
    ],
)
def test_SJ_HONOUR_twenty_years_as_class_teacher_earns_the_certificate(years, eligible, reason):
    assert honour_eligible(years) == (eligible, reason)


def test_SJ_HONOUR_negative_years_are_refused():
    with pytest.raises(ValueError):
        honour_eligible(-3)


# --- SJ-INIT ------------------------------------------------------------------------------------


def test_SJ_INIT_32_hours_a_trainee_year_and_a_pass_pass():
    assert init_passed(Decimal(32), True, P) == (
        True,
        ("上岗培训满32学时：已满（32学时）", "1年见习班主任经历：已具备", "考核：合格"),
    )


@pytest.mark.parametrize(
    "hours, year_done, result, failing",
    [
        (Decimal("31.5"), True, P, "上岗培训满32学时：未满（31.5学时）"),
        (Decimal(40), False, E, "1年见习班主任经历：未具备"),
        (Decimal(40), True, F, "考核：不合格"),
        (Decimal(40), True, None, "考核：尚未考核"),
    ],
)
def test_SJ_INIT_each_condition_missing_fails(hours, year_done, result, failing):
    passed, reasons = init_passed(hours, year_done, result)
    assert not passed
    assert failing in reasons


def test_SJ_INIT_a_basic_pass_passes_and_whole_hours_read_plainly():
    assert init_passed(320, True, B) == (
        True,
        ("上岗培训满32学时：已满（320学时）", "1年见习班主任经历：已具备", "考核：基本合格"),
    )
    with pytest.raises(ValueError, match="float"):
        init_passed(32.0, True, P)


# --- HA-ASSESS: units ---------------------------------------------------------------------------


def test_HA_ASSESS_a_units_result_is_its_lowest_criterion_with_reasons():
    found = unit_result(
        unit="海安镇教管办",
        year_label="2022年度",
        criteria=[("组织管理", E), ("培养实施", P), ("考核评价", E)],
    )
    assert found.result == P
    assert found.text == "海安镇教管办 2022年度：合格；组织管理 优秀；培养实施 合格；考核评价 优秀"


@pytest.mark.parametrize(
    "results, expected",
    [([E, E], E), ([E, B], B), ([P, F], F), ([P, P], P)],
)
def test_HA_ASSESS_unit_results(results, expected):
    criteria = [(f"第{i}项", r) for i, r in enumerate(results, 1)]
    assert unit_result(unit="局直学校", year_label="2023年度", criteria=criteria).result == expected


def test_HA_ASSESS_a_criterion_not_yet_assessed_gives_no_result():
    found = unit_result(
        unit="u", year_label="2023年度", criteria=[("组织管理", E), ("培养实施", None)]
    )
    assert found.result is None
    assert found.text == "还缺：培养实施"
    with pytest.raises(ValueError):
        unit_result(unit="u", year_label="2023年度", criteria=[])


def test_XH_ASSESS_the_reasons_read_in_english_too():
    with translation.override("en"):
        found = suggest(
            [("task 2", Status.MISSED), ("task 3", Status.MISSED)], school=None, required=[]
        )
        assert found.text == "2024学年 task 2, task 3 not completed; 坊主评价 pass"
        assert run({2023: F}).of(Effect.WARNING)[0].reason == (
            "2023 school year assessment failed: a warning is given."
        )


def test_XH_BONUS_and_XH_FAIL_1_apply_only_where_the_programme_follows_them():
    decided = [
        Decided(
            AssessmentKind.ANNUAL, "2023", dt.date(2024, 8, 31), "excellent", dt.date(2024, 7, 3)
        ),
        Decided(AssessmentKind.ANNUAL, "2024", dt.date(2025, 8, 31), "fail", dt.date(2025, 7, 3)),
    ]
    everything = consequences(decided)
    assert {c.rule for c in everything.items} == {Rule.XH_BONUS, Rule.XH_FAIL_1}
    only_bonus = consequences(decided, applies=["XH-BONUS"])
    assert [c.rule for c in only_bonus.items] == [Rule.XH_BONUS]
    nothing = consequences(decided, applies=[])
    assert nothing.items == () and nothing.status == everything.status
