/* STUN Binding codec (media/stun.c): the writers, each checked by parsing what it wrote (and
 * its integrity and fingerprint with tests/unit/stun_fixture.h's own HMAC and CRC-32). */
#include "stun_fixture.h"

/* --- writers ------------------------------------------------------------------------------ */

/* FINGERPRINT is last and right (checked with the reference CRC), MESSAGE-INTEGRITY right
 * (checked with OpenSSL's HMAC directly), every shorter buffer refused. */
static void check_written(const uint8_t *out, int n, const uint8_t *key, size_t key_len,
                          struct pl_stun_msg *m)
{
	assert_true(n >= 28);
	assert_true(n <= PL_STUN_MAX_MESSAGE);
	assert_int_equal(n % 4, 0);
	assert_true(pl_stun_is_stun(out, (size_t)n));
	assert_int_equal(parse_copy(out, (size_t)n, m), 0);
	assert_int_equal(pl_stun_parse(out, (size_t)n, m), 0); /* views into out */
	assert_memory_equal(m->tid, rfc_tid, 12);
	assert_int_equal(m->fingerprint_at, (size_t)n - 8);
	assert_int_equal(rd16(out + n - 8), 0x8028);
	uint32_t fp = (uint32_t)rd16(out + n - 4) << 16 | rd16(out + n - 2);
	assert_true(fp == (ref_crc32(out, (size_t)n - 8) ^ 0x5354554eu));
	if (!key) {
		assert_int_equal(m->integrity_at, 0);
		return;
	}
	assert_int_equal(m->integrity_at, (size_t)n - 32);
	uint8_t copy[PL_STUN_MAX_MESSAGE], mac[20];
	unsigned int ml = 0;
	memcpy(copy, out, (size_t)n - 32);
	wr16(copy + 2, (size_t)n - 20 - 8);
	assert_non_null(HMAC(EVP_sha1(), key_len ? key : (const uint8_t *)"", (int)key_len, copy,
	                     (size_t)n - 32, mac, &ml));
	assert_memory_equal(mac, out + n - 28, 20);
	assert_int_equal(pl_stun_check_integrity(out, (size_t)n, m, key, key_len), 0);
	assert_int_equal(pl_stun_check_integrity(out, (size_t)n, m, (const uint8_t *)"nope", 4),
	                 PL_EAUTH);
}

#define CHECK_SPACE(call_with_cap, n)                                                              \
	do {                                                                                       \
		for (size_t cap_ = 0; cap_ < (size_t)(n); cap_++) {                                \
			uint8_t *o_ = malloc(cap_ ? cap_ : 1);                                     \
			size_t cap = cap_;                                                         \
			uint8_t *out = o_;                                                         \
			assert_int_equal(call_with_cap, PL_ESPACE);                                \
			free(o_);                                                                  \
		}                                                                                  \
	} while (0)

static void test_write_request(void **state)
{
	(void)state;
	uint8_t buf[256];
	struct pl_stun_msg m;

	for (int uc = 0; uc < 2; uc++) {
		memset(buf, 0xaa, sizeof buf); /* the padding must be written, not left */
		int n = pl_stun_write_request(buf, sizeof buf, rfc_tid, "evtj:h6vY", 0x6e0001ff,
		                              0x932ff9b151263b36ull, uc, RFC_KEY, RFC_KEY_LEN);
		/* header, USERNAME 4+12, PRIORITY 8, ICE-CONTROLLING 12, (USE-CANDIDATE 4), MI 24,
		 * FINGERPRINT 8 */
		assert_int_equal(n, 20 + 16 + 8 + 12 + (uc ? 4 : 0) + 24 + 8);
		check_written(buf, n, RFC_KEY, RFC_KEY_LEN, &m);
		assert_int_equal(m.type, PL_STUN_BINDING_REQUEST);
		assert_int_equal(m.username_len, 9);
		assert_memory_equal(m.username, "evtj:h6vY", 9);
		assert_true(all_zero(buf + 20 + 4 + 9, 3)); /* padding */
		assert_true(m.has_priority);
		assert_int_equal(m.priority, 0x6e0001ff);
		assert_true(m.ice_controlling);
		assert_false(m.ice_controlled);
		assert_true(m.tiebreaker == 0x932ff9b151263b36ull);
		assert_int_equal(m.use_candidate, uc);
		CHECK_SPACE(pl_stun_write_request(out, cap, rfc_tid, "evtj:h6vY", 0x6e0001ff,
		                                  0x932ff9b151263b36ull, uc, RFC_KEY, RFC_KEY_LEN),
		            n);
	}
	/* Without USERNAME and without a key. */
	int n = pl_stun_write_request(buf, sizeof buf, rfc_tid, NULL, 7, 8, false, NULL, 0);
	assert_int_equal(n, 20 + 8 + 12 + 8);
	check_written(buf, n, NULL, 0, &m);
	assert_null(m.username);
}

static void test_write_success_v4(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct sockaddr_in in, got;
	struct pl_stun_msg m;

	memset(&in, 0, sizeof in);
	in.sin_family = AF_INET;
	in.sin_port = htons(32853);
	in.sin_addr.s_addr = htonl(0xc0000201);
	int n = pl_stun_write_success(buf, sizeof buf, rfc_tid, (struct sockaddr *)&in, RFC_KEY,
	                              RFC_KEY_LEN);
	assert_int_equal(n, 20 + 12 + 24 + 8);
	check_written(buf, n, RFC_KEY, RFC_KEY_LEN, &m);
	assert_int_equal(m.type, PL_STUN_BINDING_SUCCESS);
	/* The same XOR-MAPPED-ADDRESS bytes as RFC 5769 section 2.2. */
	assert_memory_equal(buf + 20, rfc_response_v4 + 36, 12);
	assert_int_equal(m.mapped.ss_family, AF_INET);
	memcpy(&got, &m.mapped, sizeof got);
	assert_int_equal(got.sin_port, in.sin_port);
	assert_int_equal(got.sin_addr.s_addr, in.sin_addr.s_addr);
	CHECK_SPACE(
	    pl_stun_write_success(out, cap, rfc_tid, (struct sockaddr *)&in, RFC_KEY, RFC_KEY_LEN),
	    n);
	/* An IPv4-mapped IPv6 address is answered as the IPv4 address it is. */
	struct sockaddr_in6 mapped6;
	memset(&mapped6, 0, sizeof mapped6);
	mapped6.sin6_family = AF_INET6;
	mapped6.sin6_port = htons(4000);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:198.51.100.7", &mapped6.sin6_addr), 1);
	n = pl_stun_write_success(buf, sizeof buf, rfc_tid, (struct sockaddr *)&mapped6, RFC_KEY,
	                          RFC_KEY_LEN);
	assert_int_equal(n, 20 + 12 + 24 + 8);
	check_written(buf, n, RFC_KEY, RFC_KEY_LEN, &m);
	assert_int_equal(m.mapped.ss_family, AF_INET);
	memcpy(&got, &m.mapped, sizeof got);
	assert_int_equal(ntohs(got.sin_port), 4000);
	assert_int_equal(ntohl(got.sin_addr.s_addr), 0xc6336407);
	/* Other families are refused. */
	struct sockaddr_storage un;
	memset(&un, 0, sizeof un);
	un.ss_family = AF_UNIX;
	assert_int_equal(pl_stun_write_success(buf, sizeof buf, rfc_tid, (struct sockaddr *)&un,
	                                       RFC_KEY, RFC_KEY_LEN),
	                 PL_EINVAL);
}

static void test_write_success_v6(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct sockaddr_storage ss;
	struct sockaddr_in6 in6, got;
	struct pl_stun_msg m;

	memset(&ss, 0, sizeof ss);
	memset(&in6, 0, sizeof in6);
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(32853);
	assert_int_equal(
	    inet_pton(AF_INET6, "2001:db8:1234:5678:11:2233:4455:6677", &in6.sin6_addr), 1);
	memcpy(&ss, &in6, sizeof in6);
	int n = pl_stun_write_success(buf, sizeof buf, rfc_tid, (struct sockaddr *)&ss, RFC_KEY,
	                              RFC_KEY_LEN);
	assert_int_equal(n, 20 + 24 + 24 + 8);
	check_written(buf, n, RFC_KEY, RFC_KEY_LEN, &m);
	assert_memory_equal(buf + 20, rfc_response_v6 + 36, 24); /* as RFC 5769 section 2.3 */
	assert_int_equal(m.mapped.ss_family, AF_INET6);
	memcpy(&got, &m.mapped, sizeof got);
	assert_int_equal(got.sin6_port, in6.sin6_port);
	assert_memory_equal(&got.sin6_addr, &in6.sin6_addr, 16);
	CHECK_SPACE(
	    pl_stun_write_success(out, cap, rfc_tid, (struct sockaddr *)&ss, RFC_KEY, RFC_KEY_LEN),
	    n);
	/* Without a key: no MESSAGE-INTEGRITY. */
	n = pl_stun_write_success(buf, sizeof buf, rfc_tid, (struct sockaddr *)&ss, NULL, 0);
	assert_int_equal(n, 20 + 24 + 8);
	check_written(buf, n, NULL, 0, &m);
	assert_int_equal(pl_stun_check_integrity(buf, (size_t)n, &m, RFC_KEY, RFC_KEY_LEN),
	                 PL_EAUTH);
}

static void test_write_error(void **state)
{
	(void)state;
	static const uint16_t unknown[] = {0x001c, 0x0003, 0x7fff};
	static uint8_t buf[2 * PL_STUN_MAX_MESSAGE];
	struct pl_stun_msg m;

	memset(buf, 0xaa, sizeof buf);
	int n = pl_stun_write_error(buf, sizeof buf, rfc_tid, 420, "Unknown Attribute", unknown, 3,
	                            RFC_KEY, RFC_KEY_LEN);
	/* ERROR-CODE 4+4+17 (+3 padding), UNKNOWN-ATTRIBUTES 4+6 (+2), MI 24, FINGERPRINT 8 */
	assert_int_equal(n, 20 + 28 + 12 + 24 + 8);
	check_written(buf, n, RFC_KEY, RFC_KEY_LEN, &m);
	assert_int_equal(m.type, PL_STUN_BINDING_ERROR);
	assert_int_equal(m.error_code, 420);
	assert_int_equal(m.n_unknown, 0);
	assert_memory_equal(buf + 20, "\x00\x09\x00\x15\x00\x00\x04\x14Unknown Attribute\0\0\0",
	                    28);
	size_t at = find_attr(buf, (size_t)n, 0x000a);
	assert_int_equal(at, 48);
	assert_memory_equal(buf + at, "\x00\x0a\x00\x06\x00\x1c\x00\x03\x7f\xff\x00\x00", 12);
	CHECK_SPACE(pl_stun_write_error(out, cap, rfc_tid, 420, "Unknown Attribute", unknown, 3,
	                                RFC_KEY, RFC_KEY_LEN),
	            n);
	/* UNKNOWN-ATTRIBUTES only with 420. */
	n = pl_stun_write_error(buf, sizeof buf, rfc_tid, 400, "Bad Request", unknown, 3, RFC_KEY,
	                        RFC_KEY_LEN);
	check_written(buf, n, RFC_KEY, RFC_KEY_LEN, &m);
	assert_int_equal(m.error_code, 400);
	assert_int_equal(find_attr(buf, (size_t)n, 0x000a), 0);
	/* 487 without a key, no reason; the edges of the code range. */
	n = pl_stun_write_error(buf, sizeof buf, rfc_tid, 487, NULL, NULL, 0, NULL, 0);
	assert_int_equal(n, 20 + 8 + 8);
	check_written(buf, n, NULL, 0, &m);
	assert_int_equal(m.error_code, 487);
	for (int code = 300; code <= 699; code += 399) {
		n = pl_stun_write_error(buf, sizeof buf, rfc_tid, code, "x", NULL, 0, NULL, 0);
		check_written(buf, n, NULL, 0, &m);
		assert_int_equal(m.error_code, code);
	}
	assert_int_equal(pl_stun_write_error(buf, sizeof buf, rfc_tid, 299, "x", NULL, 0, NULL, 0),
	                 PL_EINVAL);
	assert_int_equal(pl_stun_write_error(buf, sizeof buf, rfc_tid, 700, "x", NULL, 0, NULL, 0),
	                 PL_EINVAL);
	/* The longest reason fits; one byte more does not; nothing goes past
	 * PL_STUN_MAX_MESSAGE even when cap would allow it. */
	char reason[765];
	memset(reason, 'r', sizeof reason);
	reason[763] = '\0';
	n = pl_stun_write_error(buf, sizeof buf, rfc_tid, 500, reason, NULL, 0, RFC_KEY,
	                        RFC_KEY_LEN);
	check_written(buf, n, RFC_KEY, RFC_KEY_LEN, &m);
	assert_int_equal(m.error_code, 500);
	reason[763] = 'r';
	reason[764] = '\0';
	assert_int_equal(pl_stun_write_error(buf, sizeof buf, rfc_tid, 500, reason, NULL, 0,
	                                     RFC_KEY, RFC_KEY_LEN),
	                 PL_EINVAL);
	uint16_t many[640];
	for (size_t i = 0; i < 640; i++)
		many[i] = (uint16_t)i;
	n = pl_stun_write_error(buf, sizeof buf, rfc_tid, 420, "x", many, 600, RFC_KEY,
	                        RFC_KEY_LEN);
	check_written(buf, n, RFC_KEY, RFC_KEY_LEN, &m);
	assert_int_equal(pl_stun_write_error(buf, sizeof buf, rfc_tid, 420, "x", many, 640, RFC_KEY,
	                                     RFC_KEY_LEN),
	                 PL_ESPACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_request),
	    cmocka_unit_test(test_write_success_v4),
	    cmocka_unit_test(test_write_success_v6),
	    cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
