"""Certificates as staff, school administrators and teachers see them."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
