"""``manage.py seed_demo`` (what ``make demo`` runs) and the parts other apps register."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from bureaus.tenancy import all_bureaus
from demo import registry, schema
from demo.programmes import SEED_DIR, load_programme_seed
from programmes.models import Programme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    """The demo stores its PDFs: keep them out of the shared test media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def row_counts() -> dict[str, int]:
    with all_bureaus():
        return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_the_demo_is_its_parts_in_order_and_a_second_load_changes_nothing():
    assert [(s.name, s.command) for s in registry.steps()] == [
        ("people", "load_demo"),
        ("programmes", "load_programmes"),
        ("cohorts", "load_demo_cohorts"),
        ("groups", "load_demo_groups"),
        ("assessments", "load_demo_assessments"),
        ("certificates", "load_demo_certificates"),
    ]
    first = StringIO()
    call_command("seed_demo", stdout=first)
    loaded = row_counts()
    assert loaded["programmes.Programme"] == 5 and loaded["cohorts.Evidence"] > 1000
    assert loaded["workshops.Team"] > 0 and loaded["accounts.User"] > 100
    assert loaded["assessments.AssessmentDecision"] > 90
    assert loaded["certificates.Certificate"] > 20

    again = StringIO()
    call_command("seed_demo", stdout=again)

    assert row_counts() == loaded
    assert again.getvalue().count("already loaded, nothing changed") == 5
    assert "Demo data already present." in again.getvalue()
    assert "Demo cohorts already present." in again.getvalue()
    assert "Demo groups already present." in again.getvalue()
    assert "Demo assessments already present." in again.getvalue()
    assert "Demo certificates already present." in again.getvalue()


def test_a_section_an_app_registers_is_checked_and_written_with_its_programme(tmp_path):
    call_command("load_demo", stdout=StringIO())
    written = []

    def load(programme, value, *, source):
        written.append((programme.code, value, Path(source).name))

    data = json.loads((SEED_DIR / "pt.json").read_text(encoding="utf-8"))
    data["programme"]["code"] = "pt-with-notes"
    data["test_notes"] = ["第一条", ""]
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match=r"notes\.json: unknown keys \['test_notes'\]"):
        load_programme_seed(path)

    registry.add_seed_section(
        "test_notes", schema={"type": "array", "items": schema.TEXT}, load=load
    )
    try:
        with pytest.raises(ValueError, match=r"notes\.json: test_notes\[1\]: 'test_notes' must"):
            load_programme_seed(path)
        assert written == []
        data["test_notes"] = ["第一条"]
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        programme = load_programme_seed(path)
        assert written == [("pt-with-notes", ["第一条"], "notes.json")]
        assert programme is not None and programme.code == "pt-with-notes"
        assert load_programme_seed(path) is None  # once only
        assert len(written) == 1
    finally:
        registry.remove_seed_section("test_notes")
    with all_bureaus():
        assert Programme.objects.filter(code="pt-with-notes").count() == 1
