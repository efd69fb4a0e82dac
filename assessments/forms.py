"""Forms of the assessments pages this module serves: rectification plans."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bureaus.forms import MultipleFileField, files_help

from .models import PlanStatus


class PlanForm(forms.Form):
    text = forms.CharField(
        label=_("Rectification plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    files = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_help()


class PlanReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Review"),
        choices=[("accept", _("Accept")), ("return", _("Return for redoing"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the plan is returned: what to redo."),
    )


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("All"))] + list(PlanStatus.choices),
    )
