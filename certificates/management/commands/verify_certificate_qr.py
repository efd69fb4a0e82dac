"""Check a scanned certificate QR code offline against the bureau's published public key."""

from __future__ import annotations

import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management.base import BaseCommand, CommandError

from certificates.signing import fingerprint_of, verify_qr_text


class Command(BaseCommand):
    help = (
        "Check a certificate's QR text (the address with the signed payload after #) against "
        "the bureau's public key (a PEM file), without reaching the portal. Exit 1 if it fails."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("qr_text")
        parser.add_argument("--key", required=True, help="the bureau's public key, PEM")

    def handle(self, *args, qr_text: str, key: str, **options) -> None:
        try:
            public = serialization.load_pem_public_key(Path(key).read_bytes())
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read the key: {error}") from error
        if not isinstance(public, Ed25519PublicKey):
            raise CommandError("the key is not an Ed25519 public key")
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        payload = verify_qr_text(qr_text, raw)
        if payload is None:
            self.stderr.write("NOT VALID: the text was changed or signed with another key.")
            sys.exit(1)
        self.stdout.write(f"VALID (key {fingerprint_of(raw)})")
        self.stdout.write(f"code: {payload.code}")
        self.stdout.write(f"holder: {payload.holder_name}")
        self.stdout.write(f"programme: {payload.programme_name}")
        self.stdout.write(f"certificate: {payload.title}")
        self.stdout.write(f"issued on: {payload.issued_on}")
