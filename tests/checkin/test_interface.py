"""Other capabilities use check-in only through ``summit.checkin.api``, and check-in imports
no capability above it (homerooms, breakouts, plans, selfcheckin, badges) nor messages'
internals beyond its segment registry."""

from __future__ import annotations

import ast
from pathlib import Path

import summit

PACKAGE = Path(summit.__file__).parent
# Who may import more of check-in than its interface, and why.
ALLOWED = {
    "models.py": "imports every model for Alembic",
    "__init__.py": "create_app connects check-in's receivers (until check-in has init_app)",
    # Registration sits below check-in: its CSV export's "checked in at" column belongs in an
    # edge (admin), which the layering work moves it to.
    "registration/services.py": "the export's check-in column (to move to an edge)",
}
ABOVE_CHECKIN = ("homerooms", "breakouts", "plans", "selfcheckin", "badges")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def test_only_the_interface_is_imported_from_outside():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("checkin/") or relative in ALLOWED:
            continue
        for module, names in _imports(path):
            inside = module == "summit.checkin" and names != ["api"]
            deeper = module.startswith("summit.checkin.") and module != "summit.checkin.api"
            if inside or deeper:
                offenders.append((relative, module, names))
    assert offenders == []


def test_check_in_imports_nothing_above_it():
    offenders = []
    for path in (PACKAGE / "checkin").glob("*.py"):
        for module, _ in _imports(path):
            parts = module.split(".")
            if parts[0] == "summit" and len(parts) > 1 and (
                    parts[1] in ABOVE_CHECKIN
                    or (parts[1] == "messages" and module != "summit.messages.segments")):
                offenders.append((path.name, module))
    assert offenders == []
