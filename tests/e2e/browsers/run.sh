#!/usr/bin/env bash
# Tier 4, mixed browsers: runs mixed.mjs or web_firefox.mjs (the real daemon, one Firefox and one
# Chromium participant) inside a network namespace of its own with one interface address (a veth pair,
# both ends inside): Firefox pairs its host candidates only with candidates outside the loopback
# range, so the daemon's ICE-lite candidate must be an interface address, as on a real server;
# and Firefox gathers no host candidate at all without a default route, so the namespace has one.
# The host's interfaces are never touched; the namespace is deleted at the end.
# Exit 77 (ctest SKIP_RETURN_CODE) with the reason when root, netns or a browser is missing.
# Usage: run.sh [node] [script, default mixed.mjs]
set -u
node=${1:-node}
script=${2:-mixed.mjs}
here=$(cd "$(dirname "$0")" && pwd)
addr=10.79.0.1
skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root to create a network namespace (running as uid $(id -u))"
command -v ip >/dev/null || skip "ip (iproute2) not found"
command -v "$node" >/dev/null || skip "node not found ($node)"
[ -x "${FIREFOX:-/usr/bin/firefox-esr}" ] || skip "firefox-esr not installed (make deps installs it)"

. "$here/../netns.sh"
netns_make plenum-browsers

err=$({ ip -n "$ns" link set lo up &&
	ip -n "$ns" link add b0 type veth peer name b1 &&
	ip -n "$ns" addr add "$addr/24" dev b0 &&
	ip -n "$ns" link set b0 up && ip -n "$ns" link set b1 up &&
	ip -n "$ns" route add default dev b0; } 2>&1) ||
	skip "cannot set up lo, a veth pair and a default route in $ns: $err"

PLENUM_MEDIA_ADDRESS=$addr timeout -k 10 200 ip netns exec "$ns" "$node" "$here/$script"
