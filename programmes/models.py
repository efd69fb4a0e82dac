"""A bureau's programme as data: its cycle, calendar, tiers and the task requirements of each tier.

A requirement (基本任务) is met when every one of its clauses is met; a clause is met, in each of
its periods, when any one of its alternatives is met. An alternative counts verified evidence of
the given kinds at or above a level, with optional conditions (class hours, delivery mode). In the
admin a requirement's criteria are one inline: criteria that share a clause number are the
alternatives of that clause.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureaus.tenancy import TenantModel

from . import rules


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Level(models.IntegerChoices):
    """级别, in order: a higher level also satisfies a lower minimum. These are the default
    names; each bureau names the levels it uses (``bureaus.LevelName``, read through
    ``bureaus.selectors.level_names``)."""

    SCHOOL = rules.Level.SCHOOL, _("School level")
    LEARNING_DISTRICT = rules.Level.LEARNING_DISTRICT, _("Learning-district level")
    DISTRICT = rules.Level.DISTRICT, _("District level")
    MUNICIPAL = rules.Level.MUNICIPAL, _("Municipal level")
    PROVINCIAL = rules.Level.PROVINCIAL, _("Provincial level")
    NATIONAL = rules.Level.NATIONAL, _("National level")


class Period(models.TextChoices):
    SCHOOL_YEAR = rules.Period.SCHOOL_YEAR, _("Each school year")
    SEMESTER = rules.Period.SEMESTER, _("Each semester")
    MONTH = rules.Period.MONTH, _("Each month")
    FORTNIGHT = rules.Period.FORTNIGHT, _("Every two weeks")
    YEAR = rules.Period.YEAR, _("Each calendar year")
    CYCLE = rules.Period.CYCLE, _("Once over the cycle")


class LeadRank(models.TextChoices):
    """The rank of a participant who leads a workshop (XH-WS-TYPES, XH-WS-OUTPUT)."""

    LEADER = "leader", _("Leader (带头人)")
    BACKBONE = "backbone", _("Backbone teacher (骨干)")


class DeliveryMode(models.TextChoices):
    ONLINE = rules.Delivery.ONLINE, _("Online")
    FACE_TO_FACE = rules.Delivery.FACE_TO_FACE, _("Face to face")


class Programme(TenantModel):
    """A bureau's multi-year programme (培养方案 / 工程), issued by a document."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    start_month = models.DateField(
        _("cycle starts"), help_text=_("The first month of the cycle (any day of it).")
    )
    end_month = models.DateField(
        _("cycle ends"), help_text=_("The last month of the cycle (any day of it).")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-start_month", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "code"], name="uniq_programme_code"),
            models.CheckConstraint(
                condition=models.Q(end_month__gte=models.F("start_month")),
                name="programme_cycle_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The cycle runs in whole months: store the first day of the first month and the last
        # day of the last one.
        self.start_month = rules.month_start(self.start_month)
        self.end_month = rules.month_end(self.end_month)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.start_month and self.end_month and self.end_month < self.start_month:
            raise ValidationError({"end_month": _("The cycle cannot end before it starts.")})

    @property
    def cycle(self) -> rules.Cycle:
        return rules.Cycle(rules.month_start(self.start_month), rules.month_end(self.end_month))

    @property
    def school_years(self) -> list[rules.Window]:
        return rules.windows(rules.Period.SCHOOL_YEAR, self.cycle)

    @property
    def semesters(self) -> list[rules.Window]:
        return rules.windows(rules.Period.SEMESTER, self.cycle)

    @property
    def cycle_label(self) -> str:
        return f"{self.start_month:%Y.%m} – {self.end_month:%Y.%m}"


class Phase(TenantModel):
    """A phase of the programme calendar (启动, 实施, 考核, 总结 …)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="phases", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=60)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    description = models.TextField(_("description"), blank=True)

    tenant_links = ("programme",)

    class Meta:
        ordering = ["starts", "id"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.starts and self.ends and self.ends < self.starts:
            raise ValidationError({"ends": _("A phase cannot end before it starts.")})


class Milestone(TenantModel):
    """A dated event or deadline in the programme calendar, with who is responsible for it."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=200)
    due = models.DateField(_("date"))
    owner = models.CharField(
        _("owner"), max_length=100, blank=True, help_text=_("e.g. 教师专业发展中心, 导师团, 工作组")
    )
    scope = models.CharField(_("scope"), max_length=100, blank=True)
    duration = models.CharField(_("duration"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)

    tenant_links = ("programme",)

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return f"{self.due:%Y-%m-%d} {self.title}"


class Tier(TenantModel):
    """A class of participant (层次) with its own task requirements."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("programme")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.TextField(_("description"), blank=True)
    lead_rank = models.CharField(
        _("as a workshop lead"),
        max_length=10,
        choices=LeadRank.choices,
        blank=True,
        help_text=_("XH-WS-OUTPUT: what a workshop led by a participant of this tier owes."),
    )

    tenant_links = ("programme",)

    class Meta:
        ordering = ["programme", "order", "id"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "programme", "code"], name="uniq_tier_code")
        ]

    def __str__(self) -> str:
        return self.name


class EvidenceKind(TenantModel):
    """A kind of evidence that can count towards a requirement; each bureau keeps its own list."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    has_hours = models.BooleanField(
        _("records class hours"), default=False, help_text=_("e.g. a course or training")
    )
    has_delivery_mode = models.BooleanField(_("records online or face to face"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("evidence kind")
        verbose_name_plural = _("evidence kinds")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "code"], name="uniq_evidence_kind_code")
        ]

    def __str__(self) -> str:
        return self.name


class Requirement(TenantModel):
    """A task requirement (基本任务) of one or more tiers."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("programme"),
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("e.g. 任务一"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tiers = models.ManyToManyField(Tier, related_name="requirements", verbose_name=_("tiers"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    tenant_links = ("programme",)

    class Meta:
        ordering = ["programme", "order", "id"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "programme", "code"], name="uniq_requirement_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Criterion(TenantModel):
    """One alternative of one clause of a requirement.

    Criteria with the same clause number are alternatives (any one is enough); different clause
    numbers must all be met. Period and tiers belong to the clause: its criteria agree on them.
    """

    requirement = models.ForeignKey(
        Requirement,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("requirement"),
    )
    clause = models.PositiveSmallIntegerField(
        _("clause"),
        default=1,
        help_text=_("Criteria with the same clause number are alternatives."),
    )
    period = models.CharField(_("period"), max_length=12, choices=Period.choices)
    tiers = models.ManyToManyField(
        Tier,
        blank=True,
        related_name="+",
        verbose_name=_("only for tiers"),
        help_text=_("Empty: every tier of the requirement."),
    )
    kinds = models.ManyToManyField(EvidenceKind, related_name="+", verbose_name=_("evidence kinds"))
    min_level = models.PositiveSmallIntegerField(
        _("minimum level"), choices=Level.choices, default=Level.SCHOOL
    )
    min_count = models.PositiveSmallIntegerField(_("minimum count"), default=1)
    min_hours = models.DecimalField(
        _("minimum class hours"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Each item must have at least these class hours."),
    )
    min_total_hours = models.DecimalField(
        _("minimum total class hours"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("The items of the period together must reach these class hours (PT-HOURS)."),
    )
    delivery_mode = models.CharField(
        _("delivery mode"), max_length=12, choices=DeliveryMode.choices, blank=True
    )

    tenant_links = ("requirement",)

    class Meta:
        ordering = ["requirement", "clause", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(condition=models.Q(min_count__gte=1), name="criterion_count_1")
        ]

    def __str__(self) -> str:
        return f"{self.requirement.code} #{self.clause}"
