"""Tier 3 (issue 5): the forwarding-delay histogram in /metrics, against the real daemon with real
media (a plenum-load meeting of three: libnice ICE, DTLS, SRTP on loopback).

Checked, without any timing threshold (timings belong in `make bench`):
- before any media the histogram is empty;
- after the call every forwarded RTP packet is a sample: _count is at least the router's
  rtp_out minus what the kernel refused (udp_send_dropped), and every sample came from a
  received datagram, so _count is below what the sockets received times the fan-out;
- it is a valid Prometheus histogram: buckets cumulative, +Inf equal to _count, _sum > 0;
- plenum-load, reading the same /metrics at the edges of its window, reports a window of the
  same histogram (n > 0 and at most the total).
- the same call's UDP GSO sends (server/ice.c, media/udp_gso.c): the two equal-sized packets of
  each video frame go to a subscriber as one send, so gso_sends > 0 and each holds at least two
  datagrams; the subscribers decrypt what the kernel cut back into datagrams, so nothing may be
  lost (a wrong segment size or a datagram in the wrong send fails their SRTP check).
It fails without receive timestamps (no samples), without the histogram, or with a broken
exposition. Registered from tests/load/load.cmake (it needs PLENUM_LOAD)."""
from loadtest import meeting
from plenumtest import Daemon, check

H = "plenum_media_forward_delay_seconds"


def buckets(m):
    """[(le, cumulative count)] in the order /metrics lists them."""
    out = []
    for k, v in m.items():
        if k.startswith(H + '_bucket{le="'):
            le = k[len(H) + 12:-2]
            out.append((float("inf") if le == "+Inf" else float(le), v))
    return out


def main():
    d = Daemon(extra={"media": {"workers": "1"}}).start()
    try:
        m0 = d.metrics()
        check(m0[H + "_count"] == 0 and m0[H + '_bucket{le="+Inf"}'] == 0,
              "empty before any media: count %r" % m0.get(H + "_count"))
        r, m = meeting(d, "delay")
        count, out = m[H + "_count"], m["plenum_media_rtp_out_total"]
        dropped = m["plenum_media_udp_send_dropped_total"]
        received = (m["plenum_media_srtp_packets_in_total"] + m["plenum_media_srtcp_packets_in_total"]
                    + m["plenum_media_dtls_packets_in_total"])
        print("forward delay samples %d, rtp_out %d, dropped %d, received %d, sum %.6f s" %
              (count, out, dropped, received, m[H + "_sum"]))
        check(out > 0, "the call forwarded RTP: rtp_out %d" % out)
        check(count >= out - dropped,
              "every forwarded RTP packet is a sample: %d samples, %d forwarded" % (count, out))
        # Three participants: a datagram causes at most two copies plus an RTCP answer or two.
        check(count <= 4 * received,
              "samples only for datagrams caused by received ones: %d for %d received" %
              (count, received))
        b = buckets(m)
        check(len(b) == 20, "20 buckets, got %d" % len(b))
        check(all(b[i][0] < b[i + 1][0] and b[i][1] <= b[i + 1][1] for i in range(len(b) - 1)),
              "bounds rise and counts are cumulative: %r" % b)
        check(b[-1] == (float("inf"), count), "+Inf bucket equals _count: %r" % (b[-1],))
        check(m[H + "_sum"] > 0, "_sum > 0")
        w = r.get("server_forward_delay_us")
        check(w is not None and 0 < w["n"] <= count,
              "plenum-load's window of the histogram: %r (total %d)" % (w, count))
        check(0 <= w["share_le_2ms"] <= 1 and w["p50"] <= w["p99"] <= w["p999"],
              "window quantiles ordered: %r" % w)
        sends, grouped = m["plenum_media_udp_gso_sends_total"], m["plenum_media_udp_gso_datagrams_total"]
        print("GSO: %d sends of %d datagrams; lost audio %d, video %d of %d received" %
              (sends, grouped, r["lost_audio"], r["lost_video"], r["rx_packets"]))
        check(sends > 0 and 2 * sends <= grouped <= count,
              "video frames sent with GSO: %d sends, %d datagrams, %d sent" % (sends, grouped, count))
        check(r["rx_packets"] > 0 and r["lost_audio"] == 0 and r["lost_video"] == 0,
              "every packet arrived: %d received, %d audio and %d video lost" %
              (r["rx_packets"], r["lost_audio"], r["lost_video"]))
    finally:
        d.stop()
    print("ok")


if __name__ == "__main__":
    main()
