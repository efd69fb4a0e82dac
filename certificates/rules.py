"""Who may have a certificate: pure functions over plain data (no database, no clock).

- XH-FAIL-END: a completion certificate (结业证书) goes to an enrolment whose end-of-term
  assessment in force passed (pass or excellent; a basic pass is not a fail either); never after
  a failed end of term, never while it is not decided.
- XH-TERMINATE: a terminated or withdrawn participant has no completion or training certificate.
- SJ-HONOUR: the honour certificate (荣誉证书) needs at least the kind's number of years as a
  class teacher on the teacher's profile (20 in Songjiang).
- PT-FILE: a training certificate summarises a programme part the training record shows as
  complete.

Each check returns an ``Eligibility``: eligible or not, and a reason a teacher understands.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from assessments.rules import Result, is_fail

ENDED = ("terminated", "withdrawn")  # XH-TERMINATE: participation ended by decision
PASSED = (Result.EXCELLENT, Result.PASS, Result.BASIC_PASS)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str = ""  # why not, for the teacher; empty when eligible
    rule: str = ""  # the rule that decided

    def __bool__(self) -> bool:
        return self.eligible


YES = Eligibility(True)


@dataclass(frozen=True)
class EnrolmentFacts:
    """What the completion and training checks read of one enrolment."""

    status: str  # cohorts.EnrolmentStatus value
    end_of_term: str | None = None  # the end-of-term result in force, None: not decided
    no_certificate: bool = False  # an XH-FAIL-END consequence in force


@dataclass(frozen=True)
class ProfileFacts:
    years_class_teacher: int


@dataclass(frozen=True)
class PartFacts:
    """A programme part's state for one enrolment, from the progress engine."""

    name: str
    complete: bool  # every period of the part met
    exists: bool = True  # the kind names a part that applies to the enrolment's tier


def _ended(facts: EnrolmentFacts) -> Eligibility | None:
    if facts.status == "terminated":
        return Eligibility(
            False, _("Participation was terminated: no certificate is issued."), "XH-TERMINATE"
        )
    if facts.status == "withdrawn":
        return Eligibility(
            False, _("The participant withdrew: no certificate is issued."), "XH-TERMINATE"
        )
    return None


def completion(facts: EnrolmentFacts) -> Eligibility:
    """XH-FAIL-END (and XH-TERMINATE): the completion certificate."""
    if (ended := _ended(facts)) is not None:
        return ended
    if facts.no_certificate or is_fail(facts.end_of_term) or facts.status == "failed":
        return Eligibility(
            False,
            _("The end-of-term assessment was failed: no completion certificate is issued."),
            "XH-FAIL-END",
        )
    if facts.end_of_term is None:
        return Eligibility(
            False, _("The end-of-term assessment has not been decided yet."), "XH-FAIL-END"
        )
    if Result(facts.end_of_term) in PASSED:
        return YES
    return Eligibility(  # pragma: no cover - every result is a fail or a pass
        False, _("The end-of-term assessment was not passed."), "XH-FAIL-END"
    )


def honour(
    profile: ProfileFacts, *, min_years: int | None, enrolment: EnrolmentFacts | None = None
) -> Eligibility:
    """SJ-HONOUR: enough years as a class teacher (and, for a participant, XH-TERMINATE: not
    after a termination or withdrawal)."""
    if enrolment is not None and (ended := _ended(enrolment)) is not None:
        return ended
    need = min_years or 0
    years = max(profile.years_class_teacher, 0)
    if years >= need:
        return YES
    return Eligibility(
        False,
        _(
            "An honour certificate needs at least %(need)s years as a class teacher; "
            "your profile shows %(years)s."
        )
        % {"need": need, "years": years},
        "SJ-HONOUR",
    )


def training(facts: EnrolmentFacts, part: PartFacts | None) -> Eligibility:
    """PT-FILE (and XH-TERMINATE): the chosen programme part is complete."""
    if (ended := _ended(facts)) is not None:
        return ended
    if part is None or not part.exists:
        return Eligibility(False, _("This training is not part of your programme."), "PT-FILE")
    if not part.complete:
        return Eligibility(
            False,
            _("%(part)s is not complete yet: the certificate is issued once it is.")
            % {"part": part.name},
            "PT-FILE",
        )
    return YES


def result_label(result: str | None) -> str:
    """The result as printed on a completion certificate: 优秀, 合格 or 基本合格."""
    if result is None:
        return ""
    return {
        Result.EXCELLENT: "优秀",
        Result.PASS: "合格",
        Result.BASIC_PASS: "基本合格",
        Result.FAIL: "不合格",
    }[Result(result)]
