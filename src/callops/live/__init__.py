"""The live floor: events as they happen, from PBX feeds, people and the practice floor.

``events`` holds the pure event vocabulary every live source writes and every live view reads.
"""

from callops.live.events import EventSink, LiveEvent, LiveEventKind

__all__ = ["EventSink", "LiveEvent", "LiveEventKind"]
