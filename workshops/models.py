"""Groups where the work of a programme happens, and what they owe: briefings by deadlines.

One group concept serves every form in the seeds: workshops (工作坊), subject guidance groups,
stage reading exchanges, learning-district cadre teams, mentoring pairs, school studios and
school-based training groups, the mentor corps and working groups. The kind says which.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from accounts.models import Subject
from bureaus.files import storage_key
from bureaus.tenancy import TenantModel
from programmes.models import DeliveryMode, Level, Period

from . import rules


class TeamKind(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    LEADING_GROUP = "leading_group", _("Leading group")
    SUBJECT_GROUP = "subject_group", _("Subject guidance group")
    READING_GROUP = "reading_group", _("Stage reading exchange")
    CADRE_TEAM = "cadre_team", _("Learning-district cadre team")
    MENTORING_PAIR = "mentoring_pair", _("Mentoring pair")
    SCHOOL_STUDIO = "school_studio", _("School studio")
    TRAINING_GROUP = "training_group", _("School-based training group")
    MENTOR_CORPS = "mentor_corps", _("Mentor corps")
    WORKING_GROUP = "working_group", _("Working group")


class TeamStage(models.TextChoices):
    """The stage a working group or reading exchange serves (HA-ORG, HA-READ)."""

    PRIMARY = "primary", _("Primary")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary")


class WorkshopType(models.TextChoices):
    """XH-WS-TYPES."""

    COLLEGE_SCHOOL = "college_school", _("College–school cooperation")
    INTER_SCHOOL = "inter_school", _("Inter-school cooperation")
    INTRA_SCHOOL = "intra_school", _("Intra-school cooperation")


class Team(TenantModel):
    """A team of a programme with a lead and members: a workshop, a cadre team, a pair …"""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="teams",
        verbose_name=_("programme"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices)
    name = models.CharField(_("name"), max_length=200)
    workshop_type = models.CharField(
        _("workshop type"), max_length=20, choices=WorkshopType.choices, blank=True
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_teams",
        verbose_name=_("lead"),
    )
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assisted_teams",
        verbose_name=_("project assistant"),
        help_text=_("XC-ASSIST: collects briefings and portfolios; reminded with the lead."),
    )
    school = models.ForeignKey(
        "bureaus.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("school"),
    )
    learning_district = models.ForeignKey(
        "bureaus.LearningDistrict",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("learning district"),
    )
    stage = models.CharField(_("stage"), max_length=10, choices=TeamStage.choices, blank=True)
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices, blank=True)
    project_title = models.CharField(_("research project"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    tenant_links = ("programme", "lead", "assistant", "school", "learning_district")

    class Meta:
        ordering = ["programme", "kind", "name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "programme", "name"], name="uniq_team_name_per_programme"
            )
        ]
        permissions = [
            ("manage_team", _("Manage the group: members, activities, documents, briefings")),
        ]

    def __str__(self) -> str:
        return self.name


class TeamUserObjectPermission(UserObjectPermissionBase):
    """A user's object permission on one group: its lead and assistant manage it."""

    content_object = models.ForeignKey(Team, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("group permission of a user")
        verbose_name_plural = _("group permissions of users")


class MemberRole(models.TextChoices):
    MEMBER = "member", _("Member")
    MENTEE = "mentee", _("Mentee")
    MENTOR = "mentor", _("Mentor")


class Membership(TenantModel):
    """A teacher in a group, with their share of the work (XH-WS-LEAD: task division)."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("group")
    )
    teacher = models.ForeignKey(
        "accounts.TeacherProfile",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("teacher"),
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    task_division = models.TextField(_("task division"), blank=True)

    tenant_links = ("team", "teacher")

    class Meta:
        ordering = ["team", "role", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "team", "teacher"], name="uniq_member")
        ]

    def __str__(self) -> str:
        return f"{self.teacher} · {self.team}"


class ReportingSchedule(TenantModel):
    """When a group owes a briefing: quarterly before the 28th (XH-BRIEF), every two months …"""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="schedules", verbose_name=_("group")
    )
    title = models.CharField(_("title"), max_length=100, default=_("Briefing"))
    frequency = models.CharField(
        _("frequency"),
        max_length=12,
        choices=[
            (rules.Frequency.QUARTERLY, _("Quarterly")),
            (rules.Frequency.BIMONTHLY, _("Every two months")),
            (rules.Frequency.SEMESTER, _("Each semester")),
            (rules.Frequency.MONTHLY, _("Monthly")),
        ],
    )
    day = models.PositiveSmallIntegerField(
        _("due on day"),
        null=True,
        blank=True,
        help_text=_("Day of the month it is due (e.g. 28); empty: the month's last day."),
    )
    starts = models.DateField(_("from"))
    ends = models.DateField(_("until"))

    tenant_links = ("team",)

    class Meta:
        ordering = ["team", "id"]
        verbose_name = _("reporting schedule")
        verbose_name_plural = _("reporting schedules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gte=models.F("starts")), name="schedule_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.title}"

    @property
    def rule(self) -> rules.Schedule:
        return rules.Schedule(rules.Frequency(self.frequency), self.day)


class Deadline(TenantModel):
    """One date a group owes a briefing by, generated from its schedule."""

    schedule = models.ForeignKey(
        ReportingSchedule,
        on_delete=models.CASCADE,
        related_name="deadlines",
        verbose_name=_("schedule"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("group")
    )
    due = models.DateField(_("due"))
    extended_to = models.DateField(_("extended to"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)

    tenant_links = ("schedule", "team")

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "schedule", "due"], name="uniq_deadline")
        ]
        indexes = [models.Index(fields=["due"]), models.Index(fields=["extended_to"])]

    def __str__(self) -> str:
        return f"{self.team} · {self.due}"

    @property
    def effective_due(self):
        return rules.effective_deadline(self.due, self.extended_to)


class Briefing(TenantModel):
    """A briefing a group's lead filed against a deadline (活动简报)."""

    deadline = models.OneToOneField(
        Deadline, on_delete=models.CASCADE, related_name="briefing", verbose_name=_("deadline")
    )
    text = models.TextField(_("briefing"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_on = models.DateField(_("filed on"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    tenant_links = ("deadline",)

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")

    def __str__(self) -> str:
        return f"{self.deadline} · {self.filed_on}"


class TrainingModule(models.TextChoices):
    """PT-MODULES: the modules of school-based class-teacher training."""

    CLASS_COLLECTIVE = "class_collective", _("Class collective management")
    CLASS_ACTIVITIES = "class_activities", _("Organising class activities")
    STUDENT_GUIDANCE = "student_guidance", _("Student development guidance")
    EVALUATION = "evaluation", _("Comprehensive quality evaluation")
    COMMUNICATION = "communication", _("Communication and cooperation")


class SessionFormat(models.TextChoices):
    LECTURE = rules.SessionFormat.LECTURE, _("Lecture")
    PRACTICE = rules.SessionFormat.PRACTICE, _("Practice")


class ActivityRecord(TenantModel):
    """One activity of a group (研修活动记录): when, what, how long, who came.

    XH-WS-LEAD asks leads to keep these; HA-ACT counts them.
    """

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="activities", verbose_name=_("group")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(
        _("kind"), max_length=60, help_text=_("e.g. 学科培训, 课堂观摩, 集体备课, 校长沙龙")
    )
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.DecimalField(_("class hours"), max_digits=4, decimal_places=1)
    place = models.CharField(_("place"), max_length=100, blank=True)
    module = models.CharField(
        _("module"),
        max_length=20,
        choices=TrainingModule.choices,
        blank=True,
        help_text=_("PT-MODULES: the module of a school-based training session."),
    )
    session_format = models.CharField(
        _("format"),
        max_length=10,
        choices=SessionFormat.choices,
        blank=True,
        help_text=_("PT-CREDIT: lectures count 10 class hours a credit, practice 20."),
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    tenant_links = ("team",)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("activity record")
        verbose_name_plural = _("activity records")
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="activity_hours_positive")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class AttendanceRecord(TenantModel):
    """Whether one member attended one activity."""

    activity = models.ForeignKey(
        ActivityRecord,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("activity"),
    )
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("member"),
    )
    present = models.BooleanField(_("present"), default=True)

    tenant_links = ("activity", "membership")

    class Meta:
        ordering = ["activity", "membership"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "activity", "membership"], name="uniq_attendance"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership} · {self.activity}"


def team_upload_path(instance, filename: str) -> str:
    # Kept under "groups/" (the team's former name) so stored keys do not change.
    return storage_key("groups", instance.bureau_id, filename)


class StoredFile(TenantModel):
    """The stored part of an uploaded file; served only through a permission check."""

    file = models.FileField(_("file"), upload_to=team_upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ActivityFile(StoredFile):
    """Materials and photos of an activity (XH-WS-LEAD: activity records with materials)."""

    activity = models.ForeignKey(
        ActivityRecord, on_delete=models.CASCADE, related_name="files", verbose_name=_("activity")
    )

    tenant_links = ("activity",)

    class Meta:
        ordering = ["activity", "id"]
        verbose_name = _("activity file")
        verbose_name_plural = _("activity files")


class BriefingFile(StoredFile):
    """A file filed with a briefing."""

    briefing = models.ForeignKey(
        Briefing, on_delete=models.CASCADE, related_name="files", verbose_name=_("briefing")
    )

    tenant_links = ("briefing",)

    class Meta:
        ordering = ["briefing", "id"]
        verbose_name = _("briefing file")
        verbose_name_plural = _("briefing files")


class DocumentKind(models.TextChoices):
    RESEARCH_PLAN = "research_plan", _("Research plan")
    IMPLEMENTATION_PLAN = "implementation_plan", _("Annual implementation plan")
    PROJECT_REPORT = "project_report", _("Project report")
    WORK_PLAN = "work_plan", _("Work plan")
    MENTORING_PLAN = "mentoring_plan", _("Mentoring plan")
    LEARNING_PLAN = "learning_plan", _("Learning plan")
    MICRO_PROJECT = "micro_project", _("Micro-project report")
    READING_NOTE = "reading_note", _("Reading note")
    FORUM_REPORT = "forum_report", _("Forum report")
    SUMMARY = "summary", _("Semester work summary")
    LEARNING_SUMMARY = "learning_summary", _("Final learning summary")
    PORTFOLIO = "portfolio", _("Portfolio")
    PERSONAL_PORTFOLIO = "personal_portfolio", _("Personal portfolio")
    ASSESSMENT = "assessment", _("Written assessment of a member")
    OTHER = "other", _("Other")


# Documents a member writes for themselves (a mentee's plan, notes, reports and portfolio);
# the others are the group's, written by its lead or assistant.
MEMBER_DOCUMENT_KINDS = frozenset(
    {
        DocumentKind.LEARNING_PLAN,
        DocumentKind.MICRO_PROJECT,
        DocumentKind.READING_NOTE,
        DocumentKind.FORUM_REPORT,
        DocumentKind.LEARNING_SUMMARY,
        DocumentKind.PERSONAL_PORTFOLIO,
        DocumentKind.OTHER,
    }
)


class TeamDocument(StoredFile):
    """A document of a group: its research plan, a school year's implementation plan, a summary,
    a portfolio, a mentee's reading note … A member's portfolio is reviewed by the lead."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="documents", verbose_name=_("group")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    submitted_on = models.DateField(_("submitted on"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    notes = models.TextField(_("notes"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    review_comment = models.TextField(_("review"), blank=True)

    tenant_links = ("team",)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        verbose_name = _("group document")
        verbose_name_plural = _("group documents")
        indexes = [models.Index(fields=["team", "kind"])]

    def __str__(self) -> str:
        return self.title


class Obligation(TenantModel):
    """Something a group owes, counted each period: ≥2 activities a semester of the listed kinds
    (HA-ACT), a principals' salon a month (XC-TEAM), a summary each semester …"""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="obligations", verbose_name=_("group")
    )
    rule = models.CharField(_("rule"), max_length=20, blank=True, help_text=_("e.g. HA-ACT"))
    title = models.CharField(_("title"), max_length=100)
    counts = models.CharField(
        _("counts"),
        max_length=12,
        choices=[
            (rules.Counts.ACTIVITIES, _("Activity records")),
            (rules.Counts.DOCUMENTS, _("Documents")),
        ],
    )
    kinds = models.JSONField(
        _("of kinds"),
        default=list,
        blank=True,
        help_text=_("Activity kinds (e.g. 校长沙龙) or document kinds; empty: any."),
    )
    min_count = models.PositiveSmallIntegerField(_("at least"), default=1)
    period = models.CharField(_("per"), max_length=12, choices=Period.choices)
    phase = models.ForeignKey(
        "programmes.Phase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only in phase"),
        help_text=_("Owed only within this phase of the programme; empty: the whole cycle."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    tenant_links = ("team",)

    class Meta:
        ordering = ["team", "order", "id"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        constraints = [
            models.CheckConstraint(condition=models.Q(min_count__gt=0), name="obligation_min_count")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def spec(self) -> rules.Obligation:
        return rules.Obligation(
            self.rule,
            self.title,
            rules.Counts(self.counts),
            self.min_count,
            rules.Period(self.period),
            frozenset(self.kinds or ()),
            (self.phase.starts, self.phase.ends) if self.phase_id else None,
        )


class WorkshopCourse(TenantModel):
    """A course a workshop turned its results into (XH-WS-OUTPUT)."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="courses", verbose_name=_("workshop")
    )
    title = models.CharField(_("title"), max_length=200)
    hours = models.DecimalField(_("class hours"), max_digits=5, decimal_places=1)
    delivery_mode = models.CharField(_("delivery"), max_length=12, choices=DeliveryMode.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    completed_on = models.DateField(_("completed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    tenant_links = ("team",)

    class Meta:
        ordering = ["team", "-completed_on", "id"]
        verbose_name = _("workshop course")
        verbose_name_plural = _("workshop courses")
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="course_hours_positive")
        ]

    def __str__(self) -> str:
        return self.title


# --- Duties of units: schools and learning districts (SJ-SCHOOL, XC-TEAM, PT-HOURS, HA-ASSESS) ---


class UnitScope(models.TextChoices):
    """Which units of the bureau owe a duty."""

    EVERY_SCHOOL = rules.UnitScope.EVERY_SCHOOL, _("Every school")
    SCHOOLS_WITH_CLASSES = (
        rules.UnitScope.SCHOOLS_WITH_CLASSES,
        _("Schools with at least the given number of classes"),
    )
    DIRECT_SCHOOLS = (
        rules.UnitScope.DIRECT_SCHOOLS,
        _("Schools directly under the bureau (in no learning district)"),
    )
    LEARNING_DISTRICT = (
        rules.UnitScope.LEARNING_DISTRICT,
        _("Each learning district (filed by its lead school)"),
    )


class UnitFilingKind(models.TextChoices):
    """What a school or learning district files as evidence of its duties."""

    TRAINING_SESSION = "training_session", _("School-based training session")
    TRAINING_PLAN = "training_plan", _("School-based training plan")
    TEAM_PLAN = "team_plan", _("Team-building plan")
    SALON = "salon", _("Principals' salon")
    MICRO_PROJECT = "micro_project", _("Micro-project")
    WORK_SUMMARY = "work_summary", _("Work summary")
    TEAM_MEETING = "team_meeting", _("Team-building meeting")
    PORTFOLIO = "portfolio", _("Team portfolio")
    UNIT_ASSESSMENT = "unit_assessment", _("Year-end unit assessment")
    OTHER = "other", _("Other")


class UnitDuty(TenantModel):
    """A duty a programme gives units rather than people: every school runs a school-based
    training session a month (SJ-SCHOOL), each learning district's lead unit holds a principals'
    salon a month (XC-TEAM), every school does 40 class hours a school year (PT-HOURS), every
    unit is assessed at year end (HA-ASSESS). Counted per period from the units' filings."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="unit_duties",
        verbose_name=_("programme"),
    )
    rule = models.CharField(
        _("rule"), max_length=20, blank=True, help_text=_("e.g. SJ-SCHOOL, XC-TEAM, HA-ASSESS")
    )
    title = models.CharField(_("title"), max_length=100)
    owed_by = models.CharField(
        _("owed by"),
        max_length=24,
        choices=UnitScope.choices,
        default=UnitScope.EVERY_SCHOOL,
    )
    min_classes = models.PositiveSmallIntegerField(
        _("schools with at least … classes"),
        null=True,
        blank=True,
        help_text=_("Only for duties owed by schools with at least this number of classes."),
    )
    kinds = models.JSONField(
        _("filings that count"),
        default=list,
        blank=True,
        help_text=_(
            "Kinds of filing that count (e.g. training_session, salon, unit_assessment); "
            "empty: any."
        ),
    )
    period = models.CharField(_("per"), max_length=12, choices=Period.choices)
    phase = models.ForeignKey(
        "programmes.Phase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only in phase"),
        help_text=_("Owed only within this phase of the programme; empty: the whole cycle."),
    )
    min_count = models.PositiveSmallIntegerField(_("at least (filings)"), default=1)
    min_hours = models.DecimalField(
        _("at least (class hours in total)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("e.g. 40 class hours of school-based training a school year (PT-HOURS)."),
    )
    description = models.TextField(
        _("note for staff"), blank=True, help_text=_("Where the duty comes from; not shown.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    tenant_links = ("programme",)

    class Meta:
        ordering = ["programme", "order", "id"]
        verbose_name = _("duty of units")
        verbose_name_plural = _("duties of units")
        constraints = [
            models.CheckConstraint(condition=models.Q(min_count__gt=0), name="unit_duty_min_count"),
            models.CheckConstraint(
                condition=models.Q(min_hours__isnull=True) | models.Q(min_hours__gt=0),
                name="unit_duty_min_hours_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.owed_by == UnitScope.SCHOOLS_WITH_CLASSES and not self.min_classes:
            raise ValidationError(
                {"min_classes": _("Give the number of classes from which schools owe it.")}
            )
        if self.phase_id and self.programme_id and self.phase.programme_id != self.programme_id:
            raise ValidationError({"phase": _("This phase belongs to another programme.")})
        unknown = set(self.kinds or ()) - set(UnitFilingKind.values)
        if unknown:
            raise ValidationError(
                {
                    "kinds": _("Unknown kinds of filing: %(kinds)s. Use %(known)s.")
                    % {"kinds": ", ".join(sorted(unknown)), "known": ", ".join(UnitFilingKind)}
                }
            )

    @property
    def spec(self) -> rules.UnitDutySpec:
        return rules.UnitDutySpec(
            rule=self.rule,
            title=self.title,
            owed_by=rules.UnitScope(self.owed_by),
            period=rules.Period(self.period),
            min_count=self.min_count,
            kinds=frozenset(self.kinds or ()),
            min_hours=self.min_hours,
            min_classes=self.min_classes,
            within=(self.phase.starts, self.phase.ends) if self.phase_id else None,
        )


class UnitFiling(TenantModel):
    """A record a school or a learning district filed for its duties: a school-based training
    session, its training plan, a principals' salon, the year-end unit assessment …"""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="unit_filings",
        verbose_name=_("programme"),
    )
    school = models.ForeignKey(
        "bureaus.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="unit_filings",
        verbose_name=_("school"),
    )
    learning_district = models.ForeignKey(
        "bureaus.LearningDistrict",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="unit_filings",
        verbose_name=_("learning district"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UnitFilingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("class hours"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    tenant_links = ("programme", "school", "learning_district")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("filing of a unit")
        verbose_name_plural = _("filings of units")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(school__isnull=False, learning_district__isnull=True)
                    | models.Q(school__isnull=True, learning_district__isnull=False)
                ),
                name="unit_filing_one_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True) | models.Q(hours__gt=0),
                name="unit_filing_hours_positive",
            ),
        ]
        indexes = [models.Index(fields=["programme", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


def unit_upload_path(instance, filename: str) -> str:
    return storage_key("units", instance.bureau_id, filename)


class UnitFilingFile(StoredFile):
    """A file filed with a unit's record (a plan, minutes, photos, the assessment form)."""

    file = models.FileField(_("file"), upload_to=unit_upload_path, max_length=200)
    filing = models.ForeignKey(
        UnitFiling, on_delete=models.CASCADE, related_name="files", verbose_name=_("filing")
    )

    tenant_links = ("filing",)

    class Meta:
        ordering = ["filing", "id"]
        verbose_name = _("file of a unit's filing")
        verbose_name_plural = _("files of units' filings")


class GroupRules(TenantModel):
    """The rules a programme keeps for its groups that not every programme has: attendance against
    a threshold (XC-ATTEND) and the class hours of school-based training each participant owes a
    year (PT-HOURS). One row per programme at most; no row: none of these rules."""

    programme = models.OneToOneField(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="group_rules",
        verbose_name=_("programme"),
    )
    keeps_attendance = models.BooleanField(
        _("attendance earns credit"),
        default=False,
        help_text=_(
            "XC-ATTEND: a group page shows each member's attendance per year of the programme, "
            "and a member absent from more than the share below earns no credit for that year."
        ),
    )
    max_absent_share = models.DecimalField(
        _("largest absent share that still earns credit"),
        max_digits=5,
        decimal_places=4,
        default=rules.QUARTER,
        help_text=_(
            "A part of the year's activity hours, from 0 up to but not including 1: 0.25 is a "
            "quarter (XC-ATTEND), 0.3333 a third. Shares are compared to four decimal places."
        ),
    )
    training_hours_a_year = models.DecimalField(
        _("class hours of school-based training a year"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_(
            "PT-HOURS: the class hours each participant owes every year of the programme (40); "
            "the programme's page then shows the school-based training hours. Empty: the "
            "programme has no such rule."
        ),
    )

    tenant_links = ("programme",)

    class Meta:
        verbose_name = _("rules of the programme's groups")
        verbose_name_plural = _("rules of the programme's groups")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_absent_share__gte=0) & models.Q(max_absent_share__lt=1),
                name="group_rules_absent_share_below_one",
            ),
            models.CheckConstraint(
                condition=models.Q(training_hours_a_year__isnull=True)
                | models.Q(training_hours_a_year__gt=0),
                name="group_rules_training_hours_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Rules of the groups of %(programme)s") % {"programme": self.programme})

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        share = self.max_absent_share
        if share is None or not Decimal(0) <= share < Decimal(1):
            errors["max_absent_share"] = _(
                "Give the largest absent share as a part of the hours, from 0 up to but not "
                "including 1 (0.25 is a quarter)."
            )
        hours = self.training_hours_a_year
        if hours is not None and hours <= 0:
            errors["training_hours_a_year"] = _(
                "Give more than 0 class hours, or leave it empty if the programme has no such rule."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def attendance_threshold(self) -> Decimal | None:
        """The largest absent share that earns credit, or None when attendance is not kept."""
        return self.max_absent_share if self.keeps_attendance else None
