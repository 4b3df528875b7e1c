"""Tier 3: the process contract admins script against: --version, --check-config, exit status 78
with a message naming key, value and what is allowed; SIGHUP applies a valid file and keeps the
old one on error; SIGTERM drains (healthz 503, server-shutdown, exit 0 when the last client leaves)."""
import asyncio
import os
import signal
import subprocess

from plenumtest import BINARY, Daemon, Client, check, run


def cli(*args):
    p = subprocess.run([BINARY] + list(args), capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


async def main():
    rc, out, _ = cli("--version")
    check(rc == 0 and out.startswith("plenum "), "--version: %d %r" % (rc, out))
    rc, out, _ = cli("--help")
    check(rc == 0 and "--check-config" in out and "--listen" in out, "--help lists options")

    d = Daemon()
    rc, out, err = cli("--config", d.conf, "--check-config")
    check(rc == 0 and "max_participants" in out, "--check-config prints the effective config: %d %r %r" % (rc, out, err))
    rc, out, err = cli("--config", d.conf, "--listen", "127.0.0.1:9999", "--check-config")
    check(rc == 0 and "127.0.0.1:9999" in out, "--listen overrides the file: %r" % out)

    bad = dict(d.sections)
    bad["rooms"] = {"max_participants": "lots"}
    d.write_config(bad)
    rc, out, err = cli("--config", d.conf, "--check-config")
    check(rc == 78, "bad value exits 78, got %d" % rc)
    check("max_participants" in err and "lots" in err, "message names key and value: %r" % err)
    bad["rooms"] = {"max_partcipants": "5"}
    d.write_config(bad)
    rc, out, err = cli("--config", d.conf)
    check(rc == 78 and "max_partcipants" in err, "unknown key exits 78 naming it: %d %r" % (rc, err))
    rc, out, err = cli("--config", "/nonexistent/plenum.conf")
    check(rc == 78 and "/nonexistent/plenum.conf" in err, "missing file exits 78: %d %r" % (rc, err))

    # SIGHUP: a valid change applies live (max_participants), an invalid file is reported and ignored.
    d.sections["rooms"] = {"max_participants": "2"}
    d.write_config()
    d.start()
    try:
        a = await Client.connect(d)
        ja = await a.join("reload-room", "A")
        check(ja["limits"]["maxParticipants"] == 2, "initial limit")
        d.sections["rooms"] = {"max_participants": "5"}
        d.write_config()
        d.signal(signal.SIGHUP)
        b = await Client.connect(d)
        for _ in range(100):  # the reload is asynchronous: poll the observable effect
            jb = await b.join("probe-%d" % _, "B")
            await b.request({"type": "leave"})
            await b.closed()
            if jb["limits"]["maxParticipants"] == 5:
                break
            b = await Client.connect(d)
        check(jb["limits"]["maxParticipants"] == 5, "SIGHUP applied the new limit")
        broken = dict(d.sections)
        broken["rooms"] = {"max_participants": "-3"}
        d.write_config(broken)
        d.signal(signal.SIGHUP)
        log_before = None
        for _ in range(200):
            log = d.read_log()
            if "reload failed" in log:
                break
            await asyncio.sleep(0.05)
        check("reload failed" in log and "max_participants" in log, "invalid reload reported:\n" + log)
        c = await Client.connect(d)
        jc = await c.join("after-bad", "C")
        check(jc["limits"]["maxParticipants"] == 5, "old config kept after a bad reload")
        await c.request({"type": "leave"})
        await c.closed()

        # SIGTERM: drain.
        d.signal(signal.SIGTERM)
        m = await a.until("server-shutdown")
        check(isinstance(m.get("drainSeconds"), int), "server-shutdown carries drainSeconds: %r" % m)
        st, _, _ = d.http_get("healthz")
        check(st == 503, "healthz 503 while draining, got %s" % st)
        n = await Client.connect(d)
        await n.expect("server-shutdown")  # a connection made while draining is told at once
        rid = await n.request({"type": "join", "room": "late", "name": "Late"})
        await n.expect_error("draining", rid)
        await n.close()
        check(d.proc.poll() is None, "still running while a client is connected")
        await a.request({"type": "leave"})
        await a.closed()
        rc = d.wait_exit()
        check(rc == 0, "drained exit status 0, got %s" % rc)
    finally:
        d.stop()


run(main)
