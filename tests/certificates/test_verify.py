"""The public verification page: only the printed snapshot, valid or revoked (and reissued), the
key's fingerprint and its PEM; the same page for unknown and malformed codes; rate-limited; the
QR text checks offline and a tampered payload fails."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from bureaus.tenancy import bureau_scope
from certificates import signing
from certificates.services import certificate_reissue, certificate_revoke
from certificates.views.public import rate_key
from tests.certificates.helpers import issue_passed

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"


@pytest.fixture(autouse=True)
def _fresh_rate():
    cache.delete(rate_key(IP))
    yield
    cache.delete(rate_key(IP))


def get(url: str, language: str = "zh-hans"):
    client = Client(REMOTE_ADDR=IP, HTTP_ACCEPT_LANGUAGE=language)
    return client.get(url)


def test_the_page_shows_the_snapshot_and_valid(xuhui):
    certificate = issue_passed(xuhui, name="王喆")
    response = get(f"/v/{certificate.code}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "王喆" in body and certificate.programme_name in body and "结业证书" in body
    assert "2026-07-20" in body and "该证书有效" in body
    assert certificate.signing_key.fingerprint in body
    # Nothing else of the holder or the bureau: no school, no number, no bureau's name.
    for private in (xuhui.school.name, certificate.number, xuhui.bureau.name, "C-"):
        assert private not in body


def test_the_page_works_in_english(xuhui):
    certificate = issue_passed(xuhui)
    client = Client(REMOTE_ADDR=IP)
    client.cookies["portal_language"] = "en"
    body = client.get(f"/v/{certificate.code}/").content.decode()
    assert "This certificate is valid." in body


def test_revoked_and_reissued(xuhui):
    certificate = issue_passed(xuhui, name="王喆")
    with bureau_scope(xuhui.bureau):
        new = certificate_reissue(
            actor=xuhui.staff, certificate=certificate, reason="姓名更正", holder_name="王喆堃"
        )
    body = get(f"/v/{certificate.code}/").content.decode()
    assert "已撤销" in body or "撤销" in body
    assert "已换发" in body and f"/v/{new.code}/" in body
    assert "该证书有效" in get(f"/v/{new.code}/").content.decode()


def test_revoked_without_reissue_has_no_link(xuhui):
    certificate = issue_passed(xuhui)
    with bureau_scope(xuhui.bureau):
        certificate_revoke(actor=xuhui.staff, certificate=certificate, reason="错误")
    body = get(f"/v/{certificate.code}/").content.decode()
    assert "撤销" in body and "已换发" not in body and "错误" not in body


def test_unknown_and_malformed_codes_get_the_same_page(xuhui):
    issue_passed(xuhui)
    unknown = get("/v/KKKKKKKKKK/")
    malformed = get("/v/%3Cscript%3E!!/")
    long = get("/v/" + "A" * 300 + "/")
    assert unknown.status_code == malformed.status_code == long.status_code == 200
    # Byte for byte, but for what every page carries per request: the CSRF token and the
    # address in the language switch's "next".
    assert same_page(unknown) == same_page(malformed) == same_page(long)
    assert "KKKKKKKKKK" not in same_page(unknown)


def same_page(response) -> str:
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    return re.sub(r'name="next" value="[^"]*"', "", body)


def test_the_public_key_is_served_as_pem(xuhui):
    certificate = issue_passed(xuhui)
    slug = certificate.signing_key.fingerprint.replace(" ", "")
    response = get(f"/v/key/{slug}.pem")
    assert response.status_code == 200
    assert response.content.decode().startswith("-----BEGIN PUBLIC KEY-----")
    assert get("/v/key/0000000000000000000000000000000G.pem").status_code == 404
    assert get("/v/key/abc.pem").status_code == 404


def test_rate_limited_to_thirty_a_minute(xuhui):
    certificate = issue_passed(xuhui)
    answers = [get(f"/v/{certificate.code}/").status_code for _ in range(31)]
    assert answers[:30] == [200] * 30
    assert answers[30] == 429
    response = get("/v/KKKKKKKKKK/")
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "查验过于频繁" in response.content.decode()


def test_the_page_needs_no_sign_in_and_has_no_inline_script(xuhui):
    certificate = issue_passed(xuhui)
    body = get(f"/v/{certificate.code}/").content.decode()
    assert "/static/js/certificate_verify.js" in body or "certificate_verify" in body
    assert "<script>" not in body


def qr_and_key(xuhui):
    certificate = issue_passed(xuhui, name="张喆")
    with bureau_scope(xuhui.bureau):
        text = signing.qr_text(certificate)
        pem = signing.public_key_pem(certificate.signing_key)
        public = bytes(certificate.signing_key.public_key)
    return certificate, text, pem, public


def test_the_qr_text_checks_offline(xuhui):
    certificate, text, _pem, public = qr_and_key(xuhui)
    payload = signing.verify_qr_text(text, public)
    assert payload == signing.payload_of(certificate)
    assert f"/v/{certificate.code}/#" in text


@pytest.mark.parametrize(
    ("old", "new"), [("张喆", "张哲"), ("2026-07-20", "2026-07-21"), ("结业证书", "荣誉证书")]
)
def test_a_tampered_payload_fails(xuhui, old, new):
    _certificate, text, _pem, public = qr_and_key(xuhui)
    url, _, fragment = text.partition("#")
    payload, _, signature = fragment.rpartition(".")
    original = signing._unb64(payload).decode("utf-8")
    changed = original.replace(old, new)
    assert changed != original
    forged = f"{url}#{signing._b64(changed.encode('utf-8'))}.{signature}"
    assert signing.verify_qr_text(forged, public) is None


def test_a_changed_signature_or_another_key_fails(xuhui, putuo):
    certificate, text, _pem, public = qr_and_key(xuhui)
    assert signing.verify_qr_text(text[:-2] + ("AA" if text[-2:] != "AA" else "BB"), public) is None
    other = issue_passed(putuo)
    assert signing.verify_qr_text(text, bytes(other.signing_key.public_key)) is None
    assert signing.verify_qr_text("no fragment", public) is None


def test_the_command_checks_a_qr_text_offline(xuhui, tmp_path):
    certificate, text, pem, _public = qr_and_key(xuhui)
    key = tmp_path / "key.pem"
    key.write_text(pem)
    out = io.StringIO()
    call_command("verify_certificate_qr", text, key=str(key), stdout=out)
    assert "张喆" in out.getvalue() and certificate.code in out.getvalue()
    url, _, fragment = text.partition("#")
    payload, _, signature = fragment.rpartition(".")
    changed = signing._unb64(payload).decode("utf-8").replace("2026-07-20", "2026-07-21")
    forged = f"{url}#{signing._b64(changed.encode('utf-8'))}.{signature}"
    with pytest.raises(SystemExit) as failed:
        call_command("verify_certificate_qr", forged, key=str(key), stdout=io.StringIO())
    assert failed.value.code == 1
