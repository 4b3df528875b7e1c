/* RFC 8285 header extensions: one-byte and two-byte forms, iteration, lookup, in-place id
 * remapping and removal, value helpers, and the URI/id table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/bytes.h"
#include "media/error.h"
#include "media/rtp.h"
#include "media/rtp_ext.h"

/* One-byte form (0xBEDE), 3 words = 12 bytes of elements:
 *   50 85        id 5, 1 byte: audio level V=1, 5 dBov
 *   00           padding
 *   31 12 34     id 3, 2 bytes: TWCC seq 0x1234
 *   90 61        id 9, 1 byte: mid "a"
 *   22 12 34 56  id 2, 3 bytes: abs-send-time 0x123456 */
#define ONE_EXT 16
static const uint8_t one[] = {
    0x90, 0x6F, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x02, /* X=1 */
    0xBE, 0xDE, 0x00, 0x03,                                                 /* ext hdr */
    0x50, 0x85, 0x00, 0x31, 0x12, 0x34, 0x90, 'a',  0x22, 0x12, 0x34, 0x56, /* elements */
    0xFC, 0xFD,                                                             /* payload */
};

/* Two-byte form (0x1000), 4 words = 16 bytes:
 *   14 00              id 20, empty
 *   03 02 BE EF        id 3, 2 bytes
 *   00                 padding
 *   C8 04 'rid1'       id 200, 4 bytes
 *   00 00 00           padding */
#define TWO_EXT 16
static const uint8_t two[] = {
    0x90, 0x60, 0x00, 0x02, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x03, /* X=1 */
    0x10, 0x00, 0x00, 0x04,                                                 /* ext hdr */
    0x14, 0x00, 0x03, 0x02, 0xBE, 0xEF, 0x00, 0xC8,                         /* elements */
    0x04, 'r',  'i',  'd',  '1',  0x00, 0x00, 0x00,                         /* elements */
    0x01,                                                                   /* payload */
};

static void parse(const uint8_t *b, size_t len, struct pl_rtp *r)
{
	assert_int_equal(pl_rtp_parse(b, len, r), 0);
}

/* Collects the ids the iterator yields; returns the final code. */
static int collect(const struct pl_rtp *r, uint8_t *ids, size_t *n)
{
	struct pl_rtp_ext_iter it;
	struct pl_rtp_ext_elem e;
	int rc;
	*n = 0;
	pl_rtp_ext_iter_init(&it, r);
	while ((rc = pl_rtp_ext_next(&it, &e)) == 0)
		ids[(*n)++] = e.id;
	return rc;
}

static void test_iterate_one_byte(void **state)
{
	(void)state;
	struct pl_rtp r;
	parse(one, sizeof one, &r);
	struct pl_rtp_ext_iter it;
	struct pl_rtp_ext_elem e;
	const uint8_t ids[] = {5, 3, 9, 2};
	const size_t lens[] = {1, 2, 1, 3};
	const size_t offs[] = {17, 20, 23, 25}; /* value offsets in the packet */
	pl_rtp_ext_iter_init(&it, &r);
	for (size_t i = 0; i < sizeof ids; i++) {
		assert_int_equal(pl_rtp_ext_next(&it, &e), 0);
		assert_int_equal(e.id, ids[i]);
		assert_int_equal(e.len, lens[i]);
		assert_ptr_equal(e.data, one + offs[i]);
	}
	assert_int_equal(pl_rtp_ext_next(&it, &e), PL_ENOTFOUND);
	assert_int_equal(pl_rtp_ext_next(&it, &e), PL_ENOTFOUND); /* stays at the end */

	const uint8_t *v;
	size_t n;
	assert_int_equal(pl_rtp_ext_find(&r, 3, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0] << 8 | v[1], 0x1234);
	assert_int_equal(pl_rtp_ext_find(&r, 2, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pl_rtp_ext_find(&r, 7, &v, &n), PL_ENOTFOUND);
	assert_int_equal(pl_rtp_ext_find(&r, 0, &v, &n), PL_ENOTFOUND);
	assert_int_equal(pl_rtp_ext_find(&r, 0x50, &v, &n), PL_ENOTFOUND);
}

static void test_iterate_two_byte(void **state)
{
	(void)state;
	struct pl_rtp r;
	parse(two, sizeof two, &r);
	uint8_t ids[16];
	size_t n;
	assert_int_equal(collect(&r, ids, &n), PL_ENOTFOUND);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], 20);
	assert_int_equal(ids[1], 3);
	assert_int_equal(ids[2], 200);
	const uint8_t *v;
	size_t len;
	assert_int_equal(pl_rtp_ext_find(&r, 20, &v, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(pl_rtp_ext_find(&r, 200, &v, &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(v, "rid1", 4);
	/* The low 4 bits of 0x100X are application bits: 0x100F is still the two-byte form. */
	uint8_t b[sizeof two];
	memcpy(b, two, sizeof b);
	b[13] = 0x0F;
	parse(b, sizeof b, &r);
	assert_int_equal(pl_rtp_ext_find(&r, 3, &v, &len), 0);
	assert_int_equal(pl_read_u16(v), 0xBEEF);
}

static void test_malformed(void **state)
{
	(void)state;
	struct pl_rtp r;
	uint8_t b[sizeof one];
	uint8_t ids[16];
	size_t n;
	const uint8_t *v;
	size_t len;

	/* One-byte id 15 ends processing (RFC 8285 §4.2): the padding byte becomes 0xF0. */
	memcpy(b, one, sizeof b);
	b[ONE_EXT + 2] = 0xF0;
	parse(b, sizeof b, &r);
	assert_int_equal(collect(&r, ids, &n), PL_ENOTFOUND);
	assert_int_equal(n, 1);
	assert_int_equal(pl_rtp_ext_find(&r, 3, &v, &len), PL_ENOTFOUND);

	/* A one-byte element longer than the block: id 2 announces 16 bytes, 3 remain. */
	memcpy(b, one, sizeof b);
	b[ONE_EXT + 8] = 0x2F;
	parse(b, sizeof b, &r);
	assert_int_equal(collect(&r, ids, &n), PL_ETRUNC);
	assert_int_equal(n, 3);
	assert_int_equal(pl_rtp_ext_find(&r, 5, &v, &len), 0); /* before the bad one */
	assert_int_equal(pl_rtp_ext_find(&r, 2, &v, &len), PL_ETRUNC);

	/* Two-byte: a length past the block, and an id in the last byte without a length. */
	uint8_t t[sizeof two];
	memcpy(t, two, sizeof t);
	t[TWO_EXT + 8] = 0x20;
	parse(t, sizeof t, &r);
	assert_int_equal(collect(&r, ids, &n), PL_ETRUNC);
	assert_int_equal(n, 2);
	memcpy(t, two, sizeof t);
	t[TWO_EXT + 15] = 0x07;
	parse(t, sizeof t, &r);
	assert_int_equal(collect(&r, ids, &n), PL_ETRUNC);
	assert_int_equal(n, 3);

	/* A profile that is neither form: nothing to iterate, remap refuses. */
	memcpy(b, one, sizeof b);
	b[12] = 0xAB;
	b[13] = 0xCD;
	parse(b, sizeof b, &r);
	assert_int_equal(collect(&r, ids, &n), PL_ENOTFOUND);
	assert_int_equal(n, 0);
	uint8_t map[256] = {0};
	assert_int_equal(pl_rtp_ext_remap(b, &r, map), PL_EUNSUPPORTED);

	/* No extension at all. */
	memcpy(b, one, sizeof b);
	b[0] = 0x80;
	parse(b, sizeof b, &r);
	assert_int_equal(pl_rtp_ext_find(&r, 5, &v, &len), PL_ENOTFOUND);
	assert_int_equal(pl_rtp_ext_remap(b, &r, map), 0);
	assert_memory_equal(b + 1, one + 1, sizeof one - 1);
}

static void test_every_truncation(void **state)
{
	(void)state;
	/* Each prefix from an exact-size heap copy; those that parse iterate without reading past
	 * the end (ASan) and yield a prefix of the element list at most. */
	const uint8_t *pkts[] = {one, two};
	const size_t sizes[] = {sizeof one, sizeof two};
	const size_t hdr[] = {28, 32}; /* fixed header + extension */
	for (size_t k = 0; k < 2; k++)
		for (size_t len = 0; len <= sizes[k]; len++) {
			uint8_t *c = malloc(len ? len : 1);
			memcpy(c, pkts[k], len);
			struct pl_rtp r;
			int rc = pl_rtp_parse(c, len, &r);
			assert_int_equal(rc, len < hdr[k] ? PL_ETRUNC : 0);
			if (rc == 0) {
				uint8_t ids[16];
				size_t n;
				assert_int_equal(collect(&r, ids, &n), PL_ENOTFOUND);
				assert_int_equal(n, 4 - k);
				uint8_t map[256] = {0};
				assert_int_equal(pl_rtp_ext_remap(c, &r, map), 0);
			}
			free(c);
		}
}

static void test_remap_one_byte(void **state)
{
	(void)state;
	uint8_t b[sizeof one];
	memcpy(b, one, sizeof b);
	struct pl_rtp r;
	parse(b, sizeof b, &r);
	uint8_t map[256] = {0};
	map[5] = PL_EXT_ID_AUDIO_LEVEL;
	map[3] = PL_EXT_ID_TWCC;
	map[9] = PL_EXT_ID_MID;
	/* id 2 maps to 0: removed */
	assert_int_equal(pl_rtp_ext_remap(b, &r, map), 0);
	const uint8_t want[] = {0x10, 0x85, 0x00, 0x31, 0x12, 0x34,
	                        0x40, 'a',  0x00, 0x00, 0x00, 0x00};
	assert_memory_equal(b + ONE_EXT, want, sizeof want);
	assert_memory_equal(b, one, ONE_EXT);                   /* header untouched */
	assert_memory_equal(b + 28, one + 28, sizeof one - 28); /* payload untouched */
	parse(b, sizeof b, &r);
	uint8_t ids[16];
	size_t n;
	assert_int_equal(collect(&r, ids, &n), PL_ENOTFOUND);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 3);
	assert_int_equal(ids[2], 4);
	const uint8_t *v;
	size_t len;
	assert_int_equal(pl_rtp_ext_find(&r, 2, &v, &len), PL_ENOTFOUND);

	/* An id above 14 does not fit the one-byte form: refused, buffer unchanged. */
	memcpy(b, one, sizeof b);
	parse(b, sizeof b, &r);
	map[2] = 15;
	assert_int_equal(pl_rtp_ext_remap(b, &r, map), PL_EINVAL);
	assert_memory_equal(b, one, sizeof one);
	map[2] = 200;
	assert_int_equal(pl_rtp_ext_remap(b, &r, map), PL_EINVAL);
	assert_memory_equal(b, one, sizeof one);

	/* A malformed element later in the block: refused before anything is written. */
	b[ONE_EXT + 8] = 0x2F;
	parse(b, sizeof b, &r);
	map[2] = 0;
	uint8_t before[sizeof one];
	memcpy(before, b, sizeof b);
	assert_int_equal(pl_rtp_ext_remap(b, &r, map), PL_ETRUNC);
	assert_memory_equal(b, before, sizeof b);

	/* Swapping ids in one pass (5 <-> 3) uses the original ids, not the rewritten ones. */
	memcpy(b, one, sizeof b);
	parse(b, sizeof b, &r);
	memset(map, 0, sizeof map);
	map[5] = 3;
	map[3] = 5;
	map[9] = 9;
	map[2] = 2;
	assert_int_equal(pl_rtp_ext_remap(b, &r, map), 0);
	assert_int_equal(b[ONE_EXT], 0x30);
	assert_int_equal(b[ONE_EXT + 3], 0x51);
}

static void test_remap_two_byte(void **state)
{
	(void)state;
	uint8_t b[sizeof two];
	memcpy(b, two, sizeof b);
	struct pl_rtp r;
	parse(b, sizeof b, &r);
	uint8_t map[256] = {0};
	map[3] = PL_EXT_ID_TWCC;
	map[200] = PL_EXT_ID_RID;
	assert_int_equal(pl_rtp_ext_remap(b, &r, map), 0);
	const uint8_t want[] = {0x00, 0x00, 0x03, 0x02, 0xBE, 0xEF, 0x00, 0x0A,
	                        0x04, 'r',  'i',  'd',  '1',  0x00, 0x00, 0x00};
	assert_memory_equal(b + TWO_EXT, want, sizeof want);
	parse(b, sizeof b, &r);
	const uint8_t *v;
	size_t len;
	assert_int_equal(pl_rtp_ext_find(&r, PL_EXT_ID_RID, &v, &len), 0);
	assert_int_equal(len, 4);
	assert_int_equal(pl_rtp_ext_find(&r, 20, &v, &len), PL_ENOTFOUND);
	/* Two-byte ids above 14 are fine. */
	memcpy(b, two, sizeof b);
	parse(b, sizeof b, &r);
	map[3] = 250;
	assert_int_equal(pl_rtp_ext_remap(b, &r, map), 0);
	assert_int_equal(b[TWO_EXT + 2], 250);
}

static void test_set_u16(void **state)
{
	(void)state;
	uint8_t b[sizeof one];
	memcpy(b, one, sizeof b);
	struct pl_rtp r;
	parse(b, sizeof b, &r);
	assert_int_equal(pl_rtp_ext_set_u16(b, &r, 3, 0xABCD), 0);
	assert_int_equal(b[ONE_EXT + 4], 0xAB);
	assert_int_equal(b[ONE_EXT + 5], 0xCD);
	assert_memory_equal(b + ONE_EXT + 6, one + ONE_EXT + 6, sizeof one - ONE_EXT - 6);
	const uint8_t *v;
	size_t len;
	uint16_t x;
	assert_int_equal(pl_rtp_ext_find(&r, 3, &v, &len), 0);
	assert_int_equal(pl_rtp_ext_get_u16(v, len, &x), 0);
	assert_int_equal(x, 0xABCD);
	assert_int_equal(pl_rtp_ext_set_u16(b, &r, 9, 1), PL_EINVAL); /* 1-byte value */
	assert_int_equal(pl_rtp_ext_set_u16(b, &r, 7, 1), PL_ENOTFOUND);
	assert_int_equal(pl_rtp_ext_get_u16(v, 1, &x), PL_EINVAL);
	assert_int_equal(pl_rtp_ext_get_u16(v, 3, &x), PL_EINVAL);
}

static void test_values(void **state)
{
	(void)state;
	struct pl_rtp r;
	parse(one, sizeof one, &r);
	const uint8_t *v;
	size_t len;
	bool voice = false;
	uint8_t level = 0;
	assert_int_equal(pl_rtp_ext_find(&r, 5, &v, &len), 0);
	assert_int_equal(pl_rtp_ext_get_audio_level(v, len, &voice, &level), 0);
	assert_true(voice);
	assert_int_equal(level, 5);
	const uint8_t silent = 0x7F;
	assert_int_equal(pl_rtp_ext_get_audio_level(&silent, 1, &voice, &level), 0);
	assert_false(voice);
	assert_int_equal(level, 127);
	assert_int_equal(pl_rtp_ext_get_audio_level(v, 2, &voice, &level), PL_EINVAL);

	uint32_t ast;
	assert_int_equal(pl_rtp_ext_find(&r, 2, &v, &len), 0);
	assert_int_equal(pl_rtp_ext_get_abs_send_time(v, len, &ast), 0);
	assert_int_equal(ast, 0x123456);
	assert_int_equal(pl_rtp_ext_get_abs_send_time(v, 2, &ast), PL_EINVAL);
	/* 6.18 fixed point seconds, 24 bits: 1 s = 2^18, wraps at 64 s. */
	assert_int_equal(pl_rtp_ext_abs_send_time_from_us(0), 0);
	assert_int_equal(pl_rtp_ext_abs_send_time_from_us(1000000), 0x40000);
	assert_int_equal(pl_rtp_ext_abs_send_time_from_us(250000), 0x10000);
	assert_int_equal(pl_rtp_ext_abs_send_time_from_us(64000000), 0);
	assert_int_equal(pl_rtp_ext_abs_send_time_from_us(65500000), 0x60000);
	assert_int_equal(pl_rtp_ext_abs_send_time_from_us(INT64_MAX),
	                 pl_rtp_ext_abs_send_time_from_us(INT64_MAX)); /* no UB (UBSan) */

	char s[8];
	assert_int_equal(pl_rtp_ext_find(&r, 9, &v, &len), 0);
	assert_int_equal(pl_rtp_ext_get_mid(v, len, s, sizeof s), 0);
	assert_string_equal(s, "a");
	assert_int_equal(pl_rtp_ext_get_mid(v, 0, s, sizeof s), PL_EINVAL);
	const uint8_t mid8[] = "12345678";
	assert_int_equal(pl_rtp_ext_get_mid(mid8, 8, s, sizeof s), PL_ESPACE); /* no room for NUL */
	assert_int_equal(pl_rtp_ext_get_mid(mid8, 7, s, sizeof s), 0);
	assert_string_equal(s, "1234567");
	const uint8_t ctl[] = {'a', 0x00, 'b'}, sp[] = {'a', ' '};
	assert_int_equal(pl_rtp_ext_get_mid(ctl, sizeof ctl, s, sizeof s), PL_EINVAL);
	assert_int_equal(pl_rtp_ext_get_mid(sp, sizeof sp, s, sizeof s), PL_EINVAL);
	const uint8_t rid_ok[] = "h-1_x", rid_bad[] = "h.1";
	assert_int_equal(pl_rtp_ext_get_rid(rid_ok, 5, s, sizeof s), 0);
	assert_string_equal(s, "h-1_x");
	assert_int_equal(pl_rtp_ext_get_rid(rid_bad, 3, s, sizeof s), PL_EINVAL);
	assert_int_equal(pl_rtp_ext_get_mid(rid_bad, 3, s, sizeof s), 0); /* '.' is fine in mid */
}

static void test_uri_table(void **state)
{
	(void)state;
	static const struct {
		const char *uri;
		enum pl_rtp_ext_type type;
		uint8_t id;
	} want[] = {
	    {"urn:ietf:params:rtp-hdrext:ssrc-audio-level", PL_EXT_AUDIO_LEVEL, 1},
	    {"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", PL_EXT_ABS_SEND_TIME, 2},
	    {"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
	     PL_EXT_TWCC, 3},
	    {"urn:ietf:params:rtp-hdrext:sdes:mid", PL_EXT_MID, 4},
	    {"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", PL_EXT_RID, 10},
	    {"urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", PL_EXT_REPAIRED_RID, 11},
	};
	assert_int_equal(sizeof want / sizeof want[0], PL_EXT_TYPE_COUNT - 1);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(pl_rtp_ext_uri_to_type(want[i].uri), want[i].type);
		assert_string_equal(pl_rtp_ext_type_uri(want[i].type), want[i].uri);
		assert_int_equal(pl_rtp_ext_type_id(want[i].type), want[i].id);
		for (size_t j = 0; j < i; j++) /* distinct, one-byte-form ids */
			assert_int_not_equal(want[i].id, want[j].id);
		assert_in_range(want[i].id, 1, 14);
	}
	assert_int_equal(pl_rtp_ext_uri_to_type("urn:ietf:params:rtp-hdrext:toffset"),
	                 PL_EXT_UNKNOWN);
	assert_int_equal(pl_rtp_ext_uri_to_type("urn:ietf:params:rtp-hdrext:sdes:mi"),
	                 PL_EXT_UNKNOWN);
	assert_int_equal(pl_rtp_ext_uri_to_type(""), PL_EXT_UNKNOWN);
	assert_int_equal(pl_rtp_ext_uri_to_type(NULL), PL_EXT_UNKNOWN);
	assert_null(pl_rtp_ext_type_uri(PL_EXT_UNKNOWN));
	assert_null(pl_rtp_ext_type_uri(PL_EXT_TYPE_COUNT));
	assert_int_equal(pl_rtp_ext_type_id(PL_EXT_UNKNOWN), 0);
	assert_int_equal(pl_rtp_ext_type_id(PL_EXT_TYPE_COUNT), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_iterate_one_byte), cmocka_unit_test(test_iterate_two_byte),
	    cmocka_unit_test(test_malformed),        cmocka_unit_test(test_every_truncation),
	    cmocka_unit_test(test_remap_one_byte),   cmocka_unit_test(test_remap_two_byte),
	    cmocka_unit_test(test_set_u16),          cmocka_unit_test(test_values),
	    cmocka_unit_test(test_uri_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
