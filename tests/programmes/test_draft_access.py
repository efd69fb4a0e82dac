"""A draft programme is seen by bureau staff and leadership only: for teachers, leads, mentors and
school administrators it is the same 404 as a missing programme, on its own page and on every
page of another app that takes a programme's id."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bureaus.tenancy import bureau_scope
from programmes.access import programmes_for_user
from tests.workshops.test_group_rules import keep_group_rules

SEES_DRAFTS = ["staff", "leader"]
DRAFT_HIDDEN = ["school_admin", "lead", "mentor", "teacher"]

# The pages that take a programme's id, and who reaches them at all (others get 403 first).
PAGES = {
    "/programmes/{pk}/": {"staff", "leader", "school_admin", "lead", "mentor", "teacher"},
    "/programmes/{pk}/outputs/": {"staff", "leader", "school_admin", "lead", "mentor", "teacher"},
    "/programmes/{pk}/progress/": {"staff", "leader", "school_admin"},
    "/programmes/{pk}/progress/?format=xlsx": {"staff", "leader", "school_admin"},
    "/programmes/{pk}/coverage/": {"staff", "leader"},
    "/programmes/{pk}/briefings/": {"staff", "leader"},
    "/programmes/{pk}/groups/": {"staff", "leader"},
    "/programmes/{pk}/sessions/": {"staff", "leader", "school_admin"},
}


@pytest.fixture
def draft(xuhui):
    with bureau_scope(xuhui.bureau):
        xuhui.programme.status = "draft"
        xuhui.programme.save(update_fields=["status"])
    # PT-HOURS: the session hours exist for this programme, so a 404 there is the draft's.
    keep_group_rules(xuhui, training_hours_a_year=Decimal(40))
    return xuhui.programme


@pytest.mark.parametrize("role", DRAFT_HIDDEN)
def test_a_draft_programme_is_not_found_by_id_for(role, xuhui, draft):
    client = xuhui.client(role)
    missing = client.get("/programmes/999999/")
    assert missing.status_code == 404
    for url, roles in PAGES.items():
        response = client.get(url.format(pk=draft.pk))
        expected = 404 if role in roles else 403
        assert response.status_code == expected, (url, response.status_code)
        assert draft.name not in response.content.decode(), url


@pytest.mark.parametrize("role", DRAFT_HIDDEN)
def test_a_draft_programme_is_not_listed_for(role, xuhui, draft):
    client = xuhui.client(role)
    assert draft.name not in client.get("/programmes/").content.decode()
    # Nor offered as a filter on the group list.
    teams = client.get("/groups/").content.decode()
    assert f'value="{draft.pk}"' not in teams
    with bureau_scope(xuhui.bureau):
        assert not programmes_for_user(getattr(xuhui, role)).filter(pk=draft.pk).exists()


@pytest.mark.parametrize("role", SEES_DRAFTS)
def test_staff_and_leadership_open_a_draft_programme(role, xuhui, draft):
    client = xuhui.client(role)
    assert draft.name in client.get("/programmes/").content.decode()
    for url in PAGES:
        response = client.get(url.format(pk=draft.pk))
        assert response.status_code == 200, (url, response.status_code)


@pytest.mark.parametrize("role", ["teacher", "lead"])
def test_a_teacher_enrolled_in_a_draft_sees_neither_its_progress_nor_its_requirements(
    role, xuhui, draft
):
    client = xuhui.client(role)
    progress = client.get("/progress/")
    assert progress.status_code == 200
    body = progress.content.decode()
    assert draft.name not in body
    with bureau_scope(xuhui.bureau):
        requirement = draft.requirements.get()
    form = client.get("/evidence/new/").content.decode()
    assert requirement.title not in form


@pytest.mark.parametrize("role", DRAFT_HIDDEN)
def test_an_active_programme_stays_open_for(role, xuhui):
    client = xuhui.client(role)
    response = client.get(f"/programmes/{xuhui.programme.pk}/")
    assert response.status_code == 200
    assert xuhui.programme.name in client.get("/programmes/").content.decode()


def test_an_active_programme_shows_on_a_teachers_progress(xuhui):
    body = xuhui.client("teacher").get("/progress/").content.decode()
    assert xuhui.programme.name in body
