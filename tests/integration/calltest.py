"""Helpers shared by the integration tests that run a normal call next to hostile or idle clients:
the call itself (chats and hand raises in rounds, every event checked for delivery and per-sender
order) and the daemon's process and /healthz figures. Not a test itself (no test_ prefix)."""
import asyncio
import os
import time

from plenumtest import DEADLINE, check, fail

CALL = ["Anna", "Ben", "Cleo"]
CHATS_PER_ROUND = 3


def proc_state(pid):
    fds = len(os.listdir("/proc/%d/fd" % pid))
    with open("/proc/%d/status" % pid) as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    return fds, rss


def health(d):
    st, _, body = d.http_get("healthz")
    check(st == 200, "/healthz status %d" % st)
    kv = dict(l.split() for l in body.decode().splitlines()[1:])
    return int(kv["connections"]), int(kv["sessions"]), int(kv["rooms"])


async def settle(d, want):
    """Waits (bounded) until /healthz reports want = (connections, sessions, rooms)."""
    end = time.time() + DEADLINE
    while time.time() < end:
        if health(d) == want:
            return
        await asyncio.sleep(0.05)
    got = health(d)
    check(got == want, "/healthz (connections, sessions, rooms) = %r, expected %r" % (got, want))


class Call:
    """Three participants chatting and raising hands in rounds. In each round every participant
    sends CHATS_PER_ROUND chats without waiting, one of them also toggles its hand between two of
    them; then every participant must receive exactly the round's events, each sender's in the
    order sent, within DEADLINE."""

    def __init__(self, clients, ids, pace):
        self.clients = clients
        self.pace = pace
        self.ids = ids  # participant id -> name
        self.rounds = 0
        self.chats_sent = 0
        self.deliveries = 0
        self.hands = {n: False for n in CALL}
        self.stop = asyncio.Event()

    async def send_round(self, r, idx, c):
        name = CALL[idx]
        events = []
        for k in range(CHATS_PER_ROUND):
            text = "%s %d.%d" % (name, r, k)
            await c.request({"type": "chat", "text": text})
            events.append(("chat", text))
            if k == 0 and r % len(CALL) == idx:
                self.hands[name] = not self.hands[name]
                await c.request({"type": "hand", "raised": self.hands[name]})
                events.append(("hand", self.hands[name]))
        self.chats_sent += CHATS_PER_ROUND
        return name, events

    async def receive_round(self, c, expected):
        want = sum(len(v) for v in expected.values())
        got = {n: [] for n in expected}
        end = time.time() + DEADLINE
        while sum(len(v) for v in got.values()) < want:
            left = end - time.time()
            check(left > 0, "call: round %d incomplete after %ss: %r" % (self.rounds, DEADLINE, got))
            m = await c.recv(left)
            if m["type"] == "chat":
                got[self.ids[m["from"]]].append(("chat", m["text"]))
                self.deliveries += 1
            elif m["type"] == "participant-updated":
                p = m["participant"]
                got[self.ids[p["id"]]].append(("hand", p["hand"]))
            elif m["type"] == "error":
                fail("call: error %r" % m)
        check(got == expected, "call round %d: got %r, expected %r" % (self.rounds, got, expected))

    async def run(self):
        while not self.stop.is_set():
            r = self.rounds
            sent = await asyncio.gather(*(self.send_round(r, i, c) for i, c in enumerate(self.clients)))
            expected = dict(sent)
            await asyncio.gather(*(self.receive_round(c, expected) for c in self.clients))
            self.rounds += 1
            await asyncio.sleep(self.pace)  # under the rate limit; not a wait for a result


async def start_call(d, room="call", pace=0.05):
    """Joins the CALL participants to room and starts the rounds in a task (call.task)."""
    from plenumtest import Client
    clients = [await Client.connect(d) for _ in CALL]
    ids = {}
    for c, name in zip(clients, CALL):
        ids[(await c.join(room, name))["participant"]] = name
    for i, c in enumerate(clients):  # everyone sees the later joiners
        for _ in range(len(CALL) - 1 - i):
            await c.until("participant-joined")
    call = Call(clients, ids, pace)
    call.task = asyncio.create_task(call.run())
    return call


async def finish_call(call):
    """Stops the rounds after the current one; checks every chat reached every participant."""
    check(not call.task.done(), "call stopped early")
    call.stop.set()
    await asyncio.wait_for(call.task, DEADLINE)
    check(call.rounds > 0 and call.deliveries == call.chats_sent * len(CALL),
          "call: %d chats sent, %d delivered to %d participants" % (call.chats_sent, call.deliveries, len(CALL)))
