"""The relatives' database stays apart from criminal data (as INTERPOL's I-Familia and the
FBI's missing-person indexes keep it): the kinship package imports no incident, fraud,
detention-visit or police-unit model, its tables point only at each other and at accounts,
and no other table points into them."""

from __future__ import annotations

import ast
from pathlib import Path

import pingan.kinship
from pingan.db.base import Base

KINSHIP = Path(pingan.kinship.__file__).parent
FORBIDDEN = ("pingan.incidents", "pingan.fraud", "pingan.visits", "pingan.units",
             "pingan.services", "pingan.dispatch", "pingan.video")  # fmt: skip
# The command line's shared --by and --data-dir options (no model, no data) live there.
ALLOWED = frozenset({"pingan.units.cli"})


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_kinship_package_imports_no_criminal_or_police_model() -> None:
    modules = sorted(KINSHIP.rglob("*.py"))
    assert len(modules) > 5
    for path in modules:
        bad = {n for n in _imports(path) if n.startswith(FORBIDDEN) and n not in ALLOWED}
        assert not bad, f"{path.name} imports {bad}"


def test_the_kinship_tables_are_joined_with_nothing_but_accounts() -> None:
    import pingan.db.models  # noqa: F401  (every table registered)

    for table in Base.metadata.sorted_tables:
        targets = {fk.column.table.name for fk in table.foreign_keys}
        if table.name.startswith("kinship_"):
            assert targets <= {t for t in Base.metadata.tables if t.startswith("kinship_")} | {
                "users"
            }, table.name
        else:
            assert not {t for t in targets if t.startswith("kinship_")}, table.name
