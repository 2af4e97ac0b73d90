"""Events: subscribe to a source, wait for its next event, start child sessions."""

from ._events import next_event, start, subscribe, unsubscribe
from .attr_dict import AttrDict
from .event import Event

__all__ = ["AttrDict", "Event", "next_event", "start", "subscribe", "unsubscribe"]
