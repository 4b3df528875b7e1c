#!/bin/sh
# make bench: build Plenum and plenum-load, run the benchmark scenarios against a fresh daemon on
# loopback each (server pinned to CPU 0, generator to CPU 1), and write docs/benchmarks.md.
# Never part of `make test`: these are measurements, not pass/fail checks.
#
# Environment:
#   BUILD=build-bench     build directory (RelWithDebInfo)
#   DURATION=10           measured seconds per run
#   ROUNDS=1              runs per scenario (the tables show the median and the range)
#   SCENARIOS="..."       subset of scenario names to run (default: all, see below)
#   OUT=docs/benchmarks.md
#   SERVER_CPU=0 LOAD_CPU=1
set -eu

SRC=$(cd "$(dirname "$0")/../.." && pwd)
cd "$SRC"
BUILD=${BUILD:-build-bench}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-1}
OUT=${OUT:-docs/benchmarks.md}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# name | SRTP profile(s) the server offers | plenum-load arguments
ALL_SCENARIOS='
fanout-25|aes-gcm|--publishers 1 --subscribers 25 --ramp 50
fanout-50|aes-gcm|--publishers 1 --subscribers 50 --ramp 50
fanout-100|aes-gcm|--publishers 1 --subscribers 100 --ramp 50
fanout-200|aes-gcm|--publishers 1 --subscribers 200 --ramp 50
fanout-100-aescm|aes-cm|--publishers 1 --subscribers 100 --ramp 50
meeting-4|aes-gcm|--meeting 4 --ramp 20
meeting-8|aes-gcm|--meeting 8 --ramp 20
meeting-12|aes-gcm|--meeting 12 --ramp 20
meeting-16|aes-gcm|--meeting 16 --ramp 20
meeting-20|aes-gcm|--meeting 20 --ramp 20
audio-60|aes-gcm|--meeting 60 --audio-only --ramp 50
audio-100|aes-gcm|--meeting 100 --audio-only --ramp 50
joinstorm-50|aes-gcm|--meeting 50 --audio-only --ramp 50
'

echo "== build ($BUILD)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target plenum plenum-load >/dev/null
PLENUM="$BUILD/plenum"
LOAD="$BUILD/tests/plenum-load"
[ -x "$LOAD" ] || { echo "bench: $LOAD was not built (is tests/load/load.cmake included?)" >&2; exit 1; }

PIN_S="" PIN_L=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
	PIN_S="taskset -c $SERVER_CPU"
	PIN_L="taskset -c $LOAD_CPU"
fi

WORK=$(mktemp -d /tmp/plenum-bench.XXXXXX)
SERVER_PID=""
cleanup() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_server() { # $1 = srtp profiles
	PORT=$(free_port)
	cat >"$WORK/plenum.conf" <<EOF
[http]
listen = 127.0.0.1:$PORT
[rooms]
max_rooms = 1000
max_participants = 1000
messages_per_second = 1000
message_burst = 10000
[media]
addresses = 127.0.0.1
workers = 1
srtp_profiles = $1
[log]
level = warning
EOF
	$PIN_S "$PLENUM" --config "$WORK/plenum.conf" >"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	i=0
	while ! curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
			echo "bench: the server did not start:" >&2
			cat "$WORK/server.log" >&2
			exit 1
		fi
		sleep 0.1
	done
}

stop_server() {
	kill -TERM "$SERVER_PID" 2>/dev/null || true
	# drain_timeout is 30 s by default; the participants are gone, so it exits at once
	i=0
	while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=""
}

: >"$WORK/runs.tsv"
echo "$ALL_SCENARIOS" | while IFS='|' read -r name profile args; do
	[ -n "$name" ] || continue
	if [ -n "${SCENARIOS:-}" ] && ! echo " $SCENARIOS " | grep -q " $name "; then continue; fi
	r=1
	while [ $r -le "$ROUNDS" ]; do
		start_server "$profile"
		load_before=$(cut -d' ' -f1-3 /proc/loadavg)
		echo "== $name round $r: plenum-load $args --duration $DURATION"
		# shellcheck disable=SC2086
		if ! $PIN_L "$LOAD" --url "ws://127.0.0.1:$PORT/ws" --server-pid "$SERVER_PID" \
			--duration "$DURATION" --json --quiet $args >"$WORK/$name.$r.json" \
			2>"$WORK/$name.$r.err"; then
			echo "   (plenum-load reported failures; see the table)"
		fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$profile" "$r" "$args" \
			"$WORK/$name.$r.json" "$load_before" >>"$WORK/runs.tsv"
		stop_server
		r=$((r + 1))
	done
done

$PY "$SRC/tests/load/bench_report.py" "$WORK/runs.tsv" "$DURATION" "$ROUNDS" \
	"$(echo "$PIN_S" | sed 's/^$/none/')" "$(echo "$PIN_L" | sed 's/^$/none/')" >"$OUT"
echo "== wrote $OUT"
