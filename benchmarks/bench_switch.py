"""The switch adapter's cost per command: AMI Redirects to a loopback AMI server in another process.

Side by side in one run: the baseline a script without a connection of its own pays — connect, read the banner,
``Login``, the action, close — against callops' ``AmiSwitch``, one logged-in connection with ActionID
correlation, first one command at a time, then ``--concurrency`` commands in flight (the ACD hands its
decisions over without waiting). The server answers each action after ``--pbx-ms`` (the PBX's own work).
Prints commands per second and p50/p99 latency per command, and the ratios against the baseline.
Run: .venv/bin/python benchmarks/bench_switch.py [--commands 2000] [--concurrency 32] [--pbx-ms 1]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time

from callops.feeds.ami import read_block
from callops.feeds.switch import Redirect
from callops.feeds.switch_ami import AmiSwitch, redirect_action

SECRET = "bench"


def _serve(port_out: multiprocessing.Queue, pbx_s: float) -> None:  # type: ignore[type-arg]
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"Asterisk Call Manager/5.0.2\r\n")
        while True:
            block = await read_block(reader)
            if block is None:
                break
            if block.get("Action") == "Login":
                ok = block.get("Secret") == SECRET
                writer.write(
                    f"Response: {'Success' if ok else 'Error'}\r\nActionID: {block.get('ActionID', '')}\r\n"
                    f"Message: Authentication {'accepted' if ok else 'failed'}\r\n\r\n".encode()
                )
            else:
                if pbx_s:
                    await asyncio.sleep(pbx_s)
                writer.write(
                    f"Response: Success\r\nActionID: {block.get('ActionID', '')}\r\n"
                    f"Message: Redirect successful\r\n\r\n".encode()
                )
            await writer.drain()
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port_out.put(server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(main())


async def _one_shot(port: int, command: Redirect, n: int) -> None:
    """The baseline: a connection and a log-in for one action."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()
    writer.write(
        f"Action: Login\r\nActionID: l{n}\r\nUsername: bench\r\nSecret: {SECRET}\r\nEvents: off\r\n\r\n".encode()
    )
    await read_block(reader)
    writer.write(redirect_action(command, f"a{n}").encode())
    block = await read_block(reader)
    writer.close()
    await writer.wait_closed()
    if block is None or block.get("Response") != "Success":
        raise RuntimeError("baseline: no Success")


def _stats(name: str, latencies: list[float], wall: float) -> float:
    lat = sorted(latencies)
    rate = len(lat) / wall
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    print(f"{name:<38} {rate:>9,.0f} /s   p50 {statistics.median(lat) * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms")
    return rate


async def _run(port: int, commands: int, concurrency: int) -> None:
    command = Redirect("PJSIP/trunk-00000020", "agents", "7001")
    lat: list[float] = []
    start = time.perf_counter()
    for n in range(commands):
        t = time.perf_counter()
        await _one_shot(port, command, n)
        lat.append(time.perf_counter() - t)
    base = _stats("baseline: connect + Login per action", lat, time.perf_counter() - start)

    switch = AmiSwitch("127.0.0.1", port, username="bench", secret=SECRET)
    try:
        lat = []
        start = time.perf_counter()
        for _ in range(commands):
            t = time.perf_counter()
            result = await switch.execute(command)
            lat.append(time.perf_counter() - t)
            if not result.ok:
                raise RuntimeError(result.detail)
        one = _stats("callops AmiSwitch, one at a time", lat, time.perf_counter() - start)

        lat = []
        limit = asyncio.Semaphore(concurrency)

        async def timed() -> None:
            async with limit:
                t = time.perf_counter()
                result = await switch.execute(command)
                lat.append(time.perf_counter() - t)
                if not result.ok:
                    raise RuntimeError(result.detail)

        start = time.perf_counter()
        await asyncio.gather(*(timed() for _ in range(commands)))
        many = _stats(f"callops AmiSwitch, {concurrency} in flight", lat, time.perf_counter() - start)
    finally:
        await switch.close()
    print(
        f"ratio (commands/s vs baseline): one at a time {one / base:.1f}x, {concurrency} in flight "
        f"{many / base:.1f}x; log-ins: baseline {commands}, callops {switch.sessions}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--pbx-ms", type=float, default=1.0)
    args = parser.parse_args()
    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.Process(target=_serve, args=(ports, args.pbx_ms / 1000), daemon=True)
    server.start()
    try:
        port = ports.get(timeout=10)
        print(f"{args.commands} Redirects to a loopback AMI server answering after {args.pbx_ms:g} ms")
        asyncio.run(_run(port, args.commands, args.concurrency))
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
