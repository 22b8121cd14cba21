"""Fake people for the register tests: ID numbers made valid with the project's own check."""

from __future__ import annotations

from pingan.pii.id_number import check_character


def id_number(region: str, born: str, seq: str) -> str:
    first17 = f"{region}{born}{seq}"
    return first17 + check_character(first17)


ZHANG = id_number("150602", "19900101", "123")  # 张三, Kangbashi
LI = id_number("150602", "19851231", "456")  # 李四
WANG = id_number("150602", "19500505", "789")  # 王五, deceased
ZHAO = id_number("150602", "20000229", "246")  # 赵六, no phone
NOT_IN = id_number("150602", "19700707", "135")

CSV = (
    "id_number,name,birth_date,address_code,status,phone\n"
    f"{ZHANG},张三,1990-01-01,150602001001,normal,13912345678\n"
    f"{LI},李四,,150602,normal,13800001111\n"
    f"{WANG},王五,1950-05-05,150602001002,deceased,\n"
    f"{ZHAO},赵六,2000-02-29,150602001003,,\n"
)


def bad_check(value: str) -> str:
    """The same number with a wrong check character."""
    wrong = "0" if value[-1] != "0" else "1"
    return value[:-1] + wrong
