"""The bureau's signature on a certificate: what the QR code carries so that the paper can be
checked against the bureau's published public key without reaching the portal.

The signed payload is compact and canonical: a version, the verification code, the holder's name,
the programme, the certificate's title and the issue date, joined by ``|`` (a ``|`` in a value is
replaced by ``｜``, which a name never needs). The QR code holds the verification page's address
with the payload (its UTF-8 in base64url: a third longer, where percent-encoding makes Chinese
three times as long and the QR code twice as dense) and the Ed25519 signature in its fragment,
which the browser never sends::

    https://portal.example/v/K7M2Q9XW4R/#<"1|K7M2Q9XW4R|张喆|…|2026-07-01", base64url>.<signature>

Anyone holding the bureau's public key (its fingerprint is on the verification page) checks the
signature with ``verify_qr_text`` or any Ed25519 tool.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import transaction

VERSION = "1"


@dataclass(frozen=True)
class Payload:
    """What a certificate's QR code states, signed."""

    code: str
    holder_name: str
    programme_name: str
    title: str
    issued_on: str  # ISO date

    def text(self) -> str:
        parts = (VERSION, self.code, self.holder_name, self.programme_name, self.title)
        return "|".join(p.replace("|", "｜") for p in (*parts, self.issued_on))

    @classmethod
    def parse(cls, text: str) -> Payload | None:
        parts = text.split("|")
        if len(parts) != 6 or parts[0] != VERSION:
            return None
        return cls(*parts[1:])


def payload_of(certificate) -> Payload:
    return Payload(
        code=certificate.code,
        holder_name=certificate.holder_name,
        programme_name=certificate.programme_name,
        title=certificate.title,
        issued_on=certificate.issued_on.isoformat(),
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint_of(public_raw: bytes) -> str:
    """The public key's fingerprint as people compare it: SHA-256, hex, in groups of four."""
    digest = hashlib.sha256(public_raw).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def public_key_pem(key) -> str:
    """The public key in PEM, as the bureau publishes it."""
    public = Ed25519PublicKey.from_public_bytes(bytes(key.public_key))
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def signing_key_for(bureau_id: int):
    """The bureau's key in use, made on first use (inside the caller's transaction)."""
    from .models import SigningKey

    key = SigningKey.objects.filter(bureau_id=bureau_id, active=True).first()
    if key is not None:
        return key
    private = Ed25519PrivateKey.generate()
    private_raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public_raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    with transaction.atomic():
        return SigningKey.objects.create(
            bureau_id=bureau_id,
            private_key=private_raw,
            public_key=public_raw,
            fingerprint=fingerprint_of(public_raw),
        )


def sign(key, payload: Payload) -> str:
    """The payload's signature with ``key`` (a ``SigningKey``), base64url."""
    private = Ed25519PrivateKey.from_private_bytes(bytes(key.private_key))
    return _b64(private.sign(payload.text().encode("utf-8")))


def signature_valid(public_raw: bytes, payload_text: str, signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(
            _unb64(signature), payload_text.encode("utf-8")
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def verification_path(code: str) -> str:
    from django.urls import reverse

    return reverse("certificates:verify", args=[code])


def qr_text(certificate) -> str:
    """What the certificate's QR code holds: the verification page, and the signed payload in
    the fragment (base64url, so any QR reader keeps it whole)."""
    payload = payload_of(certificate).text()
    fragment = _b64(payload.encode("utf-8")) + "." + certificate.signature
    return f"{settings.PORTAL_URL}{verification_path(certificate.code)}#{fragment}"


def verify_qr_text(text: str, public_raw: bytes) -> Payload | None:
    """Offline check of a scanned QR code against the bureau's public key: the payload if the
    signature holds, None if anything was changed."""
    _, _, fragment = text.partition("#")
    payload_part, _, signature = fragment.rpartition(".")
    if not payload_part or not signature:
        return None
    try:
        payload_text = _unb64(payload_part).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    payload = Payload.parse(payload_text)
    if payload is None or not signature_valid(public_raw, payload_text, signature):
        return None
    return payload
