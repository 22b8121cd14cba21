"""The category catalogue: every name resolves to one code, spelled any common way."""

from __future__ import annotations

import pytest

from pingan.services.catalogue import canonical_category, category_names, fold
from pingan.services.matcher import categories


def test_every_name_is_text_and_names_one_category_only():
    owner: dict[str, str] = {}
    for code, entry in categories().items():
        names = [code, entry["name_zh"], entry["name_en"], *entry.get("aliases", ())]
        assert all(isinstance(n, str) for n in names), (code, names)  # YAML reads `no` as False
        for name in names:
            assert owner.setdefault(fold(name), code) == code, (name, owner[fold(name)], code)
            assert canonical_category(name) == code
        assert set(entry.get("near", ())) <= set(categories()), code


@pytest.mark.parametrize(
    ("given", "code"),
    [("ID", "id_card"), ("id-card", "id_card"), ("ＩＤ", "id_card"), (" 身份证 ", "id_card"),
     ("E_Bike", "ebike"), ("e bike", "ebike"), ("电瓶车", "ebike"), ("Documents", "documents")],
)  # fmt: skip
def test_case_spaces_hyphens_underscores_and_full_width_do_not_matter(given, code):
    assert canonical_category(given) == code


def test_unknown_and_empty_names_are_none():
    assert canonical_category("spaceship") is None
    assert canonical_category("") is None
    assert canonical_category("-_ ") is None


def test_the_names_a_form_shows():
    names = category_names()
    assert [n["code"] for n in names] == list(categories())
    assert {"code": "ebike", "name_zh": "电动车", "name_en": "e-bike"} in names
