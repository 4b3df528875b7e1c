"""Tier 3 (issue 6): authenticated media peers that misbehave, against the real daemon.

Each mode of `plenum-load --hostile` (tests/load/hostile.c) runs in its own room of three: the
attacker (participant 0, a real ICE + DTLS-SRTP endpoint that completed the handshake, except for
dtls-stall and bad-fingerprint) and two victims. All rooms share one media worker with a normal
three-person call in another room that runs through the whole test. Checked:
- the daemon survives every mode and exits cleanly at the end (no sanitizer report in the ASan
  build, where this file runs too);
- the defence that should catch each mode shows in its /metrics counter;
- the victims in the attacked room lose nothing, and neither does the normal call;
- afterwards no session or room is left.
Registered from tests/load/load.cmake (it needs the plenum-load binary: PLENUM_LOAD)."""
import json
import os
import subprocess
import sys
import time

from plenumtest import Daemon, check, fail

LOAD = os.environ.get("PLENUM_LOAD")

# mode -> the /metrics counter its defence increments (None: the victims' figures are the check)
MODES = [
    ("nack-flood", "plenum_media_retransmits_capped_total"),
    ("pli-flood", "plenum_media_pli_suppressed_total"),
    ("ssrc-flood", "plenum_media_srtp_ssrc_cap_hits_total"),
    ("rtcp-lies", "plenum_media_rtcp_malformed_total"),
    ("rtp-padding", "plenum_media_rtp_malformed_total"),
    ("srtp-replay", "plenum_media_srtp_replayed_total"),
    ("garbage", "plenum_media_unknown_packets_total"),
    ("seq-wrap", None),
    ("dtls-stall", "plenum_media_dtls_failed_total"),
    ("bad-fingerprint", "plenum_media_dtls_failed_total"),
]
HOSTILE_SECONDS = 3
# Loss the victims and the normal call may show: none is expected on loopback; the margin only
# covers a scheduler stall on a loaded CI machine, not a defence that lets an attack through.
MAX_LOSS_PCT = 1.0


def metrics(d):
    return d.metrics()


def load_cmd(d, room, extra):
    return [LOAD, "--url", "ws://127.0.0.1:%d/ws" % d.port, "--room", room, "--json", "--quiet",
            "--ramp", "0", "--server-pid", str(d.proc.pid)] + extra


def result(proc, what):
    out, err = proc.communicate(timeout=120)
    try:
        r = json.loads(out)
    except ValueError:
        fail("%s: plenum-load printed no JSON (exit %s): %s" % (what, proc.returncode, err.decode()))
    return proc.returncode, r, err.decode()


def main():
    if not LOAD or not os.access(LOAD, os.X_OK):
        fail("PLENUM_LOAD does not name the plenum-load binary: %r" % LOAD)
    d = Daemon(extra={
        "media": {"workers": "1", "dtls_timeout": "3"},
        "rooms": {"messages_per_second": "1000", "message_burst": "1000"},
        "log": {"level": "info"},
    }).start()
    try:
        # The normal call's window opens before the first attack and is ended with SIGTERM
        # (plenum-load then reports) when the last attack is over.
        normal = subprocess.Popen(load_cmd(d, "normal-call", ["--meeting", "3", "--duration",
                                                              "3600"]),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while metrics(d)["plenum_media_transports_connected_total"] < 6:
            if time.monotonic() > deadline or normal.poll() is not None:
                normal.kill()
                fail("the normal call did not connect: %s" % normal.communicate()[1].decode())
            time.sleep(0.2)
        time.sleep(2)  # plenum-load opens its window 1 s after media flows everywhere
        before = metrics(d)
        t0 = time.monotonic()
        for mode, counter in MODES:
            p = subprocess.Popen(load_cmd(d, "hostile-" + mode,
                                          ["--meeting", "3", "--duration", str(HOSTILE_SECONDS),
                                           "--hostile", mode]),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            rc, r, err = result(p, mode)
            check(d.proc.poll() is None, "%s: the daemon died (exit %s):\n%s" %
                  (mode, d.proc.returncode, d.read_log()[-4000:]))
            h = r.get("hostile") or {}
            print("%-16s attack packets %7d, attacker failed: %-5s victims' loss audio %.3f%% "
                  "video %.3f%%, %d packets received in the window" %
                  (mode, h.get("sent", -1), h.get("failed"), r["loss_audio_pct"],
                   r["loss_video_pct"], r["rx_packets"]))
            check(rc == 0, "%s: plenum-load exit %d: %s %s" % (mode, rc, r.get("errors"), err))
            check(r["loss_audio_pct"] <= MAX_LOSS_PCT and r["loss_video_pct"] <= MAX_LOSS_PCT,
                  "%s: the victims lost packets: %r" % (mode, r))
            check(r["rx_packets"] > 0, "%s: the victims received nothing" % mode)
            if counter:
                # The media counters are refreshed once a second: poll, with a deadline.
                deadline = time.monotonic() + 5
                while True:
                    now = metrics(d)
                    delta = now[counter] - before[counter]
                    if delta > 0 or time.monotonic() > deadline:
                        break
                    time.sleep(0.2)
                print("%-16s %s +%d" % ("", counter, delta))
                check(delta > 0, "%s: %s did not move" % (mode, counter))
                before = now
        attacks_s = time.monotonic() - t0
        normal.terminate()
        rc, r, err = result(normal, "normal call")
        print("normal call: window %.1f s (attacks took %.1f s), loss audio %.3f%% video %.3f%%, "
              "%d packets, freezes audio %d video %d, latency p99 audio %s us video %s us" %
              (r["window_s"], attacks_s, r["loss_audio_pct"], r["loss_video_pct"],
               r["rx_packets"], r["freezes_audio"], r["freezes_video"],
               r["latency_audio_us"].get("p99"), r["latency_video_us"].get("p99")))
        check(rc == 0, "normal call: plenum-load exit %d: %s %s" % (rc, r.get("errors"), err))
        check(r["loss_audio_pct"] <= MAX_LOSS_PCT and r["loss_video_pct"] <= MAX_LOSS_PCT,
              "the normal call lost packets during the attacks: %r" % r)
        final = metrics(d)
        print("totals: " + ", ".join("%s %d" % (k.replace("plenum_media_", "")[:-6], final[k])
                                     for _, k in MODES if k) )
        deadline = time.monotonic() + 10
        while (final["plenum_sessions"] or final["plenum_rooms"]) and time.monotonic() < deadline:
            time.sleep(0.2)
            final = metrics(d)
        check(final["plenum_sessions"] == 0 and final["plenum_rooms"] == 0,
              "sessions/rooms left: %d/%d" % (final["plenum_sessions"], final["plenum_rooms"]))
    finally:
        rc = d.stop()
    log = d.read_log()
    check(rc == 0, "daemon exit %s" % rc)
    for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error:", "CRITICAL"):
        check(bad not in log, "daemon log has %s:\n%s" % (bad, log[-4000:]))


if __name__ == "__main__":
    main()
