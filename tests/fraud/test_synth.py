import numpy as np
import pytest

from pingan.fraud import synth
from pingan.pii.id_number import InvalidIdNumber, normalise_id_number
from pingan.services.identifiers import luhn_ok


@pytest.fixture(scope="module")
def data() -> synth.Dataset:
    return synth.generate(5_000, 30_000, seed=11)


def test_same_seed_same_data_other_seed_other_data(data):
    again = synth.generate(5_000, 30_000, seed=11)
    other = synth.generate(5_000, 30_000, seed=12)
    for col in ("src", "dst", "t", "amount", "channel"):
        assert np.array_equal(getattr(data.transfers, col), getattr(again.transfers, col))
    assert np.array_equal(data.truth.mule, again.truth.mule)
    assert np.array_equal(data.truth.victim_transfers, again.truth.victim_transfers)
    assert not np.array_equal(data.transfers.amount, other.transfers.amount)


def test_amounts_are_positive_integer_fen_and_rows_in_time_order(data):
    tr = data.transfers
    assert len(tr) == 30_000
    assert tr.amount.dtype == np.int64 and (tr.amount > 0).all()
    assert (np.diff(tr.t) >= 0).all()
    assert not (tr.src == tr.dst).any()


def test_every_typology_is_laid_and_the_key_is_consistent(data):
    truth, tr = data.truth, data.transfers
    assert set(truth.case_typology) == set(synth.TYPOLOGIES)
    assert len(truth.victim_transfers) > 0
    assert (truth.transfer_case[truth.victim_transfers] >= 0).all()
    assert not truth.mule[tr.src[truth.victim_transfers]].any()  # victims are not mules
    assert truth.mule[tr.dst[truth.victim_transfers]].all()  # they pay a mule
    assert (truth.report_t >= tr.t[truth.victim_transfers]).all()
    v = int(truth.victim_transfers[0])
    assert truth.next_hops(tr, v) <= set(truth.onward(tr, v))


def test_syndicate_mules_share_phones_and_devices(data):
    acc, mule = data.accounts, data.truth.mule
    _, counts = np.unique(acc.phone[mule], return_counts=True)
    assert counts.max() >= 3


def test_identifiers_can_never_be_real(data):
    acc = data.accounts
    person = int(np.flatnonzero(acc.kind == synth.PERSON)[0])
    with pytest.raises(InvalidIdNumber):
        normalise_id_number(synth.id_number(acc, person))
    card = synth.card_number(person)
    assert card.startswith("9990") and len(card) == 19 and not luhn_ok(card)
    assert synth.phone_number(acc.phone[person]).startswith("100")
    assert synth.account_name(acc, person).endswith(synth.SYNTHETIC_MARK)
