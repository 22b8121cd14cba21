"""The kinds of telecom fraud (诈骗类型) the platform names, as codes; the words for each are
the catalogue messages `fraud.type.<code>`. The list itself is the desk's (desk.yaml), so the
case intake, the fraud numbers and the statistics accept the same codes."""

from __future__ import annotations

from pingan.fraud.desk import desk

FRAUD_TYPES: tuple[str, ...] = desk().fraud_types
