"""Message catalogues: both languages complete and consistent, and requests answered in one."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pingan.i18n import LANGS, catalogue, cli_lang, msg, negotiate, text, use_lang
from pingan.i18n.catalogue import Msg

SRC = Path(__file__).resolve().parents[1] / "src" / "pingan"
CJK = re.compile(r"[\u4e00-\u9fff]")
USED = re.compile(r"""\b(?:msg|text|Msg)\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_messages() -> None:
    zh, en = catalogue("zh_CN"), catalogue("en")
    assert set(zh) == set(en), sorted(set(zh) ^ set(en))


def test_no_catalogue_says_one_code_twice() -> None:
    """A code given twice in a file silently keeps one of its texts: the other's users read
    words meant for something else."""
    for po in sorted((SRC / "i18n" / "locales").glob("*/LC_MESSAGES/*.po")):
        codes = re.findall(r'^msgid "(.+)"$', po.read_text("utf-8"), re.M)
        twice = sorted({c for c in codes if codes.count(c) > 1})
        assert not twice, (po.name, twice)


@pytest.mark.parametrize("code", sorted(catalogue("zh_CN")))
def test_each_message_speaks_its_language_and_names_the_same_values(code: str) -> None:
    zh, en = catalogue("zh_CN")[code], catalogue("en")[code]
    assert CJK.search(zh), f"{code}: the Chinese text has no Chinese: {zh!r}"
    assert not CJK.search(en), f"{code}: the English text has Chinese: {en!r}"
    assert " / " not in zh or not re.search(r" / [A-Za-z]", zh), f"{code}: mixed text {zh!r}"
    assert _fields(zh) == _fields(en), code


def test_every_code_the_source_uses_is_in_the_catalogues() -> None:
    known = set(catalogue("zh_CN"))
    missing = {
        f"{path.relative_to(SRC)}: {code}"
        for path in SRC.rglob("*.py")
        for code in USED.findall(path.read_text(encoding="utf-8"))
        if code not in known
    }
    assert not missing, sorted(missing)


def test_a_message_is_put_into_words_when_read_and_can_be_stored() -> None:
    m = msg("http.invalid_field", field="phone", message=msg("http.title.422"))
    assert text("http.invalid_field", "en", field="phone", message="Invalid input") == m.text("en")
    assert "输入无效" in m.text("zh_CN")
    assert Msg.from_json(m.to_json()) == m
    with use_lang("en"):
        assert str(m) == "invalid field phone: Invalid input"


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5, zh;q=0.4", "en"),
        ("en;q=0.2, zh-Hans;q=0.9", "zh_CN"),
        ("fr", None),
        ("", None),
        ("en;q=0", None),
    ],
)
def test_accept_language_picks_a_catalogue(header: str, lang: str | None) -> None:
    assert negotiate(header) == lang


def test_the_cli_speaks_its_locale_and_chinese_on_a_bare_machine() -> None:
    assert cli_lang({"LANG": "en_US.UTF-8"}) == "en"
    assert cli_lang({"LANG": "en_US.UTF-8", "PINGAN_LANG": "zh-CN"}) == "zh_CN"
    assert cli_lang({"LANG": "C.UTF-8"}) == "zh_CN"
    assert cli_lang({}) == "zh_CN"
    assert set(LANGS) == {"zh_CN", "en"}


def test_an_error_answers_in_the_language_asked_for(client: TestClient) -> None:
    zh = client.get("/api/v1/incidents/1").json()
    en = client.get("/api/v1/incidents/1", headers={"Accept-Language": "en"}).json()
    assert zh["code"] == en["code"]
    assert CJK.search(zh["title"]) and not CJK.search(en["title"])
    assert CJK.search(zh["detail"]) and not CJK.search(en["detail"])
    missing = client.get("/no/such/page", headers={"Accept-Language": "en"}).json()
    assert missing["title"] == "Not found" and missing["detail"] == "Not found"
    assert client.get("/no/such/page").json()["detail"] == "未找到"


# -- no "中文 / English" literals left in the server's code ---------------------------------------

# A Chinese text, then " / " (or "）/") and English words, in one literal.
MIXED = re.compile(r"[\u4e00-\u9fff][^\n]*?(?:\s/\s+|）/\s*)[A-Za-z]")
TOP_LEVEL = "pingan"  # the modules directly under src/pingan
PACKAGES = [TOP_LEVEL, *sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").exists())]


def _files(package: str) -> list[Path]:
    if package == TOP_LEVEL:
        return sorted(SRC.glob("*.py"))
    return sorted((SRC / package).rglob("*.py"))


def _literals(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module but its docstrings and typer `help=` texts (for
    developers and `--help` readers, which may stay bilingual); f-strings with their fixed parts."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "help":
            skip.update(id(n) for n in ast.walk(node.value))
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            fixed = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            out.append((node.lineno, fixed))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append((node.lineno, node.value))
    return out


@pytest.mark.parametrize("package", PACKAGES)
def test_no_literal_mixes_chinese_and_english(package: str) -> None:
    """Texts the user reads are catalogue messages in one language, never "中文 / English"."""
    mixed = [
        f"{path.relative_to(SRC)}:{line}: {value[:80]!r}"
        for path in _files(package)
        for line, value in _literals(path)
        if MIXED.search(value)
    ]
    assert not mixed, "\n".join(mixed)
