from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .models import Programme


class ProgrammeCopyForm(forms.Form):
    code = forms.SlugField(label=_("code of the new programme"), max_length=40)
    name = forms.CharField(label=_("name of the new programme"), max_length=200)
    start_month = forms.DateField(
        label=_("the new cycle starts"),
        help_text=_("Any day of the first month, e.g. 2026-09-01."),
    )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Programme.objects.filter(code=code).exists():
            raise ValidationError(_("A programme with this code already exists."))
        return code


class RequirementAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        programme = cleaned.get("programme")
        tiers = cleaned.get("tiers")
        if programme is not None and tiers is not None:
            foreign = [t.name for t in tiers if t.programme_id != programme.pk]
            if foreign:
                self.add_error(
                    "tiers",
                    _("These tiers belong to another programme: %(tiers)s")
                    % {"tiers": "、".join(foreign)},
                )
        return cleaned


class CriterionFormSet(BaseInlineFormSet):
    """Criteria of one clause are alternatives: they must agree on the period, the tiers and the
    due date."""

    def clean(self):
        super().clean()
        clauses: dict[int, tuple[tuple, tuple]] = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            tiers = frozenset(t.pk for t in data.get("tiers") or [])
            key = (data.get("period"), tiers)
            due = (data.get("due_date"), data.get("due_month"), data.get("due_day"))
            clause = data.get("clause")
            if clause in clauses and clauses[clause][0] != key:
                form.add_error(
                    "period",
                    _("Criteria of clause %(clause)s must have the same period and tiers.")
                    % {"clause": clause},
                )
            elif clause in clauses and clauses[clause][1] != due:
                form.add_error(
                    "due_month" if data.get("due_month") else "due_date",
                    _("Criteria of clause %(clause)s must have the same due date.")
                    % {"clause": clause},
                )
            clauses.setdefault(clause, (key, due))
            programme_id = self.instance.programme_id
            foreign = [t.name for t in data.get("tiers") or [] if t.programme_id != programme_id]
            if foreign:
                form.add_error(
                    "tiers",
                    _("These tiers belong to another programme: %(tiers)s")
                    % {"tiers": "、".join(foreign)},
                )
