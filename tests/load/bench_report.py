#!/usr/bin/env python3
"""Turns the plenum-load --json results of tests/load/bench.sh into docs/benchmarks.md.

usage: bench_report.py RUNS.tsv DURATION ROUNDS SERVER_PIN LOAD_PIN
RUNS.tsv: name, profile, round, plenum-load arguments, path of the JSON result (tab separated).
"""
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys


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


def main():
    runs_path, duration, rounds, pin_s, pin_l = sys.argv[1:6]
    runs = {}
    order = []
    for line in open(runs_path):
        name, profile, rnd, args, path, loadavg = line.rstrip("\n").split("\t")
        try:
            res = json.load(open(path))
        except (OSError, ValueError):
            res = None
        if name not in runs:
            runs[name] = {"profile": profile, "args": args, "results": [], "load": []}
            order.append(name)
        runs[name]["results"].append(res)
        runs[name]["load"].append(loadavg)

    out = []
    w = out.append
    w("# Benchmarks\n")
    w("Written by `make bench` (tests/load/bench.sh) from plenum-load's `--json` output. "
      "Every simulated participant is a real WebRTC endpoint (libnice ICE, DTLS, SRTP) that "
      "joins through the signaling protocol; see tests/load/load.h. These are measurements, "
      "never pass/fail tests.\n")
    w("## Machine and run\n")
    w(f"- CPU: {cpu_model()}, {os.cpu_count()} CPUs (nproc {sh('nproc')})")
    w(f"- Kernel: {platform.release()}")
    w(f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    w(f"- Plenum commit: {sh('git rev-parse --short HEAD')}")
    w(f"- Server pinned with `{pin_s}`, generator with `{pin_l}`; one media worker "
      "(`[media] workers = 1`), loopback only (`addresses = 127.0.0.1`), log level warning, "
      "a fresh daemon per run.")
    w(f"- Measured window: {duration} s per run after every participant receives media "
      f"(plus 1 s warm-up); {rounds} round(s) per scenario: cells show the median and "
      "[min–max] over rounds.")
    w("- Publishers send Opus (pre-encoded 440 Hz tone, 20 ms frames) and synthetic VP8 "
      "(500 kbit/s, 30 fps unless stated, key frame every 5 s and on PLI). 10% of the "
      "receivers decrypt every packet (latency comes from them); the rest count SRTP headers.")
    w("- The machine may be shared (other builds, fuzzers, browsers): each command below lists "
      "the 1/5/15-minute load average before its run. A load above ~0.5 means the pinned "
      "CPUs were contended and latency outliers and freezes are the scheduler's, not the "
      "server's.")
    w("- CPU µs per forwarded packet = server utime+stime over the window / RTP packets "
      "received by all subscribers in the window. MiB per participant = (RSS at the end of "
      "the window − RSS before the first join) / participants.\n")
    w("Reproduce: `make bench` or `DURATION=10 ROUNDS=1 tests/load/bench.sh`; one scenario: "
      "`SCENARIOS=\"meeting-8\" tests/load/bench.sh`.\n")

    groups = [("Fan-out: 1 publisher → N subscribers (audio + video)", "fanout"),
              ("N × N meeting (audio + video)", "meeting"),
              ("Audio-only rooms of 60 and 100 (everyone publishes Opus)", "audio"),
              ("Join storm: 50 participants join within one second (audio-only meeting)",
               "joinstorm")]
    for title, prefix in groups:
        names = [n for n in order if n.startswith(prefix)]
        if not names:
            continue
        w(f"## {title}\n")
        w("| scenario | SRTP | joined / failed | forwarded pkt/s | server CPU % | CPU µs / pkt "
          "| loss audio / video % | latency p50 / p99 / max µs | freezes | server RSS MiB "
          "base → end | MiB / participant | join → first media p95 ms | generator CPU % |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for n in names:
            R = [r for r in runs[n]["results"] if r]
            if not R:
                w(f"| {n} | {runs[n]['profile']} | run failed | | | | | | | | | | |")
                continue
            lat = [latency(r) for r in R]
            kind = lat[0][1]
            joined = fmt([r["joined"] for r in R], 0)
            failed = fmt([r["failed"] for r in R], 0)
            row = [
                n, runs[n]["profile"], f"{joined} / {failed}",
                fmt([r.get("rx_pps") for r in R], 0),
                fmt([r.get("server_cpu_pct") for r in R]),
                fmt([r.get("server_us_per_packet") for r in R], 2),
                fmt([r.get("loss_audio_pct") for r in R], 3) + " / " +
                fmt([r.get("loss_video_pct") for r in R], 3),
                f"{kind}: " + " / ".join(fmt([l[0].get(k) for l in lat], 0)
                                         for k in ("p50", "p99", "max")),
                fmt([(r.get("freezes_audio") or 0) + (r.get("freezes_video") or 0) for r in R],
                    0),
                fmt([r.get("server_rss_base_kib", 0) / 1024 for r in R]) + " → " +
                fmt([r["server_rss_end_kib"] / 1024 if r.get("server_rss_end_kib") else None
                     for r in R]),
                fmt([r.get("server_mib_per_participant") for r in R], 3),
                fmt([get(r, "join_ms", "first-media", "p95") for r in R]),
                fmt([r.get("generator_cpu_pct") for r in R]),
            ]
            w("| " + " | ".join(str(c) for c in row) + " |")
        w("")
        w("Commands (plus `--url ws://127.0.0.1:PORT/ws --server-pid PID --duration "
          f"{duration} --json --quiet`):\n")
        for n in names:
            w(f"- {n}: `plenum-load {runs[n]['args']}` (load average before the run: "
          + "; ".join(runs[n]["load"]) + ")")
        w("")
        stages = ["joined", "publish-answer", "publish-ice", "publish-dtls", "subscribe-offer",
                  "subscribe-ice", "subscribe-dtls", "first-media"]
        w("Join timing, ms after the join request, p50 / p95 (median over rounds):\n")
        w("| scenario | " + " | ".join(stages) + " |")
        w("|---|" + "---|" * len(stages))
        for n in names:
            R = [r for r in runs[n]["results"] if r]
            if not R:
                continue
            cells = []
            for s in stages:
                p50 = [get(r, "join_ms", s, "p50") for r in R]
                p95 = [get(r, "join_ms", s, "p95") for r in R]
                cells.append(fmt(p50) + " / " + fmt(p95) if any(p50) else "–")
            w(f"| {n} | " + " | ".join(cells) + " |")
        w("")
        errs = [(n, r.get("errors")) for n in names for r in runs[n]["results"]
                if r and r.get("errors")]
        if errs:
            w("Errors reported by plenum-load:\n")
            for n, e in errs:
                for line in e.strip().splitlines()[:5]:
                    w(f"- {n}: {line}")
            w("")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
