"""The simulated switch: the "PBX" of a fresh install, with no telephony behind it.

An originate is answered with probability ``answer_rate`` after a short delay, else it rings out (no answer)
or is busy; a redirect always succeeds. Delays are divided by ``speed`` so tests and demos need not wait a
real ring time. Seeded: the same seed gives the same outcomes in the same order.
"""

from __future__ import annotations

import asyncio
import random

from callops.feeds.switch import Originate, Redirect, SwitchCommand, SwitchResult

__all__ = ["SimulatedSwitch"]


class SimulatedSwitch:
    name = "simulator"

    def __init__(
        self,
        *,
        answer_rate: float = 0.3,
        busy_rate: float = 0.1,
        answer_after_s: float = 8.0,
        speed: float = 1.0,
        seed: int = 0,
    ) -> None:
        if not 0 <= answer_rate <= 1 or not 0 <= busy_rate <= 1 - answer_rate or speed <= 0:
            raise ValueError("answer_rate and busy_rate must be shares adding to at most 1; speed above 0")
        self.answer_rate = answer_rate
        self.busy_rate = busy_rate
        self.answer_after_s = answer_after_s
        self.speed = speed
        self.random = random.Random(seed)
        self.executed: list[SwitchCommand] = []
        self._count = 0

    async def execute(self, command: SwitchCommand) -> SwitchResult:
        self._count += 1
        command_id = f"sim-{self._count}"
        self.executed.append(command)
        if not isinstance(command, Originate):
            return SwitchResult(True, command_id, None, "redirected" if isinstance(command, Redirect) else "played")
        draw = self.random.random()
        if draw < self.answer_rate:
            await asyncio.sleep(min(self.answer_after_s, command.timeout_s) / self.speed)
            return SwitchResult(True, command_id, None, "answered", answered=True, channel=f"sim-{self._count}")
        if draw < self.answer_rate + self.busy_rate:
            await asyncio.sleep(1.0 / self.speed)
            return SwitchResult(False, command_id, "busy", "busy", answered=False)
        await asyncio.sleep(command.timeout_s / self.speed)
        return SwitchResult(False, command_id, "no_answer", "no answer", answered=False)

    async def close(self) -> None:
        return None
