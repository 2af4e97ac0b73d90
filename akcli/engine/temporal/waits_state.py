"""The waits of one session's workflow: ak signals and subscribed events
delivered to it (Temporal signals ``ak_signal``, ``ak_event``) and the
``next_signal`` / ``next_event`` calls (journal seqs) they answer.

The workflow decides which delivered signal or event answers which call, once
per seq (a replayed call gets the same answer); the ak store holds the values
and consumes them when the answer is journaled. Only the standard library
here: this module is loaded into the workflow sandbox.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

SIGNAL = "signal"
EVENT = "event"


@dataclass
class Wait:
    kind: str  # SIGNAL: names are signal names; EVENT: subscription ids
    names: list[str]
    deadline: float | None  # workflow time; None: no timeout


@dataclass
class WaitsState:
    signals: list[tuple[int, str]] = field(default_factory=list)  # (id, name) queued
    seen: set[int] = field(default_factory=set)  # signal ids ever delivered
    events: dict[str, list[int]] = field(default_factory=dict)  # sub -> event seqs
    cursors: dict[str, int] = field(default_factory=dict)  # sub -> last answered
    waits: dict[int, Wait] = field(default_factory=dict)  # seq -> its wait
    answers: dict[int, Any] = field(default_factory=dict)  # seq -> answer / None

    def add_signal(self, signal_id: int, name: str) -> None:
        if signal_id in self.seen:  # delivered again (a restarted server)
            return
        self.seen.add(signal_id)
        self.signals.append((signal_id, name))

    def add_event(self, sub_id: str, event_seq: int) -> None:
        if event_seq <= self.cursors.get(sub_id, -1):
            return
        queued = self.events.setdefault(sub_id, [])
        i = bisect.bisect_left(queued, event_seq)
        if i == len(queued) or queued[i] != event_seq:
            queued.insert(i, event_seq)

    def match(self, w: Wait) -> Any:
        """What would answer ``w`` now (an index or (sub, seq)), or None."""
        if w.kind == SIGNAL:
            for i, (_, name) in enumerate(self.signals):
                if name in w.names:
                    return i
            return None
        best: tuple[int, str] | None = None
        for sub in w.names:
            queued = self.events.get(sub)
            if queued and (best is None or queued[0] < best[0]):
                best = (queued[0], sub)
        return best

    def take(self, seq: int, w: Wait) -> bool:
        """Answer ``seq`` with what matches it, consuming that; False if nothing does."""
        m = self.match(w)
        if m is None:
            return False
        if w.kind == SIGNAL:
            signal_id, name = self.signals.pop(m)
            self.answers[seq] = {"id": signal_id, "name": name}
        else:
            event_seq, sub = m
            self.cursors[sub] = event_seq
            self.events[sub] = [s for s in self.events[sub] if s > event_seq]
            self.answers[seq] = {"subscription_id": sub, "event_seq": event_seq}
        return True
