/* Known answers for Plenum's SRTP transforms (media/srtp_kdf.c, media/srtp_crypto.c):
 * RFC 3711 Appendix B.2 (AES-CM keystream) and B.3 (key derivation), RFC 7714 §16.1 and §16.2
 * (AEAD_AES_128_GCM SRTP and SRTCP). And that a packet allocates nothing in OpenSSL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "media/error.h"
#include "media/srtp_crypto.h"
#include "media/srtp_kdf.h"
#include "media/srtp_session.h"

/* Hex with optional spaces into out; returns the byte count. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*s) {
		unsigned v;

		if (*s == ' ') {
			s++;
			continue;
		}
		assert_true(n < cap);
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void test_rfc3711_b3_kdf(void **state)
{
	uint8_t mk[16], ms[14], want[128], got[128];
	size_t n;

	(void)state;
	unhex("E1F97A0D3E018BE0D64FA32C06DE4139", mk, sizeof(mk));
	unhex("0EC675AD498AFEEBB6960B3AABE6", ms, sizeof(ms));
	n = unhex("C61E7A93744F39EE10734AFE3FF7A087", want, sizeof(want));
	assert_int_equal(pl_srtp_kdf(mk, ms, 14, PL_SRTP_LABEL_RTP_ENC, got, n), 0);
	assert_memory_equal(got, want, n);
	n = unhex("30CBBC08863D8C85D49DB34A9AE1", want, sizeof(want));
	assert_int_equal(pl_srtp_kdf(mk, ms, 14, PL_SRTP_LABEL_RTP_SALT, got, n), 0);
	assert_memory_equal(got, want, n);
	/* B.3 lists 94 octets of the authentication key stream; SRTP uses the first 20 */
	n = unhex("CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE"
	          "E049646C43D9327AD175578EF7227098 6371C10C9A369AC2F94A8C5FBCDDDC25"
	          "6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2",
	          want, sizeof(want));
	assert_int_equal(n, 94);
	assert_int_equal(pl_srtp_kdf(mk, ms, 14, PL_SRTP_LABEL_RTP_AUTH, got, n), 0);
	assert_memory_equal(got, want, n);
	/* a different label gives different keys */
	assert_int_equal(pl_srtp_kdf(mk, ms, 14, PL_SRTP_LABEL_RTCP_ENC, got, 16), 0);
	assert_memory_not_equal(got, "\xC6\x1E\x7A\x93", 4);
	assert_int_equal(pl_srtp_kdf(mk, ms, 13, PL_SRTP_LABEL_RTP_ENC, got, 16), PL_EINVAL);
}

/* B.2: session key and salt, SSRC 0, index 0: a zero payload encrypts to the keystream. The
 * RFC lists blocks 0-2 and 0xfeff-0xff01, where the 16-bit block counter nears its end. */
static void test_rfc3711_b2_keystream(void **state)
{
	struct pl_srtp_crypto c;
	uint8_t key[16], salt[14], auth[20] = {0}, want[48];
	size_t blocks = 0xff02, plen = blocks * 16;
	uint8_t *pkt = calloc(1, 12 + plen + 16);

	(void)state;
	assert_non_null(pkt);
	unhex("2B7E151628AED2A6ABF7158809CF4F3C", key, sizeof(key));
	unhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD", salt, sizeof(salt));
	assert_int_equal(pl_srtp_crypto_init(&c, false, key, salt, auth), 0);
	pkt[0] = 0x80; /* SSRC 0, sequence number 0 */
	assert_int_equal(pl_srtp_crypto_seal_rtp(&c, pkt, 12, 12 + plen, 0), 0);
	unhex("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB"
	      "41E95B3BB0A2E8DD477901E4FCA894C0",
	      want, sizeof(want));
	assert_memory_equal(pkt + 12, want, 48);
	unhex("EC8CDF7398607CB0F2D21675EA9EA1E4 362B7C3C6773516318A077D7FC5073AE"
	      "6A2CC3787889374FBEB4C81B17BA6C44",
	      want, sizeof(want));
	assert_memory_equal(pkt + 12 + 0xfeff * 16, want, 48);
	/* and back: the tag verifies and the payload is zero again */
	assert_int_equal(pl_srtp_crypto_open_rtp(&c, pkt, 12, 12 + plen + 10, 0), 0);
	for (size_t i = 0; i < plen; i++)
		if (pkt[12 + i])
			fail_msg("byte %zu not restored", i);
	pl_srtp_crypto_cleanup(&c);
	free(pkt);
}

static const char *gcm_key = "000102030405060708090a0b0c0d0e0f";
static const char *gcm_salt = "517569642070726f2071756f";

static void gcm_init(struct pl_srtp_crypto *c)
{
	uint8_t key[16], salt[12];

	unhex(gcm_key, key, sizeof(key));
	unhex(gcm_salt, salt, sizeof(salt));
	assert_int_equal(pl_srtp_crypto_init(c, true, key, salt, NULL), 0);
}

/* §16.1: ROC 0, sequence number 0xf17b, SSRC 0x5501a0b2. */
static void test_rfc7714_rtp(void **state)
{
	struct pl_srtp_crypto c;
	uint8_t plain[128], want[128], buf[128];
	size_t pn, wn;

	(void)state;
	gcm_init(&c);
	pn = unhex("8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976"
	           "69736120 696e2070 61727465 73207472 6573",
	           plain, sizeof(plain));
	wn = unhex("8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5"
	           "0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439"
	           "0cce",
	           want, sizeof(want));
	assert_int_equal(wn, pn + 16);
	memcpy(buf, plain, pn);
	assert_int_equal(pl_srtp_crypto_seal_rtp(&c, buf, 12, pn, 0xf17b), 0);
	assert_memory_equal(buf, want, wn);
	assert_int_equal(pl_srtp_crypto_open_rtp(&c, buf, 12, wn, 0xf17b), 0);
	assert_memory_equal(buf, plain, pn);
	/* a flipped bit in header, ciphertext or tag; a wrong ROC */
	for (size_t at = 0; at < wn; at += 7) {
		memcpy(buf, want, wn);
		buf[at] ^= 0x20;
		assert_int_equal(pl_srtp_crypto_open_rtp(&c, buf, 12, wn, 0xf17b), PL_EAUTH);
	}
	memcpy(buf, want, wn);
	assert_int_equal(pl_srtp_crypto_open_rtp(&c, buf, 12, wn, 0x1f17b), PL_EAUTH);
	pl_srtp_crypto_cleanup(&c);
}

/* §16.2: a sender report, SRTCP index 0x5d4, encrypted: tag, then E|index. */
static void test_rfc7714_rtcp(void **state)
{
	struct pl_srtp_crypto c;
	uint8_t plain[128], want[128], buf[128];
	size_t pn, wn, out;
	uint32_t word;

	(void)state;
	gcm_init(&c);
	pn = unhex("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61"
	           "deadbeef deadbeef deadbeef deadbeef deadbeef",
	           plain, sizeof(plain));
	wn = unhex("81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d"
	           "c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872"
	           "45d9eade 800005d4",
	           want, sizeof(want));
	assert_int_equal(wn, pn + 20);
	memcpy(buf, plain, pn);
	assert_int_equal(pl_srtp_crypto_seal_rtcp(&c, buf, pn, 0x5d4, true, &out), 0);
	assert_int_equal(out, wn);
	assert_memory_equal(buf, want, wn);
	assert_int_equal(pl_srtp_crypto_rtcp_word(&c, buf, wn, &word), 0);
	assert_int_equal(word, 0x800005d4);
	assert_int_equal(pl_srtp_crypto_open_rtcp(&c, buf, wn, &out), 0);
	assert_int_equal(out, pn);
	assert_memory_equal(buf, plain, pn);
	for (size_t at = 0; at < wn; at += 5) {
		memcpy(buf, want, wn);
		buf[at] ^= 0x01;
		assert_int_equal(pl_srtp_crypto_open_rtcp(&c, buf, wn, &out), PL_EAUTH);
	}
	assert_int_equal(pl_srtp_crypto_open_rtcp(&c, buf, 8 + 4 + 15, &out), PL_EINVAL);
	pl_srtp_crypto_cleanup(&c);
}

/* OpenSSL's allocations, counted through CRYPTO_set_mem_functions (set first in main). */
static long live_allocs, n_allocs;
static void *count_malloc(size_t n, const char *file, int line)
{
	void *p = malloc(n);

	(void)file;
	(void)line;
	n_allocs++;
	if (p)
		live_allocs++;
	return p;
}
static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	n_allocs++;
	if (!p)
		live_allocs++;
	return realloc(p, n);
}
static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	if (p)
		live_allocs--;
	free(p);
}

/* GCM allocates nothing per packet. AES-CM's HMAC starts each packet from a copy of the keyed
 * SHA-1 states, and OpenSSL 3.0's EVP_MD_CTX_copy_ex duplicates the provider's context (one
 * allocation per copy, freed by the next): nothing may stay allocated. */
static void no_alloc(int profile, long max_per_packet)
{
	uint8_t ka[30], kb[30], buf[1300];
	size_t klen, slen, len;
	char err[128];
	struct pl_srtp *a, *b;
	long before, live;

	for (size_t i = 0; i < sizeof(ka); i++) {
		ka[i] = (uint8_t)i;
		kb[i] = (uint8_t)(0x80 + i);
	}
	assert_int_equal(pl_srtp_profile_lengths(profile, &klen, &slen), 0);
	a = pl_srtp_new(profile, ka, klen + slen, kb, klen + slen, 4, err, sizeof(err));
	b = pl_srtp_new(profile, kb, klen + slen, ka, klen + slen, 4, err, sizeof(err));
	assert_non_null(a);
	assert_non_null(b);
	before = n_allocs;
	live = live_allocs;
	for (int i = 0; i < 1000; i++) {
		memset(buf, 0, sizeof(buf));
		buf[0] = 0x80;
		buf[3] = (uint8_t)i;
		buf[2] = (uint8_t)(i >> 8);
		buf[11] = 5;
		len = 1200;
		assert_int_equal(pl_srtp_protect_rtp(a, buf, &len, sizeof(buf)), 0);
		assert_int_equal(pl_srtp_unprotect_rtp(b, buf, &len), 0);
		buf[1] = 200;
		len = 100;
		assert_int_equal(pl_srtp_protect_rtcp(a, buf, &len, sizeof(buf)), 0);
		assert_int_equal(pl_srtp_unprotect_rtcp(b, buf, &len), 0);
	}
	assert_true(n_allocs - before <= 1000 * 4 * max_per_packet);
	assert_true(live_allocs <= live + 4);
	pl_srtp_free(a);
	pl_srtp_free(b);
}

static void test_no_openssl_allocation_per_packet(void **state)
{
	(void)state;
	if (n_allocs == 0)
		skip(); /* OpenSSL allocated before main: the hooks could not be set */
	no_alloc(PL_SRTP_AEAD_AES_128_GCM, 0);
	no_alloc(PL_SRTP_AES128_CM_SHA1_80, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc3711_b3_kdf),
	    cmocka_unit_test(test_rfc3711_b2_keystream),
	    cmocka_unit_test(test_rfc7714_rtp),
	    cmocka_unit_test(test_rfc7714_rtcp),
	    cmocka_unit_test(test_no_openssl_allocation_per_packet),
	};
	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
		fprintf(stderr, "CRYPTO_set_mem_functions refused: allocation test skipped\n");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
