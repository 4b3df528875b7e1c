/* STUN Binding codec (media/stun.c): RFC 5769 test vectors and hostile input. Writer round
 * trips are in test_stun_write.c; both use tests/unit/stun_fixture.h. */
#include "stun_fixture.h"

/* --- RFC 5769 ----------------------------------------------------------------------------- */

static void test_rfc5769_request(void **state)
{
	(void)state;
	struct pl_stun_msg m;

	assert_true(pl_stun_is_stun(rfc_request, sizeof rfc_request));
	assert_int_equal(parse_copy(rfc_request, sizeof rfc_request, &m), 0);
	assert_int_equal(pl_stun_parse(rfc_request, sizeof rfc_request, &m), 0);
	assert_int_equal(m.type, PL_STUN_BINDING_REQUEST);
	assert_memory_equal(m.tid, rfc_tid, 12);
	assert_int_equal(m.username_len, 9);
	assert_memory_equal(m.username, "evtj:h6vY", 9);
	assert_true(m.has_priority);
	assert_int_equal(m.priority, 0x6e0001ff);
	assert_true(m.ice_controlled);
	assert_false(m.ice_controlling);
	assert_false(m.use_candidate);
	assert_true(m.tiebreaker == 0x932ff9b151263b36ull);
	assert_int_equal(m.integrity_at, 76);
	assert_int_equal(m.fingerprint_at, 100);
	assert_int_equal(m.mapped.ss_family, 0);
	assert_int_equal(m.error_code, 0);
	assert_int_equal(m.n_unknown, 0);
	assert_int_equal(
	    pl_stun_check_integrity(rfc_request, sizeof rfc_request, &m, RFC_KEY, RFC_KEY_LEN), 0);
	/* A near miss of the password: one character off, a trailing space, one character short. */
	assert_int_equal(pl_stun_check_integrity(rfc_request, sizeof rfc_request, &m,
	                                         (const uint8_t *)"VOkJxbRl1RmTxUk/WvJxBu", 22),
	                 PL_EAUTH);
	assert_int_equal(pl_stun_check_integrity(rfc_request, sizeof rfc_request, &m,
	                                         (const uint8_t *)"VOkJxbRl1RmTxUk/WvJxBt ", 23),
	                 PL_EAUTH);
	assert_int_equal(
	    pl_stun_check_integrity(rfc_request, sizeof rfc_request, &m, RFC_KEY, RFC_KEY_LEN - 1),
	    PL_EAUTH);
}

static void check_rfc_response(const uint8_t *buf, size_t len, struct pl_stun_msg *m)
{
	assert_true(pl_stun_is_stun(buf, len));
	assert_int_equal(parse_copy(buf, len, m), 0);
	assert_int_equal(m->type, PL_STUN_BINDING_SUCCESS);
	assert_memory_equal(m->tid, rfc_tid, 12);
	assert_null(m->username);
	assert_false(m->has_priority);
	assert_int_equal(m->n_unknown, 0);
	assert_int_equal(m->fingerprint_at, len - 8);
	assert_int_equal(m->integrity_at, len - 32);
	assert_int_equal(pl_stun_check_integrity(buf, len, m, RFC_KEY, RFC_KEY_LEN), 0);
	assert_int_equal(pl_stun_check_integrity(buf, len, m, (const uint8_t *)"x", 1), PL_EAUTH);
}

static void test_rfc5769_response_v4(void **state)
{
	(void)state;
	struct pl_stun_msg m;
	struct sockaddr_in sin;

	check_rfc_response(rfc_response_v4, sizeof rfc_response_v4, &m);
	assert_int_equal(m.mapped.ss_family, AF_INET);
	memcpy(&sin, &m.mapped, sizeof sin);
	assert_int_equal(ntohs(sin.sin_port), 32853);
	assert_int_equal(ntohl(sin.sin_addr.s_addr), 0xc0000201); /* 192.0.2.1 */
}

static void test_rfc5769_response_v6(void **state)
{
	(void)state;
	struct pl_stun_msg m;
	struct sockaddr_in6 sin6;
	struct in6_addr want;

	check_rfc_response(rfc_response_v6, sizeof rfc_response_v6, &m);
	assert_int_equal(m.mapped.ss_family, AF_INET6);
	memcpy(&sin6, &m.mapped, sizeof sin6);
	assert_int_equal(ntohs(sin6.sin6_port), 32853);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1234:5678:11:2233:4455:6677", &want), 1);
	assert_memory_equal(&sin6.sin6_addr, &want, 16);
}

/* --- hostile input ------------------------------------------------------------------------ */

static void test_is_stun(void **state)
{
	(void)state;
	uint8_t b[sizeof rfc_request];

	assert_false(pl_stun_is_stun(rfc_request, 19));
	assert_false(pl_stun_is_stun(rfc_request, sizeof rfc_request - 4));
	memcpy(b, rfc_request, sizeof b);
	b[0] = 0x40;
	assert_false(pl_stun_is_stun(b, sizeof b));
	memcpy(b, rfc_request, sizeof b);
	b[4] = 0x20;
	assert_false(pl_stun_is_stun(b, sizeof b));
	memcpy(b, rfc_request, sizeof b);
	b[3] = 0x59;
	assert_false(pl_stun_is_stun(b, sizeof b));
	assert_false(pl_stun_is_stun((const uint8_t *)"\x80\x60\x00\x01", 4)); /* RTP */
}

/* Every prefix fails as it is. With the header length patched to the prefix, a cut inside an
 * attribute is PL_ETRUNC and a cut between two is a shorter valid message; cut right after
 * MESSAGE-INTEGRITY it still passes the integrity check (FINGERPRINT is not covered). */
static void check_truncations(const uint8_t *fx, size_t len, const size_t *bounds, size_t nb)
{
	struct pl_stun_msg m;
	uint8_t b[256];

	assert_true(len <= sizeof b);
	for (size_t n = 0; n < len; n++) {
		assert_true(parse_copy(fx, n, &m) < 0);
		assert_true(all_zero(&m, sizeof m));
		if (n < 20 || (n - 20) % 4 != 0)
			continue;
		memcpy(b, fx, n);
		wr16(b + 2, n - 20);
		bool boundary = false;
		for (size_t i = 0; i < nb; i++)
			boundary = boundary || bounds[i] == n;
		if (!boundary) {
			assert_int_equal(parse_copy(b, n, &m), PL_ETRUNC);
			continue;
		}
		assert_int_equal(parse_copy(b, n, &m), 0);
		assert_int_equal(m.fingerprint_at, 0);
		if (n == len - 8)
			assert_int_equal(pl_stun_check_integrity(b, n, &m, RFC_KEY, RFC_KEY_LEN),
			                 0);
		else
			assert_int_equal(pl_stun_check_integrity(b, n, &m, RFC_KEY, RFC_KEY_LEN),
			                 PL_EAUTH);
	}
}

static void test_truncated(void **state)
{
	(void)state;
	static const size_t req[] = {20, 40, 48, 60, 76, 100};
	static const size_t v4[] = {20, 36, 48, 72};
	static const size_t v6[] = {20, 36, 60, 84};

	check_truncations(rfc_request, sizeof rfc_request, req, 6);
	check_truncations(rfc_response_v4, sizeof rfc_response_v4, v4, 4);
	check_truncations(rfc_response_v6, sizeof rfc_response_v6, v6, 4);
}

/* On a message without FINGERPRINT, so that each header check is what refuses it. */
static void test_header(void **state)
{
	(void)state;
	uint8_t b[64];
	struct pl_stun_msg m;
	struct mb base;

	mb_init(&base, PL_STUN_BINDING_REQUEST);
	mb_attr(&base, 0x0006, "a:b", 3);
	mb_attr(&base, 0x0024, "\0\0\0\1", 4);
	const size_t n = base.len;
	assert_true(n + 4 <= sizeof b);
	assert_int_equal(parse_copy(base.b, n, &m), 0);
	memcpy(b, base.b, n);
	wr16(b + 2, n - 20 + 4); /* says more than there is */
	assert_int_equal(parse_copy(b, n, &m), PL_ETRUNC);
	wr16(b + 2, n - 20 - 4); /* says less */
	assert_int_equal(parse_copy(b, n, &m), PL_EINVAL);
	wr16(b + 2, n - 20 + 2); /* not a multiple of 4 */
	assert_int_equal(parse_copy(b, n, &m), PL_EINVAL);
	wr16(b + 2, 0xffff);
	assert_int_equal(parse_copy(b, n, &m), PL_EINVAL);
	wr16(b + 2, 0xfffc);
	assert_int_equal(parse_copy(b, n, &m), PL_ETRUNC);
	memcpy(b, base.b, n);
	memset(b + n, 0, 4); /* trailing bytes after a complete message */
	assert_int_equal(parse_copy(b, n + 4, &m), PL_EINVAL);
	for (int bit = 6; bit < 8; bit++) { /* top two bits of the type */
		memcpy(b, base.b, n);
		b[0] |= (uint8_t)(1u << bit);
		assert_int_equal(parse_copy(b, n, &m), PL_EINVAL);
	}
	memcpy(b, base.b, n);
	b[0] = 0x3f; /* any other method and class is the caller's to refuse */
	b[1] = 0xff;
	assert_int_equal(parse_copy(b, n, &m), 0);
	assert_int_equal(m.type, 0x3fff);
	for (size_t i = 4; i < 8; i++) { /* magic cookie */
		memcpy(b, base.b, n);
		b[i] ^= 0x10;
		assert_int_equal(parse_copy(b, n, &m), PL_EINVAL);
	}
	/* A message of exactly PL_STUN_MAX_MESSAGE bytes parses; 4 bytes more do not. */
	struct mb big;
	static uint8_t filler[PL_STUN_MAX_MESSAGE];
	mb_init(&big, PL_STUN_BINDING_REQUEST);
	mb_attr(&big, 0x8022, filler, PL_STUN_MAX_MESSAGE - 24);
	assert_int_equal(big.len, PL_STUN_MAX_MESSAGE);
	assert_int_equal(parse_copy(big.b, big.len, &m), 0);
	mb_attr(&big, 0x0025, NULL, 0);
	assert_int_equal(parse_copy(big.b, big.len, &m), PL_ELIMIT);
}

static void test_attr_past_end(void **state)
{
	(void)state;
	struct pl_stun_msg m;
	struct mb b;
	uint8_t v[12] = {0};

	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_raw(&b, 0x0006, 100, v, 12); /* USERNAME says 100 bytes, 12 follow */
	assert_int_equal(parse_copy(b.b, b.len, &m), PL_ETRUNC);
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_raw(&b, 0x0006, 13, v, 12); /* 13 bytes need 16 with padding */
	assert_int_equal(parse_copy(b.b, b.len, &m), PL_ETRUNC);
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_raw(&b, 0x8022, 0xffff, v, 12); /* an optional one too */
	assert_int_equal(parse_copy(b.b, b.len, &m), PL_ETRUNC);
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_attr(&b, 0x0025, NULL, 0);
	mb_raw(&b, 0x0024, 4, v, 0); /* PRIORITY header with its value cut off */
	assert_int_equal(parse_copy(b.b, b.len, &m), PL_ETRUNC);
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_raw(&b, 0x0006, 9, v, 9); /* padding present: fine */
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	assert_int_equal(m.username_len, 9);
	/* The padding's content is ignored (RFC 8489 section 14). */
	b.b[20 + 4 + 9] = 0xff;
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
}

static void test_too_many_attrs(void **state)
{
	(void)state;
	struct pl_stun_msg m;
	struct mb b;

	mb_init(&b, PL_STUN_BINDING_REQUEST);
	for (int i = 0; i < PL_STUN_MAX_ATTRS; i++)
		mb_attr(&b, 0x0025, NULL, 0);
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	assert_true(m.use_candidate);
	mb_attr(&b, 0xc057, "ab", 2);
	assert_int_equal(parse_copy(b.b, b.len, &m), PL_ELIMIT);
	/* Those after MESSAGE-INTEGRITY count too. */
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_integrity(&b, RFC_KEY, RFC_KEY_LEN);
	for (int i = 1; i < PL_STUN_MAX_ATTRS; i++)
		mb_attr(&b, 0x8022, "x", 1);
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	mb_attr(&b, 0x8022, "x", 1);
	assert_int_equal(parse_copy(b.b, b.len, &m), PL_ELIMIT);
}

static void test_fingerprint(void **state)
{
	(void)state;
	uint8_t b[sizeof rfc_request];
	const size_t n = sizeof rfc_request;
	struct pl_stun_msg m;
	struct mb mb;

	for (size_t bit = 0; bit < 32; bit++) {
		memcpy(b, rfc_request, n);
		b[n - 4 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(parse_copy(b, n, &m), PL_EINVAL);
	}
	/* Not last, though right for the whole message's length: USE-CANDIDATE after it, then
	 * a second FINGERPRINT. The same without the trailing attribute parses. */
	mb_init(&mb, PL_STUN_BINDING_REQUEST);
	mb_fingerprint(&mb);
	assert_int_equal(parse_copy(mb.b, mb.len, &m), 0);
	assert_int_equal(m.fingerprint_at, 20);
	mb_init(&mb, PL_STUN_BINDING_REQUEST);
	mb_fingerprint_before(&mb, 4);
	mb_attr(&mb, 0x0025, NULL, 0);
	assert_int_equal(parse_copy(mb.b, mb.len, &m), PL_EINVAL);
	mb_init(&mb, PL_STUN_BINDING_REQUEST);
	mb_fingerprint_before(&mb, 8);
	mb_fingerprint(&mb);
	assert_int_equal(parse_copy(mb.b, mb.len, &m), PL_EINVAL);
	/* Wrong size, though its first 4 bytes are right. */
	uint8_t v[8] = {0};
	mb_init(&mb, PL_STUN_BINDING_REQUEST);
	wr16(mb.b + 2, 12);
	wr32(v, ref_crc32(mb.b, 20) ^ 0x5354554eu);
	mb_attr(&mb, 0x8028, v, 8);
	assert_int_equal(parse_copy(mb.b, mb.len, &m), PL_EINVAL);
	/* Before MESSAGE-INTEGRITY. */
	mb_init(&mb, PL_STUN_BINDING_REQUEST);
	mb_fingerprint_before(&mb, 24);
	mb_integrity(&mb, RFC_KEY, RFC_KEY_LEN);
	assert_int_equal(parse_copy(mb.b, mb.len, &m), PL_EINVAL);
}

static void test_integrity_keys(void **state)
{
	(void)state;
	struct pl_stun_msg m;
	struct mb b;

	assert_int_equal(pl_stun_parse(rfc_request, sizeof rfc_request, &m), 0);
	assert_int_equal(pl_stun_check_integrity(rfc_request, sizeof rfc_request, &m, NULL, 0),
	                 PL_EAUTH);
	assert_int_equal(
	    pl_stun_check_integrity(rfc_request, sizeof rfc_request, &m, (const uint8_t *)"", 0),
	    PL_EAUTH);
	/* A view that does not describe the buffer is refused, not read past. */
	struct pl_stun_msg bad = m;
	bad.integrity_at = sizeof rfc_request - 20;
	assert_int_equal(
	    pl_stun_check_integrity(rfc_request, sizeof rfc_request, &bad, RFC_KEY, RFC_KEY_LEN),
	    PL_EAUTH);
	/* An attribute that holds the right HMAC but is not MESSAGE-INTEGRITY. */
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_integrity_as(&b, 0x8022, RFC_KEY, RFC_KEY_LEN);
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	bad = m;
	bad.integrity_at = 20;
	assert_int_equal(pl_stun_check_integrity(b.b, b.len, &bad, RFC_KEY, RFC_KEY_LEN), PL_EAUTH);
	wr16(b.b + 20, 0x0008); /* the same bytes as MESSAGE-INTEGRITY pass */
	assert_int_equal(pl_stun_check_integrity(b.b, b.len, &bad, RFC_KEY, RFC_KEY_LEN), 0);
	/* Absent. */
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_attr(&b, 0x0006, "a:b", 3);
	mb_fingerprint(&b);
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	assert_int_equal(m.integrity_at, 0);
	assert_int_equal(pl_stun_check_integrity(b.b, b.len, &m, RFC_KEY, RFC_KEY_LEN), PL_EAUTH);
	/* An empty key is a key. */
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_integrity(&b, "", 0);
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	assert_int_equal(pl_stun_check_integrity(b.b, b.len, &m, (const uint8_t *)"", 0), 0);
	assert_int_equal(pl_stun_check_integrity(b.b, b.len, &m, NULL, 0), 0);
	assert_int_equal(pl_stun_check_integrity(b.b, b.len, &m, RFC_KEY, RFC_KEY_LEN), PL_EAUTH);
	/* MESSAGE-INTEGRITY of the wrong size. */
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_attr(&b, 0x0008, "0123456789abcdef", 16);
	assert_int_equal(parse_copy(b.b, b.len, &m), PL_EINVAL);
}

/* Every single bit flipped before FINGERPRINT, with FINGERPRINT made right again: the message
 * either no longer parses or fails the integrity check. Most flips must parse (else the
 * integrity check would not be what is tested). */
static void check_bit_flips(const uint8_t *fx, size_t len)
{
	struct pl_stun_msg m;
	uint8_t b[256];
	size_t parsed = 0, fp = len - 8;

	assert_true(len <= sizeof b);
	for (size_t bit = 0; bit < fp * 8; bit++) {
		memcpy(b, fx, len);
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		wr32(b + fp + 4, ref_crc32(b, fp) ^ 0x5354554eu);
		if (parse_copy(b, len, &m) != 0)
			continue;
		parsed++;
		assert_int_equal(pl_stun_check_integrity(b, len, &m, RFC_KEY, RFC_KEY_LEN),
		                 PL_EAUTH);
	}
	assert_true(parsed > fp * 8 / 2);
}

static void test_integrity_bit_flips(void **state)
{
	(void)state;
	check_bit_flips(rfc_request, sizeof rfc_request);
	check_bit_flips(rfc_response_v4, sizeof rfc_response_v4);
	check_bit_flips(rfc_response_v6, sizeof rfc_response_v6);
}

static void test_username_limit(void **state)
{
	(void)state;
	static uint8_t name[PL_STUN_MAX_USERNAME + 1];
	static uint8_t out[PL_STUN_MAX_MESSAGE];
	struct pl_stun_msg m;
	struct mb b;
	char s[PL_STUN_MAX_USERNAME + 1];

	memset(name, 'u', sizeof name);
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_attr(&b, 0x0006, name, PL_STUN_MAX_USERNAME - 1);
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	assert_int_equal(m.username_len, PL_STUN_MAX_USERNAME - 1);
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_attr(&b, 0x0006, name, PL_STUN_MAX_USERNAME);
	assert_int_equal(parse_copy(b.b, b.len, &m), PL_ELIMIT);
	/* The writer keeps to the same limit. */
	memset(s, 'u', sizeof s);
	s[PL_STUN_MAX_USERNAME - 1] = '\0';
	int n =
	    pl_stun_write_request(out, sizeof out, rfc_tid, s, 1, 2, false, RFC_KEY, RFC_KEY_LEN);
	assert_true(n > 0);
	assert_int_equal(pl_stun_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.username_len, PL_STUN_MAX_USERNAME - 1);
	s[PL_STUN_MAX_USERNAME - 1] = 'u';
	s[PL_STUN_MAX_USERNAME] = '\0';
	assert_int_equal(
	    pl_stun_write_request(out, sizeof out, rfc_tid, s, 1, 2, false, RFC_KEY, RFC_KEY_LEN),
	    PL_EINVAL);
}

static void test_unknown_attrs(void **state)
{
	(void)state;
	static const uint16_t required[] = {0x001c, 0x0003, 0x7fff, 0x0014, 0x0015,
	                                    0x001d, 0x001e, 0x0100, 0x0200, 0x0300};
	struct pl_stun_msg m;
	struct mb b;

	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_attr(&b, 0x001c, "0123456789abcdef0123456789abcdef", 32); /* MI-SHA256 */
	mb_attr(&b, 0xc057, "\0\1\0\0", 4);                          /* optional: skipped */
	mb_attr(&b, 0x0003, "\0\0\0\0", 4);
	mb_attr(&b, 0x8022, "software", 8);
	mb_attr(&b, 0x7fff, NULL, 0);
	mb_attr(&b, 0x0001, "\0\1\0\1\1\2\3\4", 8); /* MAPPED-ADDRESS: known */
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	assert_int_equal(m.n_unknown, 3);
	assert_int_equal(m.unknown[0], 0x001c);
	assert_int_equal(m.unknown[1], 0x0003);
	assert_int_equal(m.unknown[2], 0x7fff);
	/* More than fit: all counted, the first 8 kept. */
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	for (size_t i = 0; i < 10; i++)
		mb_attr(&b, required[i], "x", 1);
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	assert_int_equal(m.n_unknown, 10);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(m.unknown[i], required[i]);
	/* After MESSAGE-INTEGRITY they are not looked at. */
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_attr(&b, 0x0003, NULL, 0);
	mb_integrity(&b, RFC_KEY, RFC_KEY_LEN);
	mb_attr(&b, 0x0004, NULL, 0);
	mb_fingerprint(&b);
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	assert_int_equal(m.n_unknown, 1);
	assert_int_equal(m.unknown[0], 0x0003);
}

static void test_after_integrity_ignored(void **state)
{
	(void)state;
	struct pl_stun_msg m;
	struct mb b;

	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_attr(&b, 0x0006, "a:b", 3);
	mb_integrity(&b, RFC_KEY, RFC_KEY_LEN);
	mb_attr(&b, 0x0006, "evil:x", 6);
	mb_attr(&b, 0x0024, "\1\2\3\4", 4);
	mb_attr(&b, 0x0025, NULL, 0);
	mb_attr(&b, 0x802a, "\1\2\3\4\5\6\7\10", 8);
	mb_attr(&b, 0x0024, "\1\2\3\4\5", 5); /* wrong size, but ignored */
	mb_fingerprint(&b);
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	assert_int_equal(pl_stun_parse(b.b, b.len, &m), 0);
	assert_int_equal(m.username_len, 3);
	assert_memory_equal(m.username, "a:b", 3);
	assert_false(m.has_priority);
	assert_false(m.use_candidate);
	assert_false(m.ice_controlling);
	assert_int_equal(m.integrity_at, 28);
	assert_int_equal(m.fingerprint_at, b.len - 8);
	assert_int_equal(pl_stun_check_integrity(b.b, b.len, &m, RFC_KEY, RFC_KEY_LEN), 0);
	/* Of repeated attributes before it, the first counts. */
	mb_init(&b, PL_STUN_BINDING_REQUEST);
	mb_attr(&b, 0x0006, "first", 5);
	mb_attr(&b, 0x0006, "second", 6);
	mb_attr(&b, 0x0024, "\0\0\0\1", 4);
	mb_attr(&b, 0x0024, "\0\0\0\2", 4);
	mb_attr(&b, 0x0009, "\0\0\4\1", 4);
	mb_attr(&b, 0x0009, "\0\0\5\2", 4);
	mb_attr(&b, 0x0020, "\0\1\0\0\0\0\0\0", 8);
	mb_attr(&b, 0x0020, "\0\2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
	mb_attr(&b, 0x8029, "\0\0\0\0\0\0\0\3", 8);
	mb_attr(&b, 0x802a, "\0\0\0\0\0\0\0\4", 8);
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	assert_int_equal(pl_stun_parse(b.b, b.len, &m), 0);
	assert_int_equal(m.username_len, 5);
	assert_memory_equal(m.username, "first", 5);
	assert_int_equal(m.priority, 1);
	assert_int_equal(m.error_code, 401);
	assert_int_equal(m.mapped.ss_family, AF_INET);
	assert_true(m.ice_controlled && m.ice_controlling);
	assert_true(m.tiebreaker == 3);
}

static void test_known_attr_sizes(void **state)
{
	(void)state;
	static const struct {
		uint16_t type;
		const char *v;
		size_t n;
		int want;
	} cases[] = {
	    {0x0024, "\1\2\3\4\5\6\7\10", 8, PL_EINVAL},         /* PRIORITY */
	    {0x0024, "\1\2\3", 3, PL_EINVAL},                    /* PRIORITY */
	    {0x0025, "\0\0\0\0", 4, PL_EINVAL},                  /* USE-CANDIDATE */
	    {0x8029, "\0\0\0\0", 4, PL_EINVAL},                  /* ICE-CONTROLLED */
	    {0x802a, "\0\0\0\0\0\0\0\0\0\0\0\0", 12, PL_EINVAL}, /* ICE-CONTROLLING */
	    {0x0020, "\0\1\0\0\0\0\0\0\0\0\0\0", 12, PL_EINVAL}, /* XOR-MAPPED v4 */
	    {0x0020, "\0\3\0\0\0\0\0\0", 8, PL_EINVAL},          /* family 3 */
	    {0x0020, "\0\2\0\0\0\0\0\0", 8, PL_EINVAL},          /* v6 in 8 bytes */
	    {0x0020, "\0\1", 2, PL_EINVAL},                      /* XOR-MAPPED, short */
	    /* Short and last: nothing after its 0 bytes may be read (ASan sees it; fuzz_stun's
	     * first finding, tests/fuzz/crashers/fuzz_stun/). */
	    {0x0020, "", 0, PL_EINVAL},
	    {0x0001, "\0\1\0\0", 4, PL_EINVAL},            /* MAPPED-ADDRESS */
	    {0x0009, "\0\0\2\0", 4, PL_EINVAL},            /* ERROR-CODE 200 */
	    {0x0009, "\0\0\7\0", 4, PL_EINVAL},            /* 700 */
	    {0x0009, "\0\0\4\144", 4, PL_EINVAL},          /* 4xx, number 100 */
	    {0x0009, "\0\0\4", 3, PL_EINVAL},              /* too short */
	    {0x000a, "\0\1\0", 3, PL_EINVAL},              /* UNKNOWN-ATTRIBUTES */
	    {0x0009, "\0\0\4\33Unknown Attribute", 21, 0}, /* 427 */
	    {0x000a, "\0\1\0\2", 4, 0},                    /* UNKNOWN-ATTRIBUTES */
	    {0x0020, "\0\1\0\0\0\0\0\0", 8, 0},            /* XOR-MAPPED v4 */
	};
	struct pl_stun_msg m;
	struct mb b;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mb_init(&b, PL_STUN_BINDING_ERROR);
		mb_attr(&b, cases[i].type, cases[i].v, cases[i].n);
		assert_int_equal(parse_copy(b.b, b.len, &m), cases[i].want);
	}
	mb_init(&b, PL_STUN_BINDING_ERROR);
	mb_attr(&b, 0x0009, "\0\0\4\33Unknown", 11);
	assert_int_equal(parse_copy(b.b, b.len, &m), 0);
	assert_int_equal(m.error_code, 427);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc5769_request),
	    cmocka_unit_test(test_rfc5769_response_v4),
	    cmocka_unit_test(test_rfc5769_response_v6),
	    cmocka_unit_test(test_is_stun),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_attr_past_end),
	    cmocka_unit_test(test_too_many_attrs),
	    cmocka_unit_test(test_fingerprint),
	    cmocka_unit_test(test_integrity_keys),
	    cmocka_unit_test(test_integrity_bit_flips),
	    cmocka_unit_test(test_username_limit),
	    cmocka_unit_test(test_unknown_attrs),
	    cmocka_unit_test(test_after_integrity_ignored),
	    cmocka_unit_test(test_known_attr_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
