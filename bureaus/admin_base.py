"""The base of every tenant-owned model's admin.

Querysets, foreign-key choices, autocompletes and list filters are scoped already, because they all
read through the models' scoped default managers. What this adds: the ``bureau`` field is filled
from the request for bureau staff (only platform superusers see and choose it), per-bureau unique
constraints are still validated, another bureau's object is a 404 like a missing one, and every
admin change writes an audit row in the same transaction.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .services import audit_record


def is_platform_admin(request) -> bool:
    return request.user.is_superuser and request.bureau_id is None


class BureauBoundFormMixin:
    """Fill the instance's bureau before validation and validate constraints that include it."""

    bureau_id: int | None = None
    parent_instance = None  # in an inline: the parent row, whose bureau the row takes

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("bureau")
        return exclusions

    def _post_clean(self):
        instance = self.instance
        if getattr(instance, "bureau_id", None) is None:
            if self.parent_instance is not None:
                instance.bureau_id = self.parent_instance.bureau_id
            else:
                instance.bureau_id = self.bureau_id
        super()._post_clean()


class BureauScopedAdminMixin:
    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not is_platform_admin(request):
            exclude.append("bureau")
        return exclude

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not is_platform_admin(request):
            fields = [f for f in fields if f != "bureau"]
        return fields


class BureauScopedAdmin(BureauScopedAdminMixin, admin.ModelAdmin):
    def get_list_display(self, request):
        display = list(super().get_list_display(request))
        if is_platform_admin(request) and "bureau" not in display:
            display.append("bureau")
        return display

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if is_platform_admin(request) and "bureau" not in filters:
            filters.insert(0, "bureau")
        return filters

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if is_platform_admin(request):
            return fieldsets
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f != "bureau"]})
            for name, opts in fieldsets
        ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (BureauBoundFormMixin, form), {"bureau_id": request.bureau_id})

    def save_model(self, request, obj, form, change):
        if obj.bureau_id is None:
            obj.bureau_id = request.bureau_id
        super().save_model(request, obj, form, change)

    def response_action(self, request, queryset):
        # Bulk actions (delete selected, ...) write and audit in one transaction.
        with transaction.atomic():
            return super().response_action(request, queryset)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another bureau's object and a missing one look the same: not found.
        raise Http404(_("Not found."))

    # Django's admin log records the change; the bureau's audit log records it too, in the same
    # transaction, where the bureau's leadership can read it.
    def log_addition(self, request, obj, message):
        self._audit(request, obj, "admin.add", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "admin.change", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "admin.delete", "")
        return super().log_deletions(request, queryset)

    def _audit(self, request, obj, action, message):
        bureau_id = getattr(obj, "bureau_id", None)
        if bureau_id is None:
            return
        audit_record(
            bureau=bureau_id,
            actor=request.user,
            action=action,
            target=obj,
            model=obj._meta.label_lower,
            message=str(message) if message else "",
        )


class BureauLevelsMixin:
    """The level fields (``level_fields``) offer every level by the bureau's names. Hidden levels
    are offered too: staff may correct a row that was recorded at one."""

    level_fields: tuple[str, ...] = ("level",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.level_fields:
            from .selectors import level_names

            named = level_names(request.bureau_id).as_dict()
            field.choices = [("", "---------")] + list(named.items())
        return field


class TenantInline(BureauScopedAdminMixin):
    """An inline of tenant-owned rows: their bureau is the parent row's."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (BureauBoundFormMixin, formset.form), {})

        class TenantFormSet(formset):
            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                form.parent_instance = self.instance
                return form

        return TenantFormSet


def action_form_response(
    model_admin, request, *, title, form, action, queryset, intro="", items=None, submit_label=""
):
    """The intermediate page of an admin action that asks for values before acting."""
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
    from django.template.response import TemplateResponse

    return TemplateResponse(
        request,
        "admin/action_form.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "items": [str(item) for item in queryset] if items is None else items,
            "form": form,
            "action": action,
            "selected": list(queryset.values_list("pk", flat=True)),
            "submit_label": submit_label,
            "opts": model_admin.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
    )


class SpreadsheetImportExportMixin:
    """For an admin with django-import-export: problems as plain lines in the reader's language
    (never a traceback or a server path), nothing written when the confirmed file has problems,
    and exports with numbers and dates typed (the formats write through bureaus.spreadsheets)."""

    import_template_name = "admin/spreadsheet_import.html"
    shown_problems = 50

    def import_action(self, request, **kwargs):
        from .spreadsheets import import_problems

        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context and context.get("result") is not None:
            context["problems"] = import_problems(context["result"])
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        from django.core.exceptions import ValidationError

        from .spreadsheets import unreadable

        # The file could not be read at all: say so, not the name of a Python exception.
        error = e if isinstance(e, ValidationError) else unreadable()
        for message in error.messages:
            form.add_error("import_file", message)

    def process_result(self, result, request):
        from django.contrib import messages
        from django.shortcuts import redirect
        from django.urls import reverse

        from .spreadsheets import import_problems

        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        problems = import_problems(result)
        self.message_user(
            request,
            _("Nothing was imported; correct the file and upload it again."),
            messages.ERROR,
        )
        for problem in problems[: self.shown_problems]:
            self.message_user(request, problem, messages.ERROR)
        if len(problems) > self.shown_problems:
            self.message_user(
                request,
                _("… and %(n)d more problems.") % {"n": len(problems) - self.shown_problems},
                messages.ERROR,
            )
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))

    def get_export_data(self, file_format, request, queryset, **kwargs):
        from django.core.exceptions import PermissionDenied

        if not self.has_export_permission(request):
            raise PermissionDenied
        # django-import-export keeps native types only for its own classes of binary formats.
        data = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        return file_format.export_data(data)
