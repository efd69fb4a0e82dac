"""Project-wide guarantees: translations compiled, app dependencies flow one way, demo data."""

import ast
import re
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

# Which portal apps each app may import or name (model labels, permissions, URL names, template
# names, apps.get_model). bureaus is the ground floor; programmes come first among the domain
# apps, stipends last (STYLE.md): programmes -> cohorts -> workshops -> assessments, credits ->
# stipends, assessments before credits (a credit may depend on an outcome). demo and config may
# name every app; tests and bench are out of scope.
ALLOWED_IMPORTS = {
    "bureaus": set(),  # the ground floor: it imports no other app
    "accounts": {"bureaus"},
    "programmes": {"bureaus", "accounts"},
    "cohorts": {"bureaus", "accounts", "programmes"},
    "workshops": {"bureaus", "accounts", "programmes", "cohorts"},
    "assessments": {"bureaus", "accounts", "programmes", "cohorts", "workshops"},
    "credits": {"bureaus", "accounts", "programmes", "cohorts", "workshops", "assessments"},
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
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in mo}
    for entry in po.translated_entries():
        if not entry.msgid_plural:
            found = compiled.get((entry.msgctxt, entry.msgid))
            assert found == entry.msgstr, f"stale .mo: {entry.msgid}"


# "cohorts.evidence", "cohorts.view_evidence", "cohorts.tasks.remind": an app's name, a dot, more.
_DOTTED = re.compile(r"^([a-z_]+)\.[A-Za-z_][\w.]*$")
# "cohorts:review_queue": a URL name in an app's namespace.
_URL_NAME = re.compile(r"^([a-z_]+):[\w-]+$")
# "cohorts/evidence_list.html": a template of an app.
_TEMPLATE_NAME = re.compile(r"^([a-z_]+)/[\w/.-]+\.(?:html|txt)$")
_TEMPLATE_TAGS = (
    re.compile(r"""\{%\s*url\s+["']([a-z_]+):[\w-]+"""),
    re.compile(r"""\{%\s*(?:include|extends)\s+["']([a-z_]+)/[\w/.-]+"""),
)
_APP_LOOKUPS = {"get_model", "get_app_config", "get_registered_model"}


def _apps_named_in_python(source: str) -> list[tuple[str, str]]:
    """(app, what names it) for every portal app a Python module imports or names in a string."""
    found = []
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module.split(".")[0], f"imports {node.module}"))
        elif isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], f"imports {alias.name}") for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Attribute, ast.Name))
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in _APP_LOOKUPS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            app = node.args[0].value.split(".")[0]
            found.append((app, f"looks up {node.args[0].value!r}"))
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                match = re.match(r"^([a-z_]+)[.:/]", first.value)
                if match:
                    found.append((match.group(1), f"names {first.value!r}..."))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            for pattern in (_DOTTED, _URL_NAME, _TEMPLATE_NAME):
                match = pattern.match(node.value)
                if match:
                    found.append((match.group(1), f"names {node.value!r}"))
    return found


def _apps_named_in_template(source: str) -> list[tuple[str, str]]:
    """(app, what names it) for every app namespace or template directory a template names."""
    found = []
    for pattern in _TEMPLATE_TAGS:
        for match in pattern.finditer(source):
            found.append((match.group(1), f"names {match.group(0)!r}"))
    return found


def _against_the_flow(app: str, named: list[tuple[str, str]]) -> list[str]:
    allowed = ALLOWED_IMPORTS[app]
    return [
        what for other, what in named if other in ALLOWED_IMPORTS and other not in {app, *allowed}
    ]


def dependencies_against_the_flow(root: Path) -> list[str]:
    """Every import or string reference from an app to one it may not depend on."""
    wrong = []
    for app in ALLOWED_IMPORTS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            named = _apps_named_in_python(path.read_text(encoding="utf-8"))
            wrong += [f"{path.relative_to(root)} {what}" for what in _against_the_flow(app, named)]
    for path in sorted((root / "templates").rglob("*.html")):
        owner = path.relative_to(root / "templates").parts[0]
        # Templates outside an app's directory (the layout, errors, admin) are the ground floor's.
        app = owner if owner in ALLOWED_IMPORTS else "bureaus"
        named = _apps_named_in_template(path.read_text(encoding="utf-8"))
        wrong += [f"{path.relative_to(root)} {what}" for what in _against_the_flow(app, named)]
    return wrong


def test_app_imports_flow_one_way():
    wrong = dependencies_against_the_flow(ROOT)
    assert wrong == []


def test_the_dependency_check_fails_on_a_reference_against_the_flow(tmp_path):
    """The check above sees string references, not only imports: a test of the test."""
    (tmp_path / "bureaus").mkdir()
    (tmp_path / "bureaus" / "access.py").write_text("from accounts.roles import Role\n")
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "navigation.py").write_text(
        '"""Names cohorts:review_queue in a docstring, which is fine."""\n'
        'PERMS = {"cohorts.evidence": ("view",)}\n'
        'URL = reverse("workshops:team_list")\n'
        'Evidence = apps.get_model("cohorts", "Evidence")\n'
        'PANEL = "stipends/panel.html"\n'
        'LABEL = f"credits.{name}"\n'
        'OWN = ("accounts.user", "bureaus:school_list", "programmes")\n'
    )
    (tmp_path / "cohorts").mkdir()
    (tmp_path / "cohorts" / "apps.py").write_text(
        "from programmes.sections import register_copy_section\n"
        'LINK = "programmes:programme_list"\n'
    )
    (tmp_path / "templates" / "programmes").mkdir(parents=True)
    (tmp_path / "templates" / "programmes" / "detail.html").write_text(
        "<a href=\"{% url 'cohorts:coverage' programme.pk %}\">"
        "{% url 'programmes:programme_list' %}{% include 'workshops/links.html' %}"
    )
    (tmp_path / "templates" / "base.html").write_text("{% url 'cohorts:my_progress' %}")
    assert sorted(dependencies_against_the_flow(tmp_path)) == sorted(
        [
            "bureaus/access.py imports accounts.roles",
            "accounts/navigation.py names 'cohorts.evidence'",
            "accounts/navigation.py names 'workshops:team_list'",
            "accounts/navigation.py looks up 'cohorts'",
            "accounts/navigation.py names 'stipends/panel.html'",
            "accounts/navigation.py names 'credits.'...",
            'templates/base.html names "{% url \'cohorts:my_progress"',
            'templates/programmes/detail.html names "{% url \'cohorts:coverage"',
            'templates/programmes/detail.html names "{% include \'workshops/links.html"',
        ]
    )


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
