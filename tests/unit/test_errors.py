"""Pins every exit code of the spec table (cli.md §1.4)."""

from __future__ import annotations

import pytest

from akcli import errors


@pytest.mark.parametrize(
    ("cls", "rc"),
    [
        (errors.AkError, 1),
        (errors.UsageError, 1),
        (errors.AlreadyExists, 1),
        (errors.Conflict, 1),
        (errors.ServerUnavailable, 1),
        (errors.BadRequest, 40),
        (errors.Unauthenticated, 41),
        (errors.FailedPrecondition, 42),
        (errors.Unauthorized, 43),
        (errors.NotFound, 44),
    ],
)
def test_exit_codes(cls: type[errors.AkError], rc: int) -> None:
    assert cls.exit_code == rc


def test_round_trip_by_code() -> None:
    e = errors.from_code("not_found", "project: not_found")
    assert isinstance(e, errors.NotFound) and str(e) == "project: not_found"
    assert type(errors.from_code("weird", "x")) is errors.AkError
    assert str(errors.not_found("projects")) == "projects: not_found"
