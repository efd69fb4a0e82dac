"""Assessment of participants: the schemes a programme assesses by, and the records of each
assessment — the components filed at each level and the bureau's decision.

A scheme is configuration (one per programme and kind: annual, mid-term, end-of-term), edited on
the programme's admin page and copied with it. An assessment is one enrolment assessed under one
scheme for one year of the programme (the annual one) or once in the cycle (mid-term, end of
term). Decisions are history: a finalised decision is never changed; a correction is a new
decision that names the one it corrects, with the reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureaus.files import storage_key
from bureaus.tenancy import TenantModel
from programmes.models import MONTH_CHOICES
from programmes.rules import Deadline, DeadlineProblem, Period, deadline_problem, windows

from .rules import CONSEQUENCE_RULES


class Result(models.TextChoices):
    """A result on the scale; the values are those of ``assessments.rules.Result``."""

    EXCELLENT = "excellent", _("Excellent")
    PASS = "pass", _("Pass")
    BASIC_PASS = "basic_pass", _("Basic pass")
    FAIL = "fail", _("Fail")


# From best to worst: the order thresholds of a scored scheme must follow.
RESULT_ORDER = (Result.EXCELLENT, Result.PASS, Result.BASIC_PASS, Result.FAIL)
DEFAULT_SCALE = [Result.EXCELLENT.value, Result.PASS.value, Result.FAIL.value]


class AssessmentKind(models.TextChoices):
    """When a participant is assessed; the values are those of ``assessments.rules``."""

    ANNUAL = "annual", _("Annual assessment")
    MID_TERM = "mid_term", _("Mid-term assessment")
    END_OF_TERM = "end_of_term", _("End-of-term assessment")


class FilingLevel(models.TextChoices):
    """Who files a component: the teacher, the lead of their group, their school, the bureau's
    centres (district) or the programme's leading group."""

    SELF = "self", _("Self-assessment")
    TEAM_LEAD = "team_lead", _("Group lead")
    SCHOOL = "school", _("School")
    DISTRICT = "district", _("District")
    LEADING_GROUP = "leading_group", _("Leading group")


class AssessmentScheme(TenantModel):
    """How a programme assesses its participants at one kind of assessment: the result scale it
    uses and, optionally, scores with the thresholds of each result (XH-ASSESS, PT-EVAL,
    HA-ASSESS). One per programme and kind."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="assessment_schemes",
        verbose_name=_("programme"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AssessmentKind.choices)
    title = models.CharField(_("title"), max_length=100)
    rule = models.CharField(
        _("rule"), max_length=20, blank=True, help_text=_("e.g. XH-ASSESS, PT-EVAL, HA-ASSESS")
    )
    results = models.JSONField(
        _("result scale"),
        default=list,
        help_text=_(
            "The results the bureau uses, among excellent, pass, basic_pass and fail; fail and "
            "at least one passing result are needed."
        ),
    )
    scored = models.BooleanField(
        _("scored"),
        default=False,
        help_text=_(
            "Components are scored from 0 to 100 and weighted; the thresholds below say from "
            "which weighted score each result is suggested."
        ),
    )
    excellent_from = models.DecimalField(
        _("excellent from (score)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    pass_from = models.DecimalField(
        _("pass from (score)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    basic_pass_from = models.DecimalField(
        _("basic pass from (score)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    consequence_rules = models.JSONField(
        _("consequences that follow"),
        default=list,
        blank=True,
        help_text=_(
            "The rules of the bureau's documents that follow from the results, among XH-FAIL-1 "
            "(a first annual fail: a warning and a written rectification plan), XH-FAIL-2 (a "
            "second annual fail: the next year's stipend suspended), XH-FAIL-END (an "
            "end-of-term fail: no completion certificate, barred from the next cohort) and "
            "XH-BONUS (an excellent annual result: a bonus). Empty: results are recorded only."
        ),
    )
    description = models.TextField(
        _("note for staff"), blank=True, help_text=_("Where the scheme comes from; not shown.")
    )

    tenant_links = ("programme",)

    class Meta:
        ordering = ["programme", "kind"]
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "programme", "kind"], name="uniq_assessment_scheme_kind"
            )
        ]

    def __str__(self) -> str:
        return self.title

    THRESHOLDS = {
        Result.EXCELLENT: "excellent_from",
        Result.PASS: "pass_from",
        Result.BASIC_PASS: "basic_pass_from",
    }

    def clean(self) -> None:
        super().clean()
        errors: dict[str, object] = {}
        scale = self.results if isinstance(self.results, list) else None
        if scale is None or not all(isinstance(v, str) for v in scale):
            errors["results"] = _("Give the result scale as a list such as %(example)s.") % {
                "example": '["excellent", "pass", "fail"]'
            }
            scale = []
        else:
            unknown = sorted(set(scale) - set(Result.values))
            if unknown:
                errors["results"] = _("Unknown results: %(unknown)s. Use %(known)s.") % {
                    "unknown": ", ".join(unknown),
                    "known": ", ".join(Result.values),
                }
            elif len(set(scale)) != len(scale):
                errors["results"] = _("Each result is listed once.")
            elif Result.FAIL not in scale or len(scale) < 2:
                errors["results"] = _("The scale needs fail and at least one passing result.")
        chosen = self.consequence_rules
        known = [r.value for r in CONSEQUENCE_RULES]
        if not isinstance(chosen, list) or not all(isinstance(r, str) for r in chosen):
            errors["consequence_rules"] = _("Give the rules as a list such as %(example)s.") % {
                "example": '["XH-FAIL-1", "XH-BONUS"]'
            }
        elif set(chosen) - set(known):
            errors["consequence_rules"] = _("Unknown rules: %(unknown)s. Use %(known)s.") % {
                "unknown": ", ".join(sorted(set(chosen) - set(known))),
                "known": ", ".join(known),
            }
        for result, name in self.THRESHOLDS.items():
            value = getattr(self, name)
            if value is None:
                if self.scored and result in scale:
                    errors[name] = _("A scored scheme gives the score from which it is suggested.")
                continue
            if not self.scored:
                errors[name] = _("Only a scored scheme has thresholds; leave it empty.")
            elif result not in scale:
                errors[name] = _("This result is not on the scale; leave it empty.")
            elif not Decimal(0) < value <= Decimal(100):
                errors[name] = _("Give a score above 0 and at most 100.")
        if not errors and self.scored:
            given = [
                getattr(self, self.THRESHOLDS[r]) for r in RESULT_ORDER[:-1] if r in set(scale)
            ]
            if any(higher <= lower for higher, lower in zip(given, given[1:], strict=False)):
                errors["pass_from"] = _(
                    "A better result needs a higher score: excellent above pass above basic pass."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def scale(self) -> list[str]:
        """The results of the scale, best first."""
        return [r.value for r in RESULT_ORDER if r.value in set(self.results or ())]

    def result_choices(self) -> list[tuple[str, str]]:
        return [(r, Result(r).label) for r in self.scale]


class AssessmentComponent(TenantModel):
    """A part of an assessment filed at one level: XH's project assessment (项目考核) and
    comprehensive assessment (综合考核) at district, school and self levels, and the group lead's
    assessment (XH-WS-LEAD); PT-EVAL's process and outcome evaluation; HA-ASSESS's annual
    assessment form by the subject group."""

    scheme = models.ForeignKey(
        AssessmentScheme,
        on_delete=models.CASCADE,
        related_name="components",
        verbose_name=_("scheme"),
    )
    title = models.CharField(_("title"), max_length=100)
    level = models.CharField(_("filed by"), max_length=16, choices=FilingLevel.choices)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Only in a scored scheme: the weights of its components add up to 100."),
    )
    required = models.BooleanField(
        _("needed for the decision"),
        default=True,
        help_text=_("The decision can be finalised only once every needed component is filed."),
    )
    description = models.TextField(
        _("what it looks at"),
        blank=True,
        help_text=_("e.g. participation, peer support, task completion, outputs (XH-WS-LEAD)."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    due_month = models.PositiveSmallIntegerField(
        _("due in month"),
        choices=MONTH_CHOICES,
        null=True,
        blank=True,
        help_text=_(
            "Filed by this month of each year of the programme (an annual assessment) or of the "
            "cycle (mid-term, end of term); after it the part is late but still accepted until "
            "the decision is finalised. Empty: no due date."
        ),
    )
    due_day = models.PositiveSmallIntegerField(
        _("due on day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("The day of the due month; empty: the month's last day."),
    )

    tenant_links = ("scheme",)

    class Meta:
        ordering = ["scheme", "order", "id"]
        verbose_name = _("assessment component")
        verbose_name_plural = _("assessment components")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "scheme", "title", "level"],
                name="uniq_assessment_component",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__isnull=True)
                | (models.Q(weight__gt=0) & models.Q(weight__lte=100)),
                name="assessment_component_weight",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_level_display()}）"

    @property
    def deadline(self) -> Deadline | None:
        if self.due_month is None:
            return None
        return Deadline(month=self.due_month, day=self.due_day)

    def due_on(self, programme, year_key: str) -> dt.date | None:
        """When this part is due for the assessment of ``year_key`` (annual) or of the cycle
        (mid-term, end of term; ``year_key`` empty), if it has a due date."""
        deadline = self.deadline
        if deadline is None:
            return None
        if year_key:
            window = next((w for w in programme.years if w.key == year_key), None)
        else:
            window = next(iter(windows(Period.CYCLE, programme.cycle)), None)
        return deadline.due_in(window) if window is not None else None

    def clean(self) -> None:
        super().clean()
        if self.scheme_id is None:
            return
        self._clean_deadline()
        if self.scheme.scored and self.weight is None:
            raise ValidationError({"weight": _("A scored scheme gives each component a weight.")})
        if not self.scheme.scored and self.weight is not None:
            raise ValidationError(
                {"weight": _("Only the components of a scored scheme have a weight.")}
            )

    def _clean_deadline(self) -> None:
        if self.due_day is not None and self.due_month is None:
            raise ValidationError({"due_day": _("A due day needs its month.")})
        if self.due_month is None or not 1 <= self.due_month <= 12:
            return
        if self.due_day is not None and not 1 <= self.due_day <= 31:
            return  # the field's own validators say so
        programme = self.scheme.programme
        period = Period.YEAR if self.scheme.kind == AssessmentKind.ANNUAL else Period.CYCLE
        problem = deadline_problem(self.deadline, period, programme.cycle)
        if problem is None:
            return
        messages = {
            DeadlineProblem.NO_SUCH_DAY: ("due_day", _("This month has no such day.")),
            DeadlineProblem.MONTH_NOT_IN_CYCLE: (
                "due_month",
                _("No year of the programme's cycle (%(cycle)s) has this month."),
            ),
            DeadlineProblem.MONTH_REPEATS_IN_CYCLE: (
                "due_month",
                _("The cycle (%(cycle)s) has this month more than once."),
            ),
        }
        field, message = messages.get(
            problem, ("due_month", _("This month does not fit the programme's calendar."))
        )
        raise ValidationError({field: message % {"cycle": programme.cycle_label}})


def check_weights(scheme: AssessmentScheme, components) -> None:
    """A scored scheme's weights add up to 100 (``components``: the scheme's components as they
    will be saved)."""
    if not scheme.scored:
        return
    total = sum((c.weight or Decimal(0) for c in components), Decimal(0))
    if total != Decimal(100):
        raise ValidationError(
            _("The weights of the components add up to %(total)s; they must add up to 100.")
            % {"total": f"{total.normalize():f}"}
        )


class Assessment(TenantModel):
    """One participant assessed under one scheme: for one year of the programme (``year_key``,
    as in ``Programme.years``: 2023 is the 2023 school year) or, for mid-term and end-of-term
    assessments, once in the cycle (no year)."""

    enrolment = models.ForeignKey(
        "cohorts.Enrolment",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("enrolment"),
    )
    scheme = models.ForeignKey(
        AssessmentScheme,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("scheme"),
    )
    year_key = models.CharField(_("year"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)

    tenant_links = ("enrolment", "scheme")

    class Meta:
        ordering = ["scheme", "year_key", "enrolment"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "enrolment", "scheme", "year_key"],
                name="uniq_assessment_per_year",
            )
        ]

    def __str__(self) -> str:
        year = f" {self.year_key}" if self.year_key else ""
        return f"{self.enrolment.teacher.user.full_name} · {self.scheme.title}{year}"

    def clean(self) -> None:
        super().clean()
        if self.scheme_id is None or self.enrolment_id is None:
            return
        check_year(self.scheme, self.year_key)
        if self.scheme.programme_id != self.enrolment.programme_id:
            raise ValidationError({"scheme": _("This scheme belongs to another programme.")})


def check_year(scheme: AssessmentScheme, year_key: str) -> None:
    """An annual assessment names a year of its programme; the others name none."""
    if scheme.kind != AssessmentKind.ANNUAL:
        if year_key:
            raise ValidationError(
                {"year_key": _("Only an annual assessment is for a year; leave it empty.")}
            )
        return
    keys = [w.key for w in scheme.programme.years]
    if year_key not in keys:
        raise ValidationError(
            {
                "year_key": _("%(year)s is not a year of the programme; its years are %(keys)s.")
                % {"year": year_key or "—", "keys": ", ".join(keys)}
            }
        )


class ComponentAssessment(TenantModel):
    """A component of an assessment as filed at its level: the result and/or score, the text
    (a self-assessment, the lead's remarks, the school's view) and its files."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="components",
        verbose_name=_("assessment"),
    )
    component = models.ForeignKey(
        AssessmentComponent,
        on_delete=models.PROTECT,
        related_name="filings",
        verbose_name=_("component"),
    )
    level = models.CharField(_("filed by"), max_length=16, choices=FilingLevel.choices)
    result = models.CharField(
        _("result"), max_length=12, choices=Result.choices, blank=True, default=""
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by (person)"),
    )
    filed_at = models.DateTimeField(_("filed"))

    tenant_links = ("assessment", "component", "filed_by")

    class Meta:
        ordering = ["assessment", "component__order", "id"]
        verbose_name = _("filed component")
        verbose_name_plural = _("filed components")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "assessment", "component"], name="uniq_component_filing"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True)
                | (models.Q(score__gte=0) & models.Q(score__lte=100)),
                name="component_score_0_to_100",
            ),
        ]

    def __str__(self) -> str:
        return str(self.component)


def assessment_upload_path(instance, filename: str) -> str:
    return storage_key("assessments", instance.bureau_id, filename)


class ComponentFile(TenantModel):
    """A file filed with a component (a self-assessment report, the annual assessment form)."""

    filing = models.ForeignKey(
        ComponentAssessment,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name=_("filed component"),
    )
    file = models.FileField(_("file"), upload_to=assessment_upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    tenant_links = ("filing",)

    class Meta:
        ordering = ["filing", "id"]
        verbose_name = _("file of a filed component")
        verbose_name_plural = _("files of filed components")

    def __str__(self) -> str:
        return self.original_name


class AssessmentDecision(TenantModel):
    """The bureau's decision on an assessment. A draft may be revised until it is finalised;
    a finalised decision is never changed: a correction is a new decision that names the one it
    corrects (``corrects``) and says why, and the old one stays as it was."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("assessment"),
    )
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"))
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finalised by"),
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    reason = models.TextField(_("reason for the correction"), blank=True)

    tenant_links = ("assessment", "decided_by", "finalised_by", "corrects")

    class Meta:
        ordering = ["assessment", "decided_at", "id"]
        verbose_name = _("assessment decision")
        verbose_name_plural = _("assessment decisions")
        constraints = [
            # At most one draft per assessment.
            models.UniqueConstraint(
                fields=["bureau", "assessment"],
                condition=models.Q(finalised_at__isnull=True),
                name="one_draft_decision_per_assessment",
            ),
            models.CheckConstraint(
                condition=models.Q(corrects__isnull=True) | ~models.Q(reason=""),
                name="decision_correction_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(finalised_at__isnull=True, finalised_by__isnull=True)
                | models.Q(finalised_at__isnull=False, finalised_by__isnull=False),
                name="decision_finalised_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.get_result_display()}"

    @property
    def is_final(self) -> bool:
        return self.finalised_at is not None


class UnitAssessment(TenantModel):
    """HA-ASSESS: the working group's year-end assessment of a unit — a town's education office
    (a learning district) or a school directly under the bureau — against the bureau's criteria
    (单位考核细则): one result per unit and year of the programme."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="unit_assessments",
        verbose_name=_("programme"),
    )
    school = models.ForeignKey(
        "bureaus.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    learning_district = models.ForeignKey(
        "bureaus.LearningDistrict",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("learning district"),
    )
    year_key = models.CharField(_("year"), max_length=20)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"))

    tenant_links = ("programme", "school", "learning_district", "decided_by")

    class Meta:
        ordering = ["programme", "year_key", "id"]
        verbose_name = _("unit assessment")
        verbose_name_plural = _("unit assessments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(school__isnull=False, learning_district__isnull=True)
                    | models.Q(school__isnull=True, learning_district__isnull=False)
                ),
                name="unit_assessment_one_unit",
            ),
            models.UniqueConstraint(
                fields=["bureau", "programme", "school", "year_key"],
                condition=models.Q(school__isnull=False),
                name="uniq_unit_assessment_school",
            ),
            models.UniqueConstraint(
                fields=["bureau", "programme", "learning_district", "year_key"],
                condition=models.Q(learning_district__isnull=False),
                name="uniq_unit_assessment_district",
            ),
        ]

    def __str__(self) -> str:
        unit = self.school or self.learning_district
        return f"{unit} · {self.year_key}"

    def clean(self) -> None:
        super().clean()
        if bool(self.school_id) == bool(self.learning_district_id):
            raise ValidationError(_("Choose either a school or a learning district."))
        if self.school_id and self.school.learning_district_id:
            raise ValidationError(
                {
                    "school": _(
                        "This school is in a learning district: the district is assessed, "
                        "not the school."
                    )
                }
            )
        if self.programme_id:
            keys = [w.key for w in self.programme.years]
            if self.year_key not in keys:
                raise ValidationError(
                    {
                        "year_key": _(
                            "%(year)s is not a year of the programme; its years are %(keys)s."
                        )
                        % {"year": self.year_key or "—", "keys": ", ".join(keys)}
                    }
                )


class TeamAssessment(TenantModel):
    """XH-WS-LEAD: the lead's assessment of their group as a whole for one year of the
    programme — the result on the programme's annual scale, what the group did and achieved,
    and its files. The lead revises it until the bureau finalises a member's assessment of that
    year; from then on it is the record the decisions were made on."""

    team = models.ForeignKey(
        "workshops.Team",
        on_delete=models.PROTECT,  # a record the bureau decided on; the group stays with it
        related_name="assessments",
        verbose_name=_("group"),
    )
    year_key = models.CharField(_("year"), max_length=20)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    text = models.TextField(_("text"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by (person)"),
    )
    filed_at = models.DateTimeField(_("filed"))

    tenant_links = ("team", "filed_by")

    class Meta:
        ordering = ["team", "year_key"]
        verbose_name = _("group assessment")
        verbose_name_plural = _("group assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "team", "year_key"], name="uniq_team_assessment_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.year_key}"


def team_assessment_upload_path(instance, filename: str) -> str:
    return storage_key("assessments/groups", instance.bureau_id, filename)


class TeamAssessmentFile(TenantModel):
    """A file filed with a group's assessment (the group's summary, its outputs)."""

    team_assessment = models.ForeignKey(
        TeamAssessment,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name=_("group assessment"),
    )
    file = models.FileField(_("file"), upload_to=team_assessment_upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    tenant_links = ("team_assessment",)

    class Meta:
        ordering = ["team_assessment", "id"]
        verbose_name = _("file of a group assessment")
        verbose_name_plural = _("files of group assessments")

    def __str__(self) -> str:
        return self.original_name


# --- Consequences, rectification plans, endings (XH-FAIL-1/2/END, XH-BONUS, XH-TERMINATE) ------


class Effect(models.TextChoices):
    """What follows from a result; the values are those of ``assessments.rules.Effect``."""

    WARNING = "warning", _("Warning")
    RECTIFICATION_PLAN = "rectification_plan", _("Written rectification plan owed")
    STIPEND_SUSPENDED = "stipend_suspended", _("Stipend suspended")
    NO_CERTIFICATE = "no_certificate", _("No completion certificate")
    BARRED = "barred_from_next_cohort", _("May not apply for the next cohort")
    BONUS = "bonus", _("Bonus")


class Consequence(TenantModel):
    """One consequence in force (or once in force) for an enrolment, as the rules derive it from
    the final decisions: a warning, a rectification plan owed, a suspended stipend, no
    certificate, barred from the next cohort, a bonus. Never deleted and never edited, except to
    mark it withdrawn when a correction takes it away."""

    enrolment = models.ForeignKey(
        "cohorts.Enrolment",
        on_delete=models.PROTECT,
        related_name="consequences",
        verbose_name=_("enrolment"),
    )
    rule = models.CharField(_("rule"), max_length=20)
    effect = models.CharField(_("consequence"), max_length=24, choices=Effect.choices)
    year_key = models.CharField(
        _("year of the result"), max_length=20, blank=True, help_text=_("Empty: the end of term.")
    )
    target_year = models.CharField(
        _("year concerned"),
        max_length=20,
        blank=True,
        help_text=_("The year whose stipend is suspended, or the bonus year."),
    )
    reason = models.TextField(_("reason"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    decision = models.ForeignKey(
        AssessmentDecision,
        on_delete=models.PROTECT,
        related_name="consequences",
        verbose_name=_("caused by the decision"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by_decision = models.ForeignKey(
        AssessmentDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawn_consequences",
        verbose_name=_("withdrawn by the decision"),
    )
    withdraw_reason = models.TextField(_("why it was withdrawn"), blank=True)

    tenant_links = ("enrolment", "decision", "withdrawn_by_decision")

    class Meta:
        ordering = ["enrolment", "created_at", "id"]
        verbose_name = _("consequence")
        verbose_name_plural = _("consequences")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "enrolment", "effect", "year_key", "target_year"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_consequence_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_effect_display()} · {self.year_key or '—'}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class PlanStatus(models.TextChoices):
    OWED = "owed", _("Owed")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    WITHDRAWN = "withdrawn", _("No longer owed")


class RectificationPlan(TenantModel):
    """XH-FAIL-1: the written rectification plan (书面整改方案) a teacher owes after the first
    failed annual assessment: handed in with text and files, accepted or returned by staff. It
    is no longer owed when the fail is corrected away."""

    consequence = models.OneToOneField(
        Consequence,
        on_delete=models.PROTECT,
        related_name="plan",
        verbose_name=_("consequence"),
    )
    enrolment = models.ForeignKey(
        "cohorts.Enrolment",
        on_delete=models.PROTECT,
        related_name="rectification_plans",
        verbose_name=_("enrolment"),
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.OWED
    )
    text = models.TextField(_("plan"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(_("owed since"), auto_now_add=True)

    tenant_links = ("consequence", "enrolment", "reviewed_by")

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.due_on}"

    @property
    def editable(self) -> bool:
        return self.status in (PlanStatus.OWED, PlanStatus.RETURNED)

    @property
    def reviewable(self) -> bool:
        return self.status == PlanStatus.SUBMITTED


class PlanFile(TenantModel):
    """A file handed in with a rectification plan."""

    plan = models.ForeignKey(
        RectificationPlan,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name=_("rectification plan"),
    )
    file = models.FileField(_("file"), upload_to=assessment_upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    tenant_links = ("plan",)

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("file of a rectification plan")
        verbose_name_plural = _("files of rectification plans")

    def __str__(self) -> str:
        return self.original_name


class EndingGround(models.TextChoices):
    """The values of ``assessments.rules.EndingGround``."""

    ETHICS = "ethics", _("A major problem of professional ethics")
    UNLAWFUL = "unlawful", _("Unlawful conduct or a breach of discipline")
    TRANSFER = "transfer", _("Transferred away")
    OTHER = "other", _("Another reason")


class EndingKind(models.TextChoices):
    TERMINATED = "terminated", _("Terminated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Ending(TenantModel):
    """XH-TERMINATE: the leading group's decision ending a teacher's participation — terminated
    (ethics, unlawful conduct) or withdrawn (transfer, another reason) — effective that day."""

    enrolment = models.OneToOneField(
        "cohorts.Enrolment",
        on_delete=models.PROTECT,
        related_name="ending",
        verbose_name=_("enrolment"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EndingKind.choices)
    ground = models.CharField(_("ground"), max_length=12, choices=EndingGround.choices)
    effective_on = models.DateField(_("effective on"))
    document_number = models.CharField(_("decision number"), max_length=100)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    tenant_links = ("enrolment", "decided_by")

    class Meta:
        ordering = ["-effective_on", "id"]
        verbose_name = _("ending of participation")
        verbose_name_plural = _("endings of participation")

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.get_kind_display()} {self.effective_on}"


class InitAssessment(TenantModel):
    """SJ-INIT: the assessment of a first-time (trainee) class teacher at the end of their
    trainee year, which the reserve pool of a programme reads. The latest one counts."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="init_assessments",
        verbose_name=_("programme"),
    )
    teacher = models.ForeignKey(
        "accounts.TeacherProfile",
        on_delete=models.PROTECT,
        related_name="init_assessments",
        verbose_name=_("teacher"),
    )
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    assessed_on = models.DateField(_("assessed on"))
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    tenant_links = ("programme", "teacher", "decided_by")

    class Meta:
        ordering = ["programme", "-assessed_on", "-id"]
        verbose_name = _("trainee class teacher assessment")
        verbose_name_plural = _("trainee class teacher assessments")

    def __str__(self) -> str:
        return f"{self.teacher} · {self.get_result_display()}"

    @property
    def passed(self) -> bool:
        return self.result != Result.FAIL
