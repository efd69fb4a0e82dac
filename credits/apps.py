from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditsConfig(AppConfig):
    """Training credits: conversion of verified work into credits, and transcripts."""

    name = "credits"
    verbose_name = _("Credits")
