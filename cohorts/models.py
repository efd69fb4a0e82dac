"""Who takes part in a programme, and what they did: enrolments and evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureaus.files import storage_key
from bureaus.tenancy import TenantModel
from programmes import rules
from programmes.models import DeliveryMode, Level


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("In training")
    WARNED = "warned", _("Warned")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    TERMINATED = "terminated", _("Terminated")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class Enrolment(TenantModel):
    """A teacher taking part in a programme, in one tier (学员 / 培养对象)."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("programme"),
    )
    teacher = models.ForeignKey(
        "accounts.TeacherProfile",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("teacher"),
    )
    tier = models.ForeignKey(
        "programmes.Tier",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("tier"),
    )
    school = models.ForeignKey(
        "bureaus.School",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("school at enrolment"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.ACTIVE,
    )
    enrolled_on = models.DateField(_("enrolled on"))
    plan_due = models.DateField(
        _("development plan due"),
        null=True,
        blank=True,
        help_text=_("When the personal three-year development plan (个人三年发展规划) is due."),
    )

    tenant_links = ("programme", "teacher", "tier", "school")

    class Meta:
        ordering = ["programme", "tier__order", "teacher__staff_number"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "programme", "teacher"], name="uniq_enrolment_per_programme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.teacher.user.full_name} · {self.tier.name}"


class EnrolmentStatusChange(TenantModel):
    """A dated change of an enrolment's status, with the reason (a leading-group decision)."""

    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("enrolment"),
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=EnrolmentStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=EnrolmentStatus.choices)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    tenant_links = ("enrolment",)

    class Meta:
        ordering = ["enrolment", "effective_on", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.effective_on} {self.from_status} → {self.to_status}"


class EvidenceState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCHOOL_APPROVED = "school_approved", _("Approved by the school")
    VERIFIED = "verified", _("Verified")
    RETURNED = "returned", _("Returned")


class FileDimension(models.TextChoices):
    """The dimensions of a class teacher's work file (SJ-FILE)."""

    ETHICS = "ethics", _("Ethics")
    CLASS_BUILDING = "class_building", _("Class building")
    STUDENT_GROWTH = "student_growth", _("Student growth")
    HOME_SCHOOL = "home_school", _("Home–school cooperation")
    RESEARCH = "research", _("Research")


class Evidence(TenantModel):
    """A record of something a teacher did (材料 / 成果), with files.

    Only verified evidence counts towards requirements.
    """

    teacher = models.ForeignKey(
        "accounts.TeacherProfile",
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=_("teacher"),
    )
    kind = models.ForeignKey(
        "programmes.EvidenceKind",
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=_("kind"),
    )
    title = models.CharField(_("title"), max_length=200)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("class hours"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    delivery_mode = models.CharField(
        _("delivery mode"), max_length=12, choices=DeliveryMode.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    requirements = models.ManyToManyField(
        "programmes.Requirement",
        blank=True,
        related_name="evidence",
        verbose_name=_("for requirements"),
    )
    mentees = models.ManyToManyField(
        "accounts.TeacherProfile",
        blank=True,
        related_name="mentored_in",
        verbose_name=_("mentees in the bureau"),
        help_text=_("The teachers of the bureau this item is about (培养教师)."),
    )
    mentee_names = models.TextField(
        _("mentees outside the bureau"),
        blank=True,
        help_text=_("One name a line, for people who are not teachers of the bureau."),
    )
    dimensions = models.JSONField(
        _("work-file dimensions"),
        default=list,
        blank=True,
        help_text=_("SJ-FILE: the class-teacher file dimensions this belongs to."),
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=EvidenceState.choices,
        default=EvidenceState.DRAFT,
        db_index=True,
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    output_call = models.ForeignKey(
        "OutputCall",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("submitted to the call"),
    )
    selected_for_publication = models.BooleanField(_("selected for publication"), default=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tenant_links = ("teacher", "kind", "output_call")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        indexes = [
            models.Index(fields=["bureau", "state", "date"]),
            models.Index(fields=["teacher", "state"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def school_year(self) -> int:
        return rules.school_year_of(self.date)

    @property
    def semester(self) -> tuple[int, int]:
        return rules.semester_of(self.date)

    @property
    def outside_mentees(self) -> list[str]:
        return mentee_name_list(self.mentee_names)

    @property
    def is_editable(self) -> bool:
        return self.state in (EvidenceState.DRAFT, EvidenceState.RETURNED)


def mentee_name_list(text: str) -> list[str]:
    """The names typed one a line, tidied, each once, in the order given."""
    seen: dict[str, str] = {}
    for line in (text or "").splitlines():
        name = " ".join(line.split())
        if name and name_key(name) not in seen:
            seen[name_key(name)] = name
    return list(seen.values())


def name_key(name: str) -> str:
    """A person outside the bureau, as the engine counts them: the name without spaces, folded."""
    return "n:" + "".join(name.split()).casefold()


def evidence_upload_path(instance: EvidenceFile, filename: str) -> str:
    return storage_key("evidence", instance.bureau_id, filename)


class EvidenceFile(TenantModel):
    """A file attached to evidence; served only through a permission check."""

    evidence = models.ForeignKey(
        Evidence, on_delete=models.CASCADE, related_name="files", verbose_name=_("evidence")
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    tenant_links = ("evidence",)

    class Meta:
        ordering = ["evidence", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class EvidenceEvent(TenantModel):
    """One step in the life of a piece of evidence: submitted, approved, returned (and why)."""

    evidence = models.ForeignKey(
        Evidence, on_delete=models.CASCADE, related_name="events", verbose_name=_("evidence")
    )
    from_state = models.CharField(_("from"), max_length=16, choices=EvidenceState.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=EvidenceState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    tenant_links = ("evidence",)

    class Meta:
        ordering = ["evidence", "created_at", "id"]
        verbose_name = _("evidence event")
        verbose_name_plural = _("evidence events")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


PLAN_KIND = (
    "development_plan"  # the evidence kind of a personal development plan (个人三年发展规划)
)


class ReservePoolEntry(TenantModel):
    """A teacher in a programme's reserve pool (储备池, SJ-POOL): willing, assessed, and from
    whom appointments are made."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="pool_entries",
        verbose_name=_("programme"),
    )
    teacher = models.ForeignKey(
        "accounts.TeacherProfile",
        on_delete=models.CASCADE,
        related_name="pool_entries",
        verbose_name=_("teacher"),
    )
    willing = models.BooleanField(_("willing"), default=True)
    pre_service_hours = models.DecimalField(
        _("pre-service training hours"), max_digits=5, decimal_places=1, default=0
    )
    trainee_year_done = models.BooleanField(_("trainee year completed"), default=False)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    # No longer read: the trainee class teacher's assessment is recorded in the assessments app
    # and read through ``cohorts.checks.pool_assessments`` (SJ-INIT).
    assessment_passed = models.BooleanField(_("assessment passed"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pool_entry",
        verbose_name=_("appointed as"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    tenant_links = ("programme", "teacher")

    class Meta:
        ordering = ["programme", "-assessed_on", "id"]
        verbose_name = _("reserve pool entry")
        verbose_name_plural = _("reserve pool")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "programme", "teacher"], name="uniq_pool_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.teacher.user.full_name} · {self.programme}"


class OutputCall(TenantModel):
    """A call for research outputs with a deadline (HA-OUTPUT); staff select the best."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="output_calls",
        verbose_name=_("programme"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    deadline = models.DateField(_("deadline"))
    publication = models.CharField(
        _("publication"), max_length=100, blank=True, help_text=_("e.g. 《海安教育研究》")
    )

    tenant_links = ("programme",)

    class Meta:
        ordering = ["-deadline", "id"]
        verbose_name = _("call for outputs")
        verbose_name_plural = _("calls for outputs")

    def __str__(self) -> str:
        return self.title


class RosterImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    INVALID = "invalid", _("Refused: the file has errors")
    FAILED = "failed", _("Failed")
    DONE = "done", _("Imported")


def roster_upload_path(instance: RosterImport, filename: str) -> str:
    return storage_key("roster-imports", instance.bureau_id, filename)


class RosterImport(TenantModel):
    """A roster file imported in the background (large rosters), with its outcome."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="roster_imports",
        verbose_name=_("programme"),
    )
    file = models.FileField(_("file"), upload_to=roster_upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RosterImportStatus.choices,
        default=RosterImportStatus.QUEUED,
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("new enrolments"), default=0)
    updated_count = models.PositiveIntegerField(_("updated enrolments"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    tenant_links = ("programme",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports (large files)")

    def __str__(self) -> str:
        return self.original_name or f"#{self.pk}"

    @property
    def progress_key(self) -> str:
        return f"roster-import:{self.pk}:progress"
