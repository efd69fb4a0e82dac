"""Certificates: the kinds a programme issues (completion, honour, training), their templates,
numbering and signatories, and each certificate issued — with its verification code, its
signature for checking the paper offline, and its fixed PDF.

A certificate is history: it is never edited nor deleted. Revoking marks it revoked with the
reason; a reissue (a corrected name) revokes the old one and links it to the new one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureaus.tenancy import TenantModel


class CertificateType(models.TextChoices):
    """What a kind certifies; the values are those of ``certificates.rules``."""

    COMPLETION = "completion", _("Completion certificate")  # 结业证书 (XH-FAIL-END)
    HONOUR = "honour", _("Honour certificate")  # 荣誉证书 (SJ-HONOUR)
    TRAINING = "training", _("Training certificate")  # 培训证书: a programme part


class CertificateKind(TenantModel):
    """A certificate a programme issues: its template, numbering, signatories and issue date.
    Configured on the programme's admin page and copied with it."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="certificate_kinds",
        verbose_name=_("programme"),
    )
    type = models.CharField(_("type"), max_length=12, choices=CertificateType.choices)
    title = models.CharField(_("title"), max_length=60, help_text=_("e.g. 结业证书, 荣誉证书"))
    requirement = models.ForeignKey(
        "programmes.Requirement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme part"),
        help_text=_("Training certificates: the requirement whose completion it certifies."),
    )
    min_class_teacher_years = models.PositiveSmallIntegerField(
        _("years as class teacher at least"),
        null=True,
        blank=True,
        help_text=_("Honour certificates (SJ-HONOUR): 20 in Songjiang."),
    )
    number_format = models.CharField(
        _("number format"),
        max_length=80,
        help_text=_(
            "{year} is the year of issue and {seq} the number in that year, e.g. "
            "徐教发证〔{year}〕第{seq:04d}号. Numbers are unique per bureau and year, with no gaps."
        ),
    )
    number_series = models.CharField(
        _("number series"),
        max_length=40,
        blank=True,
        help_text=_(
            "Kinds with the same series share one sequence of numbers; empty: the bureau's "
            "one series."
        ),
    )
    issue_date = models.DateField(
        _("issue date"),
        null=True,
        blank=True,
        help_text=_("The date printed on the certificates; empty: the day each is issued."),
    )
    template_html = models.TextField(_("template (HTML)"))
    template_css = models.TextField(_("template (CSS)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tenant_links = ("programme", "requirement")

    class Meta:
        ordering = ["programme", "type", "title"]
        verbose_name = _("certificate kind")
        verbose_name_plural = _("certificate kinds")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "programme", "title"], name="uniq_certificate_kind_title"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.title}"


def seal_upload_path(instance, filename: str) -> str:
    from bureaus.files import storage_key

    return storage_key("seals", instance.bureau_id, filename)


class Signatory(TenantModel):
    """Who signs a kind of certificate: a name, a title and the seal printed beside them."""

    kind = models.ForeignKey(
        CertificateKind,
        on_delete=models.CASCADE,
        related_name="signatories",
        verbose_name=_("certificate kind"),
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("title"), max_length=100, help_text=_("e.g. 徐汇区教育局"))
    seal = models.ImageField(_("seal"), upload_to=seal_upload_path, max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    tenant_links = ("kind",)

    class Meta:
        ordering = ["kind", "order", "id"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self) -> str:
        return f"{self.title} {self.name}".strip()


class NumberCounter(TenantModel):
    """The last number given in a bureau's series in a year: read with a row lock when a
    certificate is numbered, so numbers are gapless in issue order."""

    series = models.CharField(_("number series"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("certificate number counter")
        verbose_name_plural = _("certificate number counters")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "series", "year"], name="uniq_certificate_counter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series or '-'} {self.year}: {self.last}"


class SigningKey(TenantModel):
    """The bureau's Ed25519 key that signs the payload in each certificate's QR code, so the paper
    can be checked against the published public key without reaching the portal. A new key
    replaces the old one for new certificates; old ones stay verifiable with their key."""

    private_key = models.BinaryField(_("private key"), editable=False)
    public_key = models.BinaryField(_("public key"), editable=False)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return self.fingerprint


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


class RenderState(models.TextChoices):
    PENDING = "pending", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def certificate_path(certificate) -> str:
    """The fixed storage key of a certificate's PDF: a second render writes the same key."""
    return f"certificates/{certificate.bureau_id}/{certificate.uuid.hex}.pdf"


class CertificateBatch(TenantModel):
    """One staff action issuing every certificate due of a kind (for the programme, or one
    school): its progress is read from the certificates it issued."""

    kind = models.ForeignKey(
        CertificateKind,
        on_delete=models.PROTECT,
        related_name="batches",
        verbose_name=_("certificate kind"),
    )
    school = models.ForeignKey(
        "bureaus.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    total = models.PositiveIntegerField(_("certificates"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    tenant_links = ("kind", "school", "requested_by")

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")

    def __str__(self) -> str:
        return f"{self.kind} · {self.requested_at:%Y-%m-%d %H:%M}"


class Certificate(TenantModel):
    """One certificate issued to one teacher. What is printed is kept as issued (the holder's
    name, the programme, the fields), so the PDF can be made again byte for byte."""

    uuid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.ForeignKey(
        CertificateKind,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("certificate kind"),
    )
    teacher = models.ForeignKey(
        "accounts.TeacherProfile",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder"),
    )
    enrolment = models.ForeignKey(
        "cohorts.Enrolment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("enrolment"),
    )
    school = models.ForeignKey(
        "bureaus.School",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("school"),
        help_text=_("The holder's school when it was issued."),
    )
    batch = models.ForeignKey(
        CertificateBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("batch"),
    )
    number = models.CharField(_("number"), max_length=100)
    series = models.CharField(_("number series"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("year of issue"))
    seq = models.PositiveIntegerField(_("number in the year"))
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    issued_on = models.DateField(_("issue date"))
    holder_name = models.CharField(_("holder's name"), max_length=100)
    programme_name = models.CharField(_("programme"), max_length=200)
    title = models.CharField(_("certificate"), max_length=60)
    fields = models.JSONField(
        _("printed fields"),
        default=dict,
        help_text=_("What the template printed besides the above: dates, hours, credits, result."),
    )
    signing_key = models.ForeignKey(
        SigningKey,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("signing key"),
    )
    signature = models.CharField(_("signature"), max_length=120)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    render_state = models.CharField(
        _("PDF"), max_length=8, choices=RenderState.choices, default=RenderState.PENDING
    )
    file = models.FileField(_("PDF"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("made"), null=True, blank=True)

    tenant_links = ("kind", "teacher", "enrolment", "school", "batch", "signing_key")

    class Meta:
        ordering = ["-year", "series", "-seq"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "series", "year", "seq"], name="uniq_certificate_number"
            ),
            # One valid certificate of a kind per holder (and enrolment, for a programme's);
            # a reissue revokes the old one in the same transaction.
            models.UniqueConstraint(
                fields=["bureau", "kind", "teacher"],
                condition=models.Q(status="valid"),
                name="uniq_valid_certificate",
            ),
        ]
        indexes = [models.Index(fields=["bureau", "batch"], name="certificate_batch_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.holder_name}"

    @property
    def valid(self) -> bool:
        return self.status == CertificateStatus.VALID
