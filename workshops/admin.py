from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureaus.admin_base import BureauScopedAdmin, TenantInline, action_form_response

from .models import (
    ActivityRecord,
    AttendanceRecord,
    Briefing,
    Deadline,
    Group,
    Membership,
    ReportingSchedule,
)
from .services import deadline_extend, schedule_deadlines_sync


class MembershipInline(TenantInline, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["teacher"]
    fields = ["teacher", "role", "task_division"]


class ScheduleInline(TenantInline, admin.TabularInline):
    model = ReportingSchedule
    extra = 0
    fields = ["title", "frequency", "day", "starts", "ends"]


@admin.register(Group)
class GroupAdmin(BureauScopedAdmin):
    """Workshops and every other group form of the seeds, with members and reporting schedules;
    saving a schedule creates its deadlines."""

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
        "project_title",
        "description",
    ]
    inlines = [MembershipInline, ScheduleInline]
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for schedule in ReportingSchedule.objects.filter(group=form.instance):
            schedule_deadlines_sync(schedule)


class ExtendForm(forms.Form):
    to = forms.DateField(label=_("extended to"))
    reason = forms.CharField(
        label=_("reason for the extension"), widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Deadline)
class DeadlineAdmin(BureauScopedAdmin):
    """The deadlines of every group; staff grant an extension to one."""

    list_display = ["group", "schedule_title", "due", "extended_to", "filed_on", "status"]
    list_filter = ["group__programme", "group__kind", "due"]
    search_fields = ["group__name"]
    date_hierarchy = "due"
    actions = ["extend"]
    ordering = ["due", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group", "schedule", "briefing")

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


@admin.register(Briefing)
class BriefingAdmin(BureauScopedAdmin):
    list_display = ["deadline", "filed_on", "filed_by"]
    list_filter = ["deadline__group__programme"]
    search_fields = ["deadline__group__name", "text"]
    list_select_related = ["deadline__group", "filed_by"]
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


@admin.register(ActivityRecord)
class ActivityRecordAdmin(BureauScopedAdmin):
    """Activity records with each member's attendance; a new record lists every member."""

    list_display = ["date", "group", "kind", "topic", "hours", "place"]
    list_filter = ["group__programme", "group__kind", "kind"]
    search_fields = ["topic", "group__name"]
    list_select_related = ["group"]
    fields = ["bureau", "group", "date", "kind", "topic", "hours", "place", "notes"]
    inlines = [AttendanceInline]
    ordering = ["-date", "-id"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        activity = form.instance
        known = set(activity.attendance.values_list("membership_id", flat=True))
        AttendanceRecord.objects.bulk_create(
            [
                AttendanceRecord(bureau_id=activity.bureau_id, activity=activity, membership_id=pk)
                for pk in activity.group.memberships.values_list("pk", flat=True)
                if pk not in known
            ]
        )
