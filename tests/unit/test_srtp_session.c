/* SRTP sessions (media/srtp_session.c): protect on one side, unprotect on the other, with fixed
 * keys. Against libsrtp2 as the reference: test_srtp_libsrtp.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/srtp_session.h"

/* Fixed master key || salt material; A is side 1's sending key, B side 2's. */
static uint8_t key_a[PL_SRTP_MAX_KEY_SALT_LEN], key_b[PL_SRTP_MAX_KEY_SALT_LEN];
static uint8_t key_x[PL_SRTP_MAX_KEY_SALT_LEN]; /* an attacker's */

struct sides {
	struct pl_srtp *one, *two;
	size_t klen;
};

static void sides_init(struct sides *s, int profile, unsigned max_ssrcs)
{
	char err[128];
	size_t k, salt;

	assert_int_equal(pl_srtp_profile_lengths(profile, &k, &salt), 0);
	s->klen = k + salt;
	s->one = pl_srtp_new(profile, key_a, s->klen, key_b, s->klen, max_ssrcs, err, sizeof(err));
	s->two = pl_srtp_new(profile, key_b, s->klen, key_a, s->klen, max_ssrcs, err, sizeof(err));
	assert_non_null(s->one);
	assert_non_null(s->two);
}

static void sides_free(struct sides *s)
{
	pl_srtp_free(s->one);
	pl_srtp_free(s->two);
}

#define PAYLOAD 40
#define RTP_LEN (12 + PAYLOAD)

/* RTP, RFC 3550 §5.1: V=2, PT=96, seq, timestamp, SSRC, then a patterned payload. */
struct pkt {
	_Alignas(8) uint8_t b[RTP_LEN + 64];
	size_t len;
};

static void make_rtp(struct pkt *p, uint32_t ssrc, uint16_t seq)
{
	memset(p, 0, sizeof(*p));
	p->b[0] = 0x80;
	p->b[1] = 96;
	p->b[2] = (uint8_t)(seq >> 8);
	p->b[3] = (uint8_t)seq;
	p->b[4] = 0;
	p->b[5] = 0;
	p->b[6] = (uint8_t)(seq >> 4);
	p->b[7] = (uint8_t)(seq << 4);
	p->b[8] = (uint8_t)(ssrc >> 24);
	p->b[9] = (uint8_t)(ssrc >> 16);
	p->b[10] = (uint8_t)(ssrc >> 8);
	p->b[11] = (uint8_t)ssrc;
	for (int i = 0; i < PAYLOAD; i++)
		p->b[12 + i] = (uint8_t)(i * 7 + seq);
	p->len = RTP_LEN;
}

/* RTCP receiver report without report blocks, RFC 3550 §6.4.2: 8 bytes. */
static void make_rtcp(struct pkt *p, uint32_t ssrc)
{
	memset(p, 0, sizeof(*p));
	p->b[0] = 0x80;
	p->b[1] = 201;
	p->b[2] = 0;
	p->b[3] = 1;
	p->b[4] = (uint8_t)(ssrc >> 24);
	p->b[5] = (uint8_t)(ssrc >> 16);
	p->b[6] = (uint8_t)(ssrc >> 8);
	p->b[7] = (uint8_t)ssrc;
	p->len = 8;
}

static int send_rtp(struct pl_srtp *from, struct pl_srtp *to, uint32_t ssrc, uint16_t seq)
{
	struct pkt p;

	make_rtp(&p, ssrc, seq);
	assert_int_equal(pl_srtp_protect_rtp(from, p.b, &p.len, sizeof(p.b)), 0);
	return pl_srtp_unprotect_rtp(to, p.b, &p.len);
}

static void roundtrip(int profile, size_t rtp_tag, size_t rtcp_trailer)
{
	struct sides s;
	struct pkt p, orig;

	sides_init(&s, profile, 4);
	/* RTP both directions */
	for (uint16_t seq = 100; seq < 110; seq++) {
		make_rtp(&p, 0x11223344, seq);
		orig = p;
		assert_int_equal(pl_srtp_protect_rtp(s.one, p.b, &p.len, sizeof(p.b)), 0);
		assert_int_equal(p.len, RTP_LEN + rtp_tag);
		assert_memory_equal(p.b, orig.b, 12);                    /* header stays clear */
		assert_memory_not_equal(p.b + 12, orig.b + 12, PAYLOAD); /* payload does not */
		assert_int_equal(pl_srtp_unprotect_rtp(s.two, p.b, &p.len), 0);
		assert_int_equal(p.len, RTP_LEN);
		assert_memory_equal(p.b, orig.b, RTP_LEN);
	}
	assert_int_equal(send_rtp(s.two, s.one, 0x55667788, 1), 0);
	/* RTCP both directions */
	make_rtcp(&p, 0x11223344);
	orig = p;
	assert_int_equal(pl_srtp_protect_rtcp(s.one, p.b, &p.len, sizeof(p.b)), 0);
	assert_int_equal(p.len, 8 + rtcp_trailer);
	assert_int_equal(pl_srtp_unprotect_rtcp(s.two, p.b, &p.len), 0);
	assert_int_equal(p.len, 8);
	assert_memory_equal(p.b, orig.b, 8);
	make_rtcp(&p, 0x55667788);
	assert_int_equal(pl_srtp_protect_rtcp(s.two, p.b, &p.len, sizeof(p.b)), 0);
	assert_int_equal(pl_srtp_unprotect_rtcp(s.one, p.b, &p.len), 0);

	assert_int_equal(pl_srtp_stats(s.one)->protected_pkts, 11);
	assert_int_equal(pl_srtp_stats(s.two)->unprotected_pkts, 11);
	assert_int_equal(pl_srtp_stats(s.two)->auth_fail, 0);
	sides_free(&s);
}

static void test_roundtrip_gcm(void **state)
{
	(void)state;
	/* RFC 7714: 16-byte tag; SRTCP adds tag + 4-byte E|index */
	roundtrip(PL_SRTP_AEAD_AES_128_GCM, 16, 20);
}

static void test_roundtrip_cm(void **state)
{
	(void)state;
	/* RFC 3711: 80-bit HMAC-SHA1 tag; SRTCP adds 4-byte E|index + tag */
	roundtrip(PL_SRTP_AES128_CM_SHA1_80, 10, 14);
}

static void test_new_rejects_bad_arguments(void **state)
{
	char err[128];

	(void)state;
	assert_null(pl_srtp_new(0x0002, key_a, 30, key_b, 30, 4, err, sizeof(err)));
	assert_non_null(strstr(err, "unsupported"));
	assert_null(
	    pl_srtp_new(PL_SRTP_AES128_CM_SHA1_80, key_a, 28, key_b, 30, 4, err, sizeof(err)));
	assert_null(
	    pl_srtp_new(PL_SRTP_AEAD_AES_128_GCM, key_a, 30, key_b, 30, 4, err, sizeof(err)));
	assert_null(
	    pl_srtp_new(PL_SRTP_AEAD_AES_128_GCM, NULL, 28, key_b, 28, 4, err, sizeof(err)));
	assert_null(
	    pl_srtp_new(PL_SRTP_AEAD_AES_128_GCM, key_a, 28, key_b, 28, 0, err, sizeof(err)));
	assert_null(pl_srtp_new(PL_SRTP_AEAD_AES_128_GCM, key_a, 28, key_b, 28,
	                        PL_SRTP_MAX_SSRCS_LIMIT + 1, err, sizeof(err)));
	assert_non_null(strstr(err, "max_ssrcs"));
	pl_srtp_free(NULL);
	assert_string_equal(pl_srtp_profile_name(PL_SRTP_AEAD_AES_128_GCM),
	                    "SRTP_AEAD_AES_128_GCM");
	assert_string_equal(pl_srtp_profile_name(PL_SRTP_AES128_CM_SHA1_80),
	                    "SRTP_AES128_CM_SHA1_80");
	assert_string_equal(pl_srtp_profile_name(3), "unknown");
}

static void test_bounds(void **state)
{
	struct sides s;
	struct pkt p;

	(void)state;
	sides_init(&s, PL_SRTP_AEAD_AES_128_GCM, 4);
	/* room for the tag is required */
	make_rtp(&p, 1, 1);
	assert_int_equal(pl_srtp_protect_rtp(s.one, p.b, &p.len, RTP_LEN + 15), PL_ESPACE);
	assert_int_equal(pl_srtp_protect_rtp(s.one, p.b, &p.len, RTP_LEN - 1), PL_ESPACE);
	assert_int_equal(p.len, RTP_LEN);
	assert_int_equal(pl_srtp_protect_rtp(s.one, p.b, &p.len, RTP_LEN + 16), 0);
	make_rtcp(&p, 1);
	assert_int_equal(pl_srtp_protect_rtcp(s.one, p.b, &p.len, 8 + 19), PL_ESPACE);
	/* too short, wrong version */
	p.len = 11;
	assert_int_equal(pl_srtp_protect_rtp(s.one, p.b, &p.len, sizeof(p.b)), PL_EINVAL);
	assert_int_equal(pl_srtp_unprotect_rtp(s.two, p.b, &p.len), PL_EINVAL);
	p.len = 7;
	assert_int_equal(pl_srtp_protect_rtcp(s.one, p.b, &p.len, sizeof(p.b)), PL_EINVAL);
	make_rtp(&p, 1, 2);
	assert_int_equal(pl_srtp_protect_rtp(s.one, p.b, &p.len, sizeof(p.b)), 0);
	p.b[0] = 0x40; /* version 1 */
	assert_int_equal(pl_srtp_unprotect_rtp(s.two, p.b, &p.len), PL_EINVAL);
	/* a packet shorter than its tag */
	make_rtp(&p, 1, 3);
	p.len = 14;
	assert_int_not_equal(pl_srtp_unprotect_rtp(s.two, p.b, &p.len), 0);
	assert_int_equal(pl_srtp_stats(s.two)->unprotected_pkts, 0);
	sides_free(&s);
}

/* Buffers of exactly len + overhead bytes on the heap: under ASan any write past the promised
 * trailer room would be caught. */
static void exact_capacity(int profile)
{
	struct sides s;
	struct pkt tmpl;
	uint8_t *b;
	size_t len;

	sides_init(&s, profile, 4);
	make_rtp(&tmpl, 3, 3);
	b = malloc(RTP_LEN + PL_SRTP_RTP_OVERHEAD);
	assert_non_null(b);
	memcpy(b, tmpl.b, RTP_LEN);
	len = RTP_LEN;
	assert_int_equal(pl_srtp_protect_rtp(s.one, b, &len, RTP_LEN + PL_SRTP_RTP_OVERHEAD), 0);
	assert_true(len <= RTP_LEN + PL_SRTP_RTP_OVERHEAD);
	assert_int_equal(pl_srtp_unprotect_rtp(s.two, b, &len), 0);
	assert_memory_equal(b, tmpl.b, RTP_LEN);
	free(b);

	make_rtcp(&tmpl, 3);
	b = malloc(8 + PL_SRTP_RTCP_OVERHEAD);
	assert_non_null(b);
	memcpy(b, tmpl.b, 8);
	len = 8;
	assert_int_equal(pl_srtp_protect_rtcp(s.one, b, &len, 8 + PL_SRTP_RTCP_OVERHEAD), 0);
	assert_true(len <= 8 + PL_SRTP_RTCP_OVERHEAD);
	assert_int_equal(pl_srtp_unprotect_rtcp(s.two, b, &len), 0);
	assert_memory_equal(b, tmpl.b, 8);
	free(b);
	sides_free(&s);
}

static void test_exact_capacity(void **state)
{
	(void)state;
	exact_capacity(PL_SRTP_AEAD_AES_128_GCM);
	exact_capacity(PL_SRTP_AES128_CM_SHA1_80);
}

static void tamper(int profile)
{
	struct sides s;
	struct pkt p, prot;

	sides_init(&s, profile, 4);
	make_rtp(&p, 0xabcdef01, 7);
	assert_int_equal(pl_srtp_protect_rtp(s.one, p.b, &p.len, sizeof(p.b)), 0);
	prot = p;
	/* one flipped bit anywhere: header, payload, tag */
	{
		size_t where[] = {1, 3, 12, 12 + PAYLOAD / 2, prot.len - 1};
		for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
			p = prot;
			p.b[where[i]] ^= 0x01;
			assert_int_equal(pl_srtp_unprotect_rtp(s.two, p.b, &p.len), PL_EAUTH);
		}
	}
	assert_int_equal(pl_srtp_stats(s.two)->auth_fail, 5);
	/* RTCP too */
	make_rtcp(&p, 0xabcdef01);
	assert_int_equal(pl_srtp_protect_rtcp(s.one, p.b, &p.len, sizeof(p.b)), 0);
	p.b[5] ^= 0x80;
	assert_int_equal(pl_srtp_unprotect_rtcp(s.two, p.b, &p.len), PL_EAUTH);
	assert_int_equal(pl_srtp_stats(s.two)->auth_fail, 6);
	/* the untouched packet still passes: failures left no state behind */
	p = prot;
	assert_int_equal(pl_srtp_unprotect_rtp(s.two, p.b, &p.len), 0);
	assert_int_equal(pl_srtp_stats(s.two)->unprotected_pkts, 1);
	sides_free(&s);
}

static void test_tampered_rejected(void **state)
{
	(void)state;
	tamper(PL_SRTP_AEAD_AES_128_GCM);
	tamper(PL_SRTP_AES128_CM_SHA1_80);
}

static void replay(int profile)
{
	struct sides s;
	struct pkt p, copy;

	sides_init(&s, profile, 4);
	make_rtp(&p, 42, 5000);
	assert_int_equal(pl_srtp_protect_rtp(s.one, p.b, &p.len, sizeof(p.b)), 0);
	copy = p;
	assert_int_equal(pl_srtp_unprotect_rtp(s.two, p.b, &p.len), 0);
	assert_int_equal(pl_srtp_unprotect_rtp(s.two, copy.b, &copy.len), PL_EPROTO);
	assert_int_equal(pl_srtp_stats(s.two)->replay, 1);

	/* RTCP replay */
	make_rtcp(&p, 42);
	assert_int_equal(pl_srtp_protect_rtcp(s.one, p.b, &p.len, sizeof(p.b)), 0);
	copy = p;
	assert_int_equal(pl_srtp_unprotect_rtcp(s.two, p.b, &p.len), 0);
	assert_int_equal(pl_srtp_unprotect_rtcp(s.two, copy.b, &copy.len), PL_EPROTO);
	assert_int_equal(pl_srtp_stats(s.two)->replay, 2);
	sides_free(&s);
}

static void test_replay_rejected(void **state)
{
	(void)state;
	replay(PL_SRTP_AEAD_AES_128_GCM);
	replay(PL_SRTP_AES128_CM_SHA1_80);
}

static void test_replay_window_is_1024(void **state)
{
	struct sides s;
	struct pkt late_in, late_out;

	(void)state;
	sides_init(&s, PL_SRTP_AEAD_AES_128_GCM, 4);
	/* protect 1500 and 900 now, deliver them after 2000 */
	make_rtp(&late_in, 7, 1500);
	make_rtp(&late_out, 7, 900);
	assert_int_equal(send_rtp(s.one, s.two, 7, 1), 0);
	assert_int_equal(pl_srtp_protect_rtp(s.one, late_out.b, &late_out.len, sizeof(late_out.b)),
	                 0);
	assert_int_equal(pl_srtp_protect_rtp(s.one, late_in.b, &late_in.len, sizeof(late_in.b)), 0);
	assert_int_equal(send_rtp(s.one, s.two, 7, 2000), 0);
	/* 500 behind: inside a 1024 window (a window of 128, libsrtp's default, would refuse it) */
	assert_int_equal(pl_srtp_unprotect_rtp(s.two, late_in.b, &late_in.len), 0);
	/* 1100 behind: outside */
	assert_int_equal(pl_srtp_unprotect_rtp(s.two, late_out.b, &late_out.len), PL_EPROTO);
	sides_free(&s);
}

static void test_repeat_tx_allowed(void **state)
{
	struct sides s;
	struct pkt a, b;

	(void)state;
	sides_init(&s, PL_SRTP_AES128_CM_SHA1_80, 4);
	/* a NACK answer resends the same sequence number */
	make_rtp(&a, 9, 77);
	make_rtp(&b, 9, 77);
	assert_int_equal(pl_srtp_protect_rtp(s.one, a.b, &a.len, sizeof(a.b)), 0);
	assert_int_equal(pl_srtp_protect_rtp(s.one, b.b, &b.len, sizeof(b.b)), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.b, b.b, a.len);
	sides_free(&s);
}

/* The outbound table is bounded (least recently used SSRC forgotten), but a stream that keeps
 * sending is never the one forgotten: SSRC 7 crosses a sequence number wrap (ROC 1) while 600
 * other SSRCs come and go; if its ROC were lost, the receiver would refuse it after the wrap. */
static void test_outbound_table_keeps_live_streams(void **state)
{
	struct sides s;
	uint16_t seq = 65500;

	(void)state;
	sides_init(&s, PL_SRTP_AES128_CM_SHA1_80, PL_SRTP_MAX_SSRCS_LIMIT);
	for (uint32_t other = 1000; other < 1600; other++) {
		assert_int_equal(send_rtp(s.one, s.two, 7, seq++), 0);
		(void)send_rtp(s.one, s.two, other, 1); /* the receiver caps these at 256 */
	}
	assert_int_equal(pl_srtp_stats(s.two)->auth_fail, 0);
	assert_int_equal(pl_srtp_stats(s.two)->replay, 0);
	assert_true(seq < 1000); /* wrapped */
	sides_free(&s);
}

/* Many outbound streams, each crossing a sequence number wrap, sent in a different order every
 * round (ascending, descending, shuffled): every packet must find its own stream's state. A
 * lookup that returned a neighbour's or a fresh entry would seal the packets after the wrap with
 * ROC 0, which the receiver (at ROC 1) refuses. */
static void test_outbound_streams_any_order(void **state)
{
	enum { N = 200, ROUNDS = 6 };
	struct sides s;
	uint32_t ssrc[N];
	uint64_t x = 0x9E3779B97F4A7C15ull;

	(void)state;
	sides_init(&s, PL_SRTP_AEAD_AES_128_GCM, PL_SRTP_MAX_SSRCS_LIMIT);
	for (unsigned i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		ssrc[i] = (uint32_t)x | 1u;
	}
	for (unsigned r = 0; r < ROUNDS; r++) {
		uint16_t seq = (uint16_t)(65533u + r); /* 65533 .. 65535, then 0, 1, 2 */
		for (unsigned k = 0; k < N; k++) {
			unsigned i = r % 3 == 0 ? k : r % 3 == 1 ? N - 1 - k : (k * 7919u) % N;
			assert_int_equal(send_rtp(s.one, s.two, ssrc[i], seq), 0);
		}
	}
	assert_int_equal(pl_srtp_stats(s.two)->auth_fail, 0);
	assert_int_equal(pl_srtp_stats(s.two)->unprotected_pkts, N * ROUNDS);
	sides_free(&s);
}

static void test_ssrc_cap(void **state)
{
	struct sides s;
	struct pkt p, copy;

	(void)state;
	sides_init(&s, PL_SRTP_AEAD_AES_128_GCM, 2);
	assert_int_equal(send_rtp(s.one, s.two, 0xA, 1), 0);
	assert_int_equal(send_rtp(s.one, s.two, 0xB, 1), 0);
	assert_int_equal(pl_srtp_inbound_ssrc_count(s.two), 2);
	/* an authentic third SSRC is refused and counted */
	make_rtp(&p, 0xC, 1);
	assert_int_equal(pl_srtp_protect_rtp(s.one, p.b, &p.len, sizeof(p.b)), 0);
	copy = p;
	assert_int_equal(pl_srtp_unprotect_rtp(s.two, p.b, &p.len), PL_ELIMIT);
	assert_int_equal(pl_srtp_stats(s.two)->ssrc_cap_hits, 1);
	assert_int_equal(pl_srtp_inbound_ssrc_count(s.two), 2);
	/* the same packet again is refused by the cap, not as a replay: no per-SSRC state stayed
	 * behind */
	assert_int_equal(pl_srtp_unprotect_rtp(s.two, copy.b, &copy.len), PL_ELIMIT);
	assert_int_equal(pl_srtp_stats(s.two)->ssrc_cap_hits, 2);
	assert_int_equal(pl_srtp_stats(s.two)->replay, 0);
	/* RTCP from a new sender SSRC shares the budget */
	make_rtcp(&p, 0xD);
	assert_int_equal(pl_srtp_protect_rtcp(s.one, p.b, &p.len, sizeof(p.b)), 0);
	assert_int_equal(pl_srtp_unprotect_rtcp(s.two, p.b, &p.len), PL_ELIMIT);
	assert_int_equal(pl_srtp_stats(s.two)->ssrc_cap_hits, 3);
	/* known SSRCs keep working, RTP and RTCP */
	assert_int_equal(send_rtp(s.one, s.two, 0xA, 2), 0);
	make_rtcp(&p, 0xB);
	assert_int_equal(pl_srtp_protect_rtcp(s.one, p.b, &p.len, sizeof(p.b)), 0);
	assert_int_equal(pl_srtp_unprotect_rtcp(s.two, p.b, &p.len), 0);
	assert_int_equal(pl_srtp_stats(s.two)->unprotected_pkts, 4);
	/* protecting is never capped (10 new outbound SSRCs); the receiver caps at 2 */
	for (uint32_t ssrc = 100; ssrc < 110; ssrc++)
		assert_int_equal(send_rtp(s.two, s.one, ssrc, 1), ssrc < 102 ? 0 : PL_ELIMIT);
	sides_free(&s);
}

static void test_forged_ssrc_takes_no_slot(void **state)
{
	struct sides s;
	struct pl_srtp *attacker;
	char err[128];
	struct pkt p;

	(void)state;
	sides_init(&s, PL_SRTP_AEAD_AES_128_GCM, 2);
	attacker = pl_srtp_new(PL_SRTP_AEAD_AES_128_GCM, key_x, 28, key_x, 28, 2, err, sizeof(err));
	assert_non_null(attacker);
	assert_int_equal(send_rtp(s.one, s.two, 0xA, 1), 0);
	/* 50 forged SSRCs (wrong key): all fail authentication, none is remembered */
	for (uint32_t ssrc = 1000; ssrc < 1050; ssrc++) {
		make_rtp(&p, ssrc, 1);
		assert_int_equal(pl_srtp_protect_rtp(attacker, p.b, &p.len, sizeof(p.b)), 0);
		assert_int_equal(pl_srtp_unprotect_rtp(s.two, p.b, &p.len), PL_EAUTH);
		make_rtcp(&p, ssrc);
		assert_int_equal(pl_srtp_protect_rtcp(attacker, p.b, &p.len, sizeof(p.b)), 0);
		assert_int_equal(pl_srtp_unprotect_rtcp(s.two, p.b, &p.len), PL_EAUTH);
	}
	assert_int_equal(pl_srtp_stats(s.two)->auth_fail, 100);
	assert_int_equal(pl_srtp_stats(s.two)->ssrc_cap_hits, 0);
	assert_int_equal(pl_srtp_inbound_ssrc_count(s.two), 1);
	/* a forged packet for a known SSRC does not disturb it either */
	make_rtp(&p, 0xA, 2);
	assert_int_equal(pl_srtp_protect_rtp(attacker, p.b, &p.len, sizeof(p.b)), 0);
	assert_int_equal(pl_srtp_unprotect_rtp(s.two, p.b, &p.len), PL_EAUTH);
	assert_int_equal(send_rtp(s.one, s.two, 0xA, 2), 0);
	/* the free slot is still there for the real second stream */
	assert_int_equal(send_rtp(s.one, s.two, 0x1001, 1), 0);
	assert_int_equal(pl_srtp_inbound_ssrc_count(s.two), 2);
	pl_srtp_free(attacker);
	sides_free(&s);
}

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(key_a); i++) {
		key_a[i] = (uint8_t)(0x10 + i);
		key_b[i] = (uint8_t)(0xA0 ^ (i * 3));
		key_x[i] = (uint8_t)(0x5C + i * 11);
	}
	return pl_srtp_global_init();
}

static int teardown(void **state)
{
	(void)state;
	pl_srtp_global_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip_gcm),
	    cmocka_unit_test(test_roundtrip_cm),
	    cmocka_unit_test(test_new_rejects_bad_arguments),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_exact_capacity),
	    cmocka_unit_test(test_tampered_rejected),
	    cmocka_unit_test(test_replay_rejected),
	    cmocka_unit_test(test_replay_window_is_1024),
	    cmocka_unit_test(test_outbound_streams_any_order),
	    cmocka_unit_test(test_repeat_tx_allowed),
	    cmocka_unit_test(test_outbound_table_keeps_live_streams),
	    cmocka_unit_test(test_ssrc_cap),
	    cmocka_unit_test(test_forged_ssrc_takes_no_slot),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
