import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TeacherProfile
from bureaus.forms import MultipleFileField, files_help, offer_levels
from programmes.access import programmes_for_user
from programmes.models import EvidenceKind, Requirement

from .models import Enrolment, EnrolmentStatus, Evidence, FileDimension, mentee_name_list


class EvidenceForm(forms.ModelForm):
    requirements = forms.ModelMultipleChoiceField(
        label=_("For requirements"),
        queryset=Requirement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The task requirements this evidence is for."),
    )
    dimensions = forms.MultipleChoiceField(
        label=_("Work-file dimensions"),
        choices=FileDimension.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "For a class teacher's work file (师德、班级建设、学生成长、家校协同、教科研)."
        ),
    )
    files = MultipleFileField(label=_("Files"), required=False)
    remove_files = forms.MultipleChoiceField(
        label=_("Remove files"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Evidence
        fields = [
            "kind",
            "title",
            "level",
            "date",
            "hours",
            "delivery_mode",
            "description",
            "mentees",
            "mentee_names",
            "output_call",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "mentee_names": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_help()
        self.fields["kind"].queryset = EvidenceKind.objects.all()
        # Teachers of the bureau (the scoped manager), the teacher themself left out.
        self.fields["mentees"].queryset = (
            TeacherProfile.objects.exclude(pk=teacher.pk)
            .select_related("user", "school")
            .order_by("school__name", "user__full_name")
        )
        self.fields["mentees"].label_from_instance = lambda t: (
            f"{t.user.full_name}（{t.school.name}）"
        )
        self.fields["mentees"].widget.attrs.update(
            {
                "size": 8,
                "data-search": "mentees",
                "data-search-placeholder": _("Type a name or school to narrow the list"),
            }
        )
        self.fields["mentees"].help_text = _(
            "For mentoring: the teachers of the bureau this item is about (hold Ctrl to pick "
            "several)."
        )
        offer_levels(self.fields["level"], teacher.bureau_id, keep=self.instance.level)
        enrolments = Enrolment.objects.filter(
            teacher=teacher,
            status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.WARNED],
            programme__in=programmes_for_user(teacher.user),
        )
        self.fields["requirements"].queryset = (
            Requirement.objects.filter(
                programme__enrolments__in=enrolments, tiers__enrolments__in=enrolments
            )
            .select_related("programme")
            .distinct()
            .order_by("programme", "order")
        )
        from .models import OutputCall

        self.fields["output_call"].queryset = OutputCall.objects.filter(
            programme__enrolments__in=enrolments, deadline__gte=timezone.localdate()
        ).distinct()
        self.fields["output_call"].help_text = _(
            "To submit this as a research output to an open call (e.g. 《海安教育研究》)."
        )
        self.fields["requirements"].label_from_instance = lambda r: (
            f"{r.programme.name} · {r.code} {r.title}"
        )
        if self.instance.pk:
            self.fields["requirements"].initial = list(
                self.instance.requirements.values_list("pk", flat=True)
            )
            self.fields["dimensions"].initial = self.instance.dimensions
            self.fields["remove_files"].choices = [
                (f.pk, f.original_name) for f in self.instance.files.all()
            ]
        else:
            del self.fields["remove_files"]

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if day < dt.date(2000, 1, 1):
            raise forms.ValidationError(_("Check the date."))
        return day

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind is not None and kind.has_hours and cleaned.get("hours") in (None, ""):
            self.add_error("hours", _("Give the class hours for this kind of evidence."))
        if kind is not None and kind.has_delivery_mode and not cleaned.get("delivery_mode"):
            self.add_error("delivery_mode", _("Say whether it was online or face to face."))
        if (
            kind is not None
            and kind.names_people
            and not cleaned.get("mentees")
            and not mentee_name_list(cleaned.get("mentee_names") or "")
        ):
            self.add_error(
                "mentees",
                _(
                    "Name the teachers you mentored: pick them from the list, or type the names "
                    "of people outside the bureau, one a line."
                ),
            )
        return cleaned

    def evidence_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self._meta.fields if name != "mentees"}
        data["mentee_names"] = "\n".join(mentee_name_list(data.get("mentee_names") or ""))
        data["dimensions"] = list(self.cleaned_data.get("dimensions") or [])
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("return", _("Return"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning: say what to fix."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say why the item is returned, so the teacher can fix it."))
        return cleaned


class ReviewFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("state"), required=False)
    school = forms.ModelChoiceField(label=_("school"), queryset=None, required=False)
    kind = forms.ModelChoiceField(label=_("kind"), queryset=None, required=False)
    level = forms.TypedChoiceField(label=_("level"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        from bureaus.models import School
        from bureaus.tenancy import current_bureau_id

        from .models import EvidenceState

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Waiting for me"))] + list(EvidenceState.choices)
        self.fields["school"].queryset = School.objects.all()
        self.fields["kind"].queryset = EvidenceKind.objects.all()
        offer_levels(self.fields["level"], current_bureau_id(), blank="—")


class MatrixFilterForm(forms.Form):
    tier = forms.ModelChoiceField(label=_("tier"), queryset=None, required=False)
    school = forms.ModelChoiceField(label=_("school"), queryset=None, required=False)

    def __init__(self, *args, programme, **kwargs):
        from bureaus.models import School
        from programmes.models import Tier

        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(programme=programme)
        self.fields["school"].queryset = School.objects.filter(
            enrolments__programme=programme
        ).distinct()
