"""Tier 3: [http] max_connections. With a limit of 20 websockets, a call of two runs in one of
them; 18 more fill the server; further upgrades get 503 "server full" (counted in /metrics, logged
rate-limited), while /healthz answers and the call keeps delivering chat. After 5 close, 5 new
ones are accepted and the sixth is refused again; a page request while full gets 503 too. The
default (0) derives the limit from the file descriptor limit, which the startup log and /metrics
report; at a hard limit of 512 descriptors, idle TCP connections beyond libwebsockets' table wait
in the listen backlog instead of making accept() fail with EMFILE (low_descriptor_limit)."""
import asyncio
import os
import re
import socket
import time

import websockets

import plenumtest
from plenumtest import DEADLINE, Client, Daemon, check, fail, run, test_dir

LIMIT = 20
NOFILE = 512  # hard and soft RLIMIT_NOFILE of the daemon in low_descriptor_limit()
NOISE = 450  # idle TCP connections: more than lws's table, and with the websockets past NOFILE


def metric(d, name):
    st, _, body = d.http_get("metrics")
    check(st == 200, "/metrics: %s" % st)
    m = re.search(r"^%s (\d+)$" % name, body.decode(), re.M)
    check(m, "/metrics has %s" % name)
    return int(m.group(1))


async def refused(d):
    try:
        c = await Client.connect(d)
    except websockets.exceptions.InvalidStatusCode as e:
        return e.status_code
    await c.close()
    fail("an upgrade beyond max_connections was accepted")


async def chat_roundtrip(a, b, text):
    await a.request({"type": "chat", "text": text})
    while True:  # the sender's own earlier chats (chat is echoed to everyone) come first
        m = await b.until("chat")
        if m["text"] == text:
            return


async def main():
    d = Daemon(extra={"http": {"max_connections": str(LIMIT)}}).start()
    try:
        check("up to %d websockets" % LIMIT in d.read_log(), "the limit is logged")
        check(metric(d, "plenum_websocket_limit") == LIMIT, "limit in /metrics")
        a = await Client.connect(d)
        b = await Client.connect(d)
        await a.join("call", "Anna")
        await b.join("call", "Ben")
        await a.until("participant-joined")
        idle = [await Client.connect(d) for _ in range(LIMIT - 2)]
        for i in range(5):
            st = await refused(d)
            check(st == 503, "upgrade %d beyond the limit: %s, want 503" % (i, st))
        st, _, body = d.http_get("healthz")
        check(st == 200 and b"connections %d" % LIMIT in body, "healthz while full: %s %r" % (st, body))
        await chat_roundtrip(a, b, "still here")
        n = metric(d, "plenum_http_refused_total")
        check(n == 5, "plenum_http_refused_total %d, want 5" % n)
        # A page request is refused too while full; /healthz and /metrics were answered above.
        st, hdrs, body = d.http_get("")
        check(st == 503 and body == b"server full: too many connections, try later\n",
              "page while full: %s %r" % (st, body[:80]))
        n = metric(d, "plenum_http_refused_total")
        check(n == 6, "plenum_http_refused_total %d after the page, want 6" % n)
        log = d.read_log()
        check(log.count("server full, refusing") == 1, "refusals logged once (rate-limited)")
        check("127.0.0.1" not in log.split("server full, refusing")[1].split("\n")[0],
              "the refusal line names no address")
        for c in idle[:5]:
            await c.close()
        # The server notices the closes; then exactly five fit again.
        for _ in range(200):
            st, _, body = d.http_get("healthz")
            if b"connections %d" % (LIMIT - 5) in body:
                break
            await asyncio.sleep(0.05)
        again = [await Client.connect(d) for _ in range(5)]
        check(await refused(d) == 503, "full again after five new ones")
        st, _, _ = d.http_get("")
        check(st == 503, "page while full again: %s" % st)
        await chat_roundtrip(b, a, "and still")
        for c in idle[5:] + again + [a, b]:
            await c.close()
        print("limit %d: 6 upgrades and 2 page requests refused with 503, the call delivered throughout" % LIMIT)
    finally:
        d.stop()

    # The default: derived from RLIMIT_NOFILE (raised to the hard limit at start).
    d = Daemon().start()
    try:
        limit = metric(d, "plenum_websocket_limit")
        with open("/proc/%d/limits" % d.proc.pid) as f:
            soft = int(next(l for l in f if l.startswith("Max open files")).split()[3])
        print("default: RLIMIT_NOFILE %d -> %d websockets" % (soft, limit))
        # One descriptor per websocket: PeerConnections share the media workers' sockets
        # (addresses = 127.0.0.1: one UDP socket and one wake-up descriptor per worker).
        check(limit == soft - 192 - media_fds(d), "derived limit %d from %d descriptors" % (limit, soft))
    finally:
        d.stop()

    await low_descriptor_limit()


def media_fds(d):
    """Descriptors the daemon's media workers hold: [media] workers defaults to the CPUs the
    daemon may run on; each has one UDP socket per address (one here) and a wake-up eventfd."""
    return 2 * len(os.sched_getaffinity(d.proc.pid))


async def low_descriptor_limit():
    """The daemon at a hard RLIMIT_NOFILE of 512 with the derived limit, 512 - 192 - the media
    descriptors (316 on two CPUs) websockets: more are refused with 503; then NOISE raw TCP
    connections that send nothing go past libwebsockets' table (316 + 64) and past the process
    limit. lws must stop accepting
    (they wait in the backlog) instead of looping on accept() with EMFILE; once they are gone,
    /healthz answers and a websocket opens again."""
    wrapper = os.path.join(test_dir(), "plenum-nofile")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec prlimit --nofile=%d:%d -- %s \"$@\"\n"
                % (NOFILE, NOFILE, plenumtest.BINARY))
    os.chmod(wrapper, 0o755)
    real, plenumtest.BINARY = plenumtest.BINARY, wrapper
    try:
        d = Daemon().start()
    finally:
        plenumtest.BINARY = real
    try:
        limit = metric(d, "plenum_websocket_limit")
        check(limit == NOFILE - 192 - media_fds(d), "limit %d at RLIMIT_NOFILE %d" % (limit, NOFILE))
        held = []
        for start in range(0, limit, 25):
            held += await asyncio.gather(*(Client.connect(d) for _ in range(min(25, limit - start))))
        codes = [await refused(d) for _ in range(10)]
        check(codes == [503] * 10, "beyond %d websockets: %r" % (limit, codes))
        fds_full = len(os.listdir("/proc/%d/fd" % d.proc.pid))
        noise = []
        for _ in range(NOISE):
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", d.port))
            except BlockingIOError:
                pass
            noise.append(s)
        # lws accepts until its table is full; the rest stay in the kernel's backlog.
        end = time.time() + DEADLINE
        fds = 0
        while time.time() < end:
            fds = len(os.listdir("/proc/%d/fd" % d.proc.pid))
            if fds >= fds_full + 60:
                break
            await asyncio.sleep(0.05)
        fds_noise = len(os.listdir("/proc/%d/fd" % d.proc.pid))
        check(fds_noise < NOFILE - 100, "daemon descriptors with %d idle TCP connections: %d of %d"
              % (NOISE, fds_noise, NOFILE))
        for s in noise:
            s.close()
        await held[0].alive()  # the websockets kept working throughout
        end = time.time() + DEADLINE
        while True:
            try:
                st, _, body = d.http_get("healthz")
                if st == 200:
                    break
            except OSError:
                pass
            check(time.time() < end, "/healthz unreachable after the idle connections closed")
            await asyncio.sleep(0.05)
        await held[-1].close()
        end = time.time() + DEADLINE
        while b"connections %d" % (limit - 1) not in d.http_get("healthz")[2]:
            check(time.time() < end, "close not noticed")
            await asyncio.sleep(0.05)
        extra = await Client.connect(d)
        await extra.alive()
        log = d.read_log()
        check("errno 24" not in log and "Too many open files" not in log,
              "EMFILE in the log:\n" + "\n".join(l for l in log.splitlines() if "errno" in l)[:2000])
        print("RLIMIT_NOFILE %d: %d websockets, 10 refused with 503; descriptors %d held, %d with "
              "%d idle TCP connections; no EMFILE" % (NOFILE, limit, fds_full, fds_noise, NOISE))
        for c in held[:-1] + [extra]:
            await c.close()
    finally:
        d.stop()


run(main)
