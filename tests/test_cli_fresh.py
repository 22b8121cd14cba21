"""The README's first steps, each command in a fresh process on a fresh data directory, as a
new user runs them: a test process that has imported every model already cannot stand in for
that (it hid a missing table mapping from `pingan user add`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PINGAN = Path(sys.executable).with_name("pingan")


def _pingan(
    data_dir: Path, *args: str, stdin: str | None = None, lang: str | None = None
) -> subprocess.CompletedProcess:
    """`pingan` on a bare machine (C locale: Chinese), or in `lang` through PINGAN_LANG."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PINGAN_") and k not in ("LANG", "LC_ALL", "LC_MESSAGES")
    }
    env["LANG"] = "C.UTF-8"
    env["PINGAN_DATA_DIR"] = str(data_dir)
    if lang:
        env["PINGAN_LANG"] = lang
    return subprocess.run(
        [str(PINGAN), *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_first_admin_is_made_on_a_fresh_store_in_a_fresh_process(tmp_path):
    data = tmp_path / "fresh"
    r = _pingan(data, "db", "upgrade")
    assert r.returncode == 0, r.stderr
    assert "新建" in r.stdout and "已是最新" not in r.stdout  # it says what it did
    r = _pingan(data, "user", "add", "chief", "--role", "admin", "--password-stdin",
                stdin="Very-secret-1\n")  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert "chief" in r.stdout and "Traceback" not in r.stderr
    r = _pingan(data, "db", "upgrade", lang="en")
    assert r.returncode == 0 and "already" in r.stdout
    r = _pingan(data, "audit", "verify")
    assert r.returncode == 0, r.stdout + r.stderr


def test_user_add_with_a_weak_password_says_why_and_keeps_the_store(tmp_path):
    data = tmp_path / "fresh"
    assert _pingan(data, "db", "upgrade").returncode == 0
    r = _pingan(data, "user", "add", "chief", "--role", "admin", "--password-stdin",
                stdin="short\n")  # fmt: skip
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert (r.stdout + r.stderr).strip()  # a message, not silence
    r = _pingan(data, "user", "add", "chief", "--role", "admin", "--password-stdin",
                stdin="Very-secret-1\n")  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr


def test_report_planned_states_its_clock_and_refuses_a_time_without_an_offset(tmp_path):
    data = tmp_path / "fresh"
    assert _pingan(data, "db", "upgrade").returncode == 0
    span = ("--since", "2026-07-01T00:00:00+08:00", "--until", "2026-07-02T00:00:00+08:00")
    r = _pingan(data, "report", "planned", *span, lang="en")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "planned vs realized" in r.stdout and "clock: planned" in r.stdout
    assert r.stdout.count("expected -") == 3  # no call, no plan: nothing to claim
    r = _pingan(data, "report", "planned", *span)
    assert r.returncode == 0 and "计划与实际" in r.stdout and "口径：" in r.stdout
    assert r.stdout.count("期望 -") == 3 and "expected" not in r.stdout
    r = _pingan(data, "report", "planned", "--since", "2026-07-01", lang="en")
    assert r.returncode == 2 and "time zone" in r.stdout + r.stderr


def test_the_cli_speaks_one_language_its_locale_or_pingan_lang(tmp_path):
    """A refused command says why in one language: Chinese on a bare (C locale) machine,
    English with PINGAN_LANG=en; the refusals of sub-commands and of the domain alike."""
    data = tmp_path / "fresh"
    assert _pingan(data, "db", "upgrade").returncode == 0
    zh = _pingan(data, "report", "planned", "--since", "2026-07-01")
    en = _pingan(data, "report", "planned", "--since", "2026-07-01", lang="en")
    assert zh.returncode == en.returncode == 2
    assert zh.stderr.strip() == "--since 须带时区"
    assert en.stderr.strip() == "--since needs a time zone offset"
    zh = _pingan(data, "roster", "show", "--date", "July 1st")
    en = _pingan(data, "roster", "show", "--date", "July 1st", lang="en")
    assert zh.returncode == en.returncode == 2
    assert zh.stderr.strip() == "日期格式无效：July 1st（YYYY-MM-DD）"
    assert en.stderr.strip() == "bad date: July 1st (YYYY-MM-DD)"
    zh = _pingan(data, "plan", "show", "99", "--by", "nobody")
    en = _pingan(data, "plan", "show", "99", "--by", "nobody", lang="en")
    assert zh.returncode == en.returncode == 2
    assert zh.stderr.strip() == "用户不存在或已停用：nobody"
    assert en.stderr.strip() == "no such active user: nobody"
    r = _pingan(data, "report", "services", "--days", "1", lang="en")
    assert r.returncode == 0 and "cars found" in r.stdout
    assert not re.search(r"[\u4e00-\u9fff]", r.stdout)
