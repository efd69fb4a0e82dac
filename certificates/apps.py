from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certificates: completion, honour and training certificates, made as PDFs by the worker,
    verifiable by their QR code online and offline, revocable."""

    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from accounts.roles import Role, register_role_permissions
        from bureaus.models import AUDIT_ACTION_LABELS
        from programmes.sections import register_copy_section

        from . import tasks  # noqa: F401 - registers the PDF job
        from .admin import plug_certificate_kinds_into_programme_admin
        from .services import certificate_kinds_copy

        staff = {
            "certificates.certificatekind": ("add", "change", "view"),
            "certificates.signatory": ("add", "change", "view"),
            # Issued and revoked through the services (the admin's revoke action).
            "certificates.certificate": ("add", "change", "view"),
            "certificates.certificatebatch": ("add", "view"),
            "certificates.signingkey": ("view",),
        }
        register_role_permissions(
            {
                Role.BUREAU_STAFF: staff,
                Role.LEADERSHIP: {
                    "certificates.certificate": ("view",),
                    "certificates.certificatekind": ("view",),
                },
                # Their school's certificates only: the pages' access check.
                Role.SCHOOL_ADMIN: {"certificates.certificate": ("view",)},
            }
        )
        AUDIT_ACTION_LABELS.update(
            {
                "certificate.issue": _("Certificate issued"),
                "certificate.revoke": _("Certificate revoked"),
                "certificate.reissue": _("Certificate reissued"),
            }
        )
        plug_certificate_kinds_into_programme_admin()
        register_copy_section("certificate_kinds", copy=certificate_kinds_copy)
