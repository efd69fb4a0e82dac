from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from .models import User


class PortalBackend(ModelBackend):
    """Username and password sign-in.

    The user is loaded before any bureau is in scope (the bureau comes from the user), so the
    lookups here are the deliberate cross-bureau reads; a user of a closed bureau cannot sign in.
    """

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return user.bureau_id is None or user.bureau.is_active

    def get_user(self, user_id):
        user = User.objects.all_bureaus().select_related("bureau").filter(pk=user_id).first()
        return user if user and self.user_can_authenticate(user) else None


def client_ip(request) -> str:
    """The client address for lockouts: REMOTE_ADDR, or the address the trusted proxies saw."""
    hops = settings.PORTAL_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR", "")
