/* server/ice.c with two real libnice agents on 127.0.0.1, driven on one GMainContext: they
 * connect and pass datagrams both ways; and a connected pair whose peer stops answering stays up
 * for 11 s. libnice before 0.1.22 ended it after 10 s of unanswered consent checks (4 to 6 s if
 * the next check was due late), so under 5 % loss or a 5 s outage Plenum lost whole
 * PeerConnections (tests/e2e/loss); RFC 7675 gives consent 30 s. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "server/ice.h"

#define MAX_CANDS 16

struct side {
	struct pl_ice *ice;
	char *cands[MAX_CANDS];
	size_t n_cands;
	bool gathered, connected, failed;
	size_t received;
	uint8_t last[64];
};

static void on_recv(void *user, uint8_t *buf, size_t len)
{
	struct side *s = user;
	s->received++;
	memcpy(s->last, buf, len < sizeof s->last ? len : sizeof s->last);
}

static void on_candidate(void *user, const char *cand)
{
	struct side *s = user;
	if (!cand)
		s->gathered = true;
	else if (s->n_cands < MAX_CANDS)
		s->cands[s->n_cands++] = g_strdup(cand);
}

static void on_state(void *user, enum pl_ice_state st)
{
	struct side *s = user;
	if (st == PL_ICE_CONNECTED)
		s->connected = true;
	else if (st == PL_ICE_FAILED)
		s->failed = true;
}

static const struct pl_ice_ops ops = {
    .recv = on_recv, .candidate = on_candidate, .state = on_state};

static gboolean on_deadline(gpointer data)
{
	*(bool *)data = true;
	return G_SOURCE_REMOVE;
}

/* Runs ctx until *flag (when given) or ms have passed; returns *flag. */
static bool run_until(GMainContext *ctx, const bool *flag, unsigned ms)
{
	bool expired = false;
	GSource *t = g_timeout_source_new(ms);
	g_source_set_callback(t, on_deadline, &expired, NULL);
	g_source_attach(t, ctx);
	while (!expired && !(flag && *flag))
		g_main_context_iteration(ctx, TRUE);
	g_source_destroy(t);
	g_source_unref(t);
	return flag && *flag;
}

/* Up to 1 s for a datagram to arrive on loopback. */
static void wait_received(GMainContext *ctx, const struct side *s)
{
	for (int i = 0; i < 20 && s->received == 0; i++)
		run_until(ctx, NULL, 50);
}

static char loopback[] = "127.0.0.1";
static char *addresses[] = {loopback, NULL};

/* a (controlling, like Plenum towards a browser) and b, connected. */
static void connect_pair(GMainContext *ctx, struct side *a, struct side *b)
{
	struct pl_ice_settings set = {.addresses = addresses, .consent_freshness = true};
	a->ice = pl_ice_new(ctx, &set, true, "ufrA", "passwordA-0123456789abcdef", &ops, a);
	b->ice = pl_ice_new(ctx, &set, false, "ufrB", "passwordB-0123456789abcdef", &ops, b);
	assert_int_equal(
	    pl_ice_set_remote_credentials(a->ice, "ufrB", "passwordB-0123456789abcdef"), 0);
	assert_int_equal(
	    pl_ice_set_remote_credentials(b->ice, "ufrA", "passwordA-0123456789abcdef"), 0);
	assert_int_equal(pl_ice_gather(a->ice), 0);
	assert_int_equal(pl_ice_gather(b->ice), 0);
	assert_true(run_until(ctx, &a->gathered, 5000));
	assert_true(run_until(ctx, &b->gathered, 5000));
	assert_true(a->n_cands > 0 && b->n_cands > 0);
	for (size_t i = 0; i < a->n_cands; i++)
		assert_int_equal(pl_ice_add_remote_candidate(b->ice, a->cands[i]), 0);
	for (size_t i = 0; i < b->n_cands; i++)
		assert_int_equal(pl_ice_add_remote_candidate(a->ice, b->cands[i]), 0);
	pl_ice_remote_gathering_done(a->ice);
	pl_ice_remote_gathering_done(b->ice);
	assert_true(run_until(ctx, &a->connected, 10000));
	assert_true(run_until(ctx, &b->connected, 10000));
}

static void side_cleanup(struct side *s)
{
	pl_ice_free(s->ice);
	for (size_t i = 0; i < s->n_cands; i++)
		g_free(s->cands[i]);
}

static void test_connect_and_send(void **state)
{
	(void)state;
	GMainContext *ctx = g_main_context_new();
	struct side a = {0}, b = {0};
	connect_pair(ctx, &a, &b);
	/* 0x80: an RTP-looking first byte, as the media path sends. */
	const uint8_t ping[] = {0x80, 'p', 'i', 'n', 'g'}, pong[] = {0x80, 'p', 'o', 'n', 'g'};
	assert_int_equal(pl_ice_send(a.ice, ping, sizeof ping), 0);
	wait_received(ctx, &b);
	assert_int_equal(b.received, 1);
	assert_memory_equal(b.last, ping, sizeof ping);
	assert_int_equal(pl_ice_send(b.ice, pong, sizeof pong), 0);
	wait_received(ctx, &a);
	assert_int_equal(a.received, 1);
	assert_memory_equal(a.last, pong, sizeof pong);
	assert_false(a.failed || b.failed);
	side_cleanup(&a);
	side_cleanup(&b);
	g_main_context_unref(ctx);
}

/* The peer goes silent (freed: nothing answers a's checks any more). 11 s later a must still be
 * connected and sending; libnice 0.1.21's consent freshness failed it within 10 s. */
static void test_silent_peer_kept_11s(void **state)
{
	(void)state;
	GMainContext *ctx = g_main_context_new();
	struct side a = {0}, b = {0};
	connect_pair(ctx, &a, &b);
	side_cleanup(&b);
	assert_false(run_until(ctx, &a.failed, 11000));
	const uint8_t x[] = {0x80, 'x'};
	assert_int_equal(pl_ice_send(a.ice, x, sizeof x), 0);
	side_cleanup(&a);
	g_main_context_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_connect_and_send),
	    cmocka_unit_test(test_silent_peer_kept_11s),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
