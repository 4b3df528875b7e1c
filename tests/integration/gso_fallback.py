"""Tier 3 (issue 5): when the kernel refuses a UDP GSO send (server/ice.c), the daemon sends
that send's datagrams one by one, stops using GSO on the socket, says so once in its log, and
nothing is lost.

The daemon runs with gso_refuse.so preloaded (PLENUM_GSO_REFUSE), which fails every sendmmsg
whose first message is a GSO send with EIO, as the kernel does on an IPsec path. Then a
plenum-load meeting of three (real ICE, DTLS, SRTP on loopback; the two equal-sized packets of
each video frame are what the daemon would send with GSO):
- every datagram of a refused send still left, on its own (the shim remembers each and ticks it
  off when the same bytes go to the same address: its report at the daemon's exit);
- the log has the refusal exactly once, naming EIO;
- /metrics counts no GSO send and no dropped datagram;
- every forwarded RTP packet is a forwarding-delay sample (the fallback records them too);
- the subscribers lost nothing.
Without the fallback (a refused send dropped) the report has no datagram resent and it fails;
with the shim not loaded, GSO sends are counted and it fails. Registered from tests/load/load.cmake,
not in sanitizer builds (the shim would have to precede ASan's runtime)."""
import os

from loadtest import meeting
from plenumtest import Daemon, check, fail

SHIM = os.environ.get("PLENUM_GSO_REFUSE")


def main():
    if not SHIM or not os.path.exists(SHIM):
        fail("PLENUM_GSO_REFUSE does not name gso_refuse.so: %r" % SHIM)
    d = Daemon(extra={"media": {"workers": "1"}})
    report = os.path.join(d.dir, "gso-refuse-report")
    d.env = dict(os.environ, LD_PRELOAD=SHIM, PLENUM_GSO_REFUSE_REPORT=report)
    d.start()
    try:
        r, m = meeting(d, "gso-refused")
        log = d.read_log()
        refusals = log.count("refused UDP segmentation offload")
        sends, dropped = m["plenum_media_udp_gso_sends_total"], m["plenum_media_udp_send_dropped_total"]
        out, samples = m["plenum_media_rtp_out_total"], m["plenum_media_forward_delay_seconds_count"]
        print("refusals logged %d; GSO sends %d, dropped %d; rtp_out %d, delay samples %d; "
              "lost audio %d, video %d of %d received" %
              (refusals, sends, dropped, out, samples, r["lost_audio"], r["lost_video"],
               r["rx_packets"]))
        check(refusals == 1 and "Input/output error" in log,
              "the refusal logged once with its reason:\n%s" % log)
        check(sends == 0 and dropped == 0, "no GSO send, nothing dropped: %d, %d" % (sends, dropped))
        check(out > 0 and samples >= out, "every forwarded packet a sample: %d of %d" % (samples, out))
        check(r["rx_packets"] > 0 and r["lost_audio"] == 0 and r["lost_video"] == 0,
              "every packet arrived: %d received, %d audio and %d video lost" %
              (r["rx_packets"], r["lost_audio"], r["lost_video"]))
    finally:
        d.stop()
    with open(report) as f:
        words = f.read().split()
    print("shim: %s" % " ".join(words))
    refused, resent = int(words[1]), int(words[3])
    check(refused >= 2 and resent == refused,
          "every datagram of the refused send left on its own: %d of %d" % (resent, refused))
    print("ok")


if __name__ == "__main__":
    main()
