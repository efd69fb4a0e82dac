"""Who may reach which page about people."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def bureau_member_required(view: Callable) -> Callable:
    """Signed in and belonging to a bureau (platform superusers go to the admin)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.bureau_id is None:
            if request.user.is_superuser:
                return redirect("admin:index")  # platform administrators work in the admin
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: str) -> Callable[[Callable], Callable]:
    """Signed in to a bureau and holding one of ``roles``; 403 otherwise."""

    def decorator(view: Callable) -> Callable:
        @bureau_member_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
