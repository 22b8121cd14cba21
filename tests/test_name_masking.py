"""One masking rule for every stored personal name."""

from __future__ import annotations

from pingan.pii.name import mask_name, seal_name
from pingan.pii.vault import Vault


def test_name_masking_keeps_the_first_character_only():
    assert mask_name("李小明") == "李**"
    assert mask_name("张三") == "张*"
    assert mask_name(" 王 ") == "*"
    assert mask_name("") == ""
    assert mask_name("Alexander Hamilton") == "A******"  # a long name's length is not shown


def test_sealed_name_opens_with_the_key_and_blank_is_no_name():
    vault = Vault(b"k" * 32)
    sealed = seal_name(vault, " 李小明 ")
    assert sealed is not None and sealed.masked == "李**"
    assert "李小明" not in sealed.enc and vault.decrypt(sealed.enc) == "李小明"
    assert seal_name(vault, "   ") is None and seal_name(vault, None) is None
