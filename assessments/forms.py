"""The forms of the assessments pages: the teacher's self-assessment, the group lead's assessment
of a member (XH-WS-LEAD's four aspects) and of the group, the school's assessment of a teacher,
rectification plans and their review, and the choices of the assessment spreadsheets."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bureaus.files import max_upload_bytes
from bureaus.forms import MultipleFileField, files_help
from bureaus.models import School
from programmes.access import programmes_for_user
from programmes.models import Tier

from .models import AssessmentKind, AssessmentScheme, PlanStatus

TEXT_LIMIT = 20000


def _files_field() -> MultipleFileField:
    field = MultipleFileField(label=_("Files"), required=False)
    field.help_text = files_help()
    return field


class _Filing(forms.Form):
    """The parts every filing form shares: the files (kept only once the form is valid)."""

    def __init__(self, *args, scheme: AssessmentScheme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.fields["files"] = _files_field()

    def files_note(self) -> None:
        """After an error the browser forgets the files chosen: say so, next to the field."""
        if self.is_bound and self.files and self.files.getlist("files"):
            self.add_error(
                "files",
                gettext("The files you chose were not kept: choose them again before sending."),
            )

    def filing_data(self) -> dict:
        return {"text": self.cleaned_data.get("text", ""), "files": self.cleaned_data["files"]}


class SelfAssessmentForm(_Filing):
    text = forms.CharField(
        label=_("Self-assessment"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("What you did and achieved this year, against the programme's tasks."),
    )


class _Judged(_Filing):
    """A form with a result on the scheme's scale and, in a scored scheme, a score."""

    result = forms.ChoiceField(label=_("result"))

    def __init__(self, *args, scheme: AssessmentScheme, weight: Decimal | None = None, **kwargs):
        super().__init__(*args, scheme=scheme, **kwargs)
        self.fields["result"].choices = [("", "---------"), *scheme.result_choices()]
        if scheme.scored:
            self.fields["score"] = forms.DecimalField(
                label=_("score"),
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=5,
                decimal_places=2,
                help_text=(
                    _("From 0 to 100; this part weighs %(weight)s%% of the assessment.")
                    % {"weight": f"{weight.normalize():f}"}
                    if weight is not None
                    else _("From 0 to 100.")
                ),
            )
        # The result first, the files last.
        order = ["result", "score", *[n for n in self.fields if n not in ("result", "score")]]
        order.remove("files")
        self.order_fields([*order, "files"])

    def filing_data(self) -> dict:
        return {
            **super().filing_data(),
            "result": self.cleaned_data["result"],
            "score": self.cleaned_data.get("score"),
        }


class SchoolAssessmentForm(_Judged):
    text = forms.CharField(
        label=_("The school's view"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


# XH-WS-LEAD: what the lead looks at in a member; kept in the filing's text under these headings.
ASPECTS = (
    ("participation", _("Participation")),
    ("peer_support", _("Peer support")),
    ("task_completion", _("Task completion")),
    ("outputs", _("Outputs")),
)


def aspects_text(values: dict[str, str]) -> str:
    """The four aspects as one text, each under its heading (【参与情况】…)."""
    return "\n\n".join(
        f"【{label}】\n{values[name].strip()}"
        for name, label in ASPECTS
        if (values.get(name) or "").strip()
    )


def aspects_from_text(text: str) -> dict[str, str]:
    """The aspects back from a text ``aspects_text`` wrote; a text written otherwise goes
    whole into the first aspect, so nothing is lost."""
    headings = {f"【{label}】": name for name, label in ASPECTS}
    found: dict[str, list[str]] = {}
    current = None
    for line in (text or "").splitlines():
        if line.strip() in headings:
            current = headings[line.strip()]
            found.setdefault(current, [])
        elif current is not None:
            found[current].append(line)
        elif line.strip():
            return {ASPECTS[0][0]: text}
    return {name: "\n".join(lines).strip() for name, lines in found.items()}


class LeadAssessmentForm(_Judged):
    participation = forms.CharField(
        label=_("Participation"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Attendance and part taken in the group's activities."),
    )
    peer_support = forms.CharField(
        label=_("Peer support"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    task_completion = forms.CharField(
        label=_("Task completion"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member's share of the group's work and how it was done."),
    )
    outputs = forms.CharField(
        label=_("Outputs"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def filing_data(self) -> dict:
        data = super().filing_data()
        data["text"] = aspects_text(self.cleaned_data)
        return data


class TeamAssessmentForm(_Judged):
    """The group as a whole: a result and what the group did; no score (the group's assessment
    is not a weighted part of a member's)."""

    text = forms.CharField(
        label=_("The group's work this year"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Activities, research, outputs and how the members worked together."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("score", None)


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


# --- The assessment spreadsheet pages ------------------------------------------------------------


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
