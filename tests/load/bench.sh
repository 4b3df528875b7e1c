#!/bin/sh
# make bench: build Plenum and plenum-load, run the benchmark scenarios against a fresh server on
# loopback each (server pinned to CPU 0, generator to CPU 1), alternating Plenum and Janus 1.1
# (the Debian package; default and with event_loops) within every round, for each SRTP profile,
# and write docs/benchmarks.md. Never part of `make test`: measurements, not pass/fail checks.
#
# Environment:
#   BUILD=build-bench     build directory (RelWithDebInfo)
#   DURATION=10           measured seconds per run
#   ROUNDS=1              rounds per scenario and profile (tables: median and range)
#   SCENARIOS="..."       subset of scenario names to run (default: all, see below)
#   SERVERS="plenum janus janus-el1"   janus: Janus as configured by default (a thread per
#                         handle); janus-el1: Janus tuned with event_loops = 1 (JANUS_LOOPS)
#   PROFILES="aes-gcm aes-cm"          SRTP profiles; both sides offer only the one under test
#   JANUS_LOOPS=1         event_loops of the tuned Janus
#   JANUS_IP=             local address for Janus's ICE (default: the first global IPv4
#                         address; Janus never gathers candidates on loopback interfaces)
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
SERVERS=${SERVERS:-plenum janus janus-el1}
PROFILES=${PROFILES:-aes-gcm aes-cm}
JANUS_LOOPS=${JANUS_LOOPS:-1}
JANUS_ROOM=4242
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# name | plenum-load arguments (each runs once per server, SRTP profile and round)
ALL_SCENARIOS='
fanout-25|--publishers 1 --subscribers 25 --ramp 50
fanout-50|--publishers 1 --subscribers 50 --ramp 50
fanout-100|--publishers 1 --subscribers 100 --ramp 50
fanout-200|--publishers 1 --subscribers 200 --ramp 50
meeting-4|--meeting 4 --ramp 20
meeting-8|--meeting 8 --ramp 20
meeting-12|--meeting 12 --ramp 20
meeting-16|--meeting 16 --ramp 20
meeting-20|--meeting 20 --ramp 20
audio-60|--meeting 60 --audio-only --ramp 50
audio-100|--meeting 100 --audio-only --ramp 50
joinstorm-50|--meeting 50 --audio-only --ramp 50
'

echo "== build ($BUILD)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target plenum plenum-load >/dev/null
PLENUM="$BUILD/plenum"
LOAD="$BUILD/tests/plenum-load"
[ -x "$LOAD" ] || { echo "bench: $LOAD was not built (is tests/load/load.cmake included?)" >&2; exit 1; }

# ---- Janus: the Debian package, installed when missing --------------------------------------
want_janus() { echo " $SERVERS " | grep -q " janus"; }
drop_janus() { # $1 = why
	echo "bench: $1; running Plenum only" >&2
	SERVERS=$(echo "$SERVERS" | tr ' ' '\n' | grep -v '^janus' | tr '\n' ' ')
}
if want_janus && ! command -v janus >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		echo "== apt-get install janus"
		DEBIAN_FRONTEND=noninteractive apt-get install -y janus >/dev/null ||
			drop_janus "apt-get install janus failed"
	else
		drop_janus "janus is not installed (apt-get install janus, as root)"
	fi
fi
JANUS_LIB=""
if want_janus; then
	JANUS_LIB=$(dirname "$(dirname "$(find /usr/lib -name 'libjanus_videoroom.so' 2>/dev/null |
		head -1)")" 2>/dev/null || true)
	[ -n "$JANUS_LIB" ] && [ -d "$JANUS_LIB/plugins" ] || drop_janus "no Janus plugin folder"
fi
if want_janus; then
	JANUS_IP=${JANUS_IP:-$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' |
		cut -d/ -f1 | head -1)}
	[ -n "$JANUS_IP" ] || drop_janus "no global IPv4 address for Janus's ICE"
fi

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

port_open() {
	$PY -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' \
		"$1" 2>/dev/null
}

wait_ready() { # $1 = probe command
	i=0
	while ! eval "$1"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
			echo "bench: the server did not start:" >&2
			tail -30 "$WORK/server.log" >&2
			exit 1
		fi
		sleep 0.1
	done
}

start_plenum() { # $1 = srtp profile
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
	URL="ws://127.0.0.1:$PORT/ws"
	SERVER_ARGS=""
	wait_ready 'curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1'
}

# A minimal Janus: websockets on loopback only, the VideoRoom plugin only, no event handlers or
# loggers, warnings only, ICE on one local address without STUN/TURN, full ICE (not lite), and
# a room with VP8 + Opus, no bitrate cap (REMB), no periodic FIR and no recording.
# $1 = directory, $2 = event_loops (0: Janus's default, a thread per handle)
write_janus_config() {
	mkdir -p "$1"
	others() { # the .so files in $JANUS_LIB/$1 except $2
		find "$JANUS_LIB/$1" -name 'libjanus_*.so' -printf '%f\n' | grep -v "^$2\$" |
			sort | paste -sd, -
	}
	loops=""
	[ "$2" -gt 0 ] && loops="event_loops = $2"
	cat >"$1/janus.jcfg" <<EOF
general: {
	configs_folder = "$1"
	plugins_folder = "$JANUS_LIB/plugins"
	transports_folder = "$JANUS_LIB/transports"
	events_folder = "$JANUS_LIB/events"
	loggers_folder = "$JANUS_LIB/loggers"
	debug_level = 3
	debug_colors = false
	session_timeout = 60
	$loops
}
certificates: {
}
media: {
	rtp_port_range = "20000-60000"
}
nat: {
	nice_debug = false
	ice_lite = false
	ice_tcp = false
	full_trickle = false
	ice_enforce_list = "$JANUS_IP"
}
plugins: {
	disable = "$(others plugins libjanus_videoroom.so)"
}
transports: {
	disable = "$(others transports libjanus_websockets.so)"
}
loggers: {
	disable = "$(others loggers none)"
}
events: {
	broadcast = false
	disable = "$(others events none)"
}
EOF
	cat >"$1/janus.plugin.videoroom.jcfg" <<EOF
general: {
}
room-$JANUS_ROOM: {
	description = "plenum-load"
	publishers = 1000
	bitrate = 0
	fir_freq = 0
	audiocodec = "opus"
	videocodec = "vp8"
	record = false
	notify_joining = false
}
EOF
}

start_janus() { # $1 = config directory
	PORT=$(free_port)
	cat >"$1/janus.transport.websockets.jcfg" <<EOF
general: {
	json = "compact"
	ws = true
	ws_port = $PORT
	ws_ip = "127.0.0.1"
	wss = false
}
admin: {
	admin_ws = false
	admin_wss = false
}
EOF
	$PIN_S janus -C "$1/janus.jcfg" -F "$1" >"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	URL="ws://127.0.0.1:$PORT/"
	SERVER_ARGS="--janus --room $JANUS_ROOM --local-address $JANUS_IP"
	wait_ready 'port_open "$PORT"'
}

stop_server() {
	kill -TERM "$SERVER_PID" 2>/dev/null || true
	# Plenum: drain_timeout is 30 s, but the participants are gone, so it exits at once
	i=0
	while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=""
}

if want_janus; then
	write_janus_config "$WORK/janus" 0
	write_janus_config "$WORK/janus-el1" "$JANUS_LOOPS"
	echo "== $(janus --version 2>/dev/null | head -1), ICE on $JANUS_IP"
fi

: >"$WORK/runs.tsv"
echo "$ALL_SCENARIOS" | while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	if [ -n "${SCENARIOS:-}" ] && ! echo " $SCENARIOS " | grep -q " $name "; then continue; fi
	for profile in $PROFILES; do
		lprof=gcm
		[ "$profile" = aes-cm ] && lprof=aes-cm
		r=1
		while [ $r -le "$ROUNDS" ]; do
			for server in $SERVERS; do
				case $server in
				plenum) start_plenum "$profile" ;;
				janus | janus-el1) start_janus "$WORK/$server" ;;
				*) echo "bench: unknown server $server" >&2; exit 1 ;;
				esac
				load_before=$(cut -d' ' -f1-3 /proc/loadavg)
				out="$WORK/$name.$profile.$r.$server"
				echo "== $name $profile round $r $server: plenum-load $args"
				# shellcheck disable=SC2086
				if ! $PIN_L "$LOAD" --url "$URL" --server-pid "$SERVER_PID" \
					--srtp-profile "$lprof" $SERVER_ARGS --duration "$DURATION" \
					--json --quiet $args >"$out.json" 2>"$out.err"; then
					echo "   (plenum-load reported failures; see the table)"
				fi
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$server" "$profile" "$r" \
					"$args" "$out.json" "$load_before" >>"$WORK/runs.tsv"
				stop_server
			done
			r=$((r + 1))
		done
	done
done

JANUS_DESC="none"
if want_janus; then
	JANUS_DESC="$(janus --version 2>/dev/null | head -1 | sed 's/^Janus version: //'), ICE on $JANUS_IP, tuned: event_loops = $JANUS_LOOPS"
fi
$PY "$SRC/tests/load/bench_report.py" "$WORK/runs.tsv" "$DURATION" "$ROUNDS" \
	"$(echo "$PIN_S" | sed 's/^$/none/')" "$(echo "$PIN_L" | sed 's/^$/none/')" \
	"$JANUS_DESC" >"$OUT"
[ -z "${KEEP:-}" ] || cp -r "$WORK" "$KEEP"
echo "== wrote $OUT"
