"""`pingan visits import-facilities` and `import-detainees` in fresh processes on a fresh data
directory: all or nothing, faults by line number, no personal data echoed, audited."""

from __future__ import annotations

from tests.test_cli_fresh import _pingan
from tests.visits.rows import id_number

FACILITIES = """\
facilities:
  - code: KSS01
    name: 康巴什区看守所
    kind: detention_centre
    phone: 0477-8581234
    slot_minutes: 30
    hours:
      0: [["09:00", "11:30"], ["14:00", "17:00"]]
    terminals:
      - {code: L1, name: 律师会见室1, use: lawyer}
      - {code: F1, name: 家属会见室1, use: family}
  - code: JLS01
    name: 康巴什区拘留所
    kind: admin_detention_centre
    terminals:
      - {code: T1, name: 会见室1, use: any}
"""
BAD_FACILITIES = (
    FACILITIES
    + """\
  - code: KSS02
    name: 坏场所
    kind: prison
  - code: KSS01
    name: 重复
    kind: detention_centre
"""
)
LIU, WANG = id_number("19900505", "321"), id_number("19851111", "654")
BAD_LIU = LIU[:-1] + ("0" if LIU[-1] != "0" else "1")  # a wrong check character
HEADER = (
    "detainee_no,facility_code,name,id_number,stage,case_authority,case_no,charge,restrictions,"
    "held_since,held_until\n"
)
DETAINEES = (
    HEADER
    + f"D0001,KSS01,刘某某,{LIU},investigation,康巴什区公安分局,A1,盗窃,"
    + "lawyer_needs_permission,2026-11-20,\n"
    + f"D0002,JLS01,王某,{WANG},administrative,康巴什区公安分局,,,,2026-12-01,2026-12-11\n"
)


def test_import_facilities_then_detainees_all_or_nothing(tmp_path):
    data = tmp_path / "fresh"
    assert _pingan(data, "db", "upgrade").returncode == 0
    for name, role in (("chief", "commander"), ("desk", "officer"), ("root", "admin")):
        r = _pingan(
            data, "user", "add", name, "--role", role, "--password-stdin", stdin="Very-secret-1\n"
        )
        assert r.returncode == 0, r.stdout + r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_FACILITIES, encoding="utf-8")
    r = _pingan(data, "visits", "import-facilities", str(bad), "--by", "chief", lang="en")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "line 17 [bad_facility_kind]" in r.stderr and "line 20 [duplicate]" in r.stderr
    assert "nothing was imported" in r.stderr and "Traceback" not in r.stderr
    good = tmp_path / "facilities.yaml"
    good.write_text(FACILITIES, encoding="utf-8")
    r = _pingan(data, "visits", "import-facilities", str(good), "--by", "desk", lang="en")
    assert r.returncode == 2 and "visits.setup" in r.stderr
    r = _pingan(data, "visits", "import-facilities", str(good), "--by", "root", lang="en")
    assert r.returncode == 0 and "2 added, 0 updated" in r.stdout, r.stderr

    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(
        DETAINEES
        + f"D0003,KSS09,赵某,{id_number('19700101', '111')},trial,分局,,,,2026-12-01,\n"
        + f"D0004,KSS01,钱某,{BAD_LIU},trial,分局,,,,2026-12-01,\n"
        + f"D0001,KSS01,刘某某,{id_number('19700101', '222')},trial,分局,,,,2026-12-01,\n"
        + f"D0006,KSS01,孙某,{id_number('19700101', '333')},trial,分局,,,gagged,12/01/2026,\n",
        encoding="utf-8",
    )
    r = _pingan(data, "visits", "import-detainees", str(bad_csv), "--by", "desk", lang="en")
    assert r.returncode == 2, r.stdout + r.stderr
    for expected in (
        "line 4 [unknown_facility]",
        "line 5 [invalid_id_number]",
        "line 6 [duplicate]",
        "line 7 [bad_time]",
    ):
        assert expected in r.stderr, r.stderr
    assert LIU not in r.stderr + r.stdout and "刘某某" not in r.stderr + r.stdout
    good_csv = tmp_path / "detainees.csv"
    good_csv.write_text(DETAINEES, encoding="utf-8-sig")
    r = _pingan(data, "visits", "import-detainees", str(good_csv), "--by", "chief")
    assert r.returncode == 0 and "新增 2" in r.stdout, r.stderr
    r = _pingan(data, "visits", "import-detainees", str(good_csv), "--by", "desk", lang="en")
    assert r.returncode == 0 and "0 added, 2 updated" in r.stdout, r.stderr
    r = _pingan(data, "visits", "import-detainees", str(good_csv), "--by", "root", lang="en")
    assert r.returncode == 2 and "visits.manage" in r.stderr
    assert _pingan(data, "audit", "verify").returncode == 0
