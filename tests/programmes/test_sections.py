"""Later apps plug into a programme: their part of a copy, their links on its pages."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from bureaus.tenancy import bureau_scope
from programmes.sections import copy_sections, register_copy_section, remove_copy_section
from programmes.services import programme_copy
from tests.workshops.test_group_rules import keep_group_rules


def test_a_registered_copy_section_runs_when_a_programme_is_copied(xuhui):
    calls = []

    def copy(*, actor, source, target, months):
        calls.append((actor, source.pk, target.code, months))

    register_copy_section("test-section", copy=copy)
    try:
        with bureau_scope(xuhui.bureau):
            new = programme_copy(
                actor=xuhui.staff,
                programme=xuhui.programme,
                code="next-cycle",
                name="next cycle",
                start_month=dt.date(
                    xuhui.programme.start_month.year + 3, xuhui.programme.start_month.month, 1
                ),
            )
    finally:
        remove_copy_section("test-section")
    assert calls == [(xuhui.staff, xuhui.programme.pk, new.code, 36)]
    assert "test-section" not in [s.name for s in copy_sections()]


def test_the_programme_page_shows_the_links_the_later_apps_registered(xuhui):
    keep_group_rules(xuhui, training_hours_a_year=Decimal(40))  # PT-HOURS: the session hours
    pk = xuhui.programme.pk
    staff_page = xuhui.client("staff").get(f"/programmes/{pk}/").content.decode()
    for url in (
        reverse("cohorts:progress_matrix", args=[pk]),
        reverse("cohorts:coverage", args=[pk]),
        reverse("cohorts:output_calls", args=[pk]),
        f"{reverse('workshops:team_list')}?programme={pk}",
        reverse("workshops:programme_teams", args=[pk]),
        reverse("workshops:briefing_board", args=[pk]),
        reverse("workshops:session_hours", args=[pk]),
    ):
        assert f'href="{url}"' in staff_page
    teacher_page = xuhui.client("teacher").get(f"/programmes/{pk}/").content.decode()
    assert reverse("cohorts:coverage", args=[pk]) not in teacher_page
    assert "board-links" not in teacher_page
    school_admin_list = xuhui.client("school_admin").get("/programmes/").content.decode()
    assert reverse("cohorts:progress_matrix", args=[pk]) in school_admin_list
