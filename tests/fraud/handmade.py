"""Small hand-written accounts and transfers for the fraud tests."""

from __future__ import annotations

import numpy as np

from pingan.fraud.synth import PERSON, YUAN, Accounts, Transfers


def accounts(kinds: list[int] | int, **columns: list[int]) -> Accounts:
    kind = np.array([PERSON] * kinds if isinstance(kinds, int) else kinds, dtype=np.int8)
    n = len(kind)
    cols = {
        "owner": np.arange(n, dtype=np.int32),
        "phone": np.arange(n, dtype=np.int64) + 1000,
        "device": np.arange(n, dtype=np.int64) + 2000,
    }
    cols.update({k: np.array(v, dtype=cols[k].dtype) for k, v in columns.items()})
    zeros = np.zeros(n, dtype=np.int8)
    return Accounts(
        kind, cols["owner"], cols["phone"], cols["device"], zeros, zeros.astype(np.int16)
    )


def transfers(rows: list[tuple[int, int, int, int]]) -> Transfers:
    """(src, dst, seconds, yuan) rows, already in time order."""
    src, dst, t, yuan = (np.array(c, dtype=np.int64) for c in zip(*rows, strict=True))
    assert (np.diff(t) >= 0).all(), "write the rows in time order"
    return Transfers(
        src.astype(np.int32),
        dst.astype(np.int32),
        t,
        yuan * YUAN,
        np.zeros(len(src), dtype=np.int8),
    )
