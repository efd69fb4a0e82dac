"""Certificates in the admin: kinds on the programme's page and their own (template checked on
save, a live preview), signatories with their seals, certificates to read and revoke, the
bureau's signing keys to read."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from bureaus.admin_base import BureauScopedAdmin, TenantInline, action_form_response

from . import rendering
from .models import Certificate, CertificateKind, Signatory, SigningKey

SEAL_MAX_BYTES = 2 * 1024 * 1024
SEAL_EXTENSIONS = (".png", ".jpg", ".jpeg")


class CertificateKindForm(forms.ModelForm):
    """A kind's template is checked on save (rendered with a demo holder): a template that fails
    is refused here with the error, never at issue time. A new kind left without a template
    gets the default one of its type."""

    class Meta:
        model = CertificateKind
        fields = [
            "programme",
            "type",
            "title",
            "requirement",
            "min_class_teacher_years",
            "number_format",
            "number_series",
            "issue_date",
            "template_html",
            "template_css",
            "active",
        ]
        widgets = {
            "template_html": forms.Textarea(attrs={"rows": 18, "class": "certificate-template"}),
            "template_css": forms.Textarea(attrs={"rows": 10, "class": "certificate-template"}),
        }
        help_texts = {
            "template_html": _(
                "The fields: {{ holder_name }}, {{ programme }}, {{ title }}, {{ number }}, "
                "{{ issued_on }}, {{ start }}, {{ end }}, {{ hours }}, {{ credits }}, "
                "{{ result }}, {{ years }}, {{ school }}, {{ part }}, {{ bureau_name }}, "
                "{{ code }}, {{ qr }} and {% for s in signatories %}. Empty on a new kind: the "
                "default template of its type."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "template_html" in self.fields:
            self.fields["template_html"].required = False

    def _value(self, name: str):
        # The programme page's inline edits a kind without its template: the kind's own is kept.
        if name in self.fields:
            return self.cleaned_data.get(name)
        return getattr(self.instance, name, None)

    def clean(self):
        cleaned = super().clean()
        kind_type = self._value("type")
        html = self._value("template_html") or ""
        css = self._value("template_css") or ""
        where = "template_html" if "template_html" in self.fields else None
        if not html.strip():
            if self.instance.pk is not None or not kind_type:
                self.add_error(where, _("A certificate needs a template."))
                return cleaned
            html, default_css = rendering.default_template(kind_type)
            css = css or default_css
            cleaned["template_html"], cleaned["template_css"] = html, css
            # Kept on the instance too: a form without the template fields does not copy them.
            self.instance.template_html, self.instance.template_css = html, css
        try:
            rendering.check_template(html, css)
        except ValidationError as problem:
            self.add_error(where, problem)
        requirement = self._value("requirement")
        programme = self._value("programme") if "programme" in self.fields else None
        programme_id = programme.pk if programme is not None else self.instance.programme_id
        if requirement is not None and programme_id and requirement.programme_id != programme_id:
            self.add_error("requirement", _("This part belongs to another programme."))
        if kind_type == "training" and not cleaned.get("requirement"):
            self.add_error("requirement", _("A training certificate names the programme part."))
        if kind_type == "honour" and cleaned.get("min_class_teacher_years") is None:
            self.add_error(
                "min_class_teacher_years",
                _("An honour certificate needs the years as class teacher (SJ-HONOUR: 20)."),
            )
        try:
            rendering_number = cleaned.get("number_format") or ""
            rendering_number.format(year=2026, seq=1)
        except (KeyError, IndexError, ValueError):
            self.add_error(
                "number_format",
                _("Use {year} and {seq} only, e.g. 徐教发证〔{year}〕第{seq:04d}号."),
            )
        return cleaned


class SignatoryForm(forms.ModelForm):
    class Meta:
        model = Signatory
        fields = ["order", "name", "title", "seal"]

    def clean_seal(self):
        """A seal is a PNG or JPEG image, checked by its content like every upload."""
        from bureaus.files import FileRejected, check_file

        seal = self.cleaned_data.get("seal")
        if not isinstance(seal, UploadedFile):
            return seal
        if not seal.name.lower().endswith(SEAL_EXTENSIONS):
            raise ValidationError(_("A seal is a PNG or JPEG image."))
        try:
            check_file(seal.name, seal.file, seal.size, max_bytes=SEAL_MAX_BYTES)
        except FileRejected as error:
            raise ValidationError(str(error)) from error
        seal.file.seek(0)
        return seal


class SignatoryInline(TenantInline, admin.TabularInline):
    """Who signs the certificates of this kind, with the seal printed beside them."""

    model = Signatory
    form = SignatoryForm
    extra = 0
    fields = SignatoryForm.Meta.fields


class CertificateKindInline(TenantInline, admin.StackedInline):
    """The certificates the programme issues (XH-FAIL-END, SJ-HONOUR, PT-FILE); template,
    signatories and preview on each kind's own page."""

    model = CertificateKind
    form = CertificateKindForm
    extra = 0
    fields = [
        "type",
        "title",
        "requirement",
        "min_class_teacher_years",
        "number_format",
        "number_series",
        "issue_date",
        "active",
    ]
    show_change_link = True


def plug_certificate_kinds_into_programme_admin() -> None:
    """Add the certificate kinds to the programme's admin page, which the programmes app
    defines without naming this one (again: no change)."""
    from programmes.models import Programme

    model_admin = admin.site._registry.get(Programme)
    if model_admin is None or CertificateKindInline in model_admin.inlines:
        return
    model_admin.inlines = [*model_admin.inlines, CertificateKindInline]


@admin.register(CertificateKind)
class CertificateKindAdmin(BureauScopedAdmin):
    form = CertificateKindForm
    list_display = ["title", "programme", "type", "number_format", "active"]
    list_filter = ["programme", "type", "active"]
    search_fields = ["title", "programme__name"]
    list_select_related = ["programme"]
    fields = CertificateKindForm.Meta.fields
    inlines = [SignatoryInline]
    change_form_template = "admin/certificates/certificatekind/change_form.html"

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("preview/", preview, name="certificates_certificatekind_preview_new"),
            path("<path:object_id>/preview/", preview, name="certificates_certificatekind_preview"),
            *super().get_urls(),
        ]

    @xframe_options_sameorigin
    def preview_view(self, request, object_id=None):
        """The preview PDF of the template being edited (posted by the form's script)."""
        from csp.constants import SELF

        if request.method != "POST":
            return HttpResponse(status=405)
        signatories = ()
        if object_id is not None:
            kind = self.get_object(request, object_id)
            if kind is None or not self.has_change_permission(request, kind):
                raise Http404(_("Not found."))
            signatories = list(kind.signatories.all())
        elif not self.has_add_permission(request):
            raise PermissionDenied
        html = request.POST.get("template_html", "")
        css = request.POST.get("template_css", "")
        if not html.strip():
            html, default_css = rendering.default_template(request.POST.get("type") or "completion")
            css = css or default_css
        try:
            pdf = rendering.render_preview(html, css, signatories=signatories)
        except ValidationError as problem:
            response = HttpResponse(
                " ".join(problem.messages), content_type="text/plain; charset=utf-8", status=400
            )
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = 'inline; filename="preview.pdf"'
        # Shown in a frame of the kind's own admin page (same origin only).
        response._csp_replace = {"frame-ancestors": [SELF]}
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            url = reverse("admin:certificates_certificatekind_preview", args=[obj.pk])
        else:
            url = reverse("admin:certificates_certificatekind_preview_new")
        context["preview_url"] = url
        return super().render_change_form(request, context, add, change, form_url, obj)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for revoking"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept with the certificate and in the audit log; not shown on the public page."
        ),
    )


@admin.register(Certificate)
class CertificateAdmin(BureauScopedAdmin):
    """Certificates are issued by the services and never edited: read here, and revoked with a
    reason (the public page then says revoked)."""

    list_display = [
        "number",
        "holder_name",
        "title",
        "programme_name",
        "issued_on",
        "status",
        "render_state",
    ]
    list_filter = ["kind", "status", "render_state"]
    search_fields = ["number", "holder_name", "code"]
    list_select_related = ["kind"]
    actions = ["revoke"]
    exclude = ["signature"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in ("signature", "bureau")]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The list's revoke action needs the change permission; no certificate is edited.
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Revoke (with a reason)"), permissions=["change"])
    def revoke(self, request, queryset):
        from .services import certificate_revoke

        form = RevokeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done, problems = 0, []
            for certificate in queryset:
                try:
                    certificate_revoke(
                        actor=request.user,
                        certificate=certificate,
                        reason=form.cleaned_data["reason"],
                    )
                    done += 1
                except ValidationError as error:
                    problems.append(f"{certificate}: {' '.join(error.messages)}")
            for problem in problems:
                self.message_user(request, problem, messages.ERROR)
            if done:
                self.message_user(
                    request,
                    _("%(n)d certificates revoked.") % {"n": done},
                    messages.SUCCESS,
                )
            return None
        return action_form_response(
            self,
            request,
            form=form,
            action="revoke",
            queryset=queryset,
            title=_("Revoke %(n)d certificates") % {"n": queryset.count()},
            submit_label=_("Revoke"),
        )


@admin.register(SigningKey)
class SigningKeyAdmin(BureauScopedAdmin):
    """The bureau's signing keys: made by the portal, read here (the private key never shown)."""

    list_display = ["fingerprint", "active", "created_at"]
    fields = ["fingerprint", "active", "created_at"]
    readonly_fields = ["fingerprint", "active", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
