"""The portal's admin site."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.urls import path
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("Teacher Development Portal administration")
    site_title = _("Teacher Development Portal")
    index_title = _("Bureau administration")

    def get_urls(self):
        from accounts.views import admin_object_shortcut

        # Django's "view on site" redirect reads through the unscoped base manager; this one
        # reads through the scoped default manager, so another bureau's object is not found.
        return [
            path(
                "r/<int:content_type_id>/<path:object_id>/",
                self.admin_view(admin_object_shortcut),
                name="view_on_site",
            ),
        ] + [p for p in super().get_urls() if getattr(p, "name", None) != "view_on_site"]

    def autocomplete_view(self, request):
        # Only forward relations have autocompletes; a crafted request naming a reverse
        # relation would otherwise fail inside Django with a 500.
        from django.apps import apps

        try:
            model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            field = model._meta.get_field(request.GET["field_name"])
        except (KeyError, LookupError, FieldDoesNotExist) as exc:
            raise PermissionDenied from exc
        if field.auto_created or not field.is_relation:
            raise PermissionDenied
        return super().autocomplete_view(request)


class PortalAdminConfig(AdminConfig):
    default_site = "config.admin.PortalAdminSite"
