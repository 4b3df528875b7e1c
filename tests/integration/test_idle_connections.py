"""Tier 3 (issue 6): 1100 idle websockets held by the real daemon while a normal call goes on.

The daemon is started with the usual default soft RLIMIT_NOFILE of 1024 (and the hard limit of this
process), so it must raise its own soft limit to hold the connections: 1100 is more than 1024 on
purpose (1000 would just fit). Half of the idle connections never join, half join one of 22 rooms
and then send nothing. Meanwhile three participants of
another room exchange chat messages and hand raises in rounds: every message must reach every
participant, in the order each sender sent them (deadlines bound only a failure). Then: /healthz
counts every connection, the server closes the never-joined ones with join-timeout (1008) and the
silent ones as idle (1001), descriptors and sessions go back to the baseline, and a fresh client
joins the call. Last, the daemon is stopped (two signals) while it still holds open websockets and
must exit cleanly (this used to be a use-after-free at exit)."""
import asyncio
import json
import resource
import signal
import time

import websockets

from calltest import CALL, finish_call, health, proc_state, settle, start_call
from plenumtest import DEADLINE, Client, Daemon, check, fail, run

IDLE_UNJOINED = 550
IDLE_JOINED = 550
IDLE_ROOM_SIZE = 25
JOIN_TIMEOUT = 10  # s; the never-joined connections are closed after this
IDLE_TIMEOUT = 20  # s; the joined, silent ones after this (the smallest allowed is 10)
PING_INTERVAL = 5  # s; must be below IDLE_TIMEOUT
DEFAULT_SOFT_NOFILE = 1024


def soft_nofile(pid):
    with open("/proc/%d/limits" % pid) as f:
        line = next(l for l in f if l.startswith("Max open files"))
    return line.split()[3]


async def watch(ws):
    """Reads an idle connection without ever sending, until the server closes it. Returns the close
    code and the error codes received."""
    errors = []
    try:
        while True:
            msg = json.loads(await ws.recv())
            if msg.get("type") == "error":
                errors.append(msg.get("code"))
    except websockets.ConnectionClosed as e:
        return e.code, errors


async def open_joined(d, i):
    c = await Client.connect(d)
    await c.join("idle-%d" % (i // IDLE_ROOM_SIZE), "Idle %d" % i)
    return c.ws


async def open_unjoined(d):
    return (await Client.connect(d)).ws


async def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = IDLE_UNJOINED + IDLE_JOINED + 200
    if hard != resource.RLIM_INFINITY and hard < need:
        fail("this test needs a hard RLIMIT_NOFILE of at least %d (both the daemon and this client "
             "hold every connection); it is %d" % (need, hard))
    d = Daemon(extra={
        "rooms": {"join_timeout": JOIN_TIMEOUT, "messages_per_second": 100, "message_burst": 200},
        # Explicit, so the test holds its connections whatever the derived default would be.
        "http": {"idle_timeout": IDLE_TIMEOUT, "ping_interval": PING_INTERVAL,
                 "max_connections": IDLE_UNJOINED + IDLE_JOINED + 100},
    })
    # Start the daemon with the common default soft limit; it has to raise it to the hard limit.
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(DEFAULT_SOFT_NOFILE, hard), hard))
    try:
        d.start()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        limit = soft_nofile(d.proc.pid)
        want_limit = "unlimited" if hard == resource.RLIM_INFINITY else str(hard)
        if hard != resource.RLIM_INFINITY:
            check(limit == want_limit, "daemon soft RLIMIT_NOFILE is %s, expected the hard limit %s"
                  % (limit, want_limit))
            check("file descriptor limit raised from %d to %d" % (DEFAULT_SOFT_NOFILE, hard)
                  in d.read_log(), "the raised limit is logged")

        call = await start_call(d)
        await settle(d, (len(CALL), len(CALL), 1))
        fd0, rss0 = proc_state(d.proc.pid)

        # 1000 idle connections: the joined ones first (their idle clock starts at the join), then
        # those that never join (their join clock starts at the connect).
        t0 = time.time()
        joined = []
        for start in range(0, IDLE_JOINED, 50):
            joined += await asyncio.gather(*(open_joined(d, i) for i in range(start, min(start + 50, IDLE_JOINED))))
        unjoined = []
        for start in range(0, IDLE_UNJOINED, 100):
            unjoined += await asyncio.gather(*(open_unjoined(d) for _ in range(start, min(start + 100, IDLE_UNJOINED))))
        opened_s = time.time() - t0
        watchers_joined = [asyncio.create_task(watch(ws)) for ws in joined]
        watchers_unjoined = [asyncio.create_task(watch(ws)) for ws in unjoined]
        total = len(CALL) + IDLE_JOINED + IDLE_UNJOINED
        idle_rooms = (IDLE_JOINED + IDLE_ROOM_SIZE - 1) // IDLE_ROOM_SIZE
        got = health(d)
        early = sum(1 for w in watchers_joined + watchers_unjoined if w.done())
        check(early == 0, "%d idle connections were closed before all were open (%.1f s to open; "
              "join_timeout %d s)" % (early, opened_s, JOIN_TIMEOUT))
        check(got == (total, total, idle_rooms + 1),
              "/healthz with every connection open: %r, expected %r" % (got, (total, total, idle_rooms + 1)))
        fd1, rss1 = proc_state(d.proc.pid)
        check(fd1 >= fd0 + IDLE_JOINED + IDLE_UNJOINED, "daemon holds a descriptor per connection: %d -> %d" % (fd0, fd1))
        check(not call.task.done(), "call still running")

        # The server closes them: join-timeout + 1008 for the never-joined, 1001 for the silent.
        bound = max(JOIN_TIMEOUT, IDLE_TIMEOUT) + DEADLINE
        try:
            res_unjoined = await asyncio.wait_for(asyncio.gather(*watchers_unjoined), bound)
            res_joined = await asyncio.wait_for(asyncio.gather(*watchers_joined), bound)
        except asyncio.TimeoutError:
            fail("idle connections not all closed by the server within %d s: %r" % (bound, health(d)))
        bad = [r for r in res_unjoined if r != (1008, ["join-timeout"])]
        check(not bad, "%d never-joined connections not closed by join-timeout/1008, e.g. %r" % (len(bad), bad[:3]))
        bad = [r for r in res_joined if r != (1001, [])]
        check(not bad, "%d silent joined connections not closed as idle (1001), e.g. %r" % (len(bad), bad[:3]))
        await settle(d, (len(CALL), len(CALL), 1))
        await finish_call(call)
        fd2, rss2 = proc_state(d.proc.pid)
        check(abs(fd2 - fd0) <= 2, "file descriptors back to baseline: %d -> %d -> %d" % (fd0, fd1, fd2))

        # A fresh participant joins the call and is heard.
        dora = await Client.connect(d)
        jd = await dora.join("call", "Dora")
        check(sorted(p["name"] for p in jd["participants"]) == CALL, "fresh client sees the call: %r" % jd)
        for c in call.clients:
            await c.until("participant-joined")
        await dora.request({"type": "chat", "text": "hallo"})
        for c in call.clients + [dora]:
            m = await c.until("chat")
            check(m["text"] == "hallo" and m["from"] == jd["participant"], "fresh client's chat %r" % m)
        for c in call.clients + [dora]:
            await c.request({"type": "leave"})
            await c.until("left")
            await c.closed()
        await settle(d, (0, 0, 0))
        fd3, rss3 = proc_state(d.proc.pid)
        check(abs(fd3 - (fd0 - len(CALL))) <= 2, "file descriptors after the call: %d (baseline with the call %d)" % (fd3, fd0))

        print("daemon soft RLIMIT_NOFILE %d -> %s; %d connections held (%d idle, %.1f s to open)"
              % (DEFAULT_SOFT_NOFILE, limit, total, IDLE_JOINED + IDLE_UNJOINED, opened_s))
        print("fds %d -> %d (held) -> %d (idle closed) -> %d (all left)" % (fd0, fd1, fd2, fd3))
        print("RSS %d -> %d (held) -> %d (idle closed) -> %d KiB (all left)" % (rss0, rss1, rss2, rss3))
        print("call: %d rounds, %d chats sent, %d delivered, all in order"
              % (call.rounds, call.chats_sent, call.deliveries))

        # Stopped while holding open websockets (joined and not): a clean exit, no crash.
        held = [await open_joined(d, i) for i in range(25)]
        held += await asyncio.gather(*(open_unjoined(d) for _ in range(25)))
        await settle(d, (50, 50, 1))
        d.signal(signal.SIGINT)
        end = time.time() + DEADLINE
        while "stop requested: draining 50 connections" not in d.read_log():
            check(time.time() < end and d.proc.poll() is None, "no drain on SIGINT:\n" + d.read_log()[-2000:])
            await asyncio.sleep(0.05)
        d.signal(signal.SIGINT)
        rc = d.wait_exit()
        check(rc == 0, "exit with open websockets: status %d\n%s" % (rc, d.read_log()[-4000:]))
        for ws in held:
            await ws.close()
    finally:
        d.stop()


run(main)
