"""Outside providers behind small interfaces: the liveness/face check and the SMS sender.

Only test doubles and a demo outbox ship: no real provider is called and no model is
downloaded. A deployment adds its provider here (a class with the same method) and names it in
settings (`PINGAN_IDENTITY_FACE_PROVIDER`, `PINGAN_IDENTITY_SMS_SENDER`).

Data minimisation (个人信息保护法 §6, 人脸识别技术应用安全管理办法 2025): the platform never
receives or stores a face image. The client hands the image to the provider's own SDK and
passes on only the provider's reference to it (`image_ref`); what is kept is the provider's
result reference, the score and whether it passed. Face is also never the only way to L2:
the one-time code to the register's phone (and an officer's desk check, L3) reach it too.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from pingan.config import Settings
from pingan.pii.phone import mask_phone


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


class OutboxSms:
    """Demo only, like a mail framework's file backend: each message is appended as a line to
    a text file (`<data dir>/sms-outbox.txt`: time, masked phone, code) instead of being
    sent, so someone trying the demo can read the code and reach L2. The phone is written
    masked; the code is in clear because reading it is the point. Never for production: a
    code anyone with the data directory can read proves nothing about the phone."""

    name = "outbox"

    def __init__(self, path: Path, now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.path = path
        self._now = now
        self._lock = threading.Lock()  # one line per message, whole, from any thread

    def send(self, phone: str, code: str) -> None:
        line = f"{self._now().isoformat(timespec='seconds')}\t{mask_phone(phone)}\t{code}\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)


OUTBOX_FILE = "sms-outbox.txt"

FACE_PROVIDERS: dict[str, Callable[[Settings], FaceProvider]] = {
    "double": lambda _s: TestDoubleFace(),
    "none": lambda _s: NoFace(),
}
SMS_SENDERS: dict[str, Callable[[Settings], SmsSender]] = {
    "double": lambda _s: TestDoubleSms(),
    "outbox": lambda s: OutboxSms(Path(s.data_dir) / OUTBOX_FILE),
}


@dataclass
class Adapters:
    face: FaceProvider
    sms: SmsSender


def from_settings(settings: Settings) -> Adapters:
    """The configured adapters; an unknown name is a configuration error at first use."""
    try:
        face = FACE_PROVIDERS[settings.identity_face_provider](settings)
        sms = SMS_SENDERS[settings.identity_sms_sender](settings)
    except KeyError as exc:
        raise ValueError(f"unknown identity adapter: {exc.args[0]}") from None
    return Adapters(face=face, sms=sms)
