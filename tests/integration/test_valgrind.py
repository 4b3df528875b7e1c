"""Tier 3 under valgrind (issue 6): a whole signaling session (join, chat, hand, hostile input,
leave, disconnect, drain) against the daemon running under memcheck. Passes only when valgrind
reports no errors and 0 bytes definitely lost (--errors-for-leak-kinds=definite,
--error-exitcode=99) and the daemon exits 0 after draining."""
import os
import shutil
import signal

from plenumtest import Daemon, Client, check, run


async def main():
    if os.environ.get("PLENUM_SANITIZED") == "1":
        print("SKIP: the sanitizer build cannot run under valgrind")
        return
    check(shutil.which("valgrind") is not None, "valgrind is installed (make test installs it)")
    d = Daemon(valgrind=True).start()
    try:
        a = await Client.connect(d)
        b = await Client.connect(d)
        await a.join("vg-room", "Anna")
        await b.join("vg-room", "Ben")
        await a.until("participant-joined")
        await a.request({"type": "chat", "text": "hello under valgrind"})
        await b.until("chat")
        await b.request({"type": "hand", "raised": True})
        await a.until("participant-updated")
        await a.send("{not json")
        await a.until("error")
        await a.send('{"type":"chat","text":' + "[" * 1000 + "]" * 1000 + "}")
        await a.until("error")
        await b.close()
        await a.until("participant-left")
        d.signal(signal.SIGTERM)
        await a.until("server-shutdown")
        await a.request({"type": "leave"})
        await a.closed()
        rc = d.wait_exit(timeout=60)
    finally:
        d.stop()
    with open(d.log_path + ".vg") as f:
        report = f.read()
    lost = [l for l in report.splitlines() if "definitely lost:" in l]
    print("\n".join(lost) or "valgrind: no leaks possible")
    check(rc == 0, "daemon under valgrind exited %s (99 = valgrind errors):\n%s" % (rc, report[-4000:]))
    check(all(" 0 bytes in 0 blocks" in l for l in lost), "definitely lost must be 0:\n" + "\n".join(lost))


run(main)
