from collections.abc import Callable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .levels import DEFAULT_NAMES, Level
from .tenancy import TenantModel


class Bureau(models.Model):
    """An education bureau (区教育局): the tenant. Nothing crosses between bureaus."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    school_review_first = models.BooleanField(
        _("schools review school-level evidence first"),
        default=False,
        help_text=_(
            "School-level evidence is first reviewed by the school's training administrator, "
            "then by the bureau."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class SchoolStage(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary school")
    SENIOR = "senior", _("Senior secondary school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    COMPLETE_SECONDARY = "complete_secondary", _("Complete secondary school")
    TWELVE_YEAR = "twelve_year", _("Twelve-year school")
    VOCATIONAL = "vocational", _("Vocational school")
    SPECIAL = "special", _("Special education school")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    COLLEGE = "college", _("Education college")


class LearningDistrict(TenantModel):
    """A learning district (学区): a cluster of schools with a lead unit."""

    name = models.CharField(_("name"), max_length=100)
    lead_school = models.ForeignKey(
        "School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead school"),
        help_text=_("The lead unit (学区化牵头单位) that runs the district's cadre team."),
    )

    tenant_links = ("lead_school",)

    class Meta:
        ordering = ["name"]
        verbose_name = _("learning district")
        verbose_name_plural = _("learning districts")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "name"], name="uniq_district_name_per_bureau")
        ]

    def __str__(self) -> str:
        return self.name


class School(TenantModel):
    """A school or other unit (单位) where teachers work; stipends are paid through it."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("school code"), max_length=30, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=SchoolStage.choices)
    number_of_classes = models.PositiveSmallIntegerField(_("number of classes"), default=0)
    learning_district = models.ForeignKey(
        LearningDistrict,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="schools",
        verbose_name=_("learning district"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    tenant_links = ("learning_district",)

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "name"], name="uniq_school_name_per_bureau"),
            models.UniqueConstraint(
                fields=["bureau", "code"],
                condition=~models.Q(code=""),
                name="uniq_school_code_per_bureau",
            ),
        ]
        permissions = [
            ("administer_school", _("Administer the school's participants and credits")),
        ]

    def __str__(self) -> str:
        return self.name


class LevelName(TenantModel):
    """A bureau's name for one step of the level scale (级别), and whether its choice lists offer
    the step. A step without a row keeps its default name and is offered."""

    level = models.PositiveSmallIntegerField(
        _("level"), choices=[(int(step), name) for step, name in DEFAULT_NAMES.items()]
    )
    name = models.CharField(
        _("name"),
        max_length=40,
        blank=True,
        help_text=_(
            "What the bureau calls this level on every page, export and reason text, e.g. "
            "海安市级 for the third level of a county-level city (HA-TIERS). Empty: the default "
            "name."
        ),
    )
    hidden = models.BooleanField(
        _("not used"),
        default=False,
        help_text=_(
            "Not offered when a level is chosen (e.g. 学区级 where there are no learning "
            "districts). Items already recorded at this level keep it."
        ),
    )

    class Meta:
        ordering = ["level"]
        verbose_name = _("level name")
        verbose_name_plural = _("level names")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "level"], name="uniq_level_per_bureau"),
            # A spreadsheet names a level by its name: two levels may not share one.
            models.UniqueConstraint(
                fields=["bureau", "name"],
                condition=~models.Q(name=""),
                name="uniq_level_name_per_bureau",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(DEFAULT_NAMES[Level(self.level)])


class SchoolUserObjectPermission(UserObjectPermissionBase):
    """A user's object permission on one school (e.g. the school's 师训专管员)."""

    content_object = models.ForeignKey(School, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("school permission of a user")
        verbose_name_plural = _("school permissions of users")


class SchoolGroupObjectPermission(GroupObjectPermissionBase):
    """A group's object permission on one school."""

    content_object = models.ForeignKey(School, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("school permission of a group")
        verbose_name_plural = _("school permissions of groups")


# How the audit log reads: labels of actions, and per action prefix ("role" in "role.grant") a
# function that summarises an entry's details. Apps that audit new actions register them in their
# AppConfig.ready(), so this module does not depend on them.
AUDIT_ACTION_LABELS: dict[str, str] = {
    "admin.add": _("Added"),
    "admin.change": _("Changed"),
    "admin.delete": _("Deleted"),
    "outbox.retry": _("Background job run again"),
    "export.request": _("Large spreadsheet asked for"),
}
AUDIT_DESCRIBERS: dict[str, Callable[["AuditEntry"], str]] = {}


class AuditEntry(TenantModel):
    """One thing somebody did that changes who may do what, or what counts: who, what, when."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("Empty when the portal itself acted (an import, a scheduled job)."),
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(max_length=40, blank=True)
    target_repr = models.CharField(_("target"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["bureau", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTION_LABELS.get(self.action, self.action))

    @property
    def summary(self) -> str:
        """What a reader needs to know beyond the action and the target."""
        describe = AUDIT_DESCRIBERS.get(self.action.split(".")[0])
        if describe is not None:
            return describe(self)
        return self.data.get("message", "")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent to the worker")
    DISPATCHED = "dispatched", _("Sent to the worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed; needs attention")


class OutboxJob(TenantModel):
    """One follow-up job (an e-mail, an import, an export, a PDF, a ledger run) owed by a change.

    The row is written in the same transaction as the change that causes it, so a job exists if
    and only if its cause was committed. It is handed to the Celery worker after the commit; a
    beat sweep hands over again whatever is still pending, or was handed over and never ran. A
    job that keeps failing stops after ``max_attempts`` runs and stays visible with its error. A run
    shows it is alive through ``heartbeat_at``; one that falls silent (a killed worker) runs again.
    """

    task = models.CharField(_("job"), max_length=200, db_index=True)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    key = models.CharField(
        _("key"),
        max_length=200,
        blank=True,
        help_text=_("A job with the same key in the same bureau is recorded only once."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=OutboxStatus.choices,
        default=OutboxStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("runs"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("most runs"), default=6)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True, db_index=True)
    dispatched_at = models.DateTimeField(_("sent to the worker"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("last sign of life"),
        null=True,
        blank=True,
        help_text=_(
            "A running job shows it is alive every few seconds; silence means it was cut off."
        ),
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "key"],
                condition=~models.Q(key=""),
                name="outbox_job_key_unique_per_bureau",
            )
        ]
        indexes = [models.Index(fields=["status", "not_before"], name="outbox_job_due")]

    def __str__(self) -> str:
        from .outbox import job_label

        return f"{job_label(self.task)} #{self.pk}"


class StoredExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def export_upload_path(instance: "StoredExport", filename: str) -> str:
    from .files import storage_key

    return storage_key("exports", instance.bureau_id, filename)


class StoredExport(TenantModel):
    """A spreadsheet too large to write during a request: written by the worker (through the
    outbox, see ``bureaus.exports``), stored under the bureau, served after an access check.

    ``kind`` names the registered builder that writes it and ``params`` what it was asked for
    (ids and codes), so that any app can hand out large spreadsheets the same way."""

    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("asked for"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=200)
    file_format = models.CharField(_("format"), max_length=4)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StoredExportStatus.choices,
        default=StoredExportStatus.QUEUED,
    )
    done_rows = models.PositiveIntegerField(_("rows written"), default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to=export_upload_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    tenant_links = ("created_by",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stored export")
        verbose_name_plural = _("stored exports")

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == StoredExportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.done_rows * 100 // self.total_rows)
