from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certificates: completion, honour and training certificates, made as PDFs by the worker,
    verifiable by their QR code online and offline, revocable."""

    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        pass
