"""Crash points are inert in production and refuse a misspelt selection; that a selected point
really kills its process with SIGKILL is shown by every test in test_crash_recovery.py."""

from __future__ import annotations

import pytest

from gateway.crash_points import ENVIRONMENT_VARIABLE, POINTS, crash_point


def test_without_the_variable_every_point_is_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    for point in POINTS:
        crash_point(point)


def test_a_point_other_than_the_selected_one_is_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "after_erp_post:3")
    crash_point("mid_translation")


def test_a_misspelt_selection_is_an_error_not_a_silent_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "after_erp_pots")
    with pytest.raises(ValueError, match="names no crash point"):
        crash_point("mid_translation")


def test_an_undeclared_point_in_the_code_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "mid_translation")
    with pytest.raises(ValueError, match="not declared"):
        crash_point("somewhere_new")
