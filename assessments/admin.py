"""The assessments app in the admin: schemes on the programme's page (their components on the
scheme's own page), assessments and decisions to read, drafts to revise and finalise. A
finalised decision is read-only here as everywhere: a correction is a new decision (service)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureaus.admin_base import BureauScopedAdmin, TenantInline

from . import rules, services
from .models import (
    Assessment,
    AssessmentComponent,
    AssessmentDecision,
    AssessmentScheme,
    ComponentAssessment,
    Consequence,
    Ending,
    InitAssessment,
    RectificationPlan,
    Result,
    TeamAssessment,
    UnitAssessment,
    check_weights,
)


class AssessmentSchemeForm(forms.ModelForm):
    results = forms.MultipleChoiceField(
        label=AssessmentScheme._meta.get_field("results").verbose_name,
        choices=Result.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Fail and at least one passing result."),
    )
    consequence_rules = forms.MultipleChoiceField(
        label=AssessmentScheme._meta.get_field("consequence_rules").verbose_name,
        choices=[(r.value, r.value) for r in rules.CONSEQUENCE_RULES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=AssessmentScheme._meta.get_field("consequence_rules").help_text,
    )

    class Meta:
        model = AssessmentScheme
        fields = [
            "kind",
            "title",
            "rule",
            "results",
            "scored",
            "excellent_from",
            "pass_from",
            "basic_pass_from",
            "consequence_rules",
            "description",
        ]


class AssessmentSchemeInline(TenantInline, admin.StackedInline):
    """The programme's assessment schemes: annual (per year of the programme), mid-term and
    end-of-term (XH-ASSESS, PT-EVAL, HA-ASSESS); each scheme's components on its own page."""

    model = AssessmentScheme
    form = AssessmentSchemeForm
    extra = 0
    fields = AssessmentSchemeForm.Meta.fields
    show_change_link = True


def plug_assessment_schemes_into_programme_admin() -> None:
    """Add the assessment schemes to the programme's admin page, which the programmes app
    defines without naming this one (again: no change)."""
    from programmes.models import Programme

    model_admin = admin.site._registry.get(Programme)
    if model_admin is None or AssessmentSchemeInline in model_admin.inlines:
        return
    model_admin.inlines = [*model_admin.inlines, AssessmentSchemeInline]


class ComponentFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        kept = [
            form.instance
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not (self.can_delete and self._should_delete_form(form))
        ]
        check_weights(self.instance, kept)


class AssessmentComponentInline(TenantInline, admin.TabularInline):
    """The parts of the assessment and the level that files each: XH's project and
    comprehensive assessment at district, school and self levels and the group lead's
    assessment (XH-WS-LEAD); PT-EVAL's process and outcome evaluation."""

    model = AssessmentComponent
    formset = ComponentFormSet
    extra = 0
    fields = [
        "order",
        "title",
        "level",
        "weight",
        "required",
        "due_month",
        "due_day",
        "description",
    ]


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(BureauScopedAdmin):
    form = AssessmentSchemeForm
    list_display = ["title", "programme", "kind", "rule", "scored"]
    list_filter = ["programme", "kind"]
    search_fields = ["title", "rule", "programme__name"]
    list_select_related = ["programme"]
    fields = ["programme", *AssessmentSchemeForm.Meta.fields]
    inlines = [AssessmentComponentInline]


class ReadOnlyInline(TenantInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ComponentAssessmentInline(ReadOnlyInline, admin.TabularInline):
    model = ComponentAssessment
    fields = ["component", "level", "result", "score", "text", "filed_by", "filed_at"]
    readonly_fields = fields


class DecisionInline(ReadOnlyInline, admin.TabularInline):
    model = AssessmentDecision
    fk_name = "assessment"
    fields = [
        "result",
        "comment",
        "decided_by",
        "decided_at",
        "finalised_at",
        "corrects",
        "reason",
    ]
    readonly_fields = fields


@admin.register(Assessment)
class AssessmentAdmin(BureauScopedAdmin):
    """Assessments are opened and filed on the portal's pages; here they are read."""

    list_display = ["enrolment", "scheme", "year_key", "created_at"]
    list_filter = ["scheme__programme", "scheme__kind", "year_key"]
    search_fields = ["enrolment__teacher__user__full_name", "enrolment__teacher__staff_number"]
    list_select_related = ["enrolment__teacher__user", "enrolment__tier", "scheme"]
    fields = ["enrolment", "scheme", "year_key", "created_at"]
    readonly_fields = fields
    inlines = [ComponentAssessmentInline, DecisionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DecisionForm(forms.ModelForm):
    class Meta:
        model = AssessmentDecision
        fields = ["result", "comment"]


@admin.register(AssessmentDecision)
class AssessmentDecisionAdmin(BureauScopedAdmin):
    """Decisions: a draft is revised here and finalised with the action; a finalised decision
    is read-only (a correction is a new decision with its reason)."""

    form = DecisionForm
    list_display = ["assessment", "result", "decided_by", "decided_at", "finalised_at", "corrects"]
    list_filter = ["assessment__scheme__programme", "result", "finalised_at"]
    search_fields = ["assessment__enrolment__teacher__user__full_name"]
    list_select_related = [
        "assessment__enrolment__teacher__user",
        "assessment__enrolment__tier",
        "assessment__scheme",
        "decided_by",
        "corrects",
    ]
    actions = ["finalise"]

    def get_fields(self, request, obj=None):
        if obj is not None and obj.is_final:
            return self.get_readonly_fields(request, obj)
        return ["result", "comment", *self.get_readonly_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        shown = ["assessment", "decided_by", "decided_at", "finalised_at", "finalised_by"]
        if obj is not None and obj.is_final:
            shown = [*shown[:1], "result", "comment", *shown[1:], "corrects", "reason"]
        return shown

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_final:
            return False
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and "result" in form.base_fields:
            form.base_fields["result"].choices = obj.assessment.scheme.result_choices()
        return form

    def save_model(self, request, obj, form, change):
        # The draft is revised through the service (its checks and its audit row).
        try:
            services.decision_make(
                actor=request.user,
                assessment=obj.assessment,
                result=form.cleaned_data["result"],
                comment=form.cleaned_data.get("comment", ""),
            )
        except (ValidationError, PermissionDenied) as error:
            raise PermissionDenied(str(error)) from error

    @admin.action(description=_("Finalise the selected decisions"), permissions=["change"])
    def finalise(self, request, queryset):
        done, problems = 0, []
        for decision in queryset.select_related("assessment__scheme"):
            if decision.is_final:
                continue
            try:
                services.decision_finalise(actor=request.user, decision=decision)
            except (ValidationError, PermissionDenied) as error:
                messages_ = getattr(error, "messages", [str(error)])
                problems.append(f"{decision.assessment}: {'; '.join(messages_)}")
            else:
                done += 1
        if done:
            self.message_user(
                request, _("%(n)d decisions finalised.") % {"n": done}, messages.SUCCESS
            )
        for problem in problems:
            self.message_user(request, problem, messages.ERROR)


@admin.register(UnitAssessment)
class UnitAssessmentAdmin(BureauScopedAdmin):
    """HA-ASSESS: the working group's year-end result for each unit (a town's education office
    as its learning district, or a school directly under the bureau)."""

    list_display = ["__str__", "programme", "year_key", "result", "decided_by", "decided_at"]
    list_filter = ["programme", "year_key", "result"]
    list_select_related = ["programme", "school", "learning_district", "decided_by"]
    fields = [
        "programme",
        "school",
        "learning_district",
        "year_key",
        "result",
        "comment",
        "decided_by",
        "decided_at",
    ]
    readonly_fields = ["decided_by", "decided_at"]

    def save_model(self, request, obj, form, change):
        obj.decided_by = request.user
        obj.decided_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(TeamAssessment)
class TeamAssessmentAdmin(BureauScopedAdmin):
    """XH-WS-LEAD: the group leads' assessments of their groups as a whole, filed on the
    portal's pages (assess my group); here they are read."""

    list_display = ["team", "year_key", "result", "filed_by", "filed_at"]
    list_filter = ["team__programme", "year_key", "result"]
    search_fields = ["team__name"]
    list_select_related = ["team", "filed_by"]
    fields = ["team", "year_key", "result", "text", "filed_by", "filed_at"]
    readonly_fields = fields


class ServiceWrittenAdmin(BureauScopedAdmin):
    """Rows a service writes with its own audit row: the admin adds no second one."""

    def _audit(self, request, obj, action, message):
        return None


@admin.register(Consequence)
class ConsequenceAdmin(BureauScopedAdmin):
    """Consequences of final decisions (XH-FAIL-1, XH-FAIL-2, XH-FAIL-END, XH-BONUS), written by
    the service when a decision is finalised or corrected; read-only here."""

    list_display = [
        "enrolment",
        "effect",
        "rule",
        "year_key",
        "target_year",
        "due_on",
        "created_at",
        "withdrawn_at",
    ]
    list_filter = ["effect", "rule", "enrolment__programme", "withdrawn_at"]
    search_fields = ["enrolment__teacher__user__full_name", "enrolment__teacher__staff_number"]
    list_select_related = ["enrolment__teacher__user", "enrolment__tier"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RectificationPlan)
class RectificationPlanAdmin(BureauScopedAdmin):
    """XH-FAIL-1: the plans owed; handed in and reviewed on the portal's pages."""

    list_display = ["enrolment", "due_on", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "enrolment__programme"]
    search_fields = ["enrolment__teacher__user__full_name", "enrolment__teacher__staff_number"]
    list_select_related = ["enrolment__teacher__user", "enrolment__tier"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EndingForm(forms.ModelForm):
    class Meta:
        model = Ending
        fields = ["enrolment", "ground", "effective_on", "document_number", "reason"]

    def clean(self):
        cleaned = super().clean()
        enrolment = cleaned.get("enrolment")
        try:
            rules.termination(
                cleaned.get("ground") or "",
                effective_on=cleaned.get("effective_on"),
                reason=cleaned.get("reason") or "",
                document_number=cleaned.get("document_number") or "",
                today=timezone.localdate(),
                enrolled_on=enrolment.enrolled_on if enrolment is not None else None,
            )
        except rules.InvalidEnding as error:
            for name, message in error.errors.items():
                name = "ground" if name == "kind" else name
                if name not in self.errors:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned


@admin.register(Ending)
class EndingAdmin(ServiceWrittenAdmin):
    """XH-TERMINATE: the leading group's decision ending a participation — terminated for
    ethics or unlawful conduct, withdrawn for a transfer or another reason — effective that day.
    Recorded here; the enrolment's status changes and the teacher is told."""

    form = EndingForm
    list_display = ["enrolment", "kind", "ground", "effective_on", "document_number", "decided_by"]
    list_filter = ["kind", "ground", "enrolment__programme"]
    search_fields = ["enrolment__teacher__user__full_name", "document_number"]
    list_select_related = ["enrolment__teacher__user", "enrolment__tier", "decided_by"]
    autocomplete_fields = ["enrolment"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["enrolment", "kind", "ground", "effective_on", "document_number", "reason"]
        return []

    def get_fields(self, request, obj=None):
        if obj is not None:
            return self.get_readonly_fields(request, obj) + ["decided_by", "created_at"]
        return ["enrolment", "ground", "effective_on", "document_number", "reason"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            row = services.enrolment_end(
                actor=request.user,
                enrolment=form.cleaned_data["enrolment"],
                ground=form.cleaned_data["ground"],
                effective_on=form.cleaned_data["effective_on"],
                reason=form.cleaned_data["reason"],
                document_number=form.cleaned_data["document_number"],
            )
        except rules.InvalidEnding as error:
            raise PermissionDenied(str(error)) from error
        obj.pk = row.pk


class InitAssessmentForm(forms.ModelForm):
    class Meta:
        model = InitAssessment
        fields = ["programme", "teacher", "result", "assessed_on", "comment"]

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise ValidationError(_("Give the day of the assessment, not later than today."))
        return day


@admin.register(InitAssessment)
class InitAssessmentAdmin(ServiceWrittenAdmin):
    """SJ-INIT: the assessment of a trainee class teacher, which the reserve pool reads. A new
    record replaces an earlier one as the one that counts."""

    form = InitAssessmentForm
    list_display = ["teacher", "programme", "result", "assessed_on", "decided_by"]
    list_filter = ["programme", "result"]
    search_fields = ["teacher__user__full_name", "teacher__staff_number"]
    list_select_related = ["teacher__user", "programme", "decided_by"]
    autocomplete_fields = ["teacher"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["programme", "teacher", "result", "assessed_on", "comment", "decided_by"]
        return []

    def save_model(self, request, obj, form, change):
        try:
            row = services.init_assessment_record(
                actor=request.user,
                programme=form.cleaned_data["programme"],
                teacher=form.cleaned_data["teacher"],
                result=form.cleaned_data["result"],
                assessed_on=form.cleaned_data["assessed_on"],
                comment=form.cleaned_data.get("comment", ""),
            )
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from error
        obj.pk = row.pk
