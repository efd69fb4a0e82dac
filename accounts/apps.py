from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People in a bureau: the user account, the teacher profile, roles and notifications."""

    name = "accounts"
    verbose_name = _("People and roles")

    def ready(self) -> None:
        from django.core import checks

        from bureaus.models import AUDIT_ACTION_LABELS, AUDIT_DESCRIBERS

        from .checks import check_production_secret_key
        from .roles import describe_role_audit, sync_role_groups

        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="accounts.sync_roles")
        AUDIT_ACTION_LABELS.update(
            {"role.grant": _("Role granted"), "role.revoke": _("Role revoked")}
        )
        AUDIT_DESCRIBERS["role"] = describe_role_audit

        from .dashboard import DASHBOARD_PANELS, Panel
        from .selectors import failed_jobs_panel

        DASHBOARD_PANELS.append(Panel("accounts/failed_jobs_panel.html", failed_jobs_panel))
        checks.register(check_production_secret_key, checks.Tags.security, deploy=True)
