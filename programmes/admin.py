from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bureaus.admin_base import (
    BureauLevelsMixin,
    BureauScopedAdmin,
    TenantInline,
    action_form_response,
)

from .forms import (
    CalendarPeriodFormSet,
    CriterionFormSet,
    ProgrammeCopyForm,
    RequirementAdminForm,
)
from .models import (
    CalendarPeriod,
    Criterion,
    EvidenceKind,
    Milestone,
    Phase,
    Programme,
    Requirement,
    Tier,
)
from .services import programme_copy


class PhaseInline(TenantInline, admin.TabularInline):
    model = Phase
    extra = 0
    fields = ["name", "starts", "ends", "description"]


class CalendarPeriodInline(TenantInline, admin.TabularInline):
    model = CalendarPeriod
    formset = CalendarPeriodFormSet
    extra = 0
    fields = ["kind", "name", "starts", "ends"]


class MilestoneInline(TenantInline, admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["repeat", "due", "month", "title", "owner", "scope", "duration"]


class TierInline(TenantInline, admin.TabularInline):
    model = Tier
    extra = 0
    fields = ["order", "code", "name", "lead_rank", "description"]


class RequirementLinkInline(admin.TabularInline):
    """The programme's requirements, listed with links; they are edited on their own page."""

    model = Requirement
    extra = 0
    fields = ["order", "code", "title"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    verbose_name_plural = _("requirements (edit each on its own page)")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(BureauScopedAdmin):
    list_display = ["name", "code", "cycle_label", "status", "document_number", "requirement_count"]
    list_filter = ["status"]
    search_fields = ["name", "code", "document_number"]
    ordering = ["-start_month", "name"]
    fields = [
        "bureau",
        "code",
        "name",
        "status",
        "document_number",
        "document_date",
        "start_month",
        "end_month",
        "year_basis",
        "years_display",
        "description",
        "assumptions",
    ]
    readonly_fields = ["years_display"]
    inlines = [
        PhaseInline,
        CalendarPeriodInline,
        MilestoneInline,
        TierInline,
        RequirementLinkInline,
    ]
    actions = ["copy_to_new_cycle"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(requirement_count=Count("requirements"))

    @admin.display(description=_("cycle"), ordering="start_month")
    def cycle_label(self, obj):
        return obj.cycle_label

    @admin.display(description=_("requirements"), ordering="requirement_count")
    def requirement_count(self, obj):
        return obj.requirement_count

    @admin.display(description=_("years and semesters"))
    def years_display(self, obj):
        if not obj.pk:
            return "—"
        years = "、".join(f"{w.label}（{w.start:%Y.%m.%d}–{w.end:%Y.%m.%d}）" for w in obj.years)
        semesters = "、".join(
            f"{w.label}（{w.start:%Y.%m.%d}–{w.end:%Y.%m.%d}）" for w in obj.semesters
        )
        return format_html("{}<br>{}", years or "—", semesters or "—")

    @admin.action(description=_("Copy to a new cycle"), permissions=["add"])
    def copy_to_new_cycle(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one programme to copy."), messages.WARNING)
            return None
        programme = queryset.get()
        form = ProgrammeCopyForm(
            request.POST if "apply" in request.POST else None,
            initial={
                "name": programme.name,
                "code": f"{programme.code}-copy",
            },
        )
        if form.is_valid():
            try:
                copy = programme_copy(actor=request.user, programme=programme, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Copied to %(name)s (a draft): check its calendar and requirements.")
                    % {"name": copy.name},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:programmes_programme_change", args=[copy.pk]))
        return action_form_response(
            self,
            request,
            form=form,
            action="copy_to_new_cycle",
            queryset=queryset,
            title=_("Copy %(name)s to a new cycle") % {"name": programme.name},
            intro=_(
                "The copy gets %(name)s's phases, milestones, tiers and requirements, with every "
                "date moved to the new cycle (%(cycle)s now). It starts as a draft."
            )
            % {"name": programme.name, "cycle": programme.cycle_label},
            items=[],
            submit_label=_("Copy"),
        )


class CriterionInline(BureauLevelsMixin, TenantInline, admin.TabularInline):
    level_fields = ("min_level",)
    model = Criterion
    formset = CriterionFormSet
    extra = 0
    fields = [
        "clause",
        "period",
        "tiers",
        "kinds",
        "min_level",
        "min_count",
        "min_hours",
        "min_total_hours",
        "delivery_mode",
        "phase",
        "condition",
        "condition_value",
        "counts",
        "due_date",
        "due_month",
        "due_day",
    ]

    def get_formset(self, request, obj=None, **kwargs):
        self._requirement = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        requirement = getattr(self, "_requirement", None)
        if db_field.name == "tiers" and requirement is not None:
            kwargs["queryset"] = Tier.objects.filter(programme_id=requirement.programme_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        requirement = getattr(self, "_requirement", None)
        if db_field.name == "phase":
            kwargs["queryset"] = (
                Phase.objects.filter(programme_id=requirement.programme_id)
                if requirement is not None
                else Phase.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Requirement)
class RequirementAdmin(BureauScopedAdmin):
    form = RequirementAdminForm
    list_display = ["code", "title", "programme", "tier_names", "criterion_count"]
    list_filter = ["programme"]
    search_fields = ["code", "title"]
    ordering = ["programme", "order", "id"]
    fields = [
        "bureau",
        "programme",
        "order",
        "code",
        "title",
        "tiers",
        "description",
        "assumption",
    ]
    filter_horizontal = ["tiers"]
    inlines = [CriterionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("programme")
            .prefetch_related("tiers")
            .annotate(criterion_count=Count("criteria"))
        )

    @admin.display(description=_("tiers"))
    def tier_names(self, obj):
        return "、".join(t.name for t in obj.tiers.all())

    @admin.display(description=_("criteria"), ordering="criterion_count")
    def criterion_count(self, obj):
        return obj.criterion_count

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "tiers":
            kwargs["queryset"] = Tier.objects.select_related("programme")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(EvidenceKind)
class EvidenceKindAdmin(BureauScopedAdmin):
    list_display = [
        "name",
        "code",
        "has_hours",
        "has_delivery_mode",
        "names_people",
        "counts_led_groups",
        "order",
    ]
    list_editable = ["order"]
    search_fields = ["name", "code"]
