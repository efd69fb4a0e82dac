from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .access import bureau_member_required, schools_for_user
from .dashboard import panels_for
from .forms import PortalPasswordResetForm
from .roles import Role
from .teacher_page import teacher_panels_for


@bureau_member_required
def dashboard(request):
    user = request.user
    context = {"profile": selectors.profile_of(user), "roles": sorted(user.role_names)}
    if user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP):
        context["overview"] = selectors.bureau_overview()
        context["recent_audit"] = selectors.recent_audit()
    if user.has_role(Role.SCHOOL_ADMIN):
        school = schools_for_user(user).first()
        context["school"] = school
        context["school_teachers"] = selectors.teachers_of_school(school) if school else []
    context["notifications"] = selectors.notifications_for(user, limit=5)
    context["panels"] = panels_for(request)
    return render(request, "accounts/dashboard.html", context)


@bureau_member_required
def profile(request):
    profile = selectors.profile_of(request.user)
    return render(
        request,
        "accounts/profile.html",
        {
            "profile": profile,
            "role_labels": role_labels(request.user),
            "panels": teacher_panels_for(request, profile, own=True),
        },
    )


@bureau_member_required
def notification_list(request):
    return render(
        request,
        "accounts/notifications.html",
        {"notifications": selectors.notifications_for(request.user)},
    )


@require_POST
@bureau_member_required
def notifications_read(request):
    count = services.notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("Marked %(count)d notifications as read.") % {"count": count})
    return redirect("notification_list")


def role_labels(user) -> list[str]:
    return [str(role.label) for role in Role if role.value in user.role_names]


def healthz(request):
    """Liveness for the container runtime: the process answers and the database does."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The person following the e-mailed link is not signed in: find them across bureaus."""

    def get_user(self, uidb64):
        from django.utils.http import urlsafe_base64_decode

        from .models import User

        try:
            uid = urlsafe_base64_decode(uidb64).decode()
            return User.objects.all_bureaus().get(pk=uid)
        except (TypeError, ValueError, OverflowError, User.DoesNotExist):
            return None


def admin_object_shortcut(request, content_type_id, object_id):
    """The admin's "view on site" redirect, reading through the scoped default manager.

    Django's own version reads through the unscoped base manager, which would tell another
    bureau's staff that an object exists.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.contenttypes.views import shortcut
    from django.http import Http404

    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist as exc:
        raise Http404 from exc
    if model is None or not request.user.is_staff:
        raise Http404
    try:
        exists = model._default_manager.filter(pk=object_id).exists()
    except (ValueError, TypeError):
        exists = False
    if not exists:
        raise Http404
    return shortcut(request, content_type_id, object_id)
