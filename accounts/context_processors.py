from django.conf import settings

from .navigation import navigation_for


def portal(request):
    """The navigation for the signed-in person's roles and their unread notification count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_name": settings.PORTAL_SITE_NAME, "nav_items": []}
    from .models import Notification

    unread = None
    if request.bureau_id is not None:
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {
        "portal_name": settings.PORTAL_SITE_NAME,
        "nav_items": navigation_for(user, request.path),
        "unread_notifications": unread,
    }
