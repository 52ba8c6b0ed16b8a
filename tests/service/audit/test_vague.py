"""The vague-measure score, tuned on phrasings the office calls 过于笼统 and on concrete ones."""

from __future__ import annotations

import pytest

from service.audit.vague import score

THRESHOLD = 0.6  # the rule's default

VAGUE = [
    "加强学习",
    "提高认识",
    "严格执行有关规定",
    "加强学习,提高认识",
    "加强廉政教育,增强廉洁自律意识",
    "进一步加强监督管理",
    "严格要求,认真落实",
    "加强政治纪律教育",
]
CONCRETE = [
    "每季度由科长对收费台账进行一次抽查",
    "收入款项当日存入银行",
    "名称核准实行系统比对和人工复核",
    "重要事项经科务会集体讨论决定",
    "2025年6月底前制定《公务接待管理办法》",
    "在同一岗位任职满五年的原则上交流",
    "采购合同由法规科审查",
    "开展办事群众满意度回访",
]


@pytest.mark.parametrize("text", VAGUE)
def test_stock_phrases_on_their_own_score_high(text: str) -> None:
    assert score(text) >= THRESHOLD


@pytest.mark.parametrize("text", CONCRETE)
def test_concrete_actions_score_low(text: str) -> None:
    assert score(text) < THRESHOLD


def test_an_owner_and_a_date_make_a_stock_phrase_concrete() -> None:
    assert score("加强学习") >= THRESHOLD
    assert score("加强学习", owner="王明", deadline="2025-06-30") < THRESHOLD


def test_empty_text_is_as_vague_as_it_gets() -> None:
    assert score(" 。") == 1.0
