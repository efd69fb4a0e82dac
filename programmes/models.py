"""A bureau's programme as data: its cycle, calendar, tiers and the task requirements of each tier.

A requirement (基本任务) is met when every one of its clauses is met; a clause is met, in each of
its periods, when any one of its alternatives is met. An alternative counts verified evidence of
the given kinds at or above a level, with optional conditions (class hours, delivery mode). In the
admin a requirement's criteria are one inline: criteria that share a clause number are the
alternatives of that clause.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from accounts.models import CareerStage, ClassTeacherStage
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


class CriterionCounts(models.TextChoices):
    ITEMS = "items", _("Items")
    PEOPLE = "people", _("Distinct people")


class Period(models.TextChoices):
    YEAR = rules.Period.YEAR, _("Each year of the programme")
    SEMESTER = rules.Period.SEMESTER, _("Each semester")
    MONTH = rules.Period.MONTH, _("Each month")
    FORTNIGHT = rules.Period.FORTNIGHT, _("Every two weeks")
    CYCLE = rules.Period.CYCLE, _("Once over the cycle")


class YearBasis(models.TextChoices):
    SCHOOL_YEAR = rules.YearBasis.SCHOOL_YEAR, _("School year (September to August)")
    CALENDAR_YEAR = rules.YearBasis.CALENDAR_YEAR, _("Calendar year (January to December)")
    LISTED = rules.YearBasis.LISTED, _("Dated years listed below")


class CalendarPeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    SEMESTER = "semester", _("Semester")
    HOLIDAY = "holiday", _("Holiday")


class Condition(models.TextChoices):
    """Who among a tier's participants a criterion applies to (rules.ConditionKind)."""

    FIRST_TIME_CLASS_TEACHER = (
        rules.ConditionKind.FIRST_TIME_CLASS_TEACHER,
        _("First-time class teachers"),
    )
    CLASS_TEACHER_STAGE = rules.ConditionKind.CLASS_TEACHER_STAGE, _("Class-teacher stage is")
    CLASS_TEACHER_YEARS_AT_LEAST = (
        rules.ConditionKind.CLASS_TEACHER_YEARS_AT_LEAST,
        _("Years as class teacher at least"),
    )
    CLASS_TEACHER_YEARS_BELOW = (
        rules.ConditionKind.CLASS_TEACHER_YEARS_BELOW,
        _("Years as class teacher fewer than"),
    )
    CAREER_STAGE = rules.ConditionKind.CAREER_STAGE, _("Career stage is")


class Repeat(models.TextChoices):
    ONCE = rules.Repeat.ONCE, _("Once, on a date")
    IN_MONTH = rules.Repeat.IN_MONTH, _("Once, in a month")
    YEARLY = rules.Repeat.YEARLY, _("Every year, in a month")
    BIENNIAL = rules.Repeat.BIENNIAL, _("Every two years")
    ALL_YEAR = rules.Repeat.ALL_YEAR, _("All year round")


MONTH_CHOICES = list(MONTHS.items())


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
    year_basis = models.CharField(
        _("the programme's year"),
        max_length=16,
        choices=YearBasis.choices,
        default=YearBasis.SCHOOL_YEAR,
        help_text=_(
            "What a year is for requirements, assessments and credits counted each year. "
            "Semesters follow it (September–January and February–August for a school year; "
            "January–August and September–December for a calendar year) unless dated semesters "
            "are listed below."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    description = models.TextField(_("description"), blank=True)
    assumptions = models.TextField(
        _("what the document leaves open"),
        blank=True,
        help_text=_(
            "For staff only: figures the issuing document does not give (a cycle, a quota, a "
            "count) and what this configuration assumes instead. Not shown to teachers."
        ),
    )

    # Changes with every change to what the requirement engine reads of the programme (its
    # calendar, phases, tiers, requirements and criteria, the bureau's kinds and level names):
    # the key under which ``programmes.selectors`` keeps the engine's view of it.
    config_stamp = models.UUIDField(default=uuid.uuid4, editable=False)

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
        self.config_stamp = uuid.uuid4()
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "config_stamp"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.start_month and self.end_month and self.end_month < self.start_month:
            raise ValidationError({"end_month": _("The cycle cannot end before it starts.")})

    @property
    def cycle(self) -> rules.Cycle:
        """The programme's calendar for the engine: cycle, year, semesters and holidays. Read
        once per instance (prefetch ``calendar_periods`` to read many programmes at once)."""
        cached = self.__dict__.get("_cycle")
        key = (self.start_month, self.end_month, self.year_basis)
        if cached is not None and cached[0] == key:
            return cached[1]
        spans: dict[str, list[rules.Span]] = {kind: [] for kind in CalendarPeriodKind.values}
        if self.pk:
            if "calendar_periods" in getattr(self, "_prefetched_objects_cache", {}):
                listed = self.calendar_periods.all()
            else:  # the programme's own rows, in its own bureau, whatever the scope
                listed = CalendarPeriod.objects.all_bureaus().filter(
                    bureau_id=self.bureau_id, programme_id=self.pk
                )
            for period in listed:
                spans[period.kind].append(rules.Span(period.name, period.starts, period.ends))
        cycle = rules.Cycle(
            rules.month_start(self.start_month),
            rules.month_end(self.end_month),
            basis=rules.YearBasis(self.year_basis),
            years=tuple(sorted(spans[CalendarPeriodKind.YEAR], key=lambda s: s.start)),
            semesters=tuple(sorted(spans[CalendarPeriodKind.SEMESTER], key=lambda s: s.start)),
            holidays=tuple(sorted(spans[CalendarPeriodKind.HOLIDAY], key=lambda s: s.start)),
        )
        self.__dict__["_cycle"] = (key, cycle)
        return cycle

    def forget_calendar(self) -> None:
        """Drop the calendar read by ``cycle`` (after its listed periods changed)."""
        self.__dict__.pop("_cycle", None)
        getattr(self, "_prefetched_objects_cache", {}).pop("calendar_periods", None)

    @property
    def years(self) -> list[rules.Window]:
        """The years of the programme's calendar: what assessments and credits count by."""
        return rules.windows(rules.Period.YEAR, self.cycle)

    @property
    def semesters(self) -> list[rules.Window]:
        return rules.windows(rules.Period.SEMESTER, self.cycle)

    @property
    def year_noun(self) -> str:
        """What the programme calls its year: 学年 (school year) or 年度 (year)."""
        if self.year_basis == YearBasis.SCHOOL_YEAR:
            return str(_("school year"))
        return str(_("year"))

    def period_label(self, period: str) -> str:
        """How often a clause is owed, in the programme's words: 每学年 for a school-year
        programme, 每年度 for one counted by calendar (or listed) years."""
        if period == Period.YEAR:
            if self.year_basis == YearBasis.SCHOOL_YEAR:
                return str(_("Each school year"))
            return str(_("Each year"))
        return str(Period(period).label)

    @property
    def cycle_label(self) -> str:
        return f"{self.start_month:%Y.%m} – {self.end_month:%Y.%m}"

    @property
    def is_finished(self) -> bool:
        """Closed, or its cycle is over: it is no longer under way whatever its status says."""
        return self.status == ProgrammeStatus.CLOSED or (
            self.end_month is not None and rules.month_end(self.end_month) < timezone.localdate()
        )

    @property
    def status_label(self) -> str:
        """The status people read: 已结束 once the cycle is over, not 进行中."""
        if self.is_finished:
            return str(ProgrammeStatus.CLOSED.label)
        return self.get_status_display()


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
        programme = self.programme if self.programme_id else None
        if (
            programme is not None
            and self.starts
            and self.ends
            and programme.start_month
            and programme.end_month
            and (
                self.ends < rules.month_start(programme.start_month)
                or self.starts > rules.month_end(programme.end_month)
            )
        ):
            raise ValidationError(_("This phase lies outside the programme's cycle."))


class CalendarPeriod(TenantModel):
    """A dated year, semester or holiday of a programme's own calendar.

    Years are used when the programme's year is "dated years listed"; listed semesters replace
    the usual ones, and the days between them are holidays; a month or fortnight that is mostly
    holiday is not owed.
    """

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="calendar_periods",
        verbose_name=_("programme"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarPeriodKind.choices)
    name = models.CharField(_("name"), max_length=60, help_text=_("e.g. 2017学年第二学期, 暑假"))
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))

    tenant_links = ("programme",)

    class Meta:
        ordering = ["programme", "kind", "starts", "id"]
        verbose_name = _("calendar period")
        verbose_name_plural = _("calendar: dated years, semesters and holidays")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")),
                name="calendar_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.starts:%Y.%m.%d}–{self.ends:%Y.%m.%d}）"

    def clean(self) -> None:
        super().clean()
        if self.starts and self.ends and self.ends < self.starts:
            raise ValidationError({"ends": _("A period cannot end before it starts.")})


class Milestone(TenantModel):
    """An event or deadline in the programme calendar, with who is responsible for it: once on a
    date, once in a month, every year in a month, every two years, or all year round (全年)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=200)
    repeat = models.CharField(
        _("when"),
        max_length=10,
        choices=Repeat.choices,
        default=Repeat.ONCE,
        help_text=_(
            "Once on a date: give the date. Once in a month: give any day of that month. Every "
            "year: give the month. Every two years: the month and the date of the first time, "
            "if known. All year round: neither."
        ),
    )
    due = models.DateField(_("date"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(
        _("month"), choices=MONTH_CHOICES, null=True, blank=True
    )
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
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(repeat__in=["once", "month"]) | models.Q(due__isnull=False),
                name="milestone_once_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(repeat="yearly") | models.Q(month__isnull=False),
                name="milestone_yearly_has_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.when} {self.title}"

    def save(self, *args, **kwargs) -> None:
        # Once in a month keeps the month only: store its first day, as the cycle does.
        if self.repeat == Repeat.IN_MONTH and self.due is not None:
            self.due = rules.month_start(self.due)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.repeat in (Repeat.ONCE, Repeat.IN_MONTH):
            if self.due is None:
                errors["due"] = _("An event that happens once needs its date (or its month).")
            if self.month is not None:
                errors["month"] = _(
                    "An event that happens once takes its month from the date: leave this empty."
                )
        elif self.repeat == Repeat.YEARLY:
            if self.month is None:
                errors["month"] = _("An event of every year needs its month.")
            if self.due is not None:
                errors["due"] = _("An event of every year has no date: give its month only.")
        elif self.repeat == Repeat.ALL_YEAR:
            if self.due is not None:
                errors["due"] = _("An event of the whole year has no date: leave this empty.")
            if self.month is not None:
                errors["month"] = _("An event of the whole year has no month: leave this empty.")
        elif (
            self.repeat == Repeat.BIENNIAL
            and self.due is not None
            and self.month is not None
            and self.due.month != self.month
        ):
            errors["month"] = _("The first time is in another month than this one.")
        if errors:
            raise ValidationError(errors)

    @property
    def when(self) -> str:
        """When it happens, in words: "2023-10-31", "2022年4月", "每年4月", "全年", "每两年一次"."""
        return rules.event_when(rules.Repeat(self.repeat), self.due, self.month)

    def sort_key(self, cycle: rules.Cycle) -> tuple:
        key = rules.event_sort_key(rules.Repeat(self.repeat), self.due, self.month, cycle)
        return (*key, self.pk or 0)


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
    names_people = models.BooleanField(
        _("names the people mentored"),
        default=False,
        help_text=_(
            "Each item names its mentees: teachers of the bureau, or names of people outside "
            "it (培养教师, XH-T3)."
        ),
    )
    counts_led_groups = models.BooleanField(
        _("a group led in the portal counts"),
        default=False,
        help_text=_(
            "A group the participant leads in the portal counts as one item of this kind in "
            "each year it has activities (指导团队, XH-T3)."
        ),
    )
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
    assumption = models.TextField(
        _("what the document leaves open"),
        blank=True,
        help_text=_(
            "For staff only: a count or level the document does not give, and what the criteria "
            "below assume instead (e.g. XH-T1: the number of sessions). Not shown to teachers."
        ),
    )

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
    phase = models.ForeignKey(
        Phase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only in phase"),
        help_text=_("Owed only within this phase of the calendar (XC-PHASES); empty: the cycle."),
    )
    condition = models.CharField(
        _("only for participants"),
        max_length=32,
        choices=Condition.choices,
        blank=True,
        help_text=_(
            "Owed only by the tier's participants who meet this, read from their profile "
            "(SJ-INIT: first-time class teachers); empty: every participant of the tiers."
        ),
    )
    condition_value = models.CharField(
        _("condition value"),
        max_length=100,
        blank=True,
        help_text=_(
            "A number of years, or stage codes separated by commas (class-teacher stages: "
            "first_time, qualified, mature, backbone, research, expert; career stages: new, "
            "early, mature)."
        ),
    )
    counts = models.CharField(
        _("counts"),
        max_length=8,
        choices=CriterionCounts.choices,
        default=CriterionCounts.ITEMS,
        help_text=_(
            "Items: every verified item counts. Distinct people: the people the items name "
            "are counted, so two items about the same mentee count once (XH-T3)."
        ),
    )
    due_date = models.DateField(
        _("due on"),
        null=True,
        blank=True,
        help_text=_(
            "A fixed due date inside the cycle, for the period it falls in (XH-CYCLE: the "
            "development plan by 2023-11-30). Leave empty when the clause is due in a month of "
            "each period, or has no due date before its period ends."
        ),
    )
    due_month = models.PositiveSmallIntegerField(
        _("due in month"),
        choices=MONTH_CHOICES,
        null=True,
        blank=True,
        help_text=_(
            "Due in this month of each period (HA-PLAN: April; HA-OUTPUT: December). For "
            "periods of a school year or a calendar year, or once over a cycle that has this "
            "month once. Criteria of one clause share their due date."
        ),
    )
    due_day = models.PositiveSmallIntegerField(
        _("due on day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("The day of the due month; empty: the month's last day."),
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

    @property
    def condition_spec(self) -> rules.Condition | None:
        if not self.condition:
            return None
        return rules.Condition(rules.ConditionKind(self.condition), self.condition_value)

    @property
    def deadline(self) -> rules.Deadline | None:
        if self.due_date is not None:
            return rules.Deadline(on=self.due_date)
        if self.due_month is not None:
            return rules.Deadline(month=self.due_month, day=self.due_day)
        return None

    def clean(self) -> None:
        super().clean()
        self._clean_condition()
        self._clean_deadline()

    def _clean_condition(self) -> None:
        if not self.condition:
            if self.condition_value:
                raise ValidationError(
                    {"condition_value": _("Choose which participants the value is for.")}
                )
            return
        try:
            spec = self.condition_spec
        except ValueError:
            raise ValidationError(
                {"condition_value": _("Give a whole number of years, e.g. 20.")}
            ) from None
        if self.condition in (Condition.CLASS_TEACHER_STAGE, Condition.CAREER_STAGE):
            known = (
                ClassTeacherStage.values
                if self.condition == Condition.CLASS_TEACHER_STAGE
                else CareerStage.values
            )
            unknown = sorted(spec.codes - set(known))
            if not spec.codes or unknown:
                raise ValidationError(
                    {
                        "condition_value": _("Use these stage codes: %(codes)s")
                        % {"codes": ", ".join(known)}
                    }
                )

    def _clean_deadline(self) -> None:
        if self.due_day is not None and not 1 <= self.due_day <= 31:
            return  # the field's own validators say so
        if self.due_month is not None and not 1 <= self.due_month <= 12:
            return
        if self.due_date is not None and self.due_month is not None:
            raise ValidationError(
                {"due_month": _("Give a fixed due date or a month of each period, not both.")}
            )
        if self.due_day is not None and self.due_month is None:
            raise ValidationError({"due_day": _("A due day needs its month.")})
        deadline = self.deadline
        if deadline is None or not self.period or self.requirement_id is None:
            return
        cycle = self.requirement.programme.cycle
        if self.phase_id:  # due inside the phase the clause is owed in
            cycle = cycle.within(self.phase.starts, self.phase.ends) or cycle
        problem = rules.deadline_problem(deadline, rules.Period(self.period), cycle)
        if problem is None:
            return
        field = "due_date" if deadline.on is not None else "due_month"
        messages = {
            rules.DeadlineProblem.OUTSIDE_CYCLE: _(
                "The due date must fall inside the programme's cycle (%(cycle)s)."
            ),
            rules.DeadlineProblem.PERIOD_HAS_NO_MONTH: _(
                "A month of each period needs a period of a school year or a calendar year, or "
                "once over the cycle; for semesters, months or fortnights give a fixed date."
            ),
            rules.DeadlineProblem.MONTH_NOT_IN_CYCLE: _(
                "No period of this clause in the cycle (%(cycle)s) has this month."
            ),
            rules.DeadlineProblem.MONTH_REPEATS_IN_CYCLE: _(
                "The cycle (%(cycle)s) has this month more than once: give a fixed date."
            ),
            rules.DeadlineProblem.NO_SUCH_DAY: _("This month has no such day."),
        }
        if problem == rules.DeadlineProblem.NO_SUCH_DAY:
            field = "due_day"
        raise ValidationError(
            {field: messages[problem] % {"cycle": self.requirement.programme.cycle_label}}
        )
