"""Tier 3 (issue 6): 2000 join/leave cycles against the real daemon, mixing clean leaves,
websockets dropped without leave, killed clients (TCP reset), connections that never join,
publishers whose ICE never completes (a real Chromium offer, answered by the server with a
libnice agent of its own, a candidate nobody answers, then the websocket dropped or reset), and
rooms of several people.
Afterwards the daemon must hold zero sessions and rooms (from /healthz), its file descriptors must
be back to the baseline +-2 and its RSS may have grown by less than 1 MiB."""
import asyncio
import os

with open(os.path.join(os.environ.get("PLENUM_SOURCE_DIR", "."), "tests", "fixtures", "sdp",
                       "chromium-publish-offer.sdp")) as f:
    OFFER = f.read()
TRACKS = [{"mid": "0", "source": "microphone"}, {"mid": "1", "source": "camera"}]
# Nobody listens on the discard port: connectivity checks to it go unanswered.
DEAD_CANDIDATE = "candidate:1 1 udp 2122260223 127.0.0.1 9 typ host"

from plenumtest import Daemon, Client, check, run

CYCLES = int(os.environ.get("PLENUM_CHURN_CYCLES", "2000"))


def proc_state(pid):
    fds = len(os.listdir("/proc/%d/fd" % pid))
    with open("/proc/%d/status" % pid) as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    return fds, rss


def counts(d):
    st, _, body = d.http_get("healthz")
    kv = dict(l.split() for l in body.decode().splitlines()[1:])
    return int(kv["sessions"]), int(kv["rooms"])


async def cycle(d, i):
    room = "churn-%d" % (i % 7)
    c = await Client.connect(d)
    mode = i % 5
    if mode == 4:
        await c.join(room, "p%d" % i)
        await c.request({"type": "publish", "sdp": OFFER, "tracks": TRACKS})
        await c.until("publish-answer")
        await c.send({"type": "candidate", "pc": "publish", "candidate": DEAD_CANDIDATE, "mid": "0"})
        if i % 2:
            await c.ws.close()  # ICE never completes; the participant goes away
        else:
            c.ws.transport.abort()
        return
    if mode == 3:
        await c.ws.close()  # connects and leaves without joining
        return
    await c.join(room, "p%d" % i)
    if mode == 0:
        await c.request({"type": "leave"})
        await c.closed()
    elif mode == 1:
        await c.request({"type": "chat", "text": "x"})
        await c.ws.close()  # dropped websocket, no leave
    else:
        c.ws.transport.abort()  # killed client: TCP reset


async def main():
    d = Daemon(extra={"rooms": {"messages_per_second": "1000", "message_burst": "1000"}}).start()
    try:
        # Warm up allocator pools and lazily created state before the baseline (the media
        # worker's malloc arena and libnice's first agents among them), in the same batches of
        # ten as the measured cycles.
        for start in range(0, 300, 10):
            await asyncio.gather(*(cycle(d, i) for i in range(start, start + 10)))
        await settle(d)
        fd0, rss0 = proc_state(d.proc.pid)
        for start in range(0, CYCLES, 10):
            await asyncio.gather(*(cycle(d, i) for i in range(start, min(start + 10, CYCLES))))
        await settle(d)
        fd1, rss1 = proc_state(d.proc.pid)
        publishes = sum(1 for i in range(300 + CYCLES) if i % 5 == 4)
        # The media counters are a snapshot refreshed once a second: poll, with a deadline.
        for _ in range(50):
            m = d.metrics()
            if m["plenum_media_transports_created_total"] >= publishes:
                break
            await asyncio.sleep(0.1)
        print("PeerConnections created %s (publishes: %d), connected %s" %
              (m["plenum_media_transports_created_total"], publishes,
               m["plenum_media_transports_connected_total"]))
        # At least one per publish; others in the room at that moment may also have been
        # offered a subscribe transport.
        check(int(m["plenum_media_transports_created_total"]) >= publishes,
              "every publish got a transport: %s" % m["plenum_media_transports_created_total"])
        check(int(m["plenum_media_transports_connected_total"]) == 0,
              "no transport connected: %s" % m["plenum_media_transports_connected_total"])
        print("cycles %d: fds %d -> %d, RSS %d -> %d KiB (+%d KiB)" % (CYCLES, fd0, fd1, rss0, rss1, rss1 - rss0))
        check(abs(fd1 - fd0) <= 2, "file descriptors back to baseline: %d -> %d" % (fd0, fd1))
        if os.environ.get("PLENUM_SANITIZED") == "1":
            print("RSS check skipped: ASan keeps freed memory in quarantine")
        else:
            check(rss1 - rss0 < 1024, "RSS grew by %d KiB (limit 1024)" % (rss1 - rss0))
    finally:
        d.stop()


async def settle(d):
    """Waits until the daemon has noticed every closed connection (bounded)."""
    for _ in range(400):
        s, r = counts(d)
        if s == 0 and r == 0:
            return
        await asyncio.sleep(0.05)
    s, r = counts(d)
    check(s == 0 and r == 0, "after churn: %d sessions, %d rooms remain" % (s, r))


run(main)
