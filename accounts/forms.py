from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bureaus.models import School

from .models import User
from .roles import SCHOOL_ROLES, Role


class PortalPasswordResetForm(auth_forms.PasswordResetForm):
    """Password reset by e-mail address, looked up across bureaus (nobody is signed in yet).

    A teacher created by a roster import has no password yet; this is how they set their first
    one, so an unusable password does not stop the e-mail (Django's form would skip them). Such a
    person must belong to an active bureau: a platform account without a password stays closed.
    """

    def get_users(self, email):
        candidates = (
            User.objects.all_bureaus()
            .filter(email__iexact=email, is_active=True)
            .select_related("bureau")
        )
        for user in candidates:
            if user.bureau_id is None:
                if user.has_usable_password():
                    yield user
            elif user.bureau.is_active:
                yield user


class UsernameUniqueAcrossBureausMixin:
    """A username is unique in the whole portal, not only in the bureau."""

    def clean_username(self):
        username = self.cleaned_data.get("username")
        if username:
            clash = User.objects.all_bureaus().filter(username__iexact=username)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise ValidationError(_("A user with that username already exists."))
        return username


class RolesFormMixin(forms.Form):
    """The roles part of the user form in the admin; saved through ``accounts.services``."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    administered_school = forms.ModelChoiceField(
        label=_("School administered"),
        queryset=School.objects.all(),
        required=False,
        help_text=_("Required for a school training administrator (师训专管员)."),
    )

    def clean(self):
        cleaned = super().clean()
        roles = set(cleaned.get("roles") or [])
        school = cleaned.get("administered_school")
        if roles & set(SCHOOL_ROLES) and school is None:
            self.add_error(
                "administered_school",
                _("Choose the school this administrator is responsible for."),
            )
        if school is not None and not roles & set(SCHOOL_ROLES):
            self.add_error(
                "administered_school",
                _("Only a school training administrator is responsible for a school."),
            )
        return cleaned
