"""The public verification page a certificate's QR code opens, and the bureau's public key.

No sign-in, no bureau: the verification code is the key. The page shows only the holder's name,
the programme, the certificate's title, the issue date and whether it is valid or revoked (and,
when reissued, the link to the new one), with the fingerprint of the key that signed it. An
unknown code and a malformed one get the same page. Each address may ask 30 times a minute."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.backends import client_ip

from ..models import SigningKey
from ..selectors import certificate_for_code

RATE_PER_MINUTE = 30


def rate_key(ip: str, minute: int | None = None) -> str:
    minute = int(time.time() // 60) if minute is None else minute
    return f"certificates:verify:{ip}:{minute}"


def over_the_limit(request) -> bool:
    """A cache-based counter per client address and minute; a cache that is down lets the
    request through (the page is read-only)."""
    limit = getattr(settings, "CERTIFICATE_VERIFY_RATE_PER_MINUTE", RATE_PER_MINUTE)
    key = rate_key(client_ip(request))
    try:
        if cache.add(key, 1, timeout=90):
            count = 1
        else:
            count = cache.incr(key)
    except Exception:  # noqa: BLE001 - the cache is a convenience here
        return False
    return count > limit


def too_many(request) -> HttpResponse:
    response = render(request, "certificates/verify_429.html", status=429)
    response["Retry-After"] = "60"
    return response


@never_cache
@require_GET
def verify(request, code: str):
    if over_the_limit(request):
        return too_many(request)
    certificate = certificate_for_code(code)
    context = {"certificate": certificate}
    if certificate is not None:
        context.update(
            fingerprint=certificate.signing_key.fingerprint,
            key_slug=certificate.signing_key.fingerprint.replace(" ", ""),
            replaced_by=certificate.replaced_by,
        )
    # The same status and page for an unknown and a malformed code.
    return render(request, "certificates/verify.html", context)


@never_cache
@require_GET
def public_key(request, fingerprint: str):
    """The bureau's public key in PEM, as printed under its fingerprint."""
    if over_the_limit(request):
        return too_many(request)
    from ..signing import public_key_pem

    wanted = fingerprint.upper()
    if len(wanted) != 32 or not all(c in "0123456789ABCDEF" for c in wanted):
        raise Http404
    spaced = " ".join(wanted[i : i + 4] for i in range(0, 32, 4))
    key = SigningKey.objects.all_bureaus().filter(fingerprint=spaced).first()
    if key is None:
        raise Http404
    response = HttpResponse(public_key_pem(key), content_type="application/x-pem-file")
    response["Content-Disposition"] = f'inline; filename="{wanted}.pem"'
    return response


urlpatterns = [
    path("v/key/<str:fingerprint>.pem", public_key, name="public_key"),
    path("v/<str:code>/", verify, name="verify"),
]
