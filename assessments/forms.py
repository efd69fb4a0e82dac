"""Forms of the assessment spreadsheet pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bureaus.files import max_upload_bytes
from bureaus.models import School
from programmes.access import programmes_for_user
from programmes.models import Tier

from .models import AssessmentKind, AssessmentScheme


class SheetChoiceForm(forms.Form):
    """Which assessments: a programme, the kind of assessment and, for the annual one, the year."""

    programme = forms.ModelChoiceField(label=_("programme"), queryset=None)
    kind = forms.ChoiceField(
        label=_("assessment"), choices=AssessmentKind.choices, initial=AssessmentKind.ANNUAL
    )
    year = forms.ChoiceField(label=_("year"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        programmes = list(programmes_for_user(user).order_by("-start_month", "name"))
        self.fields["programme"].queryset = programmes_for_user(user)
        years: dict[str, str] = {}
        for programme in programmes:
            for window in programme.years:
                years.setdefault(window.key, window.label)
        self.fields["year"].choices = [("", "—"), *sorted(years.items())]

    def clean(self):
        data = super().clean()
        programme, kind = data.get("programme"), data.get("kind")
        if programme is None or not kind:
            return data
        if self.needs_scheme():
            scheme = (
                AssessmentScheme.objects.filter(programme=programme, kind=kind)
                .select_related("programme")
                .first()
            )
            if scheme is None:
                self.add_error("kind", _("The programme has no assessment of this kind."))
                return data
            data["scheme"] = scheme
        keys = [w.key for w in programme.years]
        year = data.get("year") or ""
        if kind == AssessmentKind.ANNUAL:
            if year not in keys:
                self.add_error("year", _("Choose a year of the programme."))
        elif self.needs_scheme():
            data["year"] = ""
        elif year and year not in keys:
            self.add_error("year", _("Choose a year of the programme."))
        return data

    def needs_scheme(self) -> bool:
        return True


class ExportForm(SheetChoiceForm):
    SUBJECTS = (("teachers", _("Teachers' assessments")), ("units", _("Units' assessments")))
    FORMATS = (("xlsx", _("Excel (.xlsx)")), ("csv", "CSV"))

    subject = forms.ChoiceField(label=_("spreadsheet"), choices=SUBJECTS, initial="teachers")
    tier = forms.ModelChoiceField(
        label=_("tier"), queryset=None, required=False, empty_label=_("all")
    )
    school = forms.ModelChoiceField(
        label=_("school"), queryset=None, required=False, empty_label=_("all")
    )
    file_format = forms.ChoiceField(label=_("format"), choices=FORMATS, initial="xlsx")
    field_order = ["subject", "programme", "kind", "year", "tier", "school", "file_format"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(
            programme__in=self.fields["programme"].queryset
        ).select_related("programme")
        self.fields["tier"].label_from_instance = lambda t: f"{t.programme.name} · {t.name}"
        self.fields["school"].queryset = School.objects.order_by("name")

    def needs_scheme(self) -> bool:
        return self.data.get(self.add_prefix("subject"), "teachers") != "units"

    def clean(self):
        data = super().clean()
        tier, programme = data.get("tier"), data.get("programme")
        if tier is not None and programme is not None and tier.programme_id != programme.pk:
            self.add_error("tier", _("This tier belongs to another programme."))
        return data


class ImportForm(SheetChoiceForm):
    file = forms.FileField(
        label=_("filled-in sheet"),
        help_text=_(
            "The exported sheet with the final result (and the comment) filled in, as .xlsx or "
            ".csv; the district's and the leading group's columns are read too."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": max_upload_bytes() // 2**20}
            )
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload the sheet as .xlsx or .csv."))
        return upload
