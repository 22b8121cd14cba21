"""Chinese text similarity for item descriptions: synonyms folded, then tokenised.

Three tokenisers are compared in bench/matching.py: jieba words (search mode), character
bigrams, and whole keywords split on punctuation (the baseline a desk search gives).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import cache

import jieba

jieba.setLogLevel(logging.WARNING)

# Everyday synonyms folded to one word before tokenising (手机/电话, 钱包/皮夹 …).
SYNONYMS = {
    "电话": "手机",
    "移动电话": "手机",
    "皮夹": "钱包",
    "钱夹": "钱包",
    "皮包": "包",
    "挎包": "包",
    "背包": "包",
    "双肩包": "包",
    "手提包": "包",
    "钥匙串": "钥匙",
    "身份证件": "身份证",
    "雨伞": "伞",
    "眼镜盒": "眼镜",
    "笔记本电脑": "电脑",
    "平板": "电脑",
    "深蓝": "蓝",
    "藏青": "蓝",
    "黑色": "黑",
    "白色": "白",
    "红色": "红",
    "蓝色": "蓝",
    "灰色": "灰",
    "银色": "银",
    "金色": "金",
    "棕色": "棕",
    "咖啡色": "棕",
    "粉色": "粉",
    "绿色": "绿",
    "黄色": "黄",
    "紫色": "紫",
}
_SYN = re.compile("|".join(sorted(map(re.escape, SYNONYMS), key=len, reverse=True)))
_PUNCT = re.compile(r"[\s,，.。;；:：!！?？、/()（）\"“”'‘’\-]+")
STOP = frozenset(
    [
        "的",
        "了",
        "在",
        "有",
        "一",
        "个",
        "只",
        "是",
        "和",
        "与",
        "及",
        "其",
        "内",
        "里",
        "上",
        "我",
        "把",
        "被",
        "丢",
        "捡",
        "到",
        "在",
    ]
)


def fold(text: str) -> str:
    """Lower-case, synonyms replaced by their canonical word."""
    return _SYN.sub(lambda m: SYNONYMS[m.group(0)], text.lower())


def keywords(text: str) -> frozenset[str]:
    """Baseline: the phrases between punctuation, as typed."""
    return frozenset(p for p in _PUNCT.split(text.lower()) if p)


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of each phrase (single characters for one-character phrases)."""
    out: set[str] = set()
    for part in _PUNCT.split(fold(text)):
        if len(part) == 1:
            out.add(part)
        out.update(part[i : i + 2] for i in range(len(part) - 1))
    return frozenset(out)


@cache
def _jieba(phrase: str) -> tuple[str, ...]:
    return tuple(jieba.lcut_for_search(phrase))


def words(text: str) -> frozenset[str]:
    """jieba search-mode words, stop words dropped."""
    out: set[str] = set()
    for part in _PUNCT.split(fold(text)):
        if part:
            out.update(w for w in _jieba(part) if w not in STOP and w.strip())
    return frozenset(out)


TOKENIZERS: dict[str, Callable[[str], frozenset[str]]] = {
    "jieba": words,
    "bigram": bigrams,
    "keyword": keywords,
}


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice overlap of two token sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def coverage(needed: frozenset[str], given: frozenset[str]) -> float:
    """Share of the needed tokens present in the given ones (held-back detail check)."""
    return len(needed & given) / len(needed) if needed else 0.0
