"""The hand-written encoders of the activity hot path write what encode() writes."""

from __future__ import annotations

import base64
import pickle

import pytest

from runner import protocol


@pytest.mark.parametrize("seq", [0, 1, 12345678901])
def test_ack_round_trip(seq: int) -> None:
    line = protocol.encode_ack(seq)
    assert line == protocol.encode(protocol.ACK, {"seq": seq})
    assert protocol.decode_ack(line.rstrip(b"\n")) == seq


@pytest.mark.parametrize(
    "line",
    [
        b'{"type":"ack","payload":{"seq":-1}}',
        b'{"type":"ack","payload":{"seq":1,"x":2}}',
        b'{"type":"stop","payload":{"reason":"x"}}',
        b"",
    ],
)
def test_other_lines_are_not_acks(line: bytes) -> None:
    assert protocol.decode_ack(line) is None


CALLS = [
    None,
    ([], {}),
    (
        ["1", "'h\u00e9llo\"\\n'", "<x at 0x1>", "\u2028\x00"],
        {"k": "v", "\u00fc": "\x7f"},
    ),
]


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("name", ["noop", 'w\u00ebird"name\\'])
@pytest.mark.parametrize("is_error", [False, True])
def test_activity_done_matches_encode(
    call: tuple[list[str], dict[str, str]] | None, name: str, is_error: bool
) -> None:
    result = base64.b64encode(pickle.dumps((1, None))).decode()
    payload: dict[str, object] = {
        "seq": 7,
        "name": name,
        "result": result,
        "is_error": is_error,
    }
    if call is not None:
        payload["args"], payload["kwargs"] = call
    line = protocol.encode_activity_done(7, name, result, is_error, call)
    assert line == protocol.encode(protocol.ACTIVITY_DONE, payload)
