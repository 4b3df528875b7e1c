/* Shared by the STUN codec's unit tests (test_stun.c, test_stun_write.c): the RFC 5769 test
 * vectors and a message builder whose MESSAGE-INTEGRITY and FINGERPRINT are computed with
 * OpenSSL's HMAC() and a bit-at-a-time CRC-32, independently of the code under test. */
#ifndef PL_TEST_STUN_FIXTURE_H
#define PL_TEST_STUN_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "media/error.h"
#include "media/stun.h"

/* RFC 5769 section 2.1: Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME
 * "evtj:h6vY" (padded with spaces), MESSAGE-INTEGRITY and FINGERPRINT. */
static const uint8_t rfc_request[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
    0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
    0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
    0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 section 2.2: success response, SOFTWARE, XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
static const uint8_t rfc_response_v4[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 section 2.3: the same with [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
static const uint8_t rfc_response_v6[] = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
    0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
    0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

/* RFC 5769 section 2: the short-term password of all three (22 bytes, no trailing space). */
static const char rfc_password[] = "VOkJxbRl1RmTxUk/WvJxBt";
#define RFC_KEY     (const uint8_t *)rfc_password
#define RFC_KEY_LEN (sizeof(rfc_password) - 1)

static const uint8_t rfc_tid[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                    0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

/* --- independent helpers ------------------------------------------------------------------ */

static inline uint32_t ref_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v & 0xffff);
}

/* A message under construction; the header length always matches len. */
struct mb {
	uint8_t b[2048];
	size_t len;
};

static inline void mb_init(struct mb *m, uint16_t type)
{
	memset(m, 0, sizeof(*m));
	wr16(m->b, type);
	wr32(m->b + 4, PL_STUN_MAGIC);
	memcpy(m->b + 8, rfc_tid, 12);
	m->len = 20;
}

/* Appends an attribute whose length field says alen and whose value has n bytes, padded. */
static inline void mb_raw(struct mb *m, uint16_t type, size_t alen, const void *v, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;
	assert_true(m->len + 4 + padded <= sizeof(m->b));
	wr16(m->b + m->len, type);
	wr16(m->b + m->len + 2, alen);
	if (n)
		memcpy(m->b + m->len + 4, v, n);
	m->len += 4 + padded;
	wr16(m->b + 2, m->len - 20);
}

static inline void mb_attr(struct mb *m, uint16_t type, const void *v, size_t n)
{
	mb_raw(m, type, n, v, n);
}

/* A MESSAGE-INTEGRITY value under the given type (0x0008, or another to fake one). */
static inline void mb_integrity_as(struct mb *m, uint16_t type, const void *key, size_t key_len)
{
	uint8_t mac[20];
	unsigned int n = 0;
	size_t at = m->len;

	wr16(m->b + 2, at - 20 + 24);
	assert_non_null(HMAC(EVP_sha1(), key, (int)key_len, m->b, at, mac, &n));
	assert_int_equal(n, 20);
	mb_attr(m, type, mac, 20);
}

static inline void mb_integrity(struct mb *m, const void *key, size_t key_len)
{
	mb_integrity_as(m, 0x0008, key, key_len);
}

/* FINGERPRINT, right for a message that will have `more` bytes after it. */
static inline void mb_fingerprint_before(struct mb *m, size_t more)
{
	uint8_t v[4];
	size_t at = m->len;

	wr16(m->b + 2, at - 20 + 8 + more);
	wr32(v, ref_crc32(m->b, at) ^ 0x5354554eu);
	mb_attr(m, 0x8028, v, 4);
	wr16(m->b + 2, m->len - 20 + more);
}

static inline void mb_fingerprint(struct mb *m)
{
	mb_fingerprint_before(m, 0);
}

/* Parses an exact-size heap copy, so that ASan sees any read past the end. The copy is freed
 * on return: the views in *m (username) must be looked at after parsing the original again. */
static inline int parse_copy(const uint8_t *buf, size_t len, struct pl_stun_msg *m)
{
	uint8_t *b = malloc(len ? len : 1);
	assert_non_null(b);
	memcpy(b, buf, len);
	int rc = pl_stun_parse(b, len, m);
	free(b);
	return rc;
}

static inline bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Where the first attribute of type t starts (its header), or 0. */
static inline size_t find_attr(const uint8_t *b, size_t len, uint16_t t)
{
	for (size_t at = 20; at + 4 <= len; at += 4 + ((rd16(b + at + 2) + 3u) & ~3u))
		if (rd16(b + at) == t)
			return at;
	return 0;
}

#endif
