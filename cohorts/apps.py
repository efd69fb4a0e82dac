from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    """Cohorts: teachers enrolled in a programme, their tier, status and evidence."""

    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self) -> None:
        from accounts.navigation import NavItem, register_nav
        from accounts.roles import ALL_ACTIONS, Role, register_role_permissions
        from bureaus.files import delete_files_with_rows
        from bureaus.models import AUDIT_ACTION_LABELS, AUDIT_DESCRIBERS
        from programmes.sections import ProgrammeLink, register_programme_link

        register_role_permissions(
            {
                Role.BUREAU_STAFF: {
                    "cohorts.enrolment": ALL_ACTIONS,
                    "cohorts.enrolmentstatuschange": ("view",),
                    "cohorts.evidence": ("view",),
                    "cohorts.reservepoolentry": ALL_ACTIONS,
                    "cohorts.outputcall": ALL_ACTIONS,
                    "cohorts.rosterimport": ("add", "view"),
                },
                Role.LEADERSHIP: {
                    f"cohorts.{m}": ("view",)
                    for m in (
                        "enrolment",
                        "enrolmentstatuschange",
                        "evidence",
                        "reservepoolentry",
                        "outputcall",
                        "rosterimport",
                    )
                },
            }
        )

        def staff_or_school_admin(user) -> bool:
            return user.is_staff or Role.SCHOOL_ADMIN in user.role_names

        register_programme_link(
            ProgrammeLink(_("Progress"), "cohorts:progress_matrix", visible=staff_or_school_admin),
            ProgrammeLink(
                _("Progress"),
                "cohorts:progress_matrix",
                place="list",
                visible=staff_or_school_admin,
            ),
            ProgrammeLink(
                _("Backbone coverage"),
                "cohorts:coverage",
                visible=lambda user: user.is_staff,
                order=510,
            ),
            ProgrammeLink(_("calls for outputs"), "cohorts:output_calls", order=520),
        )
        register_nav(
            NavItem(_("My progress"), "cohorts:my_progress", frozenset({Role.TEACHER}), order=300),
            NavItem(
                _("My evidence"), "cohorts:evidence_list", frozenset({Role.TEACHER}), order=310
            ),
            NavItem(
                _("Review evidence"),
                "cohorts:review_queue",
                frozenset({Role.BUREAU_STAFF, Role.SCHOOL_ADMIN}),
                order=800,
            ),
        )

        from .models import EvidenceFile

        delete_files_with_rows(EvidenceFile)

        AUDIT_ACTION_LABELS.update(
            {
                "evidence.submit": _("Evidence submitted"),
                "enrolment.override": _("Enrolled despite an objection"),
                "evidence.school_approved": _("Evidence approved by the school"),
                "evidence.verified": _("Evidence verified"),
                "evidence.returned": _("Evidence returned"),
                "enrolment.status": _("Enrolment status changed"),
                "roster.import": _("Roster imported"),
                "roster.queue": _("Roster queued for import"),
                "pool.appoint": _("Appointed from the reserve pool"),
                "output.select": _("Selected for publication"),
                "output.unselect": _("No longer selected for publication"),
            }
        )
        AUDIT_DESCRIBERS["evidence"] = lambda entry: entry.data.get("comment", "")
        AUDIT_DESCRIBERS["enrolment"] = lambda entry: (
            f"{entry.data.get('before', '')} → {entry.data.get('after', '')} "
            f"{entry.data.get('reason', '')}"
        ).strip()
