from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import CalendarPeriodKind, Programme, YearBasis


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


class CalendarPeriodFormSet(BaseInlineFormSet):
    """A programme's dated years, semesters and holidays: inside the cycle, and periods of one
    kind do not overlap; a programme whose year is "dated years listed" lists at least one."""

    def clean(self):
        super().clean()
        programme = self.instance
        listed: dict[str, list[tuple]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            kind, starts, ends = data.get("kind"), data.get("starts"), data.get("ends")
            if not (kind and starts and ends):
                continue
            if ends < starts:
                form.add_error("ends", _("A period cannot end before it starts."))
                continue
            first, last = programme.start_month, programme.end_month
            if (
                first
                and last
                and (ends < rules.month_start(first) or starts > rules.month_end(last))
            ):
                form.add_error("starts", _("This period lies outside the programme's cycle."))
            for other_start, other_end, name in listed.get(kind, []):
                if starts <= other_end and other_start <= ends:
                    form.add_error("starts", _("It overlaps %(name)s.") % {"name": name})
            listed.setdefault(kind, []).append((starts, ends, data.get("name") or ""))
        if programme.year_basis == YearBasis.LISTED and not listed.get(CalendarPeriodKind.YEAR):
            raise ValidationError(
                _('The programme\'s year is "dated years listed": list at least one year.')
            )


class CriterionFormSet(BaseInlineFormSet):
    """Criteria of one clause are alternatives: they must agree on the period, the tiers, the
    phase, the participants they apply to and the due date."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "counts" in form.fields:  # left out, a criterion counts items (the model's default)
            form.fields["counts"].required = False

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
            phase = data.get("phase")
            key = (
                data.get("period"),
                tiers,
                phase.pk if phase else None,
                data.get("condition") or "",
                data.get("condition_value") or "",
            )
            due = (data.get("due_date"), data.get("due_month"), data.get("due_day"))
            clause = data.get("clause")
            if clause in clauses and clauses[clause][0] != key:
                form.add_error(
                    "period",
                    _(
                        "Criteria of clause %(clause)s must have the same period, tiers, phase "
                        "and participants."
                    )
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
