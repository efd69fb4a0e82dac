"""The certificate rules, without a database: XH-FAIL-END, XH-TERMINATE, SJ-HONOUR, PT-FILE."""

from __future__ import annotations

import pytest
from django.utils import translation

from certificates import rules
from certificates.rules import EnrolmentFacts, PartFacts, ProfileFacts

STATUSES = ["active", "warned", "completed"]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("result", ["pass", "excellent", "basic_pass"])
def test_xh_fail_end_a_pass_earns_the_completion_certificate(status, result):
    assert rules.completion(EnrolmentFacts(status, result)).eligible


@pytest.mark.parametrize("status", STATUSES)
def test_xh_fail_end_never_after_a_fail(status):
    verdict = rules.completion(EnrolmentFacts(status, "fail"))
    assert not verdict.eligible
    assert verdict.rule == "XH-FAIL-END"
    with translation.override("zh-hans"):
        assert "届满考核不合格" in rules.completion(EnrolmentFacts(status, "fail")).reason


@pytest.mark.parametrize("result", ["pass", "excellent", None])
def test_xh_fail_end_the_consequence_in_force_refuses_whatever_the_result(result):
    verdict = rules.completion(EnrolmentFacts("active", result, no_certificate=True))
    assert not verdict.eligible and verdict.rule == "XH-FAIL-END"


def test_xh_fail_end_a_failed_enrolment_is_refused_even_without_a_decision():
    assert not rules.completion(EnrolmentFacts("failed", None)).eligible


@pytest.mark.parametrize("status", STATUSES)
def test_xh_fail_end_not_before_the_end_of_term_is_decided(status):
    verdict = rules.completion(EnrolmentFacts(status, None))
    assert not verdict.eligible
    with translation.override("zh-hans"):
        assert "尚未" in rules.completion(EnrolmentFacts(status, None)).reason


@pytest.mark.parametrize("status", ["terminated", "withdrawn"])
@pytest.mark.parametrize("result", ["pass", "excellent", "fail", None])
def test_xh_terminate_ends_every_certificate_of_participation(status, result):
    facts = EnrolmentFacts(status, result)
    for verdict in (
        rules.completion(facts),
        rules.training(facts, PartFacts("区级集中培训", complete=True)),
        rules.honour(ProfileFacts(30), min_years=20, enrolment=facts),
    ):
        assert not verdict.eligible
        assert verdict.rule == "XH-TERMINATE"
        assert verdict.reason


def test_xh_terminate_reasons_in_chinese():
    with translation.override("zh-hans"):
        assert "终止" in rules.completion(EnrolmentFacts("terminated", "pass")).reason
        assert "退出" in rules.completion(EnrolmentFacts("withdrawn", "pass")).reason


@pytest.mark.parametrize(
    ("years", "eligible"), [(0, False), (19, False), (20, True), (21, True), (35, True)]
)
def test_sj_honour_twenty_years_as_class_teacher(years, eligible):
    verdict = rules.honour(ProfileFacts(years), min_years=20)
    assert verdict.eligible is eligible
    if not eligible:
        assert verdict.rule == "SJ-HONOUR"
        assert "20" in verdict.reason and str(years) in verdict.reason


@pytest.mark.parametrize(
    ("need", "years", "eligible"), [(None, 0, True), (10, 9, False), (10, 10, True)]
)
def test_sj_honour_the_kind_sets_the_years(need, years, eligible):
    assert rules.honour(ProfileFacts(years), min_years=need).eligible is eligible


def test_sj_honour_an_active_participant_counts_by_years_only():
    assert rules.honour(
        ProfileFacts(22), min_years=20, enrolment=EnrolmentFacts("active", "fail")
    ).eligible


def test_sj_honour_reason_in_chinese():
    with translation.override("zh-hans"):
        reason = rules.honour(ProfileFacts(12), min_years=20).reason
    assert "班主任" in reason and "12" in reason


@pytest.mark.parametrize("status", STATUSES)
def test_pt_file_a_complete_part_earns_the_training_certificate(status):
    assert rules.training(EnrolmentFacts(status), PartFacts("校本研修", complete=True)).eligible


def test_pt_file_an_incomplete_part_is_named_in_the_reason():
    verdict = rules.training(EnrolmentFacts("active"), PartFacts("校本研修", complete=False))
    assert not verdict.eligible and verdict.rule == "PT-FILE"
    assert "校本研修" in verdict.reason


@pytest.mark.parametrize("part", [None, PartFacts("校本研修", complete=True, exists=False)])
def test_pt_file_a_part_that_does_not_apply_refuses(part):
    verdict = rules.training(EnrolmentFacts("active"), part)
    assert not verdict.eligible and verdict.rule == "PT-FILE"


def test_pt_file_the_end_of_term_does_not_matter_for_a_training_certificate():
    facts = EnrolmentFacts("active", "fail")
    assert rules.training(facts, PartFacts("校本研修", complete=True)).eligible


@pytest.mark.parametrize(
    ("result", "label"),
    [("excellent", "优秀"), ("pass", "合格"), ("basic_pass", "基本合格"), (None, "")],
)
def test_xh_fail_end_the_printed_result(result, label):
    assert rules.result_label(result) == label


def test_an_eligibility_is_truthy_only_when_eligible():
    assert rules.YES
    assert not rules.Eligibility(False, "x", "XH-FAIL-END")
