"""``DetectorConfig.from_dict``: every way options reach the detector (``--set``, a
``[detector]`` table, a snapshot) goes through it, so it checks names and kinds."""

from __future__ import annotations

from dataclasses import fields

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.detect import DetectorConfig, create_detector, restore_detector

KINDS = {f.name: f.type for f in fields(DetectorConfig)}
NUMBERS = sorted(k for k, t in KINDS.items() if t == "float")
COUNTS = sorted(k for k, t in KINDS.items() if t == "int")
SWITCHES = sorted(k for k, t in KINDS.items() if t == "bool")


@given(st.sampled_from(NUMBERS),
       st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False)))
def test_a_number_option_takes_any_number_and_keeps_a_float(name, value):
    got = getattr(DetectorConfig.from_dict({name: value}), name)
    assert isinstance(got, float) and got == float(value)


@given(st.sampled_from(COUNTS), st.integers(-10**6, 10**6))
def test_a_count_option_takes_whole_numbers(name, value):
    assert getattr(DetectorConfig.from_dict({name: value}), name) == value


@given(st.sampled_from(NUMBERS + COUNTS + SWITCHES),
       st.one_of(st.text(max_size=8), st.none(), st.lists(st.integers(), max_size=2)))
def test_a_value_of_another_kind_is_refused_with_the_options_name(name, value):
    with pytest.raises(ValueError, match=f"detector option {name} must be"):
        DetectorConfig.from_dict({name: value})


@given(st.sampled_from(COUNTS + NUMBERS), st.booleans())
def test_true_is_not_a_number(name, value):
    with pytest.raises(ValueError, match=name):
        DetectorConfig.from_dict({name: value})


def test_unknown_options_are_named():
    with pytest.raises(ValueError, match="unknown detector option"):
        DetectorConfig.from_dict({"merge_intervall": 1.0, "split_min": 3})


def test_every_default_passes_its_own_check():
    d = DetectorConfig().to_dict()
    assert DetectorConfig.from_dict(d) == DetectorConfig()


def test_a_snapshot_restores_with_its_options_unless_overridden():
    blob = create_detector(split_min=30, merge_interval=0).snapshot()
    assert restore_detector(blob).cfg.split_min == 30
    again = restore_detector(blob, merge_interval=3600)
    assert again.cfg.merge_interval == 3600.0 and again.cfg.split_min == 30
