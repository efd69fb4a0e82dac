from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .admin_base import BureauScopedAdmin, is_platform_admin
from .levels import DEFAULT_NAMES, Level
from .models import AuditEntry, Bureau, LearningDistrict, LevelName, OutboxJob, OutboxStatus, School
from .selectors import forget_level_names


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    """Bureaus are created by platform administrators only."""

    list_display = ["name", "code", "short_name", "is_active", "created_at"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ("short_name",)}

    def has_module_permission(self, request):
        return is_platform_admin(request)

    def has_view_permission(self, request, obj=None):
        return is_platform_admin(request)

    def has_add_permission(self, request):
        return is_platform_admin(request)

    def has_change_permission(self, request, obj=None):
        return is_platform_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False


class SchoolInline(admin.TabularInline):
    model = School
    fields = ["name", "stage", "number_of_classes"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("schools in this learning district")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LearningDistrict)
class LearningDistrictAdmin(BureauScopedAdmin):
    list_display = ["name", "lead_school", "school_count"]
    search_fields = ["name"]
    ordering = ["name"]
    autocomplete_fields = ["lead_school"]
    inlines = [SchoolInline]

    @admin.display(description=_("schools"), ordering="school_count")
    def school_count(self, obj):
        return obj.school_count

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("lead_school")
            .annotate(school_count=Count("schools"))
        )


@admin.register(School)
class SchoolAdmin(BureauScopedAdmin):
    list_display = ["name", "code", "stage", "number_of_classes", "learning_district"]
    list_filter = ["stage", "learning_district"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["learning_district"]
    fields = [
        "bureau",
        "name",
        "code",
        "stage",
        "number_of_classes",
        "learning_district",
        "address",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("learning_district", "bureau")


@admin.register(LevelName)
class LevelNameAdmin(BureauScopedAdmin):
    """The bureau's names for the level scale (HA-TIERS): what pages, exports and reason texts
    call each level, and which levels the choice lists leave out. A level without a row keeps its
    default name. Every change is in the audit log."""

    list_display = ["level", "default_name", "name", "hidden"]
    list_display_links = ["level"]
    list_editable = ["name", "hidden"]
    ordering = ["level"]
    fields = ["bureau", "level", "name", "hidden"]

    @admin.display(description=_("default name"))
    def default_name(self, obj):
        return DEFAULT_NAMES[Level(obj.level)]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_level_names(obj.bureau_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_level_names(obj.bureau_id)

    def delete_queryset(self, request, queryset):
        bureau_ids = set(queryset.values_list("bureau_id", flat=True))
        super().delete_queryset(request, queryset)
        for bureau_id in bureau_ids:
            forget_level_names(bureau_id)


@admin.register(AuditEntry)
class AuditEntryAdmin(BureauScopedAdmin):
    """The audit log is read-only for everybody."""

    list_display = ["created_at", "actor", "action_display", "target_repr", "details"]
    list_filter = ["action"]
    search_fields = ["target_repr", "actor__full_name", "actor__username"]
    date_hierarchy = "created_at"

    @admin.display(description=_("action"), ordering="action")
    def action_display(self, obj):
        return obj.action_label

    @admin.display(description=_("details"))
    def details(self, obj):
        return obj.summary

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "bureau")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxJob)
class OutboxJobAdmin(BureauScopedAdmin):
    """Background jobs: what is waiting, what ran, and what failed with its last error.

    Jobs are recorded by the portal itself; staff only read them and run a failed one again.
    """

    list_display = ["created_at", "job_display", "status", "attempts", "finished_at", "error"]
    list_filter = ["status"]
    date_hierarchy = "created_at"
    actions = ["run_again"]
    fields = [
        "job_display",
        "args",
        "status",
        "attempts",
        "max_attempts",
        "created_at",
        "dispatched_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "not_before",
        "last_error",
    ]
    readonly_fields = fields

    @admin.display(description=_("job"), ordering="task")
    def job_display(self, obj):
        from .outbox import job_label

        return job_label(obj.task)

    @admin.display(description=_("last error"))
    def error(self, obj):
        return obj.last_error[:120] if obj.status != OutboxStatus.DONE else ""

    @admin.action(description=_("Run the selected failed jobs again"), permissions=["change"])
    def run_again(self, request, queryset):
        from .outbox import retry_now

        count = retry_now(actor=request.user, jobs=queryset)
        self.message_user(request, _("%(count)s failed jobs will run again.") % {"count": count})

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
