# Sourced by the run.sh of the browser tests that need a network namespace of their own
# (tests/e2e/loss, tests/e2e/browsers); the caller defines skip() (prints why, exits 77).
# netns_make PREFIX: deletes namespaces PREFIX-<pid>-<n> left by runs killed before their trap ran
# (their pid is gone), makes PREFIX-<our pid>-<n>, names it in $ns, and on exit kills whatever
# still runs in it (started by the test: the daemon, the browsers) and deletes it.
netns_make() {
	local prefix=$1 old pid err
	for old in $(ip netns list 2>/dev/null | awk -v p="^$prefix-" '$1 ~ p {print $1}'); do
		pid=${old#"$prefix"-}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null && continue
		ip netns pids "$old" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns delete "$old" 2>/dev/null
	done
	ns="$prefix-$$-$RANDOM"
	err=$(ip netns add "$ns" 2>&1) || skip "ip netns add $ns failed: $err"
	trap netns_cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
}

netns_cleanup() {
	ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns delete "$ns" 2>/dev/null
}
