from django.utils.functional import SimpleLazyObject

from . import tenancy
from .models import Bureau
from .selectors import level_names_memo


def scope_for_user(user) -> int | object | None:
    """The bureau scope a signed-in user works in.

    The bureau comes from the user's account only; the host name does not select it, and nothing
    the user can change (a cookie, a parameter) does either. A platform superuser, who belongs to
    no bureau, works across all of them; anyone else without a bureau sees nothing.
    """
    if not user.is_authenticated:
        return None
    if user.bureau_id:
        return user.bureau_id
    if user.is_superuser:
        return tenancy.ALL_BUREAUS
    return None


class BureauScopeMiddleware:
    """Resolve the bureau once per request and hold it in scope until the response is made."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scope = scope_for_user(request.user)
        request.bureau_id = scope if isinstance(scope, int) else None
        request.bureau = SimpleLazyObject(lambda: _bureau(request.bureau_id))
        token = tenancy.activate(scope)
        try:
            with level_names_memo():
                return self.get_response(request)
        finally:
            tenancy.deactivate(token)


def _bureau(bureau_id: int | None) -> Bureau | None:
    if bureau_id is None:
        return None
    return Bureau.objects.get(pk=bureau_id)
