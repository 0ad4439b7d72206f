"""Tag bitsets and building inputs from records."""

import datetime as dt

import numpy as np
import pytest

from matching.engine import DAY_MAX, DAY_MIN, NO_GRADE, encode_tags, problem_from_records
from matching.engine.records import pupils_from_records, to_day
from matching.engine.tags import names_per_row


def test_it_encodes_tags_with_a_sorted_vocabulary_by_default():
    bits, vocab = encode_tags([["uk", "ar"], [], ["ar", "ar"]])
    assert vocab == ["ar", "uk"]
    assert bits.dtype == np.uint64
    assert bits.tolist() == [[0b11], [0], [0b01]]


def test_it_keeps_a_given_vocabulary_order_and_appends_unseen_tags():
    bits, vocab = encode_tags([["pl"], ["ti", "ar"]], ["ar", "pl"])
    assert vocab == ["ar", "pl", "ti"]
    assert bits.tolist() == [[0b010], [0b101]]


def test_it_uses_more_words_past_64_tags():
    vocab = [f"t{i:03d}" for i in range(70)]
    bits, out = encode_tags([["t000", "t064", "t069"], ["t063"]], vocab)
    assert out == vocab
    assert bits.shape == (2, 2)
    assert bits.tolist() == [[1, (1 << 0) | (1 << 5)], [1 << 63, 0]]
    assert names_per_row(bits, vocab) == [["t000", "t064", "t069"], ["t063"]]


def test_it_pads_to_the_requested_words_and_refuses_too_few():
    bits, _ = encode_tags([["a"]], words=2)
    assert bits.tolist() == [[1, 0]]
    with pytest.raises(ValueError, match="need 2 words"):
        encode_tags([[f"x{i}" for i in range(65)]], words=1)


def test_it_encodes_no_rows():
    bits, vocab = encode_tags([])
    assert bits.shape == (0, 1)
    assert vocab == []


def test_it_decodes_shared_patterns_once_and_copies_per_row():
    rows = names_per_row(np.array([[0b11], [0b11], [0]], dtype=np.uint64), ["ar", "en"])
    assert rows == [["ar", "en"], ["ar", "en"], []]
    rows[0].append("x")
    assert rows[1] == ["ar", "en"]  # rows must not share list objects


def test_it_converts_dates_to_days_since_epoch():
    assert to_day(dt.date(1970, 1, 11), 0) == 10
    assert to_day(dt.datetime(1970, 1, 2, 23, 59), 0) == 1
    assert to_day(None, 42) == 42
    assert to_day(7, 0) == 7


def test_it_builds_a_problem_with_shared_vocabularies_and_defaults():
    problem = problem_from_records(
        [{"id": 1, "group": 4, "home_languages": ["uk"], "languages": ["en"], "interests": ["chess"]}],
        [{"id": 2, "group": 4, "languages": ["ar", "en"]}],
        exclusions=[(1, 2)],
    )
    assert problem.language_names == ("ar", "en", "uk")
    assert problem.interest_names == ("chess",)
    assert problem.pupils.home_langs.tolist() == [[0b100]]
    assert problem.pupils.langs.tolist() == [[0b110]]  # home languages count as languages
    assert problem.buddies.langs.tolist() == [[0b011]]
    assert problem.buddies.grade.tolist() == [NO_GRADE]
    assert problem.buddies.capacity.tolist() == [1]
    assert problem.buddies.consent.tolist() == [True]
    assert problem.buddies.available_from.tolist() == [DAY_MIN]
    assert problem.buddies.available_until.tolist() == [DAY_MAX]
    assert problem.exclusions.tolist() == [[1, 2]]
    assert problem.locked.shape == (0, 2)


def test_it_rejects_tags_outside_the_vocabulary():
    with pytest.raises(ValueError, match="unknown languages: \\['xx'\\]"):
        pupils_from_records([{"id": 1, "group": 1, "home_languages": ["xx"]}], ["ar"], [])
