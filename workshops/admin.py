import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bureaus.admin_base import (
    BureauLevelsMixin,
    BureauScopedAdmin,
    TenantInline,
    action_form_response,
)
from programmes.models import Phase

from .models import (
    ActivityFile,
    ActivityRecord,
    AttendanceRecord,
    Briefing,
    BriefingFile,
    Deadline,
    GroupRules,
    Membership,
    Obligation,
    ReportingSchedule,
    Team,
    TeamDocument,
    UnitDuty,
    UnitFilingKind,
    WorkshopCourse,
)
from .services import (
    activity_attendance_complete,
    deadline_extend,
    schedule_deadlines_sync,
    team_lead_check,
    team_permissions_sync,
    team_presets_apply,
)


def _download(url: str, name: str):
    # Files are served by the portal's views, which check who may read them; never a media URL.
    return format_html('<a href="{}">{}</a>', url, name)


class ReadOnlyInline(TenantInline):
    """Rows written on the site (files, documents): listed on the parent's page, never edited."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MembershipInline(TenantInline, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["teacher"]
    fields = ["teacher", "role", "task_division"]


class ScheduleInline(TenantInline, admin.TabularInline):
    model = ReportingSchedule
    extra = 0
    fields = ["title", "frequency", "day", "starts", "ends"]


class KindsField(forms.CharField):
    """An obligation's kinds as one line (学科培训、课堂观摩 or research_plan, summary), stored as
    a list."""

    widget = forms.TextInput(attrs={"size": 30})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "、".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        return list(dict.fromkeys(part for part in re.split(r"[,，、;；\s]+", text) if part))


class ObligationForm(forms.ModelForm):
    kinds = KindsField(
        label=Obligation._meta.get_field("kinds").verbose_name,
        help_text=Obligation._meta.get_field("kinds").help_text,
        required=False,
    )

    class Meta:
        model = Obligation
        fields = ["order", "rule", "title", "counts", "kinds", "min_count", "period", "phase"]

    def get_formset(self, request, obj=None, **kwargs):
        self._team = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "phase":
            team = getattr(self, "_team", None)
            kwargs["queryset"] = (
                Phase.objects.filter(programme_id=team.programme_id)
                if team is not None
                else Phase.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ObligationInline(TenantInline, admin.TabularInline):
    """What the group owes each period (HA-ACT, XC-TEAM, XC-MENTOR …); a new group gets those
    of its form, which staff may then change."""

    model = Obligation
    form = ObligationForm
    extra = 0
    fields = ["order", "rule", "title", "counts", "kinds", "min_count", "period"]


class CourseInline(BureauLevelsMixin, TenantInline, admin.TabularInline):
    """XH-WS-OUTPUT: the courses a workshop turned its results into."""

    model = WorkshopCourse
    extra = 0
    fields = ["title", "hours", "delivery_mode", "level", "completed_on"]


class DocumentInline(ReadOnlyInline, admin.TabularInline):
    model = TeamDocument
    fields = ["kind", "title", "author", "submitted_on", "reviewed_on", "download"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description=_("file"))
    def download(self, obj):
        return _download(reverse("workshops:document_file", args=[obj.pk]), obj.original_name)


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["programme", "kind", "workshop_type", "lead"]  # the admin adds the rest

    def clean(self):
        """XH-WS-TYPES: who may lead a workshop of the chosen type."""
        cleaned = super().clean()
        team_lead_check(
            programme=cleaned.get("programme"),
            kind=cleaned.get("kind", ""),
            workshop_type=cleaned.get("workshop_type", ""),
            lead=cleaned.get("lead"),
        )
        return cleaned


@admin.register(Team)
class TeamAdmin(BureauScopedAdmin):
    """Workshops and every other group form of the seeds, with members and reporting schedules;
    saving a schedule creates its deadlines."""

    form = TeamForm
    list_display = ["name", "kind", "workshop_type", "programme", "lead", "member_count"]
    list_filter = ["programme", "kind", "workshop_type"]
    search_fields = ["name", "project_title", "lead__full_name"]
    autocomplete_fields = ["lead", "assistant", "school", "learning_district"]
    fields = [
        "bureau",
        "programme",
        "kind",
        "name",
        "workshop_type",
        "lead",
        "assistant",
        "school",
        "learning_district",
        "stage",
        "subject",
        "project_title",
        "description",
    ]
    inlines = [MembershipInline, ObligationInline, ScheduleInline, CourseInline, DocumentInline]
    actions = ["apply_presets"]
    ordering = ["programme", "kind", "name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("programme", "lead")
            .annotate(member_count=Count("memberships"))
        )

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if isinstance(obj, WorkshopCourse) and obj.recorded_by_id is None:
                obj.recorded_by = request.user
            obj.save()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        """XH-WS-LEAD: the lead (and assistant) manage only their own group, so the object
        permission follows them; a new group gets what its form owes; schedules get their
        deadlines."""
        super().save_related(request, form, formsets, change)
        team = form.instance
        team_permissions_sync(team=team)
        if not change:
            team_presets_apply(actor=request.user, team=team)
        for schedule in ReportingSchedule.objects.filter(team=team):
            schedule_deadlines_sync(schedule)

    @admin.action(description=_("Add the obligations of its form"), permissions=["change"])
    def apply_presets(self, request, queryset):
        teams = list(queryset.select_related("programme"))
        added = sum(team_presets_apply(actor=request.user, team=team) for team in teams)
        self.message_user(
            request,
            ngettext("%(count)d obligation added.", "%(count)d obligations added.", added)
            % {"count": added},
            messages.SUCCESS if added else messages.INFO,
        )


class ExtendForm(forms.Form):
    to = forms.DateField(label=_("extended to"))
    reason = forms.CharField(
        label=_("reason for the extension"), widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Deadline)
class DeadlineAdmin(BureauScopedAdmin):
    """The deadlines of every group; staff grant an extension to one."""

    list_display = ["team", "schedule_title", "due", "extended_to", "filed_on", "status"]
    list_filter = ["team__programme", "team__kind", "due"]
    search_fields = ["team__name"]
    date_hierarchy = "due"
    actions = ["extend"]
    ordering = ["due", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("team", "schedule", "briefing")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("title"))
    def schedule_title(self, obj):
        return obj.schedule.title

    @admin.display(description=_("filed on"))
    def filed_on(self, obj):
        briefing = getattr(obj, "briefing", None)
        return briefing.filed_on if briefing else "—"

    @admin.display(description=_("status"))
    def status(self, obj):
        from .rules import briefing_status

        briefing = getattr(obj, "briefing", None)
        return {
            "on_time": _("On time"),
            "late": _("Late"),
            "missing": _("Missing"),
            "open": _("Open"),
        }[
            briefing_status(
                obj.due,
                briefing.filed_on if briefing else None,
                timezone.localdate(),
                obj.extended_to,
            )
        ]

    @admin.action(description=_("Grant an extension"), permissions=["change"])
    def extend(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one deadline to extend."), messages.WARNING)
            return None
        deadline = queryset.get()
        form = ExtendForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                deadline_extend(actor=request.user, deadline=deadline, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Extended to %(date)s.") % {"date": form.cleaned_data["to"]},
                    messages.SUCCESS,
                )
                return None
        return action_form_response(
            self,
            request,
            form=form,
            action="extend",
            queryset=queryset,
            title=_("Extend %(deadline)s") % {"deadline": deadline},
        )


class BriefingFileInline(ReadOnlyInline, admin.TabularInline):
    model = BriefingFile
    fields = ["download", "size", "uploaded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("briefing")

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("workshops:briefing_file", args=[obj.briefing.deadline_id, obj.pk])
        return _download(url, obj.original_name)


@admin.register(Briefing)
class BriefingAdmin(BureauScopedAdmin):
    list_display = ["deadline", "filed_on", "filed_by"]
    list_filter = ["deadline__team__programme"]
    search_fields = ["deadline__team__name", "text"]
    list_select_related = ["deadline__team", "filed_by"]
    inlines = [BriefingFileInline]
    ordering = ["-filed_on", "-id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttendanceInline(TenantInline, admin.TabularInline):
    model = AttendanceRecord
    extra = 0
    fields = ["membership", "present"]
    readonly_fields = ["membership"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ActivityFileInline(ReadOnlyInline, admin.TabularInline):
    """Materials and photos, uploaded with the record on the site."""

    model = ActivityFile
    fields = ["download", "size", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("workshops:activity_file", args=[obj.activity_id, obj.pk])
        return _download(url, obj.original_name)


@admin.register(ActivityRecord)
class ActivityRecordAdmin(BureauScopedAdmin):
    """Activity records with each member's attendance; a new record lists every member.
    School-based sessions carry their module and format (PT-MODULES, PT-CREDIT)."""

    list_display = ["date", "team", "kind", "topic", "hours", "session_format", "place"]
    list_filter = ["team__programme", "team__kind", "kind", "module", "session_format"]
    search_fields = ["topic", "team__name"]
    list_select_related = ["team"]
    fields = [
        "bureau",
        "team",
        "date",
        "kind",
        "topic",
        "hours",
        "module",
        "session_format",
        "place",
        "notes",
    ]
    inlines = [AttendanceInline, ActivityFileInline]
    ordering = ["-date", "-id"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        activity_attendance_complete(actor=request.user, activity=form.instance)


@admin.register(TeamDocument)
class TeamDocumentAdmin(BureauScopedAdmin):
    """Plans, reports, summaries and portfolios the groups filed on the site; read here, reviewed
    there by the group's lead."""

    list_display = ["title", "team", "kind", "author", "submitted_on", "reviewed_on"]
    list_filter = ["team__programme", "kind"]
    search_fields = ["title", "team__name"]
    list_select_related = ["team", "author"]
    date_hierarchy = "submitted_on"
    fields = [
        "team",
        "kind",
        "title",
        "author",
        "submitted_on",
        "notes",
        "download",
        "reviewed_by",
        "reviewed_on",
        "review_comment",
    ]
    readonly_fields = ["download"]
    ordering = ["-submitted_on", "-id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, obj):
        return _download(reverse("workshops:document_file", args=[obj.pk]), obj.original_name)


# --- Duties of units, on the programme's page -----------------------------------------------


class UnitDutyForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=UnitDuty._meta.get_field("kinds").verbose_name,
        choices=UnitFilingKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of record that count; none ticked: any."),
    )

    class Meta:
        model = UnitDuty
        fields = [
            "order",
            "rule",
            "title",
            "owed_by",
            "min_classes",
            "kinds",
            "period",
            "phase",
            "min_count",
            "min_hours",
            "description",
        ]


class UnitDutyInline(TenantInline, admin.StackedInline):
    """What units owe in the programme: every school a school-based session a month and, with
    15 classes or more, a studio of 8 (SJ-SCHOOL); each learning district, through its lead
    school, a plan, a salon a month, a micro-project a school year, a summary, the team-building
    meeting and a portfolio each semester (XC-TEAM); every school its training plan and 40 class
    hours a school year (PT-HOURS); every unit the year-end assessment (HA-ASSESS)."""

    model = UnitDuty
    form = UnitDutyForm
    extra = 0
    fields = UnitDutyForm.Meta.fields


def plug_unit_duties_into_programme_admin() -> None:
    """Add the duties of units to the programme's admin page, which the programmes app defines
    without naming this one (again: no change)."""
    from programmes.models import Programme

    model_admin = admin.site._registry.get(Programme)
    if model_admin is None or UnitDutyInline in model_admin.inlines:
        return
    model_admin.inlines = [*model_admin.inlines, UnitDutyInline]


# --- Rules of the programme's groups, on the programme's page ---------------------------------


class GroupRulesInline(TenantInline, admin.StackedInline):
    """The rules a programme keeps for its groups that not every programme has: attendance
    against a threshold (XC-ATTEND: a member absent from more than a quarter of the activity
    hours earns no credit) and the class hours of school-based training a participant owes each
    year (PT-HOURS: 40). Without a row, the programme keeps neither."""

    model = GroupRules
    extra = 0
    max_num = 1
    can_delete = True
    fields = ["keeps_attendance", "max_absent_share", "training_hours_a_year"]


def plug_group_rules_into_programme_admin() -> None:
    """Add the rules of the programme's groups to the programme's admin page (again: no
    change)."""
    from programmes.models import Programme

    model_admin = admin.site._registry.get(Programme)
    if model_admin is None or GroupRulesInline in model_admin.inlines:
        return
    model_admin.inlines = [*model_admin.inlines, GroupRulesInline]
