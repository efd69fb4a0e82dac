from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureaus.tenancy import BureauManager, TenantModel


class UserManager(BureauManager, DjangoUserManager):
    """Users are scoped to the bureau like every tenant-owned row.

    A username is unique across the whole portal, because signing in is what tells the portal
    which bureau a person belongs to; so the natural-key lookup used by authentication (before
    any bureau is known) is the one read that crosses bureaus.
    """

    use_in_migrations = False

    def get_by_natural_key(self, username):
        return self.all_bureaus().get(**{self.model.USERNAME_FIELD: username})


class User(AbstractUser):
    """A person who signs in: bureau staff, a school's administrator, a teacher, leadership.

    Platform superusers belong to no bureau and administer all of them; everybody else belongs
    to exactly one.
    """

    first_name = None
    last_name = None
    full_name = models.CharField(_("full name"), max_length=60)
    bureau = models.ForeignKey(
        "bureaus.Bureau",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("bureau"),
        help_text=_("Empty only for platform administrators, who belong to no bureau."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    trainer_researcher = models.BooleanField(
        _("trainer-researcher (研训员)"),
        default=False,
        help_text=_(
            "XH-WS-TYPES: a trainer-researcher of the education college, who may lead a "
            "college–school workshop. Set by the bureau."
        ),
    )

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username

    @property
    def role_names(self) -> frozenset[str]:
        """The roles this user holds, from group membership (cached on the instance)."""
        from .roles import roles_of

        return roles_of(self)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles)) or (
            self.is_superuser and self.bureau_id is None
        )


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Subject(models.TextChoices):
    CHINESE = "chinese", _("Chinese")
    MATHS = "maths", _("Mathematics")
    ENGLISH = "english", _("English")
    PHYSICS = "physics", _("Physics")
    CHEMISTRY = "chemistry", _("Chemistry")
    BIOLOGY = "biology", _("Biology")
    HISTORY = "history", _("History")
    GEOGRAPHY = "geography", _("Geography")
    POLITICS = "politics", _("Morality and law / Politics")
    SCIENCE = "science", _("Science")
    IT = "it", _("Information technology")
    MUSIC = "music", _("Music")
    ART = "art", _("Art")
    PE = "pe", _("Physical education")
    PSYCHOLOGY = "psychology", _("Mental health")
    LABOUR = "labour", _("Labour education")
    PRESCHOOL = "preschool", _("Preschool education")
    CLASS_TEACHER = "class_teacher", _("Class-teacher work")
    MANAGEMENT = "management", _("School management")
    OTHER = "other", _("Other")


class TeachingStage(models.TextChoices):
    PRESCHOOL = "preschool", _("Preschool")
    PRIMARY = "primary", _("Primary")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary")
    VOCATIONAL = "vocational", _("Vocational")
    SPECIAL = "special", _("Special education")


class ProfessionalTitle(models.TextChoices):
    UNRANKED = "unranked", _("Not yet ranked")
    THIRD = "third", _("Third-grade teacher")
    SECOND = "second", _("Second-grade teacher")
    FIRST = "first", _("First-grade teacher")
    SENIOR = "senior", _("Senior teacher")
    PROFESSOR = "professor", _("Professor-level senior teacher")


class ClassTeacherStage(models.TextChoices):
    """Where a teacher stands as a class teacher (班主任); SJ-TIERS, SJ-INIT."""

    FIRST_TIME = "first_time", _("First-time (trainee) class teacher")
    QUALIFIED = "qualified", _("Qualified stage")
    MATURE = "mature", _("Mature stage")
    BACKBONE = "backbone", _("Backbone class teacher")
    RESEARCH = "research", _("Research-type class teacher")
    EXPERT = "expert", _("Expert-type class teacher")


class CareerStage(models.TextChoices):
    """A teacher's career stage, for course layers (PT-MODULES)."""

    NEW = "new", _("New teacher")
    EARLY = "early", _("Early career")
    MATURE = "mature", _("Mature")


class TeacherProfile(TenantModel):
    """A teacher's record in the bureau: where they work, what they teach, their seniority."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="teacher_profile", verbose_name=_("user")
    )
    staff_number = models.CharField(_("staff number"), max_length=30)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    school = models.ForeignKey(
        "bureaus.School",
        on_delete=models.PROTECT,
        related_name="teacher_profiles",
        verbose_name=_("school"),
    )
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    stage = models.CharField(_("school stage"), max_length=20, choices=TeachingStage.choices)
    professional_title = models.CharField(
        _("professional title"),
        max_length=20,
        choices=ProfessionalTitle.choices,
        default=ProfessionalTitle.UNRANKED,
    )
    years_teaching = models.PositiveSmallIntegerField(_("years of teaching"), default=0)
    years_class_teacher = models.PositiveSmallIntegerField(_("years as class teacher"), default=0)
    class_teacher_stage = models.CharField(
        _("class-teacher stage"),
        max_length=12,
        choices=ClassTeacherStage.choices,
        blank=True,
        help_text=_("Empty: not a class teacher, or not recorded."),
    )
    career_stage = models.CharField(
        _("career stage"), max_length=8, choices=CareerStage.choices, blank=True
    )
    contact = models.CharField(_("contact"), max_length=100, blank=True)

    tenant_links = ("user", "school")

    class Meta:
        ordering = ["school__name", "staff_number"]
        verbose_name = _("teacher profile")
        verbose_name_plural = _("teacher profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "staff_number"], name="uniq_staff_number_per_bureau"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.full_name}（{self.staff_number}）"


class Notification(TenantModel):
    """A message for one person: shown under the bell and, once, sent by e-mail.

    ``key`` names what the message is about, so the same notice is never made twice for a
    person. Its e-mail is claimed (``email_claimed_at``, by a conditional update) before it goes
    out, and ``emailed_at`` is set only once the mail server took it; a claim left by a run that
    died expires, so the e-mail is tried again, and never by two runs at once.
    """

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    key = models.CharField(max_length=120)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_error = models.CharField(_("e-mail error"), max_length=300, blank=True)
    batch = models.UUIDField(null=True, blank=True, db_index=True, editable=False)

    tenant_links = ("recipient",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="uniq_notification_key")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject
