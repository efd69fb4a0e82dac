"""Rule ids (XH-T2, HA-ACT …) live in the code, the tests and the admin's help for staff; the pages
that teachers, leads, mentors and school administrators read speak plain Chinese."""

from __future__ import annotations

import re

import pytest

from bureaus.tenancy import bureau_scope
from workshops.services import team_presets_apply

RULE_ID = re.compile(r"\b(?:XH|XC|HA|SJ|PT)-[A-Z][A-Z0-9-]*")
STAFF_NOTES = ("可在后台调整",)  # notes meant for the bureau's staff


def test_the_pattern_finds_the_ids_and_notes_it_must():
    assert RULE_ID.findall("XH-CYCLE 与 XC-ATTEND") == ["XH-CYCLE", "XC-ATTEND"]


@pytest.mark.parametrize("role", ["teacher", "lead", "mentor", "school_admin"])
def test_no_rule_id_on_the_pages_of(role, xuhui):
    team = xuhui.extras["team"]
    with bureau_scope(xuhui.bureau):
        team_presets_apply(actor=xuhui.staff, team=team)  # obligations carry rule ids
        assert team.obligations.exclude(rule="").exists()
    client = xuhui.client(role)
    pages = [
        "/",
        "/me/",
        "/evidence/",
        "/progress/",
        "/programmes/",
        f"/programmes/{xuhui.programme.pk}/",
        "/groups/",
        f"/groups/{team.pk}/",
        "/notifications/",
    ]
    seen = 0
    for url in pages:
        response = client.get(url)
        if response.status_code != 200:
            continue
        seen += 1
        body = response.content.decode()
        found = RULE_ID.findall(body) + [note for note in STAFF_NOTES if note in body]
        assert not found, (url, found)
    assert seen >= 5
