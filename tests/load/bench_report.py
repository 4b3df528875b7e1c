#!/usr/bin/env python3
"""Turns the plenum-load --json results of tests/load/bench.sh into docs/benchmarks.md.

usage: bench_report.py RUNS.tsv DURATION ROUNDS SERVER_PIN LOAD_PIN JANUS_DESC
RUNS.tsv (tab separated): scenario, server (plenum | janus | janus-el1), SRTP profile, round,
plenum-load arguments, path of the JSON result, load average before the run.
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
        name, server, profile, rnd, args, path, loadavg = line.rstrip("\n").split("\t")
        try:
            res = json.load(open(path))
        except (OSError, ValueError):
            res = None
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
      "an N × N meeting receives every other publisher.")
    w("- The machine is shared (other builds, fuzzers, browsers): the commands list the "
      "1/5/15-minute load average before each run. A load above ~0.5 means the pinned CPUs "
      "were contended and latency outliers and freezes are the scheduler's, not the "
      "server's; that is why the ratios below compare runs of the same round (minutes "
      "apart), not medians.")
    w("- CPU µs per forwarded packet = server utime+stime (/proc/PID/stat, all threads) over "
      "the window / RTP packets received by all subscribers in the window. MiB per "
      "participant = (RSS at the end of the window − RSS before the first join) / "
      "participants. Join = join request (Janus: session create) → first media, p95.\n")
    w("Reproduce: `make bench`, or e.g. `ROUNDS=3 SCENARIOS=\"meeting-8\" "
      "PROFILES=aes-gcm tests/load/bench.sh`.\n")

    # ---- ratios first: what the issue asks for
    if janus_kinds and "plenum" in servers_seen:
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
          "CPU µs / pkt | loss audio / video % | latency p50 / p99 / max µs | freezes | "
          "server RSS MiB base → end | MiB / participant | join → first media p95 ms | "
          "generator CPU % |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for key in keys:
            name, profile = key
            for server in servers_seen:
                if server not in runs[key]:
                    continue
                R = [r for r in runs[key][server].values() if r]
                label = server_label(server)
                if not R:
                    w(f"| {name} | {profile} | {label} | run failed | | | | | | | | | | |")
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
                  "subscribe-offer", "subscribe-ice", "subscribe-dtls", "first-media"]
        w("Join timing, ms after the join request, p50 / p95 (median over rounds):\n")
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
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
