"""The runner's journal file: its record format, the writer, and a run with it.

runner/journal_file.py: ``<length:8 hex> <crc32:8 hex> <activity_done line>``;
a torn or damaged record ends the file. A runner given a journal file commits
each result there and sends it without waiting for an ack; one whose write
fails goes back to acks (``"ack": true`` on the line).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from akcli.engine.journal_files import JournalFiles
from runner import protocol
from runner.journal_file import (
    HEADER,
    JournalWriter,
    encode_record,
    line_seq,
    read_records,
)
from tests.unit.runner.helpers import run_files

needs_dev_full = pytest.mark.skipif(
    not os.path.exists("/dev/full"), reason="no /dev/full"
)


def _line(seq: int, result: str = "gAR9lC4=") -> bytes:
    return protocol.encode_activity_done(seq, "step", result, False, (["1"], {}))


def test_records_round_trip() -> None:
    lines = [_line(i, "x" * i) for i in range(1, 6)]
    data = b"".join(encode_record(ln) for ln in lines)
    assert read_records(data) == lines
    assert [line_seq(ln) for ln in read_records(data)] == [1, 2, 3, 4, 5]
    assert read_records(b"") == []


def test_a_torn_last_record_is_ignored_at_every_cut() -> None:
    whole = encode_record(_line(1)) + encode_record(_line(2))
    last = encode_record(_line(3))
    for cut in range(len(last)):
        assert read_records(whole + last[:cut]) == [_line(1), _line(2)], cut
    assert read_records(whole + last) == [_line(1), _line(2), _line(3)]


@pytest.mark.parametrize("where", ["length", "crc", "line", "separator"])
def test_a_damaged_record_ends_the_file(where: str) -> None:
    first, bad, after = (bytearray(encode_record(_line(i))) for i in (1, 2, 3))
    pos = {"length": 3, "crc": 12, "line": HEADER + 5, "separator": 8}[where]
    bad[pos] = ord("g") if where != "line" else bad[pos] ^ 1
    assert read_records(bytes(first + bad + after)) == [bytes(first[HEADER:])]


def test_a_record_must_hold_one_line() -> None:
    no_newline = b"x" * 10
    assert read_records(encode_record(no_newline)) == []


def test_line_seq_reads_only_activity_done_lines() -> None:
    assert line_seq(_line(42)) == 42
    assert line_seq(protocol.encode(protocol.PRINT, {"seq": 3})) is None
    assert line_seq(b'{"type":"activity_done","payload":{"seq":x1,') is None


@needs_dev_full
def test_writer_appends_and_stops_after_a_failed_write(tmp_path: Path) -> None:
    path = tmp_path / "s.jnl"
    path.touch()
    writer = JournalWriter.open(str(path))
    assert writer is not None
    assert writer.append(_line(1)) and writer.append(_line(2))
    assert read_records(path.read_bytes()) == [_line(1), _line(2)]
    full = JournalWriter.open("/dev/full")  # every write: ENOSPC
    assert full is not None
    assert not full.append(_line(3))
    assert full.fd == -1  # closed: no record may follow a torn one
    assert JournalWriter.open(str(tmp_path / "missing.jnl")) is None


def test_server_files_are_private(tmp_path: Path) -> None:
    class Db:
        path = tmp_path / "data" / "ak.sqlite"

    class Srv:
        db = Db()

    Db.path.parent.mkdir()
    files = JournalFiles(Srv(), tmp_path / "rt")  # type: ignore[arg-type]
    path = Path(files.create("ses_1"))
    assert path.parent == tmp_path / "data" / "ak.sqlite.ak-journal"
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600
    files.remove("ses_1")
    assert not path.exists()


PROGRAM = {
    "main.py": """
        import autokitteh

        @autokitteh.activity
        def step(i):
            return i * 10

        def main(event):
            return sum(step(i) for i in range(5))
    """
}


def test_a_run_journals_to_its_file_without_acks(tmp_path: Path) -> None:
    path = tmp_path / "run.jnl"
    path.touch()
    outcome, host = run_files(tmp_path, PROGRAM, durable=True, journal_path=str(path))
    assert outcome.state == "completed", outcome.error
    assert outcome.value == 100
    assert host.journaled == [1, 2, 3, 4, 5]  # none went the ack path
    lines = read_records(path.read_bytes())
    assert [line_seq(ln) for ln in lines] == [1, 2, 3, 4, 5]
    for line, entry in zip(lines, host.journal, strict=True):
        _, payload = protocol.decode(line)
        assert payload["result"] == entry.value  # the exact line that was sent


@needs_dev_full
def test_a_failed_journal_write_falls_back_to_acks(tmp_path: Path) -> None:
    # /dev/full opens but refuses every write: the runner must wait for acks
    # (the server acks lines marked "ack": true), not hang, not lose results.
    outcome, host = run_files(tmp_path, PROGRAM, durable=True, journal_path="/dev/full")
    assert outcome.state == "completed", outcome.error
    assert outcome.value == 100
    assert host.journaled == []
    assert [e.seq for e in host.journal] == [1, 2, 3, 4, 5]
