/* DTLS-SRTP endpoints pumped against each other in memory on a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <cmocka.h>

#include "media/cert.h"
#include "media/dtls.h"
#include "media/error.h"
#include "media/srtp_session.h"

/* The fake clock. OpenSSL 3.0 runs its DTLS retransmission timer on gettimeofday() (see the
 * caveat in media/dtls.h); this definition interposes on libssl's call, so that OpenSSL's
 * clock and the now_us we pass advance together and retransmission is testable without
 * sleeping. The epoch offset keeps the wall time plausible. */
static int64_t g_now_us;
#define FAKE_EPOCH_S 1700000000LL

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	(void)tz;
	tv->tv_sec = (time_t)(FAKE_EPOCH_S + g_now_us / 1000000);
	tv->tv_usec = (suseconds_t)(g_now_us % 1000000);
	return 0;
}

#define QLEN 64

struct dgram {
	uint8_t buf[PL_DTLS_MAX_DATAGRAM];
	size_t len;
};

struct ep {
	const char *name;
	struct pl_dtls *d;
	struct ep *peer;
	struct dgram q[QLEN]; /* inbox */
	size_t head, tail;
	unsigned drop_next; /* drop this many of the next datagrams we send */
	int drop_ccs_once;  /* drop our first datagram that starts with ChangeCipherSpec */
	int capture;        /* keep sent datagrams in `captured` instead of delivering */
	struct dgram captured[8];
	size_t n_captured;
	unsigned sent, dropped;
	size_t max_len;
};

static struct pl_cert *g_cert_a, *g_cert_b, *g_cert_c;

static void ep_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct ep *e = ctx;

	e->sent++;
	if (len > e->max_len)
		e->max_len = len;
	assert_true(len <= PL_DTLS_MTU);
	if (e->drop_next) {
		e->drop_next--;
		e->dropped++;
		return;
	}
	if (e->drop_ccs_once && len > 0 && buf[0] == 20) {
		e->drop_ccs_once = 0;
		e->dropped++;
		return;
	}
	if (e->capture) {
		assert_true(e->n_captured < 8);
		memcpy(e->captured[e->n_captured].buf, buf, len);
		e->captured[e->n_captured++].len = len;
		return;
	}
	assert_true(e->peer->tail - e->peer->head < QLEN);
	memcpy(e->peer->q[e->peer->tail % QLEN].buf, buf, len);
	e->peer->q[e->peer->tail % QLEN].len = len;
	e->peer->tail++;
}

static const struct pl_dtls_ops ops = {.send = ep_send};

static const int both[] = {PL_SRTP_AEAD_AES_128_GCM, PL_SRTP_AES128_CM_SHA1_80, 0};
static const int cm_only[] = {PL_SRTP_AES128_CM_SHA1_80, 0};
static const int gcm_only[] = {PL_SRTP_AEAD_AES_128_GCM, 0};
static const int cm_first[] = {PL_SRTP_AES128_CM_SHA1_80, PL_SRTP_AEAD_AES_128_GCM, 0};

struct pair {
	struct ep c, s;
};

/* client uses cert A and expects `client_expects` (default: B's), server uses B. */
static void pair_init(struct pair *p, const int *cprof, const int *sprof,
                      const uint8_t *client_expects, const uint8_t *server_expects)
{
	memset(p, 0, sizeof(*p));
	g_now_us = 0;
	p->c.name = "client";
	p->s.name = "server";
	p->c.peer = &p->s;
	p->s.peer = &p->c;
	p->c.d = pl_dtls_new(g_cert_a, PL_DTLS_CLIENT,
	                     client_expects ? client_expects : pl_cert_fingerprint_raw(g_cert_b),
	                     cprof, &ops, &p->c);
	p->s.d = pl_dtls_new(g_cert_b, PL_DTLS_SERVER,
	                     server_expects ? server_expects : pl_cert_fingerprint_raw(g_cert_a),
	                     sprof, &ops, &p->s);
	assert_non_null(p->c.d);
	assert_non_null(p->s.d);
}

static void pair_free(struct pair *p)
{
	pl_dtls_free(p->c.d);
	pl_dtls_free(p->s.d);
}

static int deliver(struct ep *e)
{
	int n = 0;

	while (e->head < e->tail) {
		struct dgram *g = &e->q[e->head % QLEN];

		e->head++;
		(void)pl_dtls_receive(e->d, g->buf, g->len, g_now_us);
		n++;
	}
	return n;
}

static int settled(const struct ep *e)
{
	return pl_dtls_state(e->d) != PL_DTLS_HANDSHAKING;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Deliver until both inboxes are empty; then jump the clock to the earliest timer. Stops
 * when both sides settled or at `until_us`. */
static void pump(struct pair *p, int64_t until_us)
{
	for (int iter = 0; iter < 1000; iter++) {
		int64_t t;

		if (deliver(&p->s) + deliver(&p->c) > 0)
			continue;
		if (settled(&p->c) && settled(&p->s))
			return;
		t = min64(pl_dtls_next_timeout(p->c.d), pl_dtls_next_timeout(p->s.d));
		if (t == INT64_MAX || t > until_us)
			return;
		assert_true(t >= g_now_us);
		g_now_us = t;
		if (pl_dtls_next_timeout(p->c.d) <= g_now_us)
			(void)pl_dtls_handle_timeout(p->c.d, g_now_us);
		if (pl_dtls_next_timeout(p->s.d) <= g_now_us)
			(void)pl_dtls_handle_timeout(p->s.d, g_now_us);
	}
	fail_msg("pump did not converge");
}

static void assert_keys_match(struct pair *p, int want_profile)
{
	uint8_t cl[PL_SRTP_MAX_KEY_SALT_LEN], cr[PL_SRTP_MAX_KEY_SALT_LEN];
	uint8_t sl[PL_SRTP_MAX_KEY_SALT_LEN], sr[PL_SRTP_MAX_KEY_SALT_LEN];
	size_t cll = sizeof(cl), crl = sizeof(cr), sll = sizeof(sl), srl = sizeof(sr);
	size_t want_len = want_profile == PL_SRTP_AEAD_AES_128_GCM ? 28 : 30;
	int cp = -1, sp = -1;
	static const uint8_t zero[PL_SRTP_MAX_KEY_SALT_LEN];

	assert_int_equal(pl_dtls_state(p->c.d), PL_DTLS_CONNECTED);
	assert_int_equal(pl_dtls_state(p->s.d), PL_DTLS_CONNECTED);
	assert_int_equal(pl_dtls_srtp_keys(p->c.d, &cp, cl, &cll, cr, &crl), 0);
	assert_int_equal(pl_dtls_srtp_keys(p->s.d, &sp, sl, &sll, sr, &srl), 0);
	assert_int_equal(cp, want_profile);
	assert_int_equal(sp, want_profile);
	assert_int_equal(cll, want_len);
	assert_int_equal(crl, want_len);
	assert_int_equal(sll, want_len);
	assert_int_equal(srl, want_len);
	assert_memory_equal(cl, sr, want_len); /* client write key = server read key */
	assert_memory_equal(cr, sl, want_len);
	assert_memory_not_equal(cl, cr, want_len);
	assert_memory_not_equal(cl, zero, want_len);
}

static void test_fingerprint_text(void **state)
{
	const char *t = pl_cert_fingerprint(g_cert_a);
	uint8_t fp[32], lower_fp[32];
	char lower[96];

	(void)state;
	assert_int_equal(strlen(t), 8 + 95);
	assert_memory_equal(t, "sha-256 ", 8);
	for (size_t i = 8; t[i]; i++) {
		if ((i - 8) % 3 == 2)
			assert_int_equal(t[i], ':');
		else
			assert_true((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'A' && t[i] <= 'F'));
	}
	assert_int_equal(pl_fingerprint_parse(t + 8, fp), 0);
	assert_memory_equal(fp, pl_cert_fingerprint_raw(g_cert_a), 32);
	assert_true(pl_fingerprint_equal(fp, pl_cert_fingerprint_raw(g_cert_a)));
	assert_false(pl_fingerprint_equal(fp, pl_cert_fingerprint_raw(g_cert_b)));
	/* lower case is accepted */
	for (size_t i = 0; i < 96; i++)
		lower[i] = (char)((t[8 + i] >= 'A' && t[8 + i] <= 'F') ? t[8 + i] + 32 : t[8 + i]);
	assert_int_equal(pl_fingerprint_parse(lower, lower_fp), 0);
	assert_memory_equal(lower_fp, fp, 32);
	/* two certificates never share a fingerprint (fresh keys, random serials) */
	assert_memory_not_equal(pl_cert_fingerprint_raw(g_cert_a),
	                        pl_cert_fingerprint_raw(g_cert_b), 32);
}

static void test_fingerprint_parse_rejects(void **state)
{
	uint8_t fp[32];
	char buf[128];
	const char *good = pl_cert_fingerprint(g_cert_a) + 8;

	(void)state;
	assert_int_equal(pl_fingerprint_parse(NULL, fp), PL_EINVAL);
	assert_int_equal(pl_fingerprint_parse("", fp), PL_EINVAL);
	assert_int_equal(pl_fingerprint_parse(pl_cert_fingerprint(g_cert_a), fp), PL_EINVAL);
	/* 31 pairs */
	snprintf(buf, sizeof(buf), "%.92s", good);
	assert_int_equal(pl_fingerprint_parse(buf, fp), PL_EINVAL);
	/* 33 pairs */
	snprintf(buf, sizeof(buf), "%s:AB", good);
	assert_int_equal(pl_fingerprint_parse(buf, fp), PL_EINVAL);
	/* trailing space */
	snprintf(buf, sizeof(buf), "%s ", good);
	assert_int_equal(pl_fingerprint_parse(buf, fp), PL_EINVAL);
	/* wrong separator, non-hex digit, single digit */
	snprintf(buf, sizeof(buf), "%s", good);
	buf[2] = '-';
	assert_int_equal(pl_fingerprint_parse(buf, fp), PL_EINVAL);
	snprintf(buf, sizeof(buf), "%s", good);
	buf[4] = 'G';
	assert_int_equal(pl_fingerprint_parse(buf, fp), PL_EINVAL);
	assert_int_equal(pl_fingerprint_parse("A:BC", fp), PL_EINVAL);
}

static void test_new_rejects_bad_arguments(void **state)
{
	const uint8_t *fp = pl_cert_fingerprint_raw(g_cert_b);
	static const int none[] = {0};
	static const int unknown[] = {0x0002, 0};
	static const int dup[] = {PL_SRTP_AES128_CM_SHA1_80, PL_SRTP_AES128_CM_SHA1_80, 0};
	static const int five[] = {1, 7, 1, 7, 1, 0};
	static const struct pl_dtls_ops no_send = {.send = NULL};
	struct pl_dtls *d;

	(void)state;
	assert_null(pl_dtls_new(g_cert_a, PL_DTLS_CLIENT, fp, none, &ops, NULL));
	assert_null(pl_dtls_new(g_cert_a, PL_DTLS_CLIENT, fp, unknown, &ops, NULL));
	assert_null(pl_dtls_new(g_cert_a, PL_DTLS_CLIENT, fp, dup, &ops, NULL));
	assert_null(pl_dtls_new(g_cert_a, PL_DTLS_CLIENT, fp, five, &ops, NULL));
	assert_null(pl_dtls_new(g_cert_a, PL_DTLS_CLIENT, fp, both, &no_send, NULL));
	assert_null(pl_dtls_new(NULL, PL_DTLS_CLIENT, fp, both, &ops, NULL));
	pl_dtls_free(NULL);

	/* a client must be started before it receives; start only once */
	d = pl_dtls_new(g_cert_a, PL_DTLS_CLIENT, fp, both, &ops, NULL);
	assert_non_null(d);
	{
		static const uint8_t hs[13] = {22, 0xfe, 0xfd};
		assert_int_equal(pl_dtls_receive(d, hs, sizeof(hs), 0), PL_ESTATE);
	}
	assert_int_equal(pl_dtls_next_timeout(d), INT64_MAX);
	assert_int_equal(pl_dtls_set_handshake_timeout(d, 0), PL_EINVAL);
	pl_dtls_free(d);
}

static void test_handshake_gcm_preferred(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p, both, both, NULL, NULL);
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	assert_int_equal(pl_dtls_start(p.c.d, 0), PL_ESTATE);
	assert_int_equal(p.c.sent, 1); /* the ClientHello */
	/* OpenSSL's first retransmission timer is 1 s (RFC 6347 §4.2.4.1) */
	assert_int_equal(pl_dtls_next_timeout(p.c.d), 1000000);
	pump(&p, 0); /* no clock advance needed without loss */
	assert_int_equal(g_now_us, 0);
	assert_keys_match(&p, PL_SRTP_AEAD_AES_128_GCM);
	assert_string_equal(pl_dtls_error(p.c.d), "");
	assert_true(p.c.max_len <= PL_DTLS_MTU && p.s.max_len <= PL_DTLS_MTU);
	assert_int_equal(p.c.dropped + p.s.dropped, 0);
	pair_free(&p);
}

static void test_handshake_cm_when_one_side_only_cm(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p, both, cm_only, NULL, NULL);
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	pump(&p, 0);
	assert_keys_match(&p, PL_SRTP_AES128_CM_SHA1_80);
	pair_free(&p);

	pair_init(&p, cm_only, both, NULL, NULL);
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	pump(&p, 0);
	assert_keys_match(&p, PL_SRTP_AES128_CM_SHA1_80);
	pair_free(&p);
}

static void test_server_preference_decides(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p, both, cm_first, NULL, NULL);
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	pump(&p, 0);
	assert_keys_match(&p, PL_SRTP_AES128_CM_SHA1_80);
	pair_free(&p);
}

static void assert_no_keys(struct pl_dtls *d)
{
	uint8_t l[PL_SRTP_MAX_KEY_SALT_LEN], r[PL_SRTP_MAX_KEY_SALT_LEN];
	size_t ll = sizeof(l), rl = sizeof(r);
	int prof = -1;

	assert_int_equal(pl_dtls_srtp_keys(d, &prof, l, &ll, r, &rl), PL_ESTATE);
	assert_int_equal(prof, -1);
}

static void test_no_common_profile_fails(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p, gcm_only, cm_only, NULL, NULL);
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	pump(&p, 20000000);
	assert_int_not_equal(pl_dtls_state(p.c.d), PL_DTLS_CONNECTED);
	assert_int_not_equal(pl_dtls_state(p.s.d), PL_DTLS_CONNECTED);
	print_message("client: %s (%s); server: %s (%s)\n",
	              pl_dtls_state_name(pl_dtls_state(p.c.d)), pl_dtls_error(p.c.d),
	              pl_dtls_state_name(pl_dtls_state(p.s.d)), pl_dtls_error(p.s.d));
	assert_no_keys(p.c.d);
	assert_no_keys(p.s.d);
	pair_free(&p);
}

static void test_fingerprint_mismatch_client_side(void **state)
{
	struct pair p;

	(void)state;
	/* the client expects C's fingerprint, the server presents B */
	pair_init(&p, both, both, pl_cert_fingerprint_raw(g_cert_c), NULL);
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	pump(&p, 20000000);
	assert_int_equal(pl_dtls_state(p.c.d), PL_DTLS_FAILED);
	assert_non_null(strstr(pl_dtls_error(p.c.d), "fingerprint"));
	assert_no_keys(p.c.d);
	/* the server was authentic and completed, then got our close_notify */
	assert_int_equal(pl_dtls_state(p.s.d), PL_DTLS_CLOSED);
	assert_no_keys(p.s.d);
	assert_int_equal(pl_dtls_handle_timeout(p.c.d, g_now_us), PL_ESTATE);
	assert_int_equal(pl_dtls_next_timeout(p.c.d), INT64_MAX);
	pair_free(&p);
}

static void test_fingerprint_mismatch_server_side(void **state)
{
	struct pair p;

	(void)state;
	/* the server expects C's fingerprint, the client presents A */
	pair_init(&p, both, both, NULL, pl_cert_fingerprint_raw(g_cert_c));
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	pump(&p, 60000000);
	assert_int_equal(pl_dtls_state(p.s.d), PL_DTLS_FAILED);
	assert_non_null(strstr(pl_dtls_error(p.s.d), "fingerprint"));
	assert_no_keys(p.s.d);
	/* the server's Finished never left, so the impostor client never completes: it gives up
	 * at its handshake deadline */
	assert_int_equal(pl_dtls_state(p.c.d), PL_DTLS_FAILED);
	assert_non_null(strstr(pl_dtls_error(p.c.d), "timed out"));
	assert_no_keys(p.c.d);
	assert_true(g_now_us >= PL_DTLS_HANDSHAKE_TIMEOUT_US);
	/* and a late datagram is refused */
	{
		static const uint8_t hs[13] = {22, 0xfe, 0xfd};
		assert_int_equal(pl_dtls_receive(p.s.d, hs, sizeof(hs), g_now_us), PL_ESTATE);
	}
	pair_free(&p);
}

static void test_lost_client_hello_retransmitted(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p, both, both, NULL, NULL);
	p.c.drop_next = 1;
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	assert_int_equal(p.s.head, p.s.tail); /* nothing reached the server */
	pump(&p, 20000000);
	assert_keys_match(&p, PL_SRTP_AEAD_AES_128_GCM);
	assert_int_equal(p.c.dropped, 1);
	assert_int_equal(g_now_us, 1000000); /* recovered by the first retransmission at 1 s */
	pair_free(&p);
}

static void test_lost_server_flight_retransmitted(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p, both, both, NULL, NULL);
	p.s.drop_next = 8; /* the whole of the server's first flight, however many datagrams */
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	deliver(&p.s);
	assert_true(p.s.dropped >= 1);
	p.s.drop_next = 0;
	pump(&p, 20000000);
	assert_keys_match(&p, PL_SRTP_AEAD_AES_128_GCM);
	assert_true(g_now_us >= 1000000);
	pair_free(&p);
}

static void test_lost_final_flight_recovered(void **state)
{
	struct pair p;

	(void)state;
	/* The server's ChangeCipherSpec+Finished is lost: the server is done, the client is
	 * not. The client retransmits its flight; the connected server must answer it with its
	 * final flight again (RFC 6347 §4.2.4). */
	pair_init(&p, both, both, NULL, NULL);
	p.s.drop_ccs_once = 1;
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	pump(&p, 0);
	assert_int_equal(p.s.dropped, 1);
	assert_int_equal(pl_dtls_state(p.s.d), PL_DTLS_CONNECTED);
	assert_int_equal(pl_dtls_state(p.c.d), PL_DTLS_HANDSHAKING);
	pump(&p, 20000000);
	assert_keys_match(&p, PL_SRTP_AEAD_AES_128_GCM);
	assert_true(g_now_us >= 1000000);
	pair_free(&p);
}

static void test_handshake_deadline(void **state)
{
	struct pair p;
	int64_t t;
	int rc = 0, timeouts = 0;

	(void)state;
	pair_init(&p, both, both, NULL, NULL);
	assert_int_equal(pl_dtls_set_handshake_timeout(p.c.d, 5000000), 0);
	p.c.drop_next = 1000; /* the server never hears anything */
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	assert_int_equal(pl_dtls_set_handshake_timeout(p.c.d, 1), PL_ESTATE);
	while ((t = pl_dtls_next_timeout(p.c.d)) != INT64_MAX && timeouts < 100) {
		assert_true(t <= 5000000);
		g_now_us = t;
		rc = pl_dtls_handle_timeout(p.c.d, g_now_us);
		timeouts++;
		if (rc < 0)
			break;
	}
	assert_int_equal(rc, PL_EPROTO);
	assert_int_equal(g_now_us, 5000000);
	assert_int_equal(pl_dtls_state(p.c.d), PL_DTLS_FAILED);
	assert_non_null(strstr(pl_dtls_error(p.c.d), "timed out"));
	/* retransmissions at 1 s and 3 s (doubling), then the deadline at 5 s */
	assert_int_equal(p.c.sent, 3);
	assert_int_equal(pl_dtls_next_timeout(p.c.d), INT64_MAX);
	assert_int_equal(pl_dtls_handle_timeout(p.c.d, g_now_us), PL_ESTATE);
	pair_free(&p);
}

static void test_early_timeout_call_sends_nothing(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p, both, both, NULL, NULL);
	p.c.capture = 1;
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	assert_int_equal(p.c.sent, 1);
	g_now_us = 400000;
	assert_int_equal(pl_dtls_handle_timeout(p.c.d, g_now_us), 0);
	assert_int_equal(p.c.sent, 1);
	assert_int_equal(pl_dtls_next_timeout(p.c.d), 1000000);
	g_now_us = 1000000;
	assert_int_equal(pl_dtls_handle_timeout(p.c.d, g_now_us), 0);
	assert_int_equal(p.c.sent, 2);
	/* the retransmitted ClientHello has a new record sequence number (RFC 6347 §4.2.4) */
	assert_int_equal(p.c.n_captured, 2);
	assert_memory_not_equal(p.c.captured[0].buf + 3, p.c.captured[1].buf + 3, 8);
	assert_int_equal(pl_dtls_next_timeout(p.c.d), 3000000);
	pair_free(&p);
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_garbage_rejected(void **state)
{
	struct pair p;
	uint8_t g[PL_DTLS_MAX_DATAGRAM + 1];
	uint32_t seed = 12345;

	(void)state;
	pair_init(&p, both, both, NULL, NULL);
	memset(g, 0xAA, sizeof(g));
	/* not DTLS by RFC 7983 first-byte ranges, too short, too long */
	g[0] = 0x80; /* RTP */
	assert_int_equal(pl_dtls_receive(p.s.d, g, 100, 0), PL_EINVAL);
	g[0] = 0x00; /* STUN */
	assert_int_equal(pl_dtls_receive(p.s.d, g, 100, 0), PL_EINVAL);
	g[0] = 64;
	assert_int_equal(pl_dtls_receive(p.s.d, g, 100, 0), PL_EINVAL);
	g[0] = 22;
	assert_int_equal(pl_dtls_receive(p.s.d, g, 12, 0), PL_EINVAL);
	assert_int_equal(pl_dtls_receive(p.s.d, g, 0, 0), PL_EINVAL);
	assert_int_equal(pl_dtls_receive(p.s.d, g, sizeof(g), 0), PL_ELIMIT);
	assert_int_equal(pl_dtls_receive(p.s.d, NULL, 100, 0), PL_EINVAL);
	/* in range but not a valid record (bad version): silently dropped */
	assert_int_equal(pl_dtls_receive(p.s.d, g, 200, 0), 0);
	assert_int_equal(pl_dtls_state(p.s.d), PL_DTLS_HANDSHAKING);
	assert_int_equal(p.s.sent, 0);
	/* the handshake still works afterwards */
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	pump(&p, 0);
	assert_keys_match(&p, PL_SRTP_AEAD_AES_128_GCM);
	/* random records (application data, alerts with random epochs and versions) to a
	 * connected endpoint: no crash; undecryptable records are dropped */
	for (int i = 0; i < 500; i++) {
		size_t len = 13 + xorshift(&seed) % 300;

		for (size_t k = 0; k < len; k++)
			g[k] = (uint8_t)xorshift(&seed);
		g[0] = 23;
		(void)pl_dtls_receive(p.s.d, g, len, 0);
	}
	assert_int_equal(pl_dtls_state(p.s.d), PL_DTLS_CONNECTED);
	pair_free(&p);

	/* random handshake-typed datagrams during the handshake: no crash, any state */
	pair_init(&p, both, both, NULL, NULL);
	for (int i = 0; i < 500 && pl_dtls_state(p.s.d) == PL_DTLS_HANDSHAKING; i++) {
		size_t len = 13 + xorshift(&seed) % 400;

		for (size_t k = 0; k < len; k++)
			g[k] = (uint8_t)xorshift(&seed);
		g[0] = (uint8_t)(20 + i % 4);
		g[1] = 0xfe;
		g[2] = (i & 1) ? 0xfd : 0xff;
		(void)pl_dtls_receive(p.s.d, g, len, 0);
	}
	pair_free(&p);
}

static void test_truncated_records(void **state)
{
	struct pair p;
	struct dgram hello;
	uint8_t buf[PL_DTLS_MAX_DATAGRAM];

	(void)state;
	pair_init(&p, both, both, NULL, NULL);
	p.c.capture = 1;
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	assert_int_equal(p.c.n_captured, 1);
	hello = p.c.captured[0];
	assert_int_equal(hello.buf[0], 22); /* handshake */
	assert_true(hello.len > 100);

	/* cut at several points: header only, mid-header of the handshake message, one byte
	 * short. The record length then exceeds the datagram: dropped, nothing sent. */
	{
		size_t cuts[] = {13, 20, hello.len / 2, hello.len - 1};
		for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
			assert_int_equal(pl_dtls_receive(p.s.d, hello.buf, cuts[i], 0), 0);
			assert_int_equal(p.s.sent, 0);
			assert_int_equal(pl_dtls_state(p.s.d), PL_DTLS_HANDSHAKING);
		}
	}
	/* record length field larger than the datagram */
	memcpy(buf, hello.buf, hello.len);
	buf[11] = 0xff;
	buf[12] = 0xff;
	assert_int_equal(pl_dtls_receive(p.s.d, buf, hello.len, 0), 0);
	assert_int_equal(p.s.sent, 0);
	assert_int_equal(pl_dtls_state(p.s.d), PL_DTLS_HANDSHAKING);

	/* the intact ClientHello is answered and the handshake completes */
	p.c.capture = 0;
	assert_int_equal(pl_dtls_receive(p.s.d, hello.buf, hello.len, 0), 0);
	assert_true(p.s.sent >= 1);
	pump(&p, 0);
	assert_keys_match(&p, PL_SRTP_AEAD_AES_128_GCM);
	pair_free(&p);

	/* A well-formed 30-byte record whose handshake fragment header announces more bytes than
	 * the record holds. This is no longer an invalid record but an invalid message, and
	 * OpenSSL fails the handshake (decode error) rather than dropping it: FAILED, no keys,
	 * no crash. ICE consent limits who can inject such a datagram. */
	pair_init(&p, both, both, NULL, NULL);
	memcpy(buf, hello.buf, hello.len);
	buf[11] = 0;
	buf[12] = 30;
	assert_int_equal(pl_dtls_receive(p.s.d, buf, 13 + 30, 0), PL_EPROTO);
	assert_int_equal(pl_dtls_state(p.s.d), PL_DTLS_FAILED);
	assert_true(strlen(pl_dtls_error(p.s.d)) > 0);
	print_message("server: %s\n", pl_dtls_error(p.s.d));
	assert_no_keys(p.s.d);
	pair_free(&p);
}

static void test_close_notify(void **state)
{
	struct pair p;
	static const uint8_t hs[13] = {21, 0xfe, 0xfd};

	(void)state;
	pair_init(&p, both, both, NULL, NULL);
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	pump(&p, 0);
	assert_keys_match(&p, PL_SRTP_AEAD_AES_128_GCM);
	assert_int_equal(pl_dtls_close(p.c.d), 0);
	assert_int_equal(pl_dtls_state(p.c.d), PL_DTLS_CLOSED);
	assert_int_equal(p.s.tail - p.s.head, 1);
	deliver(&p.s);
	assert_int_equal(pl_dtls_state(p.s.d), PL_DTLS_CLOSED);
	assert_non_null(strstr(pl_dtls_error(p.s.d), "close_notify"));
	assert_no_keys(p.s.d);
	assert_no_keys(p.c.d);
	assert_int_equal(pl_dtls_receive(p.s.d, hs, sizeof(hs), 0), PL_ESTATE);
	assert_int_equal(pl_dtls_next_timeout(p.s.d), INT64_MAX);
	pair_free(&p);
}

static void test_keys_drive_srtp(void **state)
{
	struct pair p;
	uint8_t cl[30], cr[30], sl[30], sr[30];
	size_t cll = 30, crl = 30, sll = 30, srl = 30;
	int cp, sp;
	char err[128];
	struct pl_srtp *cs, *ss;
	uint8_t pkt[64 + PL_SRTP_RTP_OVERHEAD], orig[64];
	size_t len = 64;

	(void)state;
	pair_init(&p, cm_only, both, NULL, NULL);
	assert_int_equal(pl_dtls_start(p.c.d, 0), 0);
	pump(&p, 0);
	assert_int_equal(pl_dtls_srtp_keys(p.c.d, &cp, cl, &cll, cr, &crl), 0);
	assert_int_equal(pl_dtls_srtp_keys(p.s.d, &sp, sl, &sll, sr, &srl), 0);
	cs = pl_srtp_new(cp, cl, cll, cr, crl, 4, err, sizeof(err));
	ss = pl_srtp_new(sp, sl, sll, sr, srl, 4, err, sizeof(err));
	assert_non_null(cs);
	assert_non_null(ss);
	memset(orig, 0x5a, sizeof(orig));
	orig[0] = 0x80;
	orig[1] = 111;
	memcpy(pkt, orig, sizeof(orig));
	assert_int_equal(pl_srtp_protect_rtp(cs, pkt, &len, sizeof(pkt)), 0);
	assert_int_equal(len, 64 + 10);
	assert_int_equal(pl_srtp_unprotect_rtp(ss, pkt, &len), 0);
	assert_int_equal(len, 64);
	assert_memory_equal(pkt, orig, 64);
	pl_srtp_free(cs);
	pl_srtp_free(ss);
	pair_free(&p);
}

static int setup(void **state)
{
	char err[200];

	(void)state;
	if (pl_srtp_global_init() < 0)
		return -1;
	g_cert_a = pl_cert_new(err, sizeof(err));
	g_cert_b = pl_cert_new(err, sizeof(err));
	g_cert_c = pl_cert_new(err, sizeof(err));
	return g_cert_a && g_cert_b && g_cert_c ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	pl_cert_free(g_cert_a);
	pl_cert_free(g_cert_b);
	pl_cert_free(g_cert_c);
	pl_srtp_global_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fingerprint_text),
	    cmocka_unit_test(test_fingerprint_parse_rejects),
	    cmocka_unit_test(test_new_rejects_bad_arguments),
	    cmocka_unit_test(test_handshake_gcm_preferred),
	    cmocka_unit_test(test_handshake_cm_when_one_side_only_cm),
	    cmocka_unit_test(test_server_preference_decides),
	    cmocka_unit_test(test_no_common_profile_fails),
	    cmocka_unit_test(test_fingerprint_mismatch_client_side),
	    cmocka_unit_test(test_fingerprint_mismatch_server_side),
	    cmocka_unit_test(test_lost_client_hello_retransmitted),
	    cmocka_unit_test(test_lost_server_flight_retransmitted),
	    cmocka_unit_test(test_lost_final_flight_recovered),
	    cmocka_unit_test(test_handshake_deadline),
	    cmocka_unit_test(test_early_timeout_call_sends_nothing),
	    cmocka_unit_test(test_garbage_rejected),
	    cmocka_unit_test(test_truncated_records),
	    cmocka_unit_test(test_close_notify),
	    cmocka_unit_test(test_keys_drive_srtp),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
