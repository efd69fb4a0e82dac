from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bureaus.admin_base import BureauScopedAdmin, TenantInline, is_platform_admin

from .forms import RolesFormMixin, UsernameUniqueAcrossBureausMixin
from .models import TeacherProfile, User
from .roles import Role, roles_of
from .services import administered_school_id, roles_set


class UserRolesCheckMixin(UsernameUniqueAcrossBureausMixin, RolesFormMixin):
    def clean(self):
        cleaned = super().clean()
        school = cleaned.get("administered_school")
        bureau = cleaned.get("bureau", None) if "bureau" in self.fields else None
        bureau_id = (
            bureau.pk if bureau else (self.instance.bureau_id or getattr(self, "bureau_id", None))
        )
        if school is not None and bureau_id is not None and school.bureau_id != bureau_id:
            self.add_error("administered_school", _("The school belongs to another bureau."))
        if cleaned.get("roles") and bureau_id is None:
            raise ValidationError(_("Roles are held in a bureau: choose the user's bureau."))
        return cleaned


class PortalUserChangeForm(UserRolesCheckMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PortalUserCreationForm(UserRolesCheckMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "email")


class TeacherProfileInline(TenantInline, admin.StackedInline):
    model = TeacherProfile
    fk_name = "user"
    can_delete = False
    max_num = 1
    extra = 0
    autocomplete_fields = ["school"]
    fields = [
        "staff_number",
        "gender",
        "school",
        "subject",
        "stage",
        "professional_title",
        "years_teaching",
        "years_class_teacher",
        "class_teacher_stage",
        "career_stage",
        "contact",
    ]


@admin.register(User)
class UserAdmin(BureauScopedAdmin, DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    inlines = [TeacherProfileInline]
    list_display = ["username", "full_name", "email", "roles_display", "is_active", "last_login"]
    list_filter = ["is_active", "groups", "trainer_researcher"]
    search_fields = ["username", "full_name", "email", "teacher_profile__staff_number"]
    ordering = ["username"]
    readonly_fields = ["last_login", "date_joined"]

    def get_fieldsets(self, request, obj=None):
        roles_fields = ["roles", "administered_school"]
        if not self.has_change_permission(request, obj):
            roles_fields = ["roles_display", "administered_school_display"]
        if obj is None:
            fieldsets = [
                (
                    None,
                    {
                        "fields": [
                            "username",
                            "full_name",
                            "email",
                            "usable_password",
                            "password1",
                            "password2",
                        ]
                    },
                ),
            ]
        else:
            fieldsets = [
                (None, {"fields": ["username", "password"]}),
                (
                    _("Personal info"),
                    {"fields": ["full_name", "email", "phone", "trainer_researcher"]},
                ),
                (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
            ]
        fieldsets.append((_("Roles"), {"fields": roles_fields}))
        if is_platform_admin(request):
            fieldsets.insert(1, (_("Bureau"), {"fields": ["bureau", "is_superuser"]}))
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and "roles" in form.base_fields:
            form.base_fields["roles"].initial = sorted(roles_of(obj))
            form.base_fields["administered_school"].initial = administered_school_id(obj)
        return form

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles_display(self, obj):
        names = {g.name for g in obj.groups.all()}
        return "、".join(str(r.label) for r in Role if f"role:{r.value}" in names) or "—"

    @admin.display(description=_("School administered"))
    def administered_school_display(self, obj):
        from bureaus.models import School

        school_id = administered_school_id(obj)
        return School.objects.filter(pk=school_id).first() or "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "roles" in form.cleaned_data:
            roles_set(
                actor=request.user,
                user=form.instance,
                roles=form.cleaned_data["roles"],
                school=form.cleaned_data.get("administered_school"),
            )


@admin.register(TeacherProfile)
class TeacherProfileAdmin(BureauScopedAdmin):
    list_display = [
        "teacher_name",
        "staff_number",
        "school",
        "subject",
        "stage",
        "professional_title",
        "years_teaching",
        "years_class_teacher",
        "class_teacher_stage",
        "career_stage",
    ]
    # Staff mark first-time class teachers (SJ-INIT) and stages for a whole list at once.
    list_editable = ["class_teacher_stage", "career_stage"]
    list_filter = [
        "school",
        "subject",
        "stage",
        "professional_title",
        "class_teacher_stage",
        "career_stage",
        "gender",
    ]
    search_fields = ["user__full_name", "staff_number", "school__name"]
    autocomplete_fields = ["user", "school"]
    list_select_related = ["user", "school"]

    @admin.display(description=_("full name"), ordering="user__full_name")
    def teacher_name(self, obj):
        return obj.user.full_name


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Role groups are the same in every bureau: only platform administrators see them."""

    def has_module_permission(self, request):
        return is_platform_admin(request)

    def has_view_permission(self, request, obj=None):
        return is_platform_admin(request)

    def has_add_permission(self, request):
        return is_platform_admin(request)

    def has_change_permission(self, request, obj=None):
        return is_platform_admin(request)

    def has_delete_permission(self, request, obj=None):
        return is_platform_admin(request)
