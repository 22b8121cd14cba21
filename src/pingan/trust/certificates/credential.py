"""The three documents as W3C Verifiable Credentials 2.0 (unsigned; proof.py signs them).

Types (公安机关办理犯罪记录查询工作规定 and its annexed forms):
`NoCriminalRecordCertificate` 无犯罪记录证明, `RecordFoundNotice` 不予出具无犯罪记录证明通知书
(a reason code, never the record), `UnitQueryResultLetter` 犯罪记录查询结果告知函 (issued or
not, nothing more). @context entries are URLs as strings; nothing is fetched.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pingan.trust.certificates.policy import policy

VC_V2 = "https://www.w3.org/ns/credentials/v2"
CONTEXT = [VC_V2, "https://pingan.example/ns/certificates/v1"]
TYPES = {
    "certificate": "NoCriminalRecordCertificate",
    "notice": "RecordFoundNotice",
    "letter": "UnitQueryResultLetter",
}
KIND_OF_TYPE = {t: k for k, t in TYPES.items()}


def iso(at: datetime) -> str:
    return at.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build(
    *,
    kind: str,
    number: str,
    subject: dict[str, Any],
    station: str,
    valid_from: datetime,
    valid_until: datetime | None,
    status: dict[str, Any] | None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": f"urn:pingan:cert:{number}",
        "type": ["VerifiableCredential", TYPES[kind]],
        "issuer": {"id": policy().issuer, "name": station},
        "validFrom": iso(valid_from),
    }
    if valid_until is not None:
        doc["validUntil"] = iso(valid_until)
    doc["credentialSubject"] = subject
    if status is not None:
        doc["credentialStatus"] = status
    return doc


def kind_of(document: dict[str, Any]) -> str | None:
    types = document.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        return None
    found = [KIND_OF_TYPE[t] for t in types if t in KIND_OF_TYPE]
    return found[0] if len(found) == 1 else None
