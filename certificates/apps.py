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
        register_pages()


def register_pages() -> None:
    """The certificate pages in the navigation bar, the panels on the teacher's, school's and
    home pages, and the school's zip and print PDF as stored exports."""
    from accounts.dashboard import DASHBOARD_PANELS, Panel
    from accounts.navigation import NavItem, register_nav
    from accounts.roles import Role
    from accounts.school_page import SchoolPanel, register_school_panel
    from accounts.teacher_page import TeacherPanel, register_teacher_panel
    from bureaus.models import AUDIT_ACTION_LABELS

    from .exports import register_stored_exports
    from .views.panels import dashboard_panel, school_panel, teacher_panel

    register_nav(
        NavItem(
            _("Certificates"),
            "certificates:kind_list",
            frozenset({Role.BUREAU_STAFF}),
            order=480,
        ),
        NavItem(
            _("My school's certificates"),
            "certificates:school",
            frozenset({Role.SCHOOL_ADMIN}),
            order=230,
        ),
        NavItem(
            _("My certificates"),
            "certificates:mine",
            frozenset({Role.TEACHER}),
            order=330,
        ),
    )
    register_teacher_panel(TeacherPanel("certificates/teacher_panel.html", teacher_panel))
    register_school_panel(SchoolPanel("certificates/school_panel.html", school_panel))
    panel = Panel("certificates/dashboard_panel.html", dashboard_panel)
    if panel not in DASHBOARD_PANELS:
        DASHBOARD_PANELS.append(panel)
    register_stored_exports()
    AUDIT_ACTION_LABELS.update({"certificate.batch": _("Certificates issued in a batch")})
