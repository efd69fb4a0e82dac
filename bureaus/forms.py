"""Form parts every app's upload forms share."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def files_help() -> str:
    """What may be uploaded, with the configured size limit (read when a form is built, so a
    changed setting shows)."""
    mb = int(getattr(settings, "EVIDENCE_MAX_FILE_MB", 20))
    return _(
        "PDF, images (JPG, PNG, GIF), Word (.docx), Excel (.xlsx) or PowerPoint (.pptx); at most "
        "%(mb)s MB each."
    ) % {"mb": mb}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files at once and cleans to a list (empty when none)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def offer_levels(field: forms.ChoiceField, bureau_id: int | None, *, keep=None, blank="---------"):
    """Let a level field offer the bureau's levels by the bureau's names, without the ones it does
    not use; ``keep`` (the value already stored) stays offered, so an edit never loses it."""
    from .selectors import level_names

    choices = level_names(bureau_id).choices(keep=keep)
    field.choices = ([("", blank)] if blank is not None else []) + choices
