"""A plenum-load meeting against a test daemon, for the integration tests that need real media
(forward_delay.py, gso_fallback.py): runs it, returns its --json report and the daemon's
/metrics once the snapshot (refreshed once a second) holds the whole call."""
import json
import os
import subprocess
import time

from plenumtest import check, fail

LOAD = os.environ.get("PLENUM_LOAD")


def meeting(d, room, n=3, duration=3):
    if not LOAD or not os.access(LOAD, os.X_OK):
        fail("PLENUM_LOAD does not name the plenum-load binary: %r" % LOAD)
    p = subprocess.run([LOAD, "--url", d.ws_url(), "--room", room, "--meeting", str(n),
                        "--duration", str(duration), "--ramp", "0", "--json", "--quiet",
                        "--server-pid", str(d.proc.pid)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    try:
        r = json.loads(p.stdout)
    except ValueError:
        fail("plenum-load printed no JSON (exit %s): %s" % (p.returncode, p.stderr.decode()))
    check(p.returncode == 0, "plenum-load exit %s: %s" % (p.returncode, r.get("errors")))
    deadline = time.monotonic() + 10
    while True:
        m = d.metrics()
        if m["plenum_media_rtp_out_total"] >= r["rx_packets"] or time.monotonic() > deadline:
            return r, m
        time.sleep(0.2)
