"""Tier 3: a whole session (join, chat, leave) with debug logging on must leave no display name,
room name, chat text or client address in the log; with debug_personal_data they may appear
(proving the grep can find them)."""
import asyncio

from plenumtest import Daemon, Client, check, run

NAME = "Zacharias Quokkafield"
ROOM = "confidential-case-4711"
CHAT = "the client's appointment is on Tuesday"
CLIENT_ADDR = "127.0.0.5"  # the test clients connect from here; the daemon listens elsewhere


async def session(d):
    a = await Client.connect(d, local_addr=(CLIENT_ADDR, 0))
    b = await Client.connect(d, local_addr=(CLIENT_ADDR, 0))
    await a.join(ROOM, NAME)
    await b.join(ROOM, "Second Person")
    await a.request({"type": "chat", "text": CHAT})
    await b.until("chat")
    await a.send("{broken json " + NAME)
    await a.until("error")
    await a.request({"type": "leave"})
    await a.closed()
    await b.close()


async def main():
    d = Daemon().start()
    try:
        await session(d)
    finally:
        d.stop()
    log = d.read_log()
    check(len(log) > 0 and "debug" in log.lower() or len(log.splitlines()) > 3,
          "the log has content to search:\n" + log)
    for secret in (NAME, "Zacharias", ROOM, CHAT, "Second Person", CLIENT_ADDR):
        check(secret not in log, "log leaks %r:\n%s" % (secret, log))

    d2 = Daemon(extra={"log": {"debug_personal_data": "true"}}).start()
    try:
        await session(d2)
    finally:
        d2.stop()
    log2 = d2.read_log()
    check(NAME in log2 or ROOM in log2, "with debug_personal_data the grep finds personal data")


run(main)
