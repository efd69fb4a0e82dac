"""The role x model permission matrix, as every app registered it, per app, as one text table.

``manage.py role_permissions`` prints it (the command sits with the project's other commands in
``demo``, as domain apps carry no management commands).
"""

from .roles import Role, role_permission_table

# Django's four model actions by their initial; an app's own permissions are written in full.
SHORT = {"add": "a", "change": "c", "delete": "d", "view": "v"}


def render_table() -> str:
    roles = list(Role)
    rows = [["model", *[role.value for role in roles]]]
    for app_label, models in role_permission_table().items():
        rows.append([f"[{app_label}]", *["" for _ in roles]])
        for label, by_role in models:
            cells = []
            for role in roles:
                actions = by_role.get(role, ())
                short = "".join(SHORT[a] for a in SHORT if a in actions)
                extra = [a for a in actions if a not in SHORT]
                cells.append("+".join(filter(None, [short, *extra])) or "-")
            rows.append([f"  {label}", *cells])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    lines.append("")
    lines.append("a add, c change, d delete, v view; - none")
    return "\n".join(lines) + "\n"
