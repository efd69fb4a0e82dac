from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from bureaus.admin_base import (
    BureauScopedAdmin,
    SpreadsheetImportExportMixin,
    action_form_response,
)
from programmes.models import Programme

from .models import (
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    OutputCall,
    ReservePoolEntry,
    RosterImport,
)
from .resources import RosterResource
from .services import enrolment_set_status


class RosterImportForm(ImportForm):
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.all(),
        help_text=_("The programme whose participants the file lists."),
    )

    def clean_import_file(self):
        """A workbook is checked like an upload (zip bombs, macros, missing parts) before
        anything reads it, with the file's own name in the message."""
        from .services import check_roster_upload

        upload = self.cleaned_data["import_file"]
        check_roster_upload(upload)
        return upload


class RosterConfirmForm(ConfirmImportForm):
    programme = forms.ModelChoiceField(queryset=Programme.objects.all(), widget=forms.HiddenInput)


class StatusChangeInline(admin.TabularInline):
    model = EnrolmentStatusChange
    extra = 0
    fields = ["effective_on", "from_status", "to_status", "reason", "actor", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("new status"), choices=EnrolmentStatus.choices)
    effective_on = forms.DateField(label=_("effective on"), initial=timezone.localdate)
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for withdrawal and termination (the leading group's decision)."),
    )


class EnrolmentForm(forms.ModelForm):
    """An enrolment made by hand: a teacher another app objects to (XH-FAIL-END: barred after
    failing the end of term) is enrolled only with the reason, which is audited."""

    override_reason = forms.CharField(
        label=_("reason to enrol all the same"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only needed when the teacher may not be enrolled, e.g. barred."),
    )

    class Meta:
        model = Enrolment
        fields = ["bureau", "programme", "teacher", "tier", "school", "enrolled_on", "plan_due"]

    def clean(self):
        cleaned = super().clean()
        self.objections = []
        teacher, programme = cleaned.get("teacher"), cleaned.get("programme")
        unchanged = self.instance.pk is not None and (
            self.instance.teacher_id == getattr(teacher, "pk", None)
            and self.instance.programme_id == getattr(programme, "pk", None)
        )
        if teacher is None or programme is None or unchanged:
            return cleaned
        from .checks import enrolment_objections

        self.objections = enrolment_objections(
            bureau_id=programme.bureau_id, programme=programme, teacher_ids=[teacher.pk]
        ).get(teacher.pk, [])
        if self.objections and not (cleaned.get("override_reason") or "").strip():
            self.add_error(
                "teacher",
                " ".join(self.objections)
                + " "
                + str(_("To enrol them all the same, give the reason to enrol all the same.")),
            )
        return cleaned


@admin.register(Enrolment)
class EnrolmentAdmin(SpreadsheetImportExportMixin, ImportExportMixin, BureauScopedAdmin):
    """Enrolments; the roster of a programme is imported from and exported to xlsx or csv."""

    resource_classes = [RosterResource]
    import_form_class = RosterImportForm
    confirm_form_class = RosterConfirmForm
    skip_admin_log = True  # the import writes one audit row for the whole file
    list_display = [
        "teacher_name",
        "staff_number",
        "programme",
        "tier",
        "school",
        "status",
        "enrolled_on",
    ]
    list_filter = ["programme", "tier", "status", "school"]
    search_fields = ["teacher__user__full_name", "teacher__staff_number", "school__name"]
    list_select_related = ["teacher__user", "programme", "tier", "school"]
    autocomplete_fields = ["teacher", "school"]
    fields = [
        "bureau",
        "programme",
        "teacher",
        "tier",
        "school",
        "status",
        "enrolled_on",
        "plan_due",
        "override_reason",
    ]
    form = EnrolmentForm
    readonly_fields = ["status"]
    inlines = [StatusChangeInline]
    actions = ["change_status"]

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["programme"] = import_form.cleaned_data["programme"].pk
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        programme = None
        if form is not None and hasattr(form, "cleaned_data"):
            programme = form.cleaned_data.get("programme")
        return {"programme": programme, "actor": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {}

    def has_import_permission(self, request):
        return self.has_add_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(form, "objections", None):
            from bureaus.services import audit_record

            audit_record(
                bureau=obj.bureau_id,
                actor=request.user,
                action="enrolment.override",
                target=obj,
                staff_number=obj.teacher.staff_number,
                teacher=obj.teacher.user.full_name,
                objections=form.objections,
                reason=form.cleaned_data["override_reason"].strip(),
            )

    @admin.display(description=_("teacher"), ordering="teacher__user__full_name")
    def teacher_name(self, obj):
        return obj.teacher.user.full_name

    @admin.display(description=_("staff number"), ordering="teacher__staff_number")
    def staff_number(self, obj):
        return obj.teacher.staff_number

    @admin.action(description=_("Change status (with date and reason)"), permissions=["change"])
    def change_status(self, request, queryset):
        form = StatusChangeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            changed, problems = 0, []
            for enrolment in queryset.select_related("teacher__user"):
                try:
                    enrolment_set_status(
                        actor=request.user, enrolment=enrolment, **form.cleaned_data
                    )
                    changed += 1
                except ValidationError as error:
                    problems.append(f"{enrolment}: {' '.join(error.messages)}")
            if problems:
                for problem in problems:
                    self.message_user(request, problem, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Status changed for %(n)d enrolments.") % {"n": changed},
                    messages.SUCCESS,
                )
                return None
        return action_form_response(
            self,
            request,
            form=form,
            action="change_status",
            queryset=queryset,
            title=_("Change the status of %(n)d enrolments") % {"n": queryset.count()},
            items=[f"{e}（{e.get_status_display()}）" for e in queryset],
        )


class AppointForm(forms.Form):
    tier = forms.ModelChoiceField(label=_("tier"), queryset=None)
    on = forms.DateField(label=_("appointed on"), initial=timezone.localdate)
    override_reason = forms.CharField(
        label=_("reason to enrol all the same"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only needed when the teacher may not be enrolled, e.g. barred."),
    )

    def __init__(self, *args, programme_ids, **kwargs):
        from programmes.models import Tier

        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(programme_id__in=programme_ids)


@admin.register(ReservePoolEntry)
class ReservePoolEntryAdmin(BureauScopedAdmin):
    """The reserve pool (SJ-POOL): willing, assessed teachers, appointed from here."""

    list_display = [
        "teacher",
        "programme",
        "willing",
        "pre_service_hours",
        "trainee_year_done",
        "assessed_on",
        "ready",
        "enrolment",
    ]
    list_filter = ["programme", "willing", "trainee_year_done"]
    search_fields = ["teacher__user__full_name", "teacher__staff_number"]
    list_select_related = ["teacher__user", "programme", "enrolment__tier"]
    autocomplete_fields = ["teacher"]
    fields = [
        "bureau",
        "programme",
        "teacher",
        "willing",
        "pre_service_hours",
        "trainee_year_done",
        "assessed_on",
        "note",
        "enrolment",
    ]
    readonly_fields = ["enrolment"]
    actions = ["appoint"]

    @admin.display(description=_("can be appointed"))
    def ready(self, obj):
        from .selectors import pool_entry_shortfalls

        reasons = pool_entry_shortfalls(obj)
        return "✓" if not reasons else "；".join(reasons)

    @admin.action(description=_("Appoint to a tier"), permissions=["change"])
    def appoint(self, request, queryset):
        from .services import pool_appoint

        programme_ids = set(queryset.values_list("programme_id", flat=True))
        form = AppointForm(
            request.POST if "apply" in request.POST else None, programme_ids=programme_ids
        )
        if form.is_valid():
            done = 0
            for entry in queryset:
                try:
                    pool_appoint(actor=request.user, entry=entry, **form.cleaned_data)
                    done += 1
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
            if done:
                self.message_user(
                    request, _("%(n)d teachers appointed.") % {"n": done}, messages.SUCCESS
                )
            return None
        return action_form_response(
            self,
            request,
            form=form,
            action="appoint",
            queryset=queryset,
            title=_("Appoint %(n)d teachers from the reserve pool") % {"n": queryset.count()},
        )


@admin.register(OutputCall)
class OutputCallAdmin(BureauScopedAdmin):
    list_display = ["title", "programme", "deadline", "publication"]
    list_filter = ["programme"]
    search_fields = ["title"]
    fields = ["bureau", "programme", "title", "description", "deadline", "publication"]


class RosterImportForm(forms.ModelForm):
    class Meta:
        model = RosterImport
        fields = ["programme", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The file is stored under a short generated name, and its own name is shortened
        # (keeping its extension) by the service: a long name is no reason to refuse it.
        if "file" in self.fields:
            self.fields["file"].max_length = None

    def clean_file(self):
        from .services import check_roster_upload

        upload = self.cleaned_data["file"]
        check_roster_upload(upload)
        return upload


@admin.register(RosterImport)
class RosterImportAdmin(BureauScopedAdmin):
    """Large rosters: the file is checked and imported in the background, all or nothing."""

    form = RosterImportForm

    list_display = [
        "original_name",
        "programme",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "programme"]
    change_form_template = "admin/cohorts/rosterimport/change_form.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["programme", "file"]
        return [
            "programme",
            "original_name",
            "status",
            "progress",
            "total_rows",
            "created_count",
            "updated_count",
            "problem_list",
            "created_by",
            "created_at",
            "finished_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress"))
    def progress(self, obj):
        from django.core.cache import cache

        try:
            state = cache.get(obj.progress_key) if obj.status == "running" else None
        except Exception:  # the cache (Redis) is down: progress is a nicety, not worth a 500
            state = None
        if state:
            return _("%(done)s of %(total)s rows checked") % state
        return obj.get_status_display()

    @admin.display(description=_("problems"))
    def problem_list(self, obj):
        from django.utils.html import format_html, format_html_join

        if not obj.problems:
            return "—"
        problems = obj.problems if isinstance(obj.problems, list) else [obj.problems]
        items = format_html_join("", "<li>{}</li>", ((p,) for p in problems))
        return format_html('<ul class="import-problems">{}</ul>', items)

    def save_model(self, request, obj, form, change):
        from .services import roster_import_queue

        roster_import_queue(actor=request.user, job=obj)
