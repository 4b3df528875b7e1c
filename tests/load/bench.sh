#!/bin/sh
# make bench: build Plenum and plenum-load, run the benchmark scenarios against a fresh server on
# loopback each (server pinned to CPU 0, generator to CPU 1), alternating Plenum and Janus 1.1
# (the Debian package; default and with event_loops) within every round, for each SRTP profile,
# and write docs/benchmarks.md. Never part of `make test`: measurements, not pass/fail checks.
#
# The lossN-* scenarios run server and generator inside a network namespace of their own (created
# at the scenario's start, deleted at its end or on exit), where an nftables rule on the input
# hook drops N % of all UDP datagrams at random (this kernel has no netem; as tests/e2e/loss).
# Both sides use the address (LOSS_IP) of a dummy (or veth) interface in it, since Janus never
# gathers on loopback; every datagram between them passes the input hook once. The host's
# interfaces and ruleset are never touched. Skipped, with the reason, when not root or ip/nft
# are missing; a run whose drop counter did not move fails the bench (exit 1, after the report
# is written).
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
#   LOSS_IP=10.77.0.1     media address (a dummy or veth interface) in the lossN-* namespaces
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
LOSS_IP=${LOSS_IP:-10.77.0.1}
NS_NAME="plenum-bench-$$" # the lossN-* scenarios' namespace (the name holds our pid)
NS=""                     # set while it exists
NSX=""                    # "ip netns exec $NS" then: the prefix of every command run inside
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
audio-80|--meeting 80 --audio-only --ramp 50
audio-100|--meeting 100 --audio-only --ramp 50
joinstorm-50|--meeting 50 --audio-only --ramp 50
loss2-fanout-20|--publishers 1 --subscribers 20 --ramp 20
loss2-meeting-4|--meeting 4 --ramp 20
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
# Whatever runs in our namespace was started by us (a server, plenum-load).
ns_kill_delete() { # $1 = namespace
	ip netns pids "$1" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
	ip netns delete "$1" 2>/dev/null || true
}
cleanup() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
	# the scenario loop runs in a subshell: look the namespace up by name
	if ip netns list 2>/dev/null | grep -q "^$NS_NAME\b"; then ns_kill_delete "$NS_NAME"; fi
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() {
	$NSX $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

port_open() {
	$NSX $PY -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' \
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

# ---- lossN-* scenarios: a network namespace with random UDP loss ----------------------------
ns_up() { # creates the namespace, or returns 1 with the reason in NS_WHY
	NS_WHY=""
	if [ "$(id -u)" != 0 ]; then
		NS_WHY="needs root for a network namespace and nftables (running as uid $(id -u))"
		return 1
	fi
	command -v ip >/dev/null 2>&1 || { NS_WHY="ip (iproute2) not found"; return 1; }
	command -v nft >/dev/null 2>&1 || { NS_WHY="nft not found (apt-get install nftables)"; return 1; }
	# namespaces of bench runs killed before their trap ran
	for old in $(ip netns list 2>/dev/null | awk '/^plenum-bench-/ {print $1}'); do
		kill -0 "${old#plenum-bench-}" 2>/dev/null || ns_kill_delete "$old"
	done
	err=$(ip netns add "$NS_NAME" 2>&1) || { NS_WHY="ip netns add failed: $err"; return 1; }
	NS=$NS_NAME
	NSX="ip netns exec $NS"
	# A non-loopback interface for the media address: a dummy one, or where the kernel has no
	# dummy driver, a veth pair with both ends in the namespace.
	if ! err=$({ ip -n "$NS" link set lo up &&
		{ ip -n "$NS" link add d0 type dummy 2>/dev/null ||
			{ ip -n "$NS" link add d0 type veth peer name d1 && ip -n "$NS" link set d1 up; }; } &&
		ip -n "$NS" addr add "$LOSS_IP/24" dev d0 && ip -n "$NS" link set d0 up; } 2>&1); then
		NS_WHY="cannot set up lo and a dummy or veth interface in $NS: $err"
		ns_down
		return 1
	fi
	if ! err=$($NSX nft -f - 2>&1 <<'NFT'
add table inet plenumloss
add chain inet plenumloss in { type filter hook input priority 0; policy accept; }
add rule inet plenumloss in meta l4proto udp numgen random mod 100 < 0 counter drop
flush chain inet plenumloss in
NFT
	); then
		NS_WHY="nftables unusable in a network namespace (no nf_tables or numgen?): $err"
		ns_down
		return 1
	fi
}

ns_down() {
	[ -n "$NS" ] || return 0
	ns_kill_delete "$NS"
	NS="" NSX=""
}

# Fresh rules, so fresh counters: all UDP, then the dropped share. $1 = percentage.
nft_arm() {
	$NSX nft -f - <<NFT
flush chain inet plenumloss in
add rule inet plenumloss in meta l4proto udp counter
add rule inet plenumloss in meta l4proto udp numgen random mod 100 < $1 counter drop
NFT
}

nft_counts() { # "SEEN DROPPED" UDP datagrams since nft_arm
	$NSX nft list chain inet plenumloss in | grep -o 'counter packets [0-9]*' |
		awk '{print $3}' | paste -sd' ' -
}

start_plenum() { # $1 = srtp profile, $2 = media address
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
addresses = $2
workers = 1
srtp_profiles = $1
[log]
level = warning
EOF
	$NSX $PIN_S "$PLENUM" --config "$WORK/plenum.conf" >"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	URL="ws://127.0.0.1:$PORT/ws"
	SERVER_ARGS="--local-address $2"
	wait_ready '$NSX curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1'
}

# A minimal Janus: websockets on loopback only, the VideoRoom plugin only, no event handlers or
# loggers, warnings only, ICE on one local address without STUN/TURN, full ICE (not lite), and
# a room with VP8 + Opus, no bitrate cap (REMB), no periodic FIR and no recording.
# $1 = directory, $2 = event_loops (0: Janus's default, a thread per handle), $3 = ICE address
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
	ice_enforce_list = "$3"
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

start_janus() { # $1 = config directory, $2 = ICE address (as in its janus.jcfg)
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
	$NSX $PIN_S janus -C "$1/janus.jcfg" -F "$1" >"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	URL="ws://127.0.0.1:$PORT/"
	SERVER_ARGS="--janus --room $JANUS_ROOM --local-address $2"
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
	write_janus_config "$WORK/janus" 0 "$JANUS_IP"
	write_janus_config "$WORK/janus-el1" "$JANUS_LOOPS" "$JANUS_IP"
	write_janus_config "$WORK/ns/janus" 0 "$LOSS_IP"
	write_janus_config "$WORK/ns/janus-el1" "$JANUS_LOOPS" "$LOSS_IP"
	echo "== $(janus --version 2>/dev/null | head -1), ICE on $JANUS_IP"
fi

: >"$WORK/runs.tsv"
echo "$ALL_SCENARIOS" | while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	if [ -n "${SCENARIOS:-}" ] && ! echo " $SCENARIOS " | grep -q " $name "; then continue; fi
	loss="" media_ip=127.0.0.1 janus_ip=${JANUS_IP:-} janus_dir="$WORK"
	case $name in
	loss[0-9]*-*)
		loss=${name#loss}
		loss=${loss%%-*}
		if ! ns_up; then
			echo "bench: skipping $name: $NS_WHY" >&2
			continue
		fi
		media_ip=$LOSS_IP janus_ip=$LOSS_IP janus_dir="$WORK/ns"
		echo "== $name: namespace $NS, $loss % of UDP dropped on its input hook, media on $LOSS_IP"
		;;
	esac
	for profile in $PROFILES; do
		lprof=gcm
		[ "$profile" = aes-cm ] && lprof=aes-cm
		r=1
		while [ $r -le "$ROUNDS" ]; do
			for server in $SERVERS; do
				case $server in
				plenum) start_plenum "$profile" "$media_ip" ;;
				janus | janus-el1) start_janus "$janus_dir/$server" "$janus_ip" ;;
				*) echo "bench: unknown server $server" >&2; exit 1 ;;
				esac
				load_before=$(cut -d' ' -f1-3 /proc/loadavg)
				out="$WORK/$name.$profile.$r.$server"
				echo "== $name $profile round $r $server: plenum-load $args"
				[ -z "$loss" ] || nft_arm "$loss"
				# shellcheck disable=SC2086
				if ! $NSX $PIN_L "$LOAD" --url "$URL" --server-pid "$SERVER_PID" \
					--srtp-profile "$lprof" $SERVER_ARGS --duration "$DURATION" \
					--json --quiet $args >"$out.json" 2>"$out.err"; then
					echo "   (plenum-load reported failures; see the table)"
				fi
				nft=""
				if [ -n "$loss" ]; then
					nft=$(nft_counts)
					echo "   nft: $(echo "$nft" | cut -s -d' ' -f2) of" \
						"$(echo "$nft" | cut -d' ' -f1) UDP datagrams dropped"
					case "$(echo "$nft" | cut -s -d' ' -f2)" in
					"" | 0)
						echo "bench: FAIL: $name $server: nftables dropped nothing" \
							"($nft): the loss was not applied" >&2
						echo "$name $server round $r" >>"$WORK/loss-failed"
						;;
					esac
				fi
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$server" "$profile" "$r" \
					"$args" "$out.json" "$load_before" "$nft" >>"$WORK/runs.tsv"
				stop_server
			done
			r=$((r + 1))
		done
	done
	ns_down
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
if [ -s "$WORK/loss-failed" ]; then
	echo "bench: FAIL: the loss was not applied (nftables dropped nothing) in:" >&2
	sed 's/^/  /' "$WORK/loss-failed" >&2
	exit 1
fi
