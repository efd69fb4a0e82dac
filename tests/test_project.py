"""Project-wide guarantees: translations compiled, app dependencies flow one way, demo data."""

import ast
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import TeacherProfile, User
from accounts.roles import Role, roles_of
from bureaus.models import AuditEntry, Bureau, School
from bureaus.tenancy import bureau_scope

ROOT = Path(settings.BASE_DIR)

# Which portal apps each app may import. Programmes come first; stipends last (STYLE.md):
# programmes -> cohorts -> workshops, assessments, credits -> stipends.
ALLOWED_IMPORTS = {
    "bureaus": set(),  # the ground floor: it imports no other app
    "accounts": {"bureaus"},
    "programmes": {"bureaus", "accounts"},
    "cohorts": {"bureaus", "accounts", "programmes"},
    "workshops": {"bureaus", "accounts", "programmes", "cohorts"},
    "assessments": {"bureaus", "accounts", "programmes", "cohorts", "workshops"},
    "credits": {"bureaus", "accounts", "programmes", "cohorts", "workshops"},
    "stipends": {
        "bureaus",
        "accounts",
        "programmes",
        "cohorts",
        "workshops",
        "assessments",
        "credits",
    },
}


def test_the_chinese_catalogue_is_complete_and_compiled():
    po_path = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {e.msgid: e.msgstr for e in mo}
    for entry in po.translated_entries():
        if not entry.msgid_plural:
            assert compiled.get(entry.msgid) == entry.msgstr, f"stale .mo: {entry.msgid}"


def test_app_imports_flow_one_way():
    wrong = []
    for app, allowed in ALLOWED_IMPORTS.items():
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                for name in names:
                    top = name.split(".")[0]
                    if top in ALLOWED_IMPORTS and top != app and top not in allowed:
                        wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_tenancy_models_do_not_depend_on_accounts():
    source = (ROOT / "bureaus" / "models.py").read_text() + (
        ROOT / "bureaus" / "tenancy.py"
    ).read_text()
    assert "from accounts" not in source and "import accounts" not in source


@pytest.mark.django_db
def test_demo_data_loads_once_with_a_person_per_role_in_two_bureaus():
    call_command("load_demo")
    call_command("load_demo")  # a second run keeps what is there
    bureaus = {b.code: b for b in Bureau.objects.all()}
    assert {"xuhui", "putuo"} <= set(bureaus)
    for code, prefix in (("xuhui", "xh"), ("putuo", "pt")):
        with bureau_scope(bureaus[code]):
            assert School.objects.count() >= 5
            assert TeacherProfile.objects.count() >= 10
            held = set()
            for user in User.objects.all():
                held |= roles_of(user)
            assert held == {r.value for r in Role}
            assert AuditEntry.objects.filter(action="role.grant").exists()
            staff = User.objects.get(username=f"{prefix}_staff")
            assert staff.is_staff and any("\u4e00" <= ch <= "\u9fff" for ch in staff.full_name)
    assert User.objects.get_by_natural_key("platform").is_superuser
