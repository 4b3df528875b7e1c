/* Unit tests for server/ip_addr.c: address literals (accepted, refused, normalised as GIO's
 * GInetAddress wrote them before), IPv4-mapped addresses, CIDR parsing with its three kinds of
 * error, formatting, and prefix matching at the byte and bit boundaries. */
#include "server/ip_addr.h"

#include "media/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static void test_parse_normalise(void **state)
{
	static const struct {
		const char *in, *out;
		int family;
	} cases[] = {
	    {"192.0.2.10", "192.0.2.10", AF_INET},
	    {"0.0.0.0", "0.0.0.0", AF_INET},
	    {"255.255.255.255", "255.255.255.255", AF_INET},
	    {"2001:DB8::10", "2001:db8::10", AF_INET6},
	    {"2001:db8:0:0::5", "2001:db8::5", AF_INET6},
	    {"0:0:0:0:0:0:0:1", "::1", AF_INET6},
	    {"::", "::", AF_INET6},
	    {"FFFF::", "ffff::", AF_INET6},
	    /* RFC 5952 section 4.2.3: the longest run of zero groups is shortened. */
	    {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1", AF_INET6},
	    {"2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1", AF_INET6},
	    {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", AF_INET6},
	    {"::ffff:1.2.3.4", "::ffff:1.2.3.4", AF_INET6},
	    {"::ffff:0102:0304", "::ffff:1.2.3.4", AF_INET6},
	};
	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		struct pl_ip_addr a;
		char text[PL_IP_ADDR_STRLEN];

		if (pl_ip_addr_parse(cases[i].in, &a) != 0)
			fail_msg("%s: refused", cases[i].in);
		assert_int_equal(a.family, cases[i].family);
		assert_int_equal(pl_ip_addr_bits(&a), cases[i].family == AF_INET ? 32 : 128);
		assert_ptr_equal(pl_ip_addr_format(&a, text), text);
		if (strcmp(text, cases[i].out) != 0)
			fail_msg("%s: got %s, want %s", cases[i].in, text, cases[i].out);
	}
}

static void test_parse_bytes(void **state)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	                               0,    0,    0,    0,    0, 0, 0, 0x10};
	struct pl_ip_addr a;

	(void)state;
	assert_int_equal(pl_ip_addr_parse("192.0.2.10", &a), 0);
	assert_memory_equal(a.bytes, "\xc0\x00\x02\x0a", 4);
	assert_int_equal(pl_ip_addr_parse("2001:db8::10", &a), 0);
	assert_memory_equal(a.bytes, v6, 16);
}

static void test_parse_refused(void **state)
{
	static const char *const bad[] = {
	    "",          "1.2.3",        "1.2.3.4.5",      "01.2.3.4",          "1.2.3.04",
	    "256.1.1.1", " 1.2.3.4",     "1.2.3.4 ",       "0x1.2.3.4",         "1.2.3.4/32",
	    "abc",       "localhost",    "1::2::3",        "1:2:3:4:5:6:7:8:9", "[::1]",
	    "::g",       "fe80::1%eth0", "fe80::1%1",      "1.2.3.4,5.6.7.8",   ":::",
	    "12345::",   "1.2.3.4%lo",   "::ffff:1.2.3.4."};
	struct pl_ip_addr a;

	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
		memset(&a, 0x5a, sizeof(a));
		if (pl_ip_addr_parse(bad[i], &a) != PL_EINVAL)
			fail_msg("\"%s\": accepted", bad[i]);
		assert_int_equal(((unsigned char *)&a)[0], 0x5a); /* untouched */
	}
	assert_int_equal(pl_ip_addr_parse(NULL, &a), PL_EINVAL);
}

static void test_v4_mapped(void **state)
{
	static const struct {
		const char *in;
		const char *v4; /* NULL: not mapped */
	} cases[] = {
	    {"::ffff:192.0.2.1", "192.0.2.1"},
	    {"::FFFF:c000:201", "192.0.2.1"},
	    {"::ffff:0:1", "0.0.0.1"},
	    {"::192.0.2.1", NULL}, /* IPv4-compatible (deprecated), not mapped */
	    {"::ffff:0:0:1", NULL},
	    {"64:ff9b::192.0.2.1", NULL},
	    {"1::ffff:192.0.2.1", NULL},
	    {"192.0.2.1", NULL},
	    {"::1", NULL},
	};
	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		struct pl_ip_addr a, v4;
		char text[PL_IP_ADDR_STRLEN];

		assert_int_equal(pl_ip_addr_parse(cases[i].in, &a), 0);
		if (pl_ip_addr_v4_mapped(&a, &v4) != (cases[i].v4 != NULL))
			fail_msg("%s: expected %s", cases[i].in, cases[i].v4 ? "mapped" : "not");
		if (cases[i].v4 == NULL)
			continue;
		assert_int_equal(v4.family, AF_INET);
		assert_string_equal(pl_ip_addr_format(&v4, text), cases[i].v4);
		assert_true(pl_ip_addr_v4_mapped(&a, NULL));
	}
}

static void test_cidr_parse(void **state)
{
	static const struct {
		const char *in, *out;
		unsigned len;
	} cases[] = {
	    {"10.0.0.0/8", "10.0.0.0/8", 8},
	    {"0.0.0.0/0", "0.0.0.0/0", 0},
	    {"::/0", "::/0", 0},
	    {"1.2.3.4/32", "1.2.3.4", 32}, /* a full-length prefix is written as the address */
	    {"1.2.3.4", "1.2.3.4", 32},
	    {"::1/128", "::1", 128},
	    {"::1", "::1", 128},
	    {"2001:DB8::7/128", "2001:db8::7", 128},
	    {"2001:DB8::/32", "2001:db8::/32", 32},
	    {"fd00::/8", "fd00::/8", 8},
	    {"fc00::/7", "fc00::/7", 7},
	    {"1.2.3.4/31", "1.2.3.4/31", 31},
	    {"128.0.0.0/1", "128.0.0.0/1", 1},
	    {"10.0.0.0/08", "10.0.0.0/8", 8}, /* leading zeros, as before */
	    {"10.0.0.0/00000000000000000000000008", "10.0.0.0/8", 8},
	    {"::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104", 104},
	    {"fd00:1::/64", "fd00:1::/64", 64},
	};
	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		struct pl_ip_cidr c;
		char text[PL_IP_CIDR_STRLEN];

		if (pl_ip_cidr_parse(cases[i].in, &c) != 0)
			fail_msg("%s: refused", cases[i].in);
		assert_int_equal(c.prefix_len, cases[i].len);
		assert_ptr_equal(pl_ip_cidr_format(&c, text), text);
		if (strcmp(text, cases[i].out) != 0)
			fail_msg("%s: got %s, want %s", cases[i].in, text, cases[i].out);
	}
}

static void test_cidr_refused(void **state)
{
	static const struct {
		const char *in;
		int rc;
	} cases[] = {
	    /* the address */
	    {"", PL_EINVAL},
	    {"/8", PL_EINVAL},
	    {"garbage/99", PL_EINVAL}, /* the address is checked first */
	    {"proxy.local", PL_EINVAL},
	    {"proxy.local/24", PL_EINVAL},
	    {"10.0.0/8", PL_EINVAL},
	    {"fe80::%lo/64", PL_EINVAL},
	    {" 10.0.0.0/8", PL_EINVAL},
	    {"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb/8", PL_EINVAL},
	    /* the prefix length */
	    {"10.0.0.0/33", PL_ELIMIT},
	    {"fd00::/129", PL_ELIMIT},
	    {"::/256", PL_ELIMIT},
	    {"10.0.0.0/", PL_ELIMIT},
	    {"10.0.0.0/-1", PL_ELIMIT},
	    {"10.0.0.0/+8", PL_ELIMIT},
	    {"10.0.0.0/ 8", PL_ELIMIT},
	    {"10.0.0.0/8 ", PL_ELIMIT},
	    {"10.0.0.0/0x8", PL_ELIMIT},
	    {"10.0.0.0/8.0", PL_ELIMIT},
	    {"10.0.0.0//8", PL_ELIMIT},
	    {"10.0.0.0/8/8", PL_ELIMIT},
	    {"10.0.0.0/4294967304", PL_ELIMIT}, /* 2^32 + 8: no wrap-around to 8 */
	    {"10.0.0.0/99999999999999999999999", PL_ELIMIT},
	    /* bits after the prefix */
	    {"10.0.0.1/8", PL_EPROTO},
	    {"10.0.0.0/0", PL_EPROTO},
	    {"1.2.3.4/0", PL_EPROTO},
	    {"1.2.3.5/31", PL_EPROTO},
	    {"192.0.0.0/1", PL_EPROTO},
	    {"fd00::/7", PL_EPROTO}, /* fd = 1111110 1: the unique local range is fc00::/7 */
	    {"fe00::/6", PL_EPROTO},
	    {"::1/127", PL_EPROTO},
	    {"2001:db8::7/64", PL_EPROTO},
	};
	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		struct pl_ip_cidr c;
		int rc;

		memset(&c, 0x5a, sizeof(c));
		rc = pl_ip_cidr_parse(cases[i].in, &c);
		if (rc != cases[i].rc)
			fail_msg("\"%s\": got %d, want %d", cases[i].in, rc, cases[i].rc);
		if (rc != 0)
			assert_int_equal(((unsigned char *)&c)[0], 0x5a); /* untouched */
	}
	assert_int_equal(pl_ip_cidr_parse(NULL, NULL), PL_EINVAL);
}

/* Whether ip lies in cidr (both must parse). */
static bool in(const char *cidr, const char *ip)
{
	struct pl_ip_cidr c;
	struct pl_ip_addr a;

	if (pl_ip_cidr_parse(cidr, &c) != 0 || pl_ip_addr_parse(ip, &a) != 0)
		fail_msg("%s or %s does not parse", cidr, ip);
	return pl_ip_cidr_match(&c, &a);
}

static void test_match(void **state)
{
	static const struct {
		const char *cidr, *ip;
		bool in;
	} cases[] = {
	    /* /0 is every address of its family, and nothing of the other */
	    {"0.0.0.0/0", "1.2.3.4", true},
	    {"0.0.0.0/0", "255.255.255.255", true},
	    {"0.0.0.0/0", "::1", false},
	    {"0.0.0.0/0", "::", false},
	    {"::/0", "2001:db8::1", true},
	    {"::/0", "::", true},
	    {"::/0", "1.2.3.4", false},
	    /* full-length prefixes: exactly one address */
	    {"192.0.2.7/32", "192.0.2.7", true},
	    {"192.0.2.7", "192.0.2.6", false},
	    {"192.0.2.7", "192.0.2.8", false},
	    {"2001:db8::7/128", "2001:db8::7", true},
	    {"2001:db8::7", "2001:db8::7:0", false},
	    {"2001:db8::7", "2001:db8::6", false},
	    {"::1", "0.0.0.1", false},
	    /* byte and bit boundaries */
	    {"10.0.0.0/8", "10.255.255.255", true},
	    {"10.0.0.0/8", "11.0.0.0", false},
	    {"10.0.0.0/8", "9.255.255.255", false},
	    {"192.168.1.0/25", "192.168.1.127", true},
	    {"192.168.1.0/25", "192.168.1.128", false},
	    {"192.168.1.128/25", "192.168.1.128", true},
	    {"192.168.1.128/25", "192.168.1.127", false},
	    {"128.0.0.0/1", "128.0.0.0", true},
	    {"128.0.0.0/1", "127.255.255.255", false},
	    {"0.0.0.0/1", "127.255.255.255", true},
	    {"1.2.3.4/31", "1.2.3.5", true},
	    {"1.2.3.4/31", "1.2.3.6", false},
	    {"fd00:1::/64", "fd00:1::ffff:ffff:ffff:ffff", true},
	    {"fd00:1::/64", "fd00:1:0:1::", false},
	    {"fc00::/7", "fd00::1", true},
	    {"fc00::/7", "fe00::1", false},
	    {"2001:db8::/127", "2001:db8::1", true},
	    {"2001:db8::/127", "2001:db8::2", false},
	    /* IPv4-mapped peers (a dual-stack socket): matched by their IPv4 address against IPv4
	     * entries, and as the IPv6 address they are against IPv6 entries. */
	    {"10.0.0.0/8", "::ffff:10.1.2.3", true},
	    {"10.0.0.0/8", "::ffff:11.1.2.3", false},
	    {"127.0.0.1", "::ffff:127.0.0.1", true},
	    {"127.0.0.1", "::ffff:127.0.0.2", false},
	    {"0.0.0.0/0", "::ffff:203.0.113.1", true},
	    {"::/0", "::ffff:203.0.113.1", true},
	    {"::ffff:10.0.0.0/104", "::ffff:10.1.2.3", true},
	    {"::ffff:10.0.0.0/104", "10.1.2.3", false}, /* an IPv4 peer is not an IPv6 one */
	    {"10.0.0.0/8", "::10.1.2.3", false},        /* IPv4-compatible is not mapped */
	    {"10.0.0.0/8", "64:ff9b::10.1.2.3", false}, /* nor is NAT64 */
	};
	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		if (in(cases[i].cidr, cases[i].ip) != cases[i].in)
			fail_msg("%s in %s: expected %s", cases[i].ip, cases[i].cidr,
			         cases[i].in ? "true" : "false");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_normalise), cmocka_unit_test(test_parse_bytes),
	    cmocka_unit_test(test_parse_refused),   cmocka_unit_test(test_v4_mapped),
	    cmocka_unit_test(test_cidr_parse),      cmocka_unit_test(test_cidr_refused),
	    cmocka_unit_test(test_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
