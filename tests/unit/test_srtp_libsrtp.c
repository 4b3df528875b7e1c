/* Plenum's SRTP (media/srtp_*.c) against libsrtp2 as the reference implementation, for both
 * profiles: what one protects the other unprotects, and both protect a packet into the same
 * bytes (same keys, same ROC, same SRTCP index). RTP with CSRCs, header extensions and padding,
 * sequence numbers across the wrap and out of order around it, replays, tampering, SRTCP
 * compounds, and SRTCP without encryption (E = 0). libsrtp is linked into this test only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <srtp2/srtp.h>

#include "media/error.h"
#include "media/srtp_crypto.h"
#include "media/srtp_kdf.h"
#include "media/srtp_session.h"

#define MAXPKT 1600

/* Side A sends with key_a and receives with key_b; side B the other way round. Each side
 * exists twice: ours and libsrtp's. */
static uint8_t key_a[PL_SRTP_MAX_KEY_SALT_LEN], key_b[PL_SRTP_MAX_KEY_SALT_LEN];

struct ref {
	srtp_t out, in;
};

struct world {
	int profile;
	size_t klen;
	struct pl_srtp *ours_a, *ours_b;
	struct ref ref_a, ref_b;
};

struct pkt {
	_Alignas(8) uint8_t b[MAXPKT];
	size_t len;
};

static srtp_t ref_session(int profile, const uint8_t *key, size_t klen, int outbound)
{
	srtp_policy_t pol;
	unsigned char k[PL_SRTP_MAX_KEY_SALT_LEN];
	srtp_t s = NULL;

	memset(&pol, 0, sizeof(pol));
	if (profile == PL_SRTP_AEAD_AES_128_GCM) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	}
	memcpy(k, key, klen);
	pol.key = k;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 1024;
	pol.allow_repeat_tx = 1;
	assert_int_equal(srtp_create(&s, &pol), srtp_err_status_ok);
	return s;
}

static void world_init(struct world *w, int profile)
{
	char err[128];
	size_t k, salt;

	memset(w, 0, sizeof(*w));
	w->profile = profile;
	assert_int_equal(pl_srtp_profile_lengths(profile, &k, &salt), 0);
	w->klen = k + salt;
	w->ours_a = pl_srtp_new(profile, key_a, w->klen, key_b, w->klen, 16, err, sizeof(err));
	w->ours_b = pl_srtp_new(profile, key_b, w->klen, key_a, w->klen, 16, err, sizeof(err));
	assert_non_null(w->ours_a);
	assert_non_null(w->ours_b);
	w->ref_a.out = ref_session(profile, key_a, w->klen, 1);
	w->ref_a.in = ref_session(profile, key_b, w->klen, 0);
	w->ref_b.out = ref_session(profile, key_b, w->klen, 1);
	w->ref_b.in = ref_session(profile, key_a, w->klen, 0);
}

static void world_free(struct world *w)
{
	pl_srtp_free(w->ours_a);
	pl_srtp_free(w->ours_b);
	srtp_dealloc(w->ref_a.out);
	srtp_dealloc(w->ref_a.in);
	srtp_dealloc(w->ref_b.out);
	srtp_dealloc(w->ref_b.in);
}

/* libsrtp calls with size_t lengths */
static srtp_err_status_t ref_call(srtp_err_status_t (*f)(srtp_t, void *, int *), srtp_t s,
                                  struct pkt *p)
{
	int n = (int)p->len;
	srtp_err_status_t st = f(s, p->b, &n);

	if (st == srtp_err_status_ok)
		p->len = (size_t)n;
	return st;
}

/* RTP (RFC 3550 §5.1) with cc CSRCs, a one-byte-header extension (RFC 8285) of ext_words
 * 32-bit words when ext_words > 0, payload_len bytes and pad padding bytes (P bit). */
static void make_rtp(struct pkt *p, uint32_t ssrc, uint16_t seq, unsigned cc, unsigned ext_words,
                     size_t payload_len, unsigned pad)
{
	size_t n = 12;

	memset(p, 0, sizeof(*p));
	p->b[0] = (uint8_t)(0x80 | (pad ? 0x20 : 0) | (ext_words ? 0x10 : 0) | cc);
	p->b[1] = (uint8_t)(96 | (seq & 1 ? 0x80 : 0));
	p->b[2] = (uint8_t)(seq >> 8);
	p->b[3] = (uint8_t)seq;
	p->b[4] = (uint8_t)(seq * 3);
	p->b[7] = (uint8_t)(seq * 90);
	p->b[8] = (uint8_t)(ssrc >> 24);
	p->b[9] = (uint8_t)(ssrc >> 16);
	p->b[10] = (uint8_t)(ssrc >> 8);
	p->b[11] = (uint8_t)ssrc;
	for (unsigned i = 0; i < cc; i++, n += 4)
		p->b[n + 3] = (uint8_t)(0x40 + i);
	if (ext_words) {
		p->b[n] = 0xbe;
		p->b[n + 1] = 0xde;
		p->b[n + 3] = (uint8_t)ext_words;
		n += 4;
		for (unsigned i = 0; i < 4 * ext_words; i++)
			p->b[n + i] = (uint8_t)(0x10 + i);
		n += 4 * ext_words;
	}
	for (size_t i = 0; i < payload_len; i++)
		p->b[n + i] = (uint8_t)(i * 13 + seq);
	n += payload_len;
	if (pad) {
		p->b[n + pad - 1] = (uint8_t)pad;
		n += pad;
	}
	p->len = n;
}

/* An RTCP compound (RFC 3550 §6.4.1, §6.5): SR with one report block, then SDES with a
 * CNAME. */
static void make_rtcp(struct pkt *p, uint32_t ssrc, unsigned salt)
{
	static const uint8_t sdes[] = {0x81, 202, 0,   3,   0,   0,   0,   0,
	                               1,    5,   'p', 'l', 'e', 'n', 'u', 0};
	uint8_t *b = p->b;

	memset(p, 0, sizeof(*p));
	b[0] = 0x81;
	b[1] = 200;
	b[3] = 12;
	for (int i = 0; i < 4; i++)
		b[4 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	for (int i = 8; i < 52; i++)
		b[i] = (uint8_t)(i * 7 + salt);
	memcpy(b + 52, sdes, sizeof(sdes));
	memcpy(b + 56, b + 4, 4);
	p->len = 52 + sizeof(sdes);
}

/* One RTP packet both ways: ours and libsrtp produce the same bytes, and each side's peer of
 * the other implementation restores the plaintext. */
static void rtp_both_ways(struct world *w, const struct pkt *plain)
{
	struct pkt x = *plain, y = *plain;

	/* A -> B: ours protects, libsrtp unprotects */
	assert_int_equal(pl_srtp_protect_rtp(w->ours_a, x.b, &x.len, sizeof(x.b)), 0);
	assert_int_equal(ref_call(srtp_protect, w->ref_a.out, &y), srtp_err_status_ok);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.b, y.b, x.len);
	assert_int_equal(ref_call(srtp_unprotect, w->ref_b.in, &x), srtp_err_status_ok);
	assert_int_equal(x.len, plain->len);
	assert_memory_equal(x.b, plain->b, plain->len);
	/* B -> A: libsrtp protects, ours unprotects */
	x = *plain;
	y = *plain;
	assert_int_equal(ref_call(srtp_protect, w->ref_b.out, &x), srtp_err_status_ok);
	assert_int_equal(pl_srtp_protect_rtp(w->ours_b, y.b, &y.len, sizeof(y.b)), 0);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.b, y.b, x.len);
	assert_int_equal(pl_srtp_unprotect_rtp(w->ours_a, x.b, &x.len), 0);
	assert_int_equal(x.len, plain->len);
	assert_memory_equal(x.b, plain->b, plain->len);
}

static void rtp_shapes(int profile)
{
	static const size_t payloads[] = {0, 1, 15, 16, 17, 160, 1200};
	struct world w;
	struct pkt p;
	uint16_t seq = 1000;

	world_init(&w, profile);
	for (unsigned cc = 0; cc <= 3; cc += 3)
		for (unsigned ext = 0; ext <= 3; ext += 1)
			for (unsigned pad = 0; pad <= 7; pad += 7)
				for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]);
				     i++) {
					/* two SSRCs interleaved */
					make_rtp(&p, (seq & 1) ? 0x1234 : 0xfedcba98, seq, cc, ext,
					         payloads[i], pad);
					rtp_both_ways(&w, &p);
					seq++;
				}
	assert_int_equal(pl_srtp_stats(w.ours_a)->unprotected_pkts, seq - 1000);
	world_free(&w);
}

static void test_rtp_shapes(void **state)
{
	(void)state;
	rtp_shapes(PL_SRTP_AEAD_AES_128_GCM);
	rtp_shapes(PL_SRTP_AES128_CM_SHA1_80);
}

/* Sequence numbers that wrap several times (ROC 0..5) in steps under 2^15, then a wrap with the
 * packets around it sent in order but delivered out of order, then replays of them. */
static void wrap(int profile)
{
	/* delivery order of the packets sent as seq 65530 + i (mod 2^16), i = 0..11 */
	static const int order[] = {1, 0, 3, 2, 6, 4, 5, 9, 7, 11, 8, 10};
	struct world w;
	struct pkt p, sent_a[12], sent_b[12], x;
	uint32_t seq = 60000;

	world_init(&w, profile);
	for (int i = 0; i < 25; i++, seq += 14000) {
		make_rtp(&p, 77, (uint16_t)seq, 0, 1, 100, 0);
		rtp_both_ways(&w, &p);
	}
	/* now at ROC 5: up to the next wrap in steps of at most 10000, the last ones 10 apart */
	seq -= 14000;
	for (uint32_t end = (seq | 0xffff) - 35; seq + 10000 < end;) {
		seq += 10000;
		make_rtp(&p, 77, (uint16_t)seq, 0, 1, 100, 0);
		rtp_both_ways(&w, &p);
	}
	for (seq = (seq | 0xffff) - 35; (seq & 0xffff) < 65530; seq += 10) {
		make_rtp(&p, 77, (uint16_t)seq, 0, 1, 100, 0);
		rtp_both_ways(&w, &p);
	}
	for (int i = 0; i < 12; i++) {
		struct pkt y;

		make_rtp(&p, 77, (uint16_t)(65530 + i), 0, 0, 60, 0);
		sent_a[i] = p;
		assert_int_equal(pl_srtp_protect_rtp(w.ours_a, sent_a[i].b, &sent_a[i].len, MAXPKT),
		                 0);
		y = p;
		assert_int_equal(ref_call(srtp_protect, w.ref_a.out, &y), srtp_err_status_ok);
		assert_memory_equal(y.b, sent_a[i].b, y.len);
		sent_b[i] = p;
		assert_int_equal(ref_call(srtp_protect, w.ref_b.out, &sent_b[i]),
		                 srtp_err_status_ok);
	}
	for (int k = 0; k < 12; k++) {
		int i = order[k];

		make_rtp(&p, 77, (uint16_t)(65530 + i), 0, 0, 60, 0);
		x = sent_a[i];
		assert_int_equal(ref_call(srtp_unprotect, w.ref_b.in, &x), srtp_err_status_ok);
		assert_memory_equal(x.b, p.b, p.len);
		x = sent_b[i];
		assert_int_equal(pl_srtp_unprotect_rtp(w.ours_a, x.b, &x.len), 0);
		assert_int_equal(x.len, p.len);
		assert_memory_equal(x.b, p.b, p.len);
	}
	/* replays on both sides of the wrap */
	for (int i = 0; i < 12; i += 5) {
		x = sent_a[i];
		assert_int_equal(ref_call(srtp_unprotect, w.ref_b.in, &x),
		                 srtp_err_status_replay_fail);
		x = sent_b[i];
		assert_int_equal(pl_srtp_unprotect_rtp(w.ours_a, x.b, &x.len), PL_EPROTO);
	}
	/* a resend of a sequence number from before the wrap keeps its ROC on both */
	make_rtp(&p, 77, 65533, 0, 0, 60, 0);
	x = p;
	assert_int_equal(pl_srtp_protect_rtp(w.ours_a, x.b, &x.len, MAXPKT), 0);
	assert_memory_equal(x.b, sent_a[3].b, x.len);
	world_free(&w);
}

static void test_wrap(void **state)
{
	(void)state;
	wrap(PL_SRTP_AEAD_AES_128_GCM);
	wrap(PL_SRTP_AES128_CM_SHA1_80);
}

/* The 1024-packet window on both: late by 1023 is taken, by 1024 refused as too old. */
static void window(int profile)
{
	static const uint16_t seqs[] = {3000, 3977, 3976, 5000};
	struct world w;
	struct pkt a[4], b[4], p;

	world_init(&w, profile);
	for (int i = 0; i < 4; i++) {
		make_rtp(&p, 9, seqs[i], 0, 0, 30, 0);
		a[i] = b[i] = p;
		assert_int_equal(pl_srtp_protect_rtp(w.ours_a, a[i].b, &a[i].len, MAXPKT), 0);
		assert_int_equal(ref_call(srtp_protect, w.ref_b.out, &b[i]), srtp_err_status_ok);
	}
	assert_int_equal(ref_call(srtp_unprotect, w.ref_b.in, &a[0]), srtp_err_status_ok);
	assert_int_equal(pl_srtp_unprotect_rtp(w.ours_a, b[0].b, &b[0].len), 0);
	assert_int_equal(ref_call(srtp_unprotect, w.ref_b.in, &a[3]), srtp_err_status_ok);
	assert_int_equal(pl_srtp_unprotect_rtp(w.ours_a, b[3].b, &b[3].len), 0);
	assert_int_equal(ref_call(srtp_unprotect, w.ref_b.in, &a[1]), srtp_err_status_ok);
	assert_int_equal(pl_srtp_unprotect_rtp(w.ours_a, b[1].b, &b[1].len), 0);
	assert_int_equal(ref_call(srtp_unprotect, w.ref_b.in, &a[2]), srtp_err_status_replay_old);
	assert_int_equal(pl_srtp_unprotect_rtp(w.ours_a, b[2].b, &b[2].len), PL_EPROTO);
	assert_int_equal(pl_srtp_stats(w.ours_a)->replay, 1);
	world_free(&w);
}

static void test_window(void **state)
{
	(void)state;
	window(PL_SRTP_AEAD_AES_128_GCM);
	window(PL_SRTP_AES128_CM_SHA1_80);
}

/* Every byte of a protected packet flipped in turn: the other implementation refuses it, and
 * afterwards still takes the untouched packet. */
static void tamper(int profile)
{
	struct world w;
	struct pkt p, a, b, x;
	int rtcp;

	world_init(&w, profile);
	for (rtcp = 0; rtcp <= 1; rtcp++) {
		if (rtcp)
			make_rtcp(&p, 0x4242, 1);
		else
			make_rtp(&p, 0x4242, 500, 2, 1, 40, 3);
		a = b = p;
		if (rtcp) {
			assert_int_equal(pl_srtp_protect_rtcp(w.ours_a, a.b, &a.len, MAXPKT), 0);
			assert_int_equal(ref_call(srtp_protect_rtcp, w.ref_b.out, &b),
			                 srtp_err_status_ok);
		} else {
			assert_int_equal(pl_srtp_protect_rtp(w.ours_a, a.b, &a.len, MAXPKT), 0);
			assert_int_equal(ref_call(srtp_protect, w.ref_b.out, &b),
			                 srtp_err_status_ok);
		}
		for (size_t i = 0; i < a.len; i++) {
			x = a;
			x.b[i] ^= (uint8_t)(1u << (i % 8));
			assert_int_not_equal(
			    ref_call(rtcp ? srtp_unprotect_rtcp : srtp_unprotect, w.ref_b.in, &x),
			    srtp_err_status_ok);
			x = b;
			x.b[i] ^= (uint8_t)(1u << (i % 8));
			if (rtcp)
				assert_int_not_equal(pl_srtp_unprotect_rtcp(w.ours_a, x.b, &x.len),
				                     0);
			else
				assert_int_not_equal(pl_srtp_unprotect_rtp(w.ours_a, x.b, &x.len),
				                     0);
		}
		assert_int_equal(
		    ref_call(rtcp ? srtp_unprotect_rtcp : srtp_unprotect, w.ref_b.in, &a),
		    srtp_err_status_ok);
		assert_memory_equal(a.b, p.b, p.len);
		if (rtcp)
			assert_int_equal(pl_srtp_unprotect_rtcp(w.ours_a, b.b, &b.len), 0);
		else
			assert_int_equal(pl_srtp_unprotect_rtp(w.ours_a, b.b, &b.len), 0);
		assert_memory_equal(b.b, p.b, p.len);
	}
	assert_true(pl_srtp_stats(w.ours_a)->auth_fail > 0);
	assert_int_equal(pl_srtp_stats(w.ours_a)->unprotected_pkts, 2);
	world_free(&w);
}

static void test_tamper(void **state)
{
	(void)state;
	tamper(PL_SRTP_AEAD_AES_128_GCM);
	tamper(PL_SRTP_AES128_CM_SHA1_80);
}

/* SRTCP compounds both ways for two SSRCs: the same bytes from both (so the same index
 * sequence), each unprotected by the other, replays refused by both. */
static void rtcp(int profile)
{
	struct world w;
	struct pkt p, x, y, first_a, first_b;

	world_init(&w, profile);
	for (unsigned i = 0; i < 20; i++) {
		uint32_t ssrc = i % 3 ? 0x5151 : 0x6262;

		make_rtcp(&p, ssrc, i);
		x = y = p;
		assert_int_equal(pl_srtp_protect_rtcp(w.ours_a, x.b, &x.len, MAXPKT), 0);
		assert_int_equal(ref_call(srtp_protect_rtcp, w.ref_a.out, &y), srtp_err_status_ok);
		assert_int_equal(x.len, p.len + (profile == PL_SRTP_AEAD_AES_128_GCM ? 20 : 14));
		assert_int_equal(x.len, y.len);
		assert_memory_equal(x.b, y.b, x.len);
		if (i == 0)
			first_a = x;
		assert_int_equal(ref_call(srtp_unprotect_rtcp, w.ref_b.in, &x), srtp_err_status_ok);
		assert_int_equal(x.len, p.len);
		assert_memory_equal(x.b, p.b, p.len);

		x = y = p;
		assert_int_equal(ref_call(srtp_protect_rtcp, w.ref_b.out, &x), srtp_err_status_ok);
		assert_int_equal(pl_srtp_protect_rtcp(w.ours_b, y.b, &y.len, MAXPKT), 0);
		assert_memory_equal(x.b, y.b, x.len);
		if (i == 0)
			first_b = x;
		assert_int_equal(pl_srtp_unprotect_rtcp(w.ours_a, x.b, &x.len), 0);
		assert_int_equal(x.len, p.len);
		assert_memory_equal(x.b, p.b, p.len);
	}
	assert_int_equal(ref_call(srtp_unprotect_rtcp, w.ref_b.in, &first_a),
	                 srtp_err_status_replay_fail);
	assert_int_equal(pl_srtp_unprotect_rtcp(w.ours_a, first_b.b, &first_b.len), PL_EPROTO);
	world_free(&w);
}

static void test_rtcp(void **state)
{
	(void)state;
	rtcp(PL_SRTP_AEAD_AES_128_GCM);
	rtcp(PL_SRTP_AES128_CM_SHA1_80);
}

/* SRTCP with the E flag clear (RFC 3711 §3.4: a compound may be split into an encrypted and a
 * clear part; RFC 7714 §9: then all of it is AAD), which a peer may send. Sealed by our
 * transform: ours accepts it; libsrtp 2.5 accepts it for GCM and refuses it for AES-CM
 * (srtp_err_status_cant_check), so there the tag is checked against OpenSSL's one-shot HMAC
 * with the SRTCP authentication key (label 4). */
static void rtcp_unencrypted(int profile)
{
	bool gcm = profile == PL_SRTP_AEAD_AES_128_GCM;
	struct world w;
	struct pl_srtp_crypto c;
	struct pkt p, x, y;
	size_t n;

	world_init(&w, profile);
	assert_int_equal(pl_srtp_crypto_derive(&c, gcm, key_a, w.klen, true), 0);
	make_rtcp(&p, 0x7777, 9);
	x = p;
	assert_int_equal(pl_srtp_crypto_seal_rtcp(&c, x.b, x.len, 77, false, &n), 0);
	x.len = n;
	assert_memory_equal(x.b, p.b, p.len); /* in clear */
	y = x;
	if (gcm) {
		assert_int_equal(ref_call(srtp_unprotect_rtcp, w.ref_b.in, &y), srtp_err_status_ok);
		assert_int_equal(y.len, p.len);
		assert_memory_equal(y.b, p.b, p.len);
	} else {
		uint8_t auth[20], mac[EVP_MAX_MD_SIZE];
		unsigned int maclen;

		assert_int_equal(
		    pl_srtp_kdf(key_a, key_a + 16, 14, PL_SRTP_LABEL_RTCP_AUTH, auth, sizeof(auth)),
		    0);
		assert_int_equal(x.len, p.len + 14);
		assert_memory_equal(x.b + p.len, "\x00\x00\x00\x4d", 4); /* E = 0, index 77 */
		assert_non_null(HMAC(EVP_sha1(), auth, sizeof(auth), x.b, p.len + 4, mac, &maclen));
		assert_memory_equal(x.b + p.len + 4, mac, 10);
	}
	assert_int_equal(pl_srtp_unprotect_rtcp(w.ours_b, x.b, &x.len), 0);
	assert_int_equal(x.len, p.len);
	assert_memory_equal(x.b, p.b, p.len);
	pl_srtp_crypto_cleanup(&c);
	world_free(&w);
}

static void test_rtcp_unencrypted(void **state)
{
	(void)state;
	rtcp_unencrypted(PL_SRTP_AEAD_AES_128_GCM);
	rtcp_unencrypted(PL_SRTP_AES128_CM_SHA1_80);
}

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(key_a); i++) {
		key_a[i] = (uint8_t)(0x31 + i * 5);
		key_b[i] = (uint8_t)(0xC0 ^ (i * 9));
	}
	return srtp_init() == srtp_err_status_ok && pl_srtp_global_init() == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	srtp_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rtp_shapes), cmocka_unit_test(test_wrap),
	    cmocka_unit_test(test_window),     cmocka_unit_test(test_tamper),
	    cmocka_unit_test(test_rtcp),       cmocka_unit_test(test_rtcp_unencrypted),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
