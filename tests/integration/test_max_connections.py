"""Tier 3: [http] max_connections. With a limit of 20 websockets, a call of two runs in one of
them; 18 more fill the server; further upgrades get 503 "server full" (counted in /metrics, logged
rate-limited), while /healthz answers and the call keeps delivering chat. After 5 close, 5 new
ones are accepted and the sixth is refused again. The default (0) derives the limit from the file
descriptor limit, which the startup log and /metrics report."""
import asyncio
import re

import websockets

from plenumtest import Client, Daemon, check, fail, run

LIMIT = 20


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
        check(d.read_log().count("websocket upgrades refused") == 1,
              "refusals logged once (rate-limited)")
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
        await chat_roundtrip(b, a, "and still")
        for c in idle[5:] + again + [a, b]:
            await c.close()
        print("limit %d: 6 upgrades refused with 503, the call delivered throughout" % LIMIT)
    finally:
        d.stop()

    # The default: derived from RLIMIT_NOFILE (raised to the hard limit at start).
    d = Daemon().start()
    try:
        limit = metric(d, "plenum_websocket_limit")
        with open("/proc/%d/limits" % d.proc.pid) as f:
            soft = int(next(l for l in f if l.startswith("Max open files")).split()[3])
        print("default: RLIMIT_NOFILE %d -> %d websockets" % (soft, limit))
        check(limit == (soft - 64) // 3, "derived limit %d from %d descriptors" % (limit, soft))
    finally:
        d.stop()


run(main)
