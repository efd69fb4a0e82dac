"""The public verification page a certificate's QR code opens, and the bureau's public key."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
