"""The roles of Pingan's users (see MISSION.md "Who uses it")."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    VOLUNTEER = "volunteer"
    OFFICER = "officer"
    DISPATCHER = "dispatcher"
    COMMANDER = "commander"
    ADMIN = "admin"
    AUDITOR = "auditor"
    LOCKSMITH = "locksmith"  # a filed locksmith: unlock jobs only, nothing of the police
    LAWYER = "lawyer"  # a practising lawyer: video visits with clients in detention, nothing else
    ANALYST = "analyst"  # a DNA analyst of the family search: profiles, searches, reviews
    REVIEWER = "reviewer"  # a senior analyst who confirms kinship matches (复核), nothing else


ROLE_NAMES_ZH = {
    Role.CITIZEN: "群众",
    Role.VOLUNTEER: "志愿者/网格员",
    Role.OFFICER: "民警/辅警",
    Role.DISPATCHER: "指挥调度员",
    Role.COMMANDER: "指挥长",
    Role.ADMIN: "系统管理员",
    Role.AUDITOR: "审计员",
    Role.LOCKSMITH: "备案开锁人员",
    Role.LAWYER: "执业律师",
    Role.ANALYST: "亲缘鉴定分析员",
    Role.REVIEWER: "亲缘鉴定复核人",
}
