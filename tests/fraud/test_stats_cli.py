"""`pingan fraud stats` in a fresh process on a fresh data directory, as a user runs it."""

from __future__ import annotations

import json

from tests.test_cli_fresh import _pingan


def test_fraud_stats_prints_the_kpis_and_refuses_a_bad_period(tmp_path):
    data = tmp_path / "fresh"
    assert _pingan(data, "db", "upgrade").returncode == 0
    span = ("--from", "2028-02-01", "--to", "2028-02-29")
    r = _pingan(data, "fraud", "stats", *span, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    body = json.loads(r.stdout)
    assert body["current"]["period"] == {"from": "2028-02-01", "to": "2028-02-29"}
    assert body["previous"]["period"] == {"from": "2027-02-01", "to": "2027-02-28"}
    assert body["current"]["cases"] == 0 and len(body["by_day"]) == 29
    r = _pingan(data, "fraud", "stats", *span)
    assert r.returncode == 0 and "案件数" in r.stdout and "2027-02-28" in r.stdout
    assert "本期无案件" in r.stdout and "cases" not in r.stdout
    r = _pingan(data, "fraud", "stats", *span, lang="en")
    assert r.returncode == 0 and "money stopped" in r.stdout
    r = _pingan(data, "fraud", "stats")  # this year to date, by the machine's clock
    assert r.returncode == 0, r.stdout + r.stderr
    r = _pingan(data, "fraud", "stats", "--from", "2028-03-01", "--to", "2028-02-01", lang="en")
    assert r.returncode == 2 and "after the last day" in r.stdout + r.stderr
    r = _pingan(data, "fraud", "stats", "--from", "1.3.2028", lang="en")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stdout + r.stderr
    assert "Traceback" not in r.stderr


def test_fraud_stats_on_a_directory_without_a_store_says_so(tmp_path):
    r = _pingan(tmp_path / "none", "fraud", "stats", "--json")
    assert r.returncode == 2 and "Traceback" not in r.stderr
