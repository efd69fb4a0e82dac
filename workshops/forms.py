"""Forms of the group pages: what a lead fills in (members, activities, documents, courses,
briefings), what staff fill in (extensions), and the filters of the group list. They only read and
check input; the services in ``services.py`` do the writing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureaus.forms import MultipleFileField, files_help, offer_levels
from programmes.access import programmes_for_user
from programmes.models import Programme

from . import rules
from .models import (
    MEMBER_DOCUMENT_KINDS,
    ActivityRecord,
    DocumentKind,
    Membership,
    TeamKind,
    UnitFilingKind,
    WorkshopCourse,
)

MIN_HOURS = Decimal("0.1")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_in_future(day: dt.date) -> dt.date:
    if day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    if day < dt.date(2000, 1, 1):
        raise forms.ValidationError(_("Check the date."))
    return day


def _positive_hours(field) -> None:
    """Class hours are kept to one decimal: at least 0.1 (Django's own message, translated)."""
    field.min_value = MIN_HOURS
    field.validators.append(MinValueValidator(MIN_HOURS))
    field.widget.attrs["min"] = str(MIN_HOURS)


class TeamFilterForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("programme"), queryset=Programme.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("kind"), required=False)
    q = forms.CharField(label=_("name"), required=False, max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes_for_user(user).order_by(
            "-start_month", "name"
        )
        self.fields["kind"].choices = [("", "—")] + list(TeamKind.choices)


class MemberAddForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["teacher", "role", "task_division"]
        widgets = {"task_division": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, teachers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers
        self.fields["teacher"].label_from_instance = lambda t: (
            f"{t.user.full_name}（{t.school.name}）"
        )
        self.fields["teacher"].help_text = _("The programme's participants who are not members.")
        self.fields["task_division"].help_text = _("This member's share of the group's work.")


class MemberEditForm(forms.Form):
    task_division = forms.CharField(
        label=_("task division"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# Suggested activity kinds by group form: the kinds the seeds name for it. Free text all the same.
ACTIVITY_KINDS = {
    TeamKind.READING_GROUP: ["读书交流"],
    TeamKind.CADRE_TEAM: ["校长沙龙", "团队建设会议"],
    TeamKind.MENTORING_PAIR: ["管理研讨", "跟岗观摩", "荐书荐文"],
}
COMMON_ACTIVITY_KINDS = ["集体备课", "课堂观摩", "专题研讨", "专题讲座", "教学展示", "读书交流"]


def activity_kinds(team, obligation_kinds=()) -> list[str]:
    """The kinds offered for a group's activity: its form's, then those its obligations count."""
    if team.kind == TeamKind.SUBJECT_GROUP:
        found = sorted(rules.HA_ACT_KINDS)
    else:
        found = list(ACTIVITY_KINDS.get(team.kind, COMMON_ACTIVITY_KINDS))
    for kind in obligation_kinds:
        if kind not in found:
            found.append(kind)
    return found


class ActivityForm(forms.ModelForm):
    present = forms.TypedMultipleChoiceField(
        label=_("attendance"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick the members who were absent."),
    )
    files = MultipleFileField(label=_("Materials and photos"), required=False)

    class Meta:
        model = ActivityRecord
        fields = ["date", "kind", "topic", "hours", "place", "module", "session_format", "notes"]
        widgets = {
            "date": DATE_WIDGET,
            "kind": forms.TextInput(attrs={"list": "activity-kinds", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, team, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [
            (m.pk, f"{m.teacher.user.full_name}（{m.get_role_display()}）") for m in members
        ]
        if not self.is_bound:
            self.fields["present"].initial = [m.pk for m in members]
        self.fields["files"].help_text = files_help()
        _positive_hours(self.fields["hours"])
        if team.kind != TeamKind.TRAINING_GROUP:
            del self.fields["module"]
            del self.fields["session_format"]

    def clean_date(self):
        return _not_in_future(self.cleaned_data["date"])

    def activity_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}


def document_kind_choices(*, manage: bool) -> list[tuple[str, str]]:
    """A lead files any kind; a member only their own kinds (plans, notes, portfolio …)."""
    return [(k, label) for k, label in DocumentKind.choices if manage or k in MEMBER_DOCUMENT_KINDS]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"))
    title = forms.CharField(label=_("title"), max_length=200)
    file = forms.FileField(label=_("File"))
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, manage: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = document_kind_choices(manage=manage)
        self.fields["file"].help_text = files_help()


class DocumentReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Review"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class CourseForm(forms.ModelForm):
    class Meta:
        model = WorkshopCourse
        fields = ["title", "hours", "delivery_mode", "level", "completed_on"]
        widgets = {"completed_on": DATE_WIDGET}

    def __init__(self, *args, bureau_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        _positive_hours(self.fields["hours"])
        offer_levels(self.fields["level"], bureau_id, keep=self.instance.level)

    def clean_completed_on(self):
        return _not_in_future(self.cleaned_data["completed_on"])

    def course_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class BriefingForm(forms.Form):
    text = forms.CharField(label=_("Briefing"), widget=forms.Textarea(attrs={"rows": 8}))
    files = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_help()


class ExtensionForm(forms.Form):
    to = forms.DateField(label=_("Extend to"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=_("reason for the extension"), widget=forms.Textarea(attrs={"rows": 2})
    )


class UnitFilingForm(forms.Form):
    """A record a school (or the learning district it leads) files for its duties."""

    kind = forms.ChoiceField(label=_("What is filed"))
    title = forms.CharField(label=_("title"), max_length=200)
    date = forms.DateField(label=_("date"), widget=DATE_WIDGET)
    hours = forms.DecimalField(
        label=_("class hours"),
        required=False,
        max_digits=5,
        decimal_places=1,
        help_text=_("Needed where the duty counts class hours."),
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(UnitFilingKind.choices)
        self.fields["kind"].choices = [(k, labels[k]) for k in kinds]
        self.fields["files"].help_text = files_help()
        _positive_hours(self.fields["hours"])
