#!/usr/bin/env bash
# Tier 4, packet loss (issue 6): runs loss.mjs (the real daemon and two headless Chromium
# participants) inside a network namespace of its own, where loss.mjs drops UDP at random with
# nftables (this kernel has no netem). The host's interfaces and ruleset are never touched: every
# nft command runs through `ip netns exec` in the namespace, which is deleted at the end.
# Exit 77 (ctest SKIP_RETURN_CODE) with the reason when root, netns or nftables are missing.
# Usage: run.sh [node]
set -u
node=${1:-node}
here=$(cd "$(dirname "$0")" && pwd)
skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root to create a network namespace and nftables rules (running as uid $(id -u))"
command -v ip >/dev/null || skip "ip (iproute2) not found"
command -v nft >/dev/null || skip "nft not found (install the nftables package)"
command -v "$node" >/dev/null || skip "node not found ($node)"

. "$here/../netns.sh"
netns_make plenum-loss

err=$(ip -n "$ns" link set lo up 2>&1) || skip "cannot bring lo up in $ns: $err"
err=$(ip netns exec "$ns" true 2>&1) || skip "ip netns exec failed: $err"
# The table loss.mjs fills; a probe rule with the expressions it uses (numgen, counter) shows
# the kernel has them, then goes.
err=$(ip netns exec "$ns" nft -f - 2>&1 <<'NFT'
add table inet plenumloss
add chain inet plenumloss in { type filter hook input priority 0; policy accept; }
add rule inet plenumloss in meta l4proto udp numgen random mod 100 < 0 counter drop
flush chain inet plenumloss in
NFT
) || skip "nftables unusable in a network namespace (kernel without nf_tables or numgen?): $err"

# The test's own deadlines are far shorter; this bounds a hang below ctest's TIMEOUT so that
# the trap above still runs.
PLENUM_LOSS_NETNS=$ns timeout -k 10 200 ip netns exec "$ns" "$node" "$here/loss.mjs"
