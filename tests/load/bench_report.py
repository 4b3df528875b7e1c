#!/usr/bin/env python3
"""Turns the plenum-load --json results of tests/load/bench.sh into docs/benchmarks.md.

usage: bench_report.py RUNS.tsv DURATION ROUNDS SERVER_PIN LOAD_PIN JANUS_DESC
RUNS.tsv (tab separated): scenario, server (plenum | janus | janus-el1), SRTP profile, round,
plenum-load arguments, path of the JSON result, load average before the run, and for the lossN-*
scenarios the namespace's nftables counters over the run ("SEEN DROPPED" UDP datagrams).
"""
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

SERVER_NAMES = {"plenum": "Plenum", "janus": "Janus", "janus-el1": "Janus event_loops"}


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def cpu_model():
    for line in sh("lscpu").splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def fmt(values, digits=1):
    vals = [v for v in values if v is not None]
    if not vals:
        return "–"
    med = statistics.median(vals)
    s = f"{med:.{digits}f}"
    if len(vals) > 1 and min(vals) != max(vals):
        s += f" [{min(vals):.{digits}f}–{max(vals):.{digits}f}]"
    return s


def get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def latency(r):
    # video when there is video, else audio
    v = get(r, "latency_video_us")
    if v and v.get("n"):
        return v, "video"
    return get(r, "latency_audio_us") or {}, "audio"


def own_delay(R):
    """The server's forwarding delay from its /metrics (Plenum only): p50 / p99 (share ≤ 2 ms)."""
    d = [get(r, "server_forward_delay_us") for r in R]
    if not any(d):
        return "–"
    share = [x["share_le_2ms"] * 100 if x and x.get("share_le_2ms") is not None else None
             for x in d]
    return (fmt([x and x.get("p50") for x in d], 0) + " / " +
            fmt([x and x.get("p99") for x in d], 0) + " (" + fmt(share, 2) + ")")


def complete(r):
    """A run whose figures can be compared: everyone joined and a window was measured."""
    return bool(r) and not r.get("failed") and r.get("window_s") and r.get("rx_packets")


def figures(r):
    """The four compared figures of one run (None where missing)."""
    if not complete(r):
        return None
    return {
        "cpu": r.get("server_us_per_packet"),
        "mem": r.get("server_mib_per_participant"),
        "p99": latency(r)[0].get("p99"),
        "join": get(r, "join_ms", "first-media", "p95"),
        "join50": get(r, "join_ms", "first-media", "p50"),
    }


def strain(r):
    """Why a run's figures are not at equal load: a saturated server or real loss."""
    if not r:
        return []
    out = []
    cpu = r.get("server_cpu_pct")
    if cpu is not None and cpu >= 90:
        out.append(f"CPU {cpu:.0f}%")
    for kind in ("audio", "video"):
        loss = r.get(f"loss_{kind}_pct") or 0
        if loss >= 0.5:
            out.append(f"{kind} loss {loss:.1f}%")
    return out


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return None
    return a / b


def server_label(s):
    return SERVER_NAMES.get(s, s)


def main():
    runs_path, duration, rounds, pin_s, pin_l, janus_desc = sys.argv[1:7]
    # runs[(scenario, profile)][server][round] = result
    runs = {}
    order = []
    args_of = {}
    loads = {}
    servers_seen = []
    for line in open(runs_path):
        fields = line.rstrip("\n").split("\t")
        name, server, profile, rnd, args, path, loadavg = fields[:7]
        nft = fields[7].split() if len(fields) > 7 else []
        try:
            res = json.load(open(path))
        except (OSError, ValueError):
            res = None
        if res is not None and len(nft) == 2:
            res["nft_seen"], res["nft_dropped"] = int(nft[0]), int(nft[1])
        key = (name, profile)
        if key not in runs:
            runs[key] = {}
            order.append(key)
        runs[key].setdefault(server, {})[int(rnd)] = res
        args_of[name] = args
        loads.setdefault(name, []).append(loadavg)
        if server not in servers_seen:
            servers_seen.append(server)
    janus_kinds = [s for s in servers_seen if s.startswith("janus")]

    out = []
    w = out.append
    w("# Benchmarks\n")
    w("Written by `make bench` (tests/load/bench.sh) from plenum-load's `--json` output. "
      "Every simulated participant is a real WebRTC endpoint (libnice ICE, DTLS, SRTP) that "
      "joins through the server's own signaling: Plenum's protocol, or Janus's VideoRoom "
      "plugin over its websocket transport (`plenum-load --janus`, tests/load/janus.c). The "
      "media, the peers and the measurements are the same code for both servers. These are "
      "measurements, never pass/fail tests.\n")
    w("## Machine and run\n")
    w(f"- CPU: {cpu_model()}, {os.cpu_count()} CPUs (nproc {sh('nproc')})")
    w(f"- Kernel: {platform.release()}")
    w(f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    w(f"- Plenum commit: {sh('git rev-parse --short HEAD')}")
    w(f"- Servers: {', '.join(server_label(s) for s in servers_seen)}. Janus: {janus_desc}.")
    w(f"- Each server pinned with `{pin_s}`, the generator with `{pin_l}`; a fresh server per "
      "run. Plenum: one media worker (`[media] workers = 1`), `addresses = 127.0.0.1`, log "
      "level warning. Janus: websockets on 127.0.0.1 only, the VideoRoom plugin only, no "
      "event handlers or loggers, debug_level 3 (warnings), full ICE without STUN/TURN on one "
      "local address (Janus never gathers on loopback interfaces, so Janus and the generator "
      "both use the machine's own address; the packets still go through the loopback "
      "device), a room with Opus + VP8, `bitrate = 0` (no REMB cap), `fir_freq = 0`, no "
      "recording. \"Janus event_loops\" is the same with `event_loops` set in janus.jcfg "
      "(a fixed pool of media loops instead of a thread per handle).")
    w("- SRTP: plenum-load offers (as DTLS client) or accepts (as DTLS server) only the "
      "profile under test, so both servers use the same one whichever DTLS role they take; "
      "Plenum is also configured with only that profile.")
    w(f"- Measured window: {duration} s per run after every participant receives media "
      f"(plus 1 s warm-up); {rounds} round(s); within a round the servers run one after the "
      "other. Cells show the median and [min–max] over rounds.")
    w("- Publishers send Opus (pre-encoded 440 Hz tone, 20 ms frames) and synthetic VP8 "
      "(500 kbit/s, 30 fps, key frame every 5 s and on PLI). 10% of the receivers decrypt "
      "every packet (latency comes from them); the rest count SRTP headers. A subscriber in "
      "an N × N meeting receives every other publisher. The generator sends what is due "
      "on a 1 ms tick, so the publishers' 20 ms audio frames keep the phases their first "
      "packet gave them, as independent browsers do (runs before 2026-12-08 used a 5 ms tick: "
      "a quarter of all publishers' audio arrived at once, and the server's queueing delay "
      "with it).")
    w("- The machine is shared (other builds, fuzzers, browsers): the commands list the "
      "1/5/15-minute load average before each run. A load above ~0.5 means the pinned CPUs "
      "were contended and latency outliers and freezes are the scheduler's, not the "
      "server's; that is why the ratios below compare runs of the same round (minutes "
      "apart), not medians.")
    w("- CPU µs per forwarded packet = server utime+stime (/proc/PID/stat, all threads) over "
      "the window / RTP packets received by all subscribers in the window. MiB per "
      "participant = (RSS at the end of the window − RSS before the first join) / "
      "participants. Join = join request (Janus: session create) → first media, p95.")
    w("- Latency is one-way, publisher's send to a decrypting subscriber's receive, both in "
      "the generator: it includes the generator's own queueing and the kernel's loopback "
      "delivery. The server's own delay (Plenum only) is its /metrics histogram "
      "`plenum_media_forward_delay_seconds` over the window: from a datagram's arrival at the "
      "worker's socket (kernel receive timestamp) to the return of the sendmmsg that sent "
      "each datagram it caused; percentiles interpolated inside the buckets, the share within "
      "2 ms exact.\n")
    w("Reproduce: `make bench`, or e.g. `ROUNDS=3 SCENARIOS=\"meeting-8\" "
      "PROFILES=aes-gcm tests/load/bench.sh`.\n")

    # ---- ratios first: what the issue asks for
    if janus_kinds and "plenum" in servers_seen and any(
            not k[0].startswith("loss") for k in order):
        w("## Plenum / Janus ratios\n")
        w("Per round, Plenum's figure divided by Janus's from the same round; median and "
          "[range] over rounds. Below 1 means Plenum needs less (CPU, memory) or is faster "
          "(latency, join). \"–\": no comparable run (a server had failed joins or no "
          "measured window; see the tables). The last column names the runs where a server "
          "was saturated (≥ 90% of its core) or lost ≥ 0.5% of a media kind: there the "
          "load was not equal and the ratio flatters the server that kept up.\n")
        w("| scenario | SRTP | vs | CPU µs / pkt | MiB / participant | latency p99 | "
          "join → first media p95 | (p50) | comparable rounds | not at equal load |")
        w("|---|---|---|---|---|---|---|---|---|---|")
        for key in order:
            name, profile = key
            if name.startswith("loss"):
                continue  # their own table below
            per = runs[key]
            for jk in janus_kinds:
                if jk not in per or "plenum" not in per:
                    continue
                rs = {k: [] for k in ("cpu", "mem", "p99", "join", "join50")}
                n = 0
                notes = []
                for rnd, pr in per["plenum"].items():
                    a, b = figures(pr), figures(per[jk].get(rnd))
                    if not a or not b:
                        continue
                    n += 1
                    for srv, res in (("plenum", pr), (jk, per[jk].get(rnd))):
                        st = strain(res)
                        if st:
                            notes.append(f"{server_label(srv)} r{rnd}: " + ", ".join(st))
                    for k in rs:
                        rs[k].append(ratio(a[k], b[k]))
                total = len(per["plenum"])
                w(f"| {name} | {profile} | {server_label(jk)} | {fmt(rs['cpu'], 2)} | "
                  f"{fmt(rs['mem'], 2)} | {fmt(rs['p99'], 2)} | {fmt(rs['join'], 2)} | "
                  f"{fmt(rs['join50'], 2)} | {n} of {total} | {'; '.join(notes) or 'no'} |")
        w("")

    groups = [("Fan-out: 1 publisher → N subscribers (audio + video)", "fanout"),
              ("N × N meeting (audio + video)", "meeting"),
              ("Audio-only rooms (everyone publishes Opus)", "audio"),
              ("Join storm: 50 participants join within one second (audio-only meeting)",
               "joinstorm")]
    for title, prefix in groups:
        keys = [k for k in order if k[0].startswith(prefix)]
        if not keys:
            continue
        w(f"## {title}\n")
        w("| scenario | SRTP | server | joined / failed | forwarded pkt/s | server CPU % | "
          "CPU µs / pkt | loss audio / video % | latency p50 / p99 / max µs | "
          "server's own delay p50 / p99 µs (% ≤ 2 ms) | freezes | "
          "server RSS MiB base → end | MiB / participant | join → first media p95 ms | "
          "generator CPU % |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for key in keys:
            name, profile = key
            for server in servers_seen:
                if server not in runs[key]:
                    continue
                R = [r for r in runs[key][server].values() if r]
                label = server_label(server)
                if not R:
                    w(f"| {name} | {profile} | {label} | run failed | | | | | | | | | | | |")
                    continue
                lat = [latency(r) for r in R]
                kind = lat[0][1]
                joined = fmt([r["joined"] for r in R], 0)
                failed = fmt([r["failed"] for r in R], 0)
                row = [
                    name, profile, label, f"{joined} / {failed}",
                    fmt([r.get("rx_pps") for r in R], 0),
                    fmt([r.get("server_cpu_pct") for r in R]),
                    fmt([r.get("server_us_per_packet") for r in R], 2),
                    fmt([r.get("loss_audio_pct") for r in R], 3) + " / " +
                    fmt([r.get("loss_video_pct") for r in R], 3),
                    f"{kind}: " + " / ".join(fmt([l[0].get(k) for l in lat], 0)
                                             for k in ("p50", "p99", "max")),
                    own_delay(R),
                    fmt([(r.get("freezes_audio") or 0) + (r.get("freezes_video") or 0)
                         for r in R], 0),
                    fmt([r.get("server_rss_base_kib", 0) / 1024 for r in R]) + " → " +
                    fmt([r["server_rss_end_kib"] / 1024 if r.get("server_rss_end_kib")
                         else None for r in R]),
                    fmt([r.get("server_mib_per_participant") for r in R], 3),
                    fmt([get(r, "join_ms", "first-media", "p95") for r in R]),
                    fmt([r.get("generator_cpu_pct") for r in R]),
                ]
                w("| " + " | ".join(str(c) for c in row) + " |")
        w("")
        w("Commands (plus `--url URL --server-pid PID --srtp-profile P --duration "
          f"{duration} --json --quiet`, and against Janus `--janus --room 4242 "
          "--local-address IP`):\n")
        for name in dict.fromkeys(k[0] for k in keys):
            w(f"- {name}: `plenum-load {args_of[name]}` (load average before each run: "
              + "; ".join(loads[name]) + ")")
        w("")
        stages = ["joined", "publish-answer", "publish-ice", "publish-dtls",
                  "subscribe-offer", "subscribe-ice", "subscribe-dtls", "first-media",
                  "first-media-ready"]
        w("Join timing, ms after the join request, p50 / p95 (median over rounds); "
          "first-media-ready: ms from the moment media could first exist (the join request, "
          "or another participant's publish if later) to the first packet:\n")
        w("| scenario | SRTP | server | " + " | ".join(stages) + " |")
        w("|---|---|---|" + "---|" * len(stages))
        for key in keys:
            name, profile = key
            for server in servers_seen:
                R = [r for r in runs[key].get(server, {}).values() if r]
                if not R:
                    continue
                cells = []
                for s in stages:
                    p50 = [get(r, "join_ms", s, "p50") for r in R]
                    p95 = [get(r, "join_ms", s, "p95") for r in R]
                    cells.append(fmt(p50) + " / " + fmt(p95) if any(p50) else "–")
                w(f"| {name} | {profile} | {server_label(server)} | " + " | ".join(cells) +
                  " |")
        w("")
        errs = []
        for key in keys:
            for server in servers_seen:
                for rnd, r in sorted(runs[key].get(server, {}).items()):
                    if r and r.get("errors"):
                        errs.append((key, server, rnd, r["errors"]))
                    elif not r:
                        errs.append((key, server, rnd, "no result (plenum-load crashed?)"))
        if errs:
            w("Errors reported by plenum-load (at most 3 lines per run):\n")
            for (name, profile), server, rnd, e in errs:
                for line in e.strip().splitlines()[:3]:
                    w(f"- {name} {profile} {server_label(server)} round {rnd}: {line}")
            w("")
    loss_table(w, order, runs, servers_seen, args_of, loads, duration)
    sys.stdout.write("\n".join(out) + "\n")


def loss_table(w, order, runs, servers_seen, args_of, loads, duration):
    keys = [k for k in order if k[0].startswith("loss")]
    if not keys:
        return
    w("## Packet loss: random UDP loss in a network namespace (NACK recovery)\n")
    w("Server and plenum-load run in a network namespace of their own on the address of a "
      "dummy (or veth) interface in it, where an nftables rule on the input hook "
      "(`meta l4proto udp numgen random mod 100 < N drop`, N from the scenario name: loss2 = 2 %) drops datagrams at random: every "
      "datagram between generator and server passes that hook once, so each hop (publisher → "
      "server, server → subscriber, and the NACKs and retransmissions themselves) loses ~N %. "
      "The host's ruleset is not touched.\n")
    w("- **nft dropped**: the rule's counters over the whole plenum-load run (ICE, DTLS, RTP, "
      "RTCP in both directions, joins and teardown included): dropped / all UDP datagrams.")
    w("- **missing on arrival**: sequence numbers a subscriber found skipped when a newer "
      "packet arrived, over the measured window, / packets expected: the loss over both hops "
      "before any repair.")
    w("- **lost after recovery**: RFC 3550 A.1 over the measured window, summed over every "
      "subscriber's streams: packets expected (highest − first sequence number + 1) minus "
      "packets received, so sequence numbers that never arrived by the window's end. A "
      "retransmission counts as received: plenum-load's answers negotiate no RTX, so both "
      "servers retransmit on the original SSRC and sequence number; duplicates do not count "
      "(plenum-load keeps the last 512 sequence numbers per stream; RFC 3550 A.1 would count "
      "them, hiding as much loss). Audio is never NACKed (no `nack` for Opus, as in "
      "browsers), so its figure is the raw loss of two hops, ~2 × N %. Video: each subscriber "
      "NACKs a gap once, at once, without retries (browsers retry), so a packet whose NACK or "
      "retransmission is dropped too, or that a retransmission from the publisher brought "
      "but the server → subscriber hop dropped again, stays lost: at 2 % that is roughly "
      "0.1 %, the generator's floor, not the server's.")
    w("- **NACKs sent**: RTCP NACK packets (one per gap) sent by all subscribers over the "
      "whole run. **retransmitted**: packets the publishers resent in answer to the server's "
      "own NACKs (loss on the publisher → server hop), whole run. **late arrivals**: packets "
      "a subscriber received after a newer one, in the window: on loopback these are "
      "retransmissions that filled a gap (from the server's history or forwarded from the "
      "publisher). **dups**: duplicates received in the window. **PLIs**: key frame requests "
      "(PLI/FIR) the publishers received, whole run.")
    w("- **freezes**: a stream without packets for more than 200 ms, in the window. **CPU µs "
      "/ pkt**: as above (retransmissions count as forwarded packets); **Plenum ÷ this**: "
      "per round, Plenum's CPU µs / pkt divided by this server's, median [range].")
    w("- Subscribers echo the last sender report in their receiver reports (LSR/DLSR), as "
      "browsers do, so a server can measure the RTT. Janus 1.1.2 needs that: it keeps a "
      "subscriber's retransmission buffer only once `nack_queue_ms` is set, which happens "
      "only when the RTT it computes from a receiver report changes (src/ice.c), and that "
      "RTT is in whole milliseconds: below 1 ms, as on loopback, it stays 0 and Janus "
      "answers no subscriber's NACK (it still NACKs the publisher and forwards the "
      "retransmissions). So Janus's video loss here is that of a sub-millisecond link, not "
      "of a WAN.\n")
    w("| scenario | SRTP | server | joined / failed | nft dropped % (dropped / seen) | "
      "missing on arrival audio / video % | lost after recovery audio / video % | "
      "NACKs sent | retransmitted | late arrivals | dups | PLIs | freezes audio / video | "
      "CPU µs / pkt | Plenum ÷ this |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    notes = []
    for key in keys:
        name, profile = key
        per = runs[key]
        for server in servers_seen:
            if server not in per:
                continue
            R = [r for r in per[server].values() if r]
            label = server_label(server)
            if not R:
                w(f"| {name} | {profile} | {label} | run failed |" + " |" * 11)
                continue
            nft_pct = [100.0 * r["nft_dropped"] / r["nft_seen"] if r.get("nft_seen") else None
                       for r in R]
            nft_cell = (fmt(nft_pct, 2) + " (" + fmt([r.get("nft_dropped") for r in R], 0) +
                        " / " + fmt([r.get("nft_seen") for r in R], 0) + ")")
            if any(r.get("nft_dropped") == 0 for r in R):
                nft_cell += " **LOSS NOT APPLIED**"
            # A subscriber whose ICE failed under loss leaves the others' figures usable: the
            # CPU per packet needs only a measured window (failures show in joined / failed).
            ratios = []
            if server != "plenum" and "plenum" in per:
                for rnd, pr in per["plenum"].items():
                    jr = per[server].get(rnd)
                    if pr and jr and pr.get("window_s") and jr.get("window_s"):
                        ratios.append(ratio(pr.get("server_us_per_packet"),
                                            jr.get("server_us_per_packet")))
            row = [
                name, profile, label,
                fmt([r["joined"] for r in R], 0) + " / " + fmt([r["failed"] for r in R], 0),
                nft_cell,
                fmt([r.get("missing_audio_pct") for r in R], 2) + " / " +
                fmt([r.get("missing_video_pct") for r in R], 2),
                fmt([r.get("loss_audio_pct") for r in R], 3) + " / " +
                fmt([r.get("loss_video_pct") for r in R], 3),
                fmt([r.get("nacks_sent") for r in R], 0),
                fmt([r.get("retransmitted") for r in R], 0),
                fmt([r.get("late_packets") for r in R], 0),
                fmt([r.get("duplicates") for r in R], 0),
                fmt([r.get("plis") for r in R], 0),
                fmt([r.get("freezes_audio") for r in R], 0) + " / " +
                fmt([r.get("freezes_video") for r in R], 0),
                fmt([r.get("server_us_per_packet") for r in R], 2),
                "–" if server == "plenum" else fmt(ratios, 2),
            ]
            w("| " + " | ".join(str(c) for c in row) + " |")
            for rnd, r in sorted(per[server].items()):
                if not r:
                    notes.append(f"{name} {profile} {label} round {rnd}: no result "
                                 "(plenum-load crashed?)")
                elif r.get("errors"):
                    for line in r["errors"].strip().splitlines()[:3]:
                        notes.append(f"{name} {profile} {label} round {rnd}: {line}")
    w("")
    w("Commands (inside the namespace, plus `--url URL --server-pid PID --srtp-profile P "
      f"--duration {duration} --json --quiet --local-address LOSS_IP`, and against Janus "
      "`--janus --room 4242`):\n")
    for name in dict.fromkeys(k[0] for k in keys):
        w(f"- {name}: `plenum-load {args_of[name]}` (load average before each run: "
          + "; ".join(loads[name]) + ")")
    w("")
    if notes:
        w("Errors reported by plenum-load (at most 3 lines per run):\n")
        for n in notes:
            w(f"- {n}")
        w("")


if __name__ == "__main__":
    main()
