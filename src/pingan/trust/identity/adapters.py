"""Outside providers behind small interfaces: the liveness/face check and the SMS sender.

Only test doubles ship: no real provider is called and no model is downloaded. A deployment
adds its provider here (a class with the same method) and names it in settings
(`PINGAN_IDENTITY_FACE_PROVIDER`, `PINGAN_IDENTITY_SMS_SENDER`).

Data minimisation (个人信息保护法 §6, 人脸识别技术应用安全管理办法 2025): the platform never
receives or stores a face image. The client hands the image to the provider's own SDK and
passes on only the provider's reference to it (`image_ref`); what is kept is the provider's
result reference, the score and whether it passed. Face is also never the only way to L2:
the one-time code to the register's phone (and an officer's desk check, L3) reach it too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Protocol

from pingan.config import Settings


@dataclass(frozen=True, slots=True)
class FaceSubject:
    """Who the provider compares the live face with (its own copy of the ID photo).
    Passed to the provider only; never stored by the platform."""

    id_number: str
    name: str


@dataclass(frozen=True, slots=True)
class FaceResult:
    passed: bool
    score: float
    provider_ref: str


class FaceProvider(Protocol):
    name: str

    def check(self, subject: FaceSubject, image_ref: str) -> FaceResult:
        """Liveness plus a 1:1 comparison of the live face with the subject's ID photo."""
        ...


class FaceUnavailable(RuntimeError):
    """No face provider is configured (or it cannot be reached): use another method."""


class TestDoubleFace:
    """Deterministic stand-in: an `image_ref` starting with "spoof" fails liveness (score
    0.12), one starting with "other" is someone else (score 0.41), anything else passes
    (0.97). The reference it returns is a hash, so no input is echoed back."""

    name = "double"
    __test__ = False  # not a pytest test class

    def check(self, subject: FaceSubject, image_ref: str) -> FaceResult:
        if image_ref.startswith("spoof"):
            score = 0.12
        elif image_ref.startswith("other"):
            score = 0.41
        else:
            score = 0.97
        digest = hashlib.sha256(f"{subject.id_number}|{image_ref}".encode()).hexdigest()[:24]
        return FaceResult(passed=score >= 0.5, score=score, provider_ref=f"double-{digest}")


class NoFace:
    """Face checks switched off: every request is pointed to the other methods."""

    name = "none"

    def check(self, subject: FaceSubject, image_ref: str) -> FaceResult:
        raise FaceUnavailable(self.name)


class SmsSender(Protocol):
    name: str

    def send(self, phone: str, code: str) -> None:
        """Deliver a one-time code; the platform keeps only the code's hash."""
        ...


@dataclass
class TestDoubleSms:
    """Keeps what it would have sent in memory (tests and the demo read `sent`)."""

    __test__ = False  # not a pytest test class
    name: str = "double"
    sent: list[tuple[str, str]] = field(default_factory=list)

    def send(self, phone: str, code: str) -> None:
        self.sent.append((phone, code))


FACE_PROVIDERS = {"double": TestDoubleFace, "none": NoFace}
SMS_SENDERS = {"double": TestDoubleSms}


@dataclass
class Adapters:
    face: FaceProvider
    sms: SmsSender


def from_settings(settings: Settings) -> Adapters:
    """The configured adapters; an unknown name is a configuration error at first use."""
    try:
        face = FACE_PROVIDERS[settings.identity_face_provider]()
        sms = SMS_SENDERS[settings.identity_sms_sender]()
    except KeyError as exc:
        raise ValueError(f"unknown identity adapter: {exc.args[0]}") from None
    return Adapters(face=face, sms=sms)
