"""A synthetic Asterisk queue_log: agents joining, pausing, answering; calls answered, abandoned, timed out,
transferred; a few custom events callops does not read. Deterministic for a seed; lines in time order."""

from __future__ import annotations

import random

START = 1_767_225_600  # 2026-01-01 00:00 UTC


def queue_log_lines(calls: int, *, agents: int = 12, seed: int = 7, queues: tuple[str, ...] = ("sales", "support"),
                    start: int = START) -> list[str]:
    rng = random.Random(seed)
    events: list[tuple[int, int, str]] = []  # (epoch, order, line)
    order = 0

    def add(at: int, text: str) -> None:
        nonlocal order
        order += 1
        events.append((at, order, f"{at}|{text}"))

    add(start, "NONE|NONE|NONE|QUEUESTART|")
    names = [f"PJSIP/{7000 + i}" for i in range(agents)]
    for i, name in enumerate(names):
        add(start + 1 + i, f"MANAGER|{queues[i % len(queues)]}|{name}|ADDMEMBER|{'PAUSED' if i % 5 == 4 else ''}")
    at = start + 60
    for n in range(calls):
        at += rng.randint(2, 20)
        queue = rng.choice(queues)
        callid = f"{at}.{n}"
        add(at, f"{callid}|{queue}|NONE|ENTERQUEUE||1380000{n:04d}|1")
        wait = rng.randint(0, 90)
        roll = rng.random()
        if roll < 0.7:
            agent = names[rng.randrange(agents)]
            talk = rng.randint(20, 400)
            add(at + wait, f"{callid}|{queue}|{agent}|CONNECT|{wait}|{callid}9|2")
            end = "COMPLETECALLER" if rng.random() < 0.6 else "COMPLETEAGENT"
            add(at + wait + talk, f"{callid}|{queue}|{agent}|{end}|{wait}|{talk}|1")
        elif roll < 0.75:
            agent = names[rng.randrange(agents)]
            talk = rng.randint(20, 200)
            add(at + wait, f"{callid}|{queue}|{agent}|CONNECT|{wait}|{callid}9|2")
            add(at + wait + talk, f"{callid}|{queue}|{agent}|BLINDTRANSFER|2000|from-internal|{wait}|{talk}|1")
        elif roll < 0.9:
            add(at + wait, f"{callid}|{queue}|NONE|ABANDON|1|1|{wait}")
        else:
            add(at + 60, f"{callid}|{queue}|NONE|EXITWITHTIMEOUT|1|1|60")
        if n % 17 == 5:
            agent = names[rng.randrange(agents)]
            add(at + 1, f"NONE|{queue}|{agent}|PAUSE|{rng.choice(['Lunch', 'Meeting', 'Toilet'])}")
            add(at + rng.randint(60, 600), f"NONE|{queue}|{agent}|UNPAUSE|")
        if n % 29 == 11:
            add(at + 2, f"{callid}|{queue}|NONE|MYCUSTOMEVENT|x")
    finish = at + 1000
    for name in names[: agents // 2]:
        add(finish, f"MANAGER|{queues[names.index(name) % len(queues)]}|{name}|REMOVEMEMBER|")
    return [line for _at, _order, line in sorted(events)]
