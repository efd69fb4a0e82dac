"""The role x permission matrix, assembled from every app's registration, stays reviewable.

When a role's permissions change on purpose, regenerate the expected table with
``manage.py role_permissions > tests/role_permissions.txt`` and review the difference.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.roles import ROLE_MODEL_PERMISSIONS, Role, register_role_permissions

EXPECTED = Path(__file__).with_name("role_permissions.txt")


def test_the_printed_matrix_is_the_checked_in_one():
    out = StringIO()
    call_command("role_permissions", stdout=out)
    assert out.getvalue() == EXPECTED.read_text(encoding="utf-8")


def test_the_matrix_names_every_registered_permission_once():
    printed = EXPECTED.read_text(encoding="utf-8")
    for models_actions in ROLE_MODEL_PERMISSIONS.values():
        for label in models_actions:
            assert printed.count(f"  {label} ") == 1


def test_an_app_cannot_register_other_actions_for_a_model_already_registered():
    with pytest.raises(ValueError):
        register_role_permissions({Role.LEADERSHIP: {"cohorts.evidence": ("view", "change")}})
    register_role_permissions({Role.LEADERSHIP: {"cohorts.evidence": ("view",)}})  # the same
    assert ROLE_MODEL_PERMISSIONS[Role.LEADERSHIP]["cohorts.evidence"] == ("view",)
