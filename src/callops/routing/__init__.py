"""The routing core: queues, skills, strategies and agent states, driven by a clock it never reads."""

from callops.routing.agent_states import ALLOWED, check_transition
from callops.routing.config import AgentConfig, QueueConfig, Strategy
from callops.routing.ivr import IvrFlow, IvrNode, IvrStep, parse_ivr, walk
from callops.routing.router import LiveAgent, LiveCall, Router, StateSink, StateWatch

__all__ = [
    "ALLOWED",
    "AgentConfig",
    "IvrFlow",
    "IvrNode",
    "IvrStep",
    "LiveAgent",
    "LiveCall",
    "QueueConfig",
    "Router",
    "StateSink",
    "StateWatch",
    "Strategy",
    "check_transition",
    "parse_ivr",
    "walk",
]
