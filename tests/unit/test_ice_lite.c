/* media/ice_lite.c: the ICE-lite state of one PeerConnection (RFC 8445 2.5 and 7.3, consent
 * RFC 7675) on a fake clock, without sockets. Checks are written with pl_stun_write_request or
 * by hand (build_request: an encoder independent of media/stun.c, with its own HMAC-SHA1 and
 * CRC-32), and the responses are verified with an independent HMAC as well. */
#include <setjmp.h>
#include <stdarg.h>
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
#include "media/ice_lite.h"
#include "media/stun.h"

#define LUFRAG   "srvU"
#define LPWD     "srv-password-0123456789ab"
#define RUFRAG   "brwU"
#define RPWD     "brw-password-0123456789ab"
#define USERNAME LUFRAG ":" RUFRAG
#define T0       1000000 /* the fake clock at pl_ice_lite_init, us */

/* ---- addresses ---------------------------------------------------------------------------- */

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

static struct addr v4(const char *ip, uint16_t port)
{
	struct addr a;
	memset(&a, 0, sizeof a);
	struct sockaddr_in *in = (struct sockaddr_in *)&a.ss;
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &in->sin_addr), 1);
	a.len = sizeof *in;
	return a;
}

static struct addr v6(const char *ip, uint16_t port)
{
	struct addr a;
	memset(&a, 0, sizeof a);
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a.ss;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, ip, &in6->sin6_addr), 1);
	a.len = sizeof *in6;
	return a;
}

#define SA(a) ((const struct sockaddr *)&(a)->ss)

/* Family, port and address compared here, not with pl_ice_lite_addr_equal (under test). */
static bool same_addr(const struct sockaddr_storage *x, const struct addr *y)
{
	if (x->ss_family != y->ss.ss_family)
		return false;
	if (x->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)x, *b = (const void *)&y->ss;
		return a->sin_port == b->sin_port &&
		       memcmp(&a->sin_addr, &b->sin_addr, sizeof a->sin_addr) == 0;
	}
	const struct sockaddr_in6 *a = (const void *)x, *b = (const void *)&y->ss;
	return a->sin6_port == b->sin6_port &&
	       memcmp(&a->sin6_addr, &b->sin6_addr, sizeof a->sin6_addr) == 0;
}

static bool found(const struct pl_ice_lite *ice, const struct addr *a)
{
	const struct pl_ice_lite_tuple *t = pl_ice_lite_find(ice, SA(a), a->len);
	if (t)
		assert_true(same_addr(&t->addr, a));
	return t != NULL;
}

static bool is_selected(const struct pl_ice_lite *ice, const struct addr *a)
{
	const struct pl_ice_lite_tuple *t = pl_ice_lite_selected(ice);
	return t && same_addr(&t->addr, a);
}

/* ---- an independent encoder and verifier -------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static void hmac_sha1(const char *key, const uint8_t *data, size_t n, uint8_t mac[20])
{
	unsigned len = 0;
	assert_non_null(HMAC(EVP_sha1(), key, (int)strlen(key), data, n, mac, &len));
	assert_int_equal(len, 20);
}

struct req {
	const char *username; /* NULL: no USERNAME */
	bool controlling, controlled, use_candidate;
	const char *key; /* NULL: no MESSAGE-INTEGRITY */
	bool fingerprint;
	uint16_t type; /* 0: a Binding request */
};

static size_t attr(uint8_t *out, size_t len, uint16_t type, const void *v, size_t n)
{
	put16(out + len, type);
	put16(out + len + 2, (uint16_t)n);
	memset(out + len + 4, 0, (n + 3) & ~(size_t)3);
	if (n)
		memcpy(out + len + 4, v, n);
	len += 4 + ((n + 3) & ~(size_t)3);
	put16(out + 2, (uint16_t)(len - 20));
	return len;
}

/* A Binding request written by hand (RFC 8489 5, 14; RFC 8445 7.1): the role attributes before
 * PRIORITY, the opposite order of pl_stun_write_request. */
static size_t build_request(uint8_t *out, const uint8_t tid[12], const struct req *r)
{
	static const uint8_t tiebreak[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t prio[4];
	size_t len = 20;
	put16(out, r->type ? r->type : PL_STUN_BINDING_REQUEST);
	put16(out + 2, 0);
	put32(out + 4, PL_STUN_MAGIC);
	memcpy(out + 8, tid, 12);
	if (r->controlled)
		len = attr(out, len, 0x8029, tiebreak, 8);
	if (r->controlling)
		len = attr(out, len, 0x802A, tiebreak, 8);
	put32(prio, 0x6e0001ff);
	len = attr(out, len, 0x0024, prio, 4);
	if (r->use_candidate)
		len = attr(out, len, 0x0025, NULL, 0);
	if (r->username)
		len = attr(out, len, 0x0006, r->username, strlen(r->username));
	if (r->key) {
		uint8_t mac[20] = {0};
		size_t at = len;
		len = attr(out, len, 0x0008, mac, 20); /* sets the length that the HMAC covers */
		hmac_sha1(r->key, out, at, mac);
		memcpy(out + at + 4, mac, 20);
	}
	if (r->fingerprint) {
		uint8_t fp[4] = {0};
		size_t at = len;
		len = attr(out, len, 0x8028, fp, 4);
		put32(out + at + 4, crc32_bitwise(out, at) ^ 0x5354554eu);
	}
	return len;
}

/* MESSAGE-INTEGRITY of a message checked without media/stun.c: true when it is there and is
 * HMAC-SHA1(key) over the message up to it, with the length as if it were the last attribute. */
static bool integrity_ok(const uint8_t *buf, size_t len, const char *key)
{
	size_t at = 20;
	while (at + 4 <= len && get16(buf + at) != 0x0008)
		at += 4 + ((get16(buf + at + 2) + 3u) & ~3u);
	if (at + 24 > len || get16(buf + at + 2) != 20)
		return false;
	uint8_t *copy = malloc(at), mac[20];
	memcpy(copy, buf, at);
	put16(copy + 2, (uint16_t)(at - 20 + 24));
	hmac_sha1(key, copy, at, mac);
	free(copy);
	return memcmp(mac, buf + at + 4, 20) == 0;
}

/* ---- one check ---------------------------------------------------------------------------- */

struct result {
	uint8_t tid[12];
	uint8_t out[512];
	int n;
	enum pl_ice_lite_event ev;
};

static unsigned tid_counter;

static int on_bytes(struct pl_ice_lite *ice, const uint8_t *req, size_t len,
                    const struct addr *from, unsigned sock, int64_t now, struct result *r)
{
	struct pl_stun_msg m;
	assert_int_equal(pl_stun_parse(req, len, &m), 0);
	memset(r->out, 0xa5, sizeof r->out);
	r->ev = (enum pl_ice_lite_event)99; /* must be set on every path */
	r->n = pl_ice_lite_on_request(ice, req, len, &m, SA(from), from->len, sock, now, r->out,
	                              sizeof r->out, &r->ev);
	assert_int_not_equal(r->ev, 99);
	if (r->n <= 0)
		assert_int_equal(r->ev, PL_ICE_LITE_NONE);
	return r->n;
}

static void new_tid(struct result *r)
{
	tid_counter++;
	for (size_t i = 0; i < sizeof r->tid; i++)
		r->tid[i] = (uint8_t)(tid_counter * 31u + i);
}

/* A check written by pl_stun_write_request, as a controlling agent sends it. */
static int check_full(struct pl_ice_lite *ice, const struct addr *from, const char *username,
                      const char *key, bool use_candidate, unsigned sock, int64_t now,
                      struct result *r)
{
	uint8_t req[PL_STUN_MAX_MESSAGE];
	new_tid(r);
	int n = pl_stun_write_request(req, sizeof req, r->tid, username, 0x6e0001ff,
	                              0x0102030405060708ull, use_candidate,
	                              key ? (const uint8_t *)key : NULL, key ? strlen(key) : 0);
	assert_true(n > 0);
	return on_bytes(ice, req, (size_t)n, from, sock, now, r);
}

static int check(struct pl_ice_lite *ice, const struct addr *from, bool use_candidate, int64_t now,
                 struct result *r)
{
	return check_full(ice, from, USERNAME, LPWD, use_candidate, 0, now, r);
}

/* The answer to a good check: a success response to its transaction, XOR-MAPPED-ADDRESS the
 * source, signed with the local password (and not with the peer's). */
static void assert_success(const struct result *r, const struct addr *from)
{
	struct pl_stun_msg m;
	assert_true(r->n > PL_STUN_HEADER);
	assert_int_equal(pl_stun_parse(r->out, (size_t)r->n, &m), 0);
	assert_int_equal(m.type, PL_STUN_BINDING_SUCCESS);
	assert_memory_equal(m.tid, r->tid, 12);
	assert_true(same_addr(&m.mapped, from));
	assert_int_not_equal(m.fingerprint_at, 0);
	assert_int_equal(
	    pl_stun_check_integrity(r->out, (size_t)r->n, &m, (const uint8_t *)LPWD, strlen(LPWD)),
	    0);
	assert_int_equal(
	    pl_stun_check_integrity(r->out, (size_t)r->n, &m, (const uint8_t *)RPWD, strlen(RPWD)),
	    PL_EAUTH);
	assert_true(integrity_ok(r->out, (size_t)r->n, LPWD));
	assert_false(integrity_ok(r->out, (size_t)r->n, RPWD));
}

static void setup_ice(struct pl_ice_lite *ice)
{
	pl_ice_lite_init(ice, LUFRAG, LPWD, T0);
	pl_ice_lite_set_remote_ufrag(ice, RUFRAG);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_answered(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct addr a = v4("192.0.2.1", 50000), b = v4("192.0.2.1", 50001);
	setup_ice(&ice);
	assert_int_equal(ice.state, PL_ICE_LITE_NEW);
	assert_true(check_full(&ice, &a, USERNAME, LPWD, false, 3, T0 + 10, &r) > 0);
	assert_success(&r, &a);
	assert_int_equal(r.ev, PL_ICE_LITE_NONE);
	/* Validated, not nominated: media is accepted from it, none is sent yet. */
	assert_true(found(&ice, &a));
	assert_int_equal(pl_ice_lite_find(&ice, SA(&a), a.len)->sock, 3);
	assert_int_equal(pl_ice_lite_find(&ice, SA(&a), a.len)->last_us, T0 + 10);
	assert_false(found(&ice, &b));
	assert_null(pl_ice_lite_selected(&ice));
	assert_int_equal(ice.state, PL_ICE_LITE_NEW);
	assert_int_equal(ice.checks_answered, 1);
	assert_int_equal(ice.checks_rejected, 0);
	/* The same address on another local socket: one tuple, its socket updated. */
	assert_true(check_full(&ice, &a, USERNAME, LPWD, false, 1, T0 + 20, &r) > 0);
	assert_int_equal(ice.n_tuples, 1);
	assert_int_equal(pl_ice_lite_find(&ice, SA(&a), a.len)->sock, 1);
	assert_int_equal(ice.checks_answered, 2);
}

/* A request encoded by hand (another attribute order, no FINGERPRINT) is answered the same. */
static void test_hand_made_request(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct addr a = v4("198.51.100.7", 40000);
	uint8_t req[256];
	setup_ice(&ice);
	new_tid(&r);
	struct req q = {.username = USERNAME, .controlling = true, .key = LPWD};
	size_t n = build_request(req, r.tid, &q);
	assert_true(on_bytes(&ice, req, n, &a, 0, T0, &r) > 0);
	assert_success(&r, &a);
	assert_true(found(&ice, &a));
	/* And with FINGERPRINT and USE-CANDIDATE. */
	new_tid(&r);
	q.fingerprint = q.use_candidate = true;
	n = build_request(req, r.tid, &q);
	assert_true(on_bytes(&ice, req, n, &a, 0, T0 + 1, &r) > 0);
	assert_success(&r, &a);
	assert_int_equal(r.ev, PL_ICE_LITE_EV_CONNECTED);
	assert_true(is_selected(&ice, &a));
}

/* Nothing is answered and nothing changes for a check that fails USERNAME or integrity. */
static void assert_rejected(struct pl_ice_lite *ice, const struct result *r, uint64_t rejected)
{
	assert_int_equal(r->n, PL_EAUTH);
	assert_int_equal(ice->checks_rejected, rejected);
	assert_int_equal(ice->checks_answered, 0);
	assert_int_equal(ice->n_tuples, 0);
	assert_int_equal(ice->state, PL_ICE_LITE_NEW);
}

static void test_rejected(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct addr a = v4("192.0.2.1", 50000);
	setup_ice(&ice);
	check_full(&ice, &a, USERNAME, RPWD, true, 0, T0, &r); /* the peer's password */
	assert_rejected(&ice, &r, 1);
	check_full(&ice, &a, USERNAME, "", true, 0, T0, &r);
	assert_rejected(&ice, &r, 2);
	check_full(&ice, &a, USERNAME, NULL, true, 0, T0, &r); /* no MESSAGE-INTEGRITY */
	assert_rejected(&ice, &r, 3);
	check_full(&ice, &a, "xxxx:" RUFRAG, LPWD, true, 0, T0, &r); /* another local ufrag */
	assert_rejected(&ice, &r, 4);
	check_full(&ice, &a, LUFRAG "x:" RUFRAG, LPWD, true, 0, T0, &r); /* ours as a prefix */
	assert_rejected(&ice, &r, 5);
	check_full(&ice, &a, "srv:" RUFRAG, LPWD, true, 0, T0, &r); /* a prefix of ours */
	assert_rejected(&ice, &r, 6);
	check_full(&ice, &a, LUFRAG, LPWD, true, 0, T0, &r); /* no colon */
	assert_rejected(&ice, &r, 7);
	check_full(&ice, &a, LUFRAG "-" RUFRAG, LPWD, true, 0, T0, &r); /* another separator */
	assert_rejected(&ice, &r, 8);
	check_full(&ice, &a, NULL, LPWD, true, 0, T0, &r); /* no USERNAME */
	assert_rejected(&ice, &r, 9);
	/* The remote ufrag is set: another one, a longer or a shorter one are refused. */
	check_full(&ice, &a, LUFRAG ":zzzz", LPWD, true, 0, T0, &r);
	assert_rejected(&ice, &r, 10);
	check_full(&ice, &a, USERNAME "x", LPWD, true, 0, T0, &r);
	assert_rejected(&ice, &r, 11);
	check_full(&ice, &a, LUFRAG ":brw", LPWD, true, 0, T0, &r);
	assert_rejected(&ice, &r, 12);
	check_full(&ice, &a, LUFRAG ":", LPWD, true, 0, T0, &r);
	assert_rejected(&ice, &r, 13);
	assert_null(pl_ice_lite_selected(&ice));
	assert_false(found(&ice, &a));
	/* The right one still works afterwards. */
	assert_true(check(&ice, &a, true, T0, &r) > 0);
	assert_int_equal(r.ev, PL_ICE_LITE_EV_CONNECTED);
}

/* A message that was changed after it was signed fails integrity. */
static void test_tampered(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct addr a = v4("192.0.2.1", 50000);
	uint8_t req[256];
	setup_ice(&ice);
	new_tid(&r);
	struct req q = {.username = USERNAME, .controlling = true, .key = LPWD};
	size_t n = build_request(req, r.tid, &q);
	req[20 + 12 + 4 + 3] ^= 1; /* PRIORITY's last byte (after ICE-CONTROLLING) */
	on_bytes(&ice, req, n, &a, 0, T0, &r);
	assert_rejected(&ice, &r, 1);
	req[20 + 12 + 4 + 3] ^= 1;
	new_tid(&r);
	assert_true(on_bytes(&ice, req, n, &a, 0, T0, &r) > 0); /* the original passes */
}

/* Until the peer's description arrived, any remote ufrag is taken (the password decides). */
static void test_remote_ufrag_unset(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct addr a = v4("192.0.2.1", 50000), b = v4("192.0.2.2", 50000);
	pl_ice_lite_init(&ice, LUFRAG, LPWD, T0);
	assert_true(check_full(&ice, &a, LUFRAG ":anything", LPWD, false, 0, T0, &r) > 0);
	assert_success(&r, &a);
	assert_true(check_full(&ice, &b, LUFRAG ":" RUFRAG, LPWD, false, 0, T0, &r) > 0);
	assert_int_equal(ice.n_tuples, 2);
	check_full(&ice, &a, LUFRAG ":anything", RPWD, false, 0, T0, &r);
	assert_int_equal(r.n, PL_EAUTH);
	check_full(&ice, &a, LUFRAG "x:anything", LPWD, false, 0, T0, &r); /* not our ufrag */
	assert_int_equal(r.n, PL_EAUTH);
	check_full(&ice, &a, "xxxx:" RUFRAG, LPWD, false, 0, T0, &r);
	assert_int_equal(r.n, PL_EAUTH);
	assert_int_equal(ice.checks_rejected, 3);
	assert_int_equal(ice.n_tuples, 2);
	/* Once set, only that one. */
	pl_ice_lite_set_remote_ufrag(&ice, RUFRAG);
	check_full(&ice, &a, LUFRAG ":anything", LPWD, false, 0, T0, &r);
	assert_int_equal(r.n, PL_EAUTH);
	assert_true(check_full(&ice, &a, USERNAME, LPWD, false, 0, T0, &r) > 0);
}

static void test_not_a_request(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct addr a = v4("192.0.2.1", 50000);
	uint8_t msg[256];
	setup_ice(&ice);
	new_tid(&r);
	/* A success response signed with the right password: not a check. */
	int n = pl_stun_write_success(msg, sizeof msg, r.tid, SA(&a), (const uint8_t *)LPWD,
	                              strlen(LPWD));
	assert_true(n > 0);
	assert_int_equal(on_bytes(&ice, msg, (size_t)n, &a, 0, T0, &r), PL_EPROTO);
	/* An indication (a keepalive) with the right USERNAME, integrity and USE-CANDIDATE. */
	new_tid(&r);
	struct req q = {.username = USERNAME,
	                .controlling = true,
	                .use_candidate = true,
	                .key = LPWD,
	                .fingerprint = true,
	                .type = PL_STUN_BINDING_INDICATION};
	n = (int)build_request(msg, r.tid, &q);
	assert_true(integrity_ok(msg, (size_t)n, LPWD));
	assert_int_equal(on_bytes(&ice, msg, (size_t)n, &a, 0, T0, &r), PL_EPROTO);
	assert_int_equal(ice.n_tuples, 0);
	assert_int_equal(ice.checks_answered, 0);
	assert_int_equal(ice.state, PL_ICE_LITE_NEW);
}

static void test_nomination(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct addr a = v4("192.0.2.1", 50000), b = v4("203.0.113.5", 61000);
	setup_ice(&ice);
	assert_true(check(&ice, &a, false, T0 + 1, &r) > 0);
	assert_int_equal(r.ev, PL_ICE_LITE_NONE);
	assert_null(pl_ice_lite_selected(&ice));
	assert_true(found(&ice, &a));
	/* USE-CANDIDATE: connected, once. */
	assert_true(check(&ice, &a, true, T0 + 2, &r) > 0);
	assert_success(&r, &a);
	assert_int_equal(r.ev, PL_ICE_LITE_EV_CONNECTED);
	assert_int_equal(ice.state, PL_ICE_LITE_CONNECTED);
	assert_true(is_selected(&ice, &a));
	assert_true(check(&ice, &a, true, T0 + 3, &r) > 0);
	assert_int_equal(r.ev, PL_ICE_LITE_NONE);
	assert_true(check(&ice, &a, false, T0 + 4, &r) > 0);
	assert_int_equal(r.ev, PL_ICE_LITE_NONE);
	/* Another address, validated: the selection stays. */
	assert_true(check(&ice, &b, false, T0 + 5, &r) > 0);
	assert_success(&r, &b);
	assert_int_equal(r.ev, PL_ICE_LITE_NONE);
	assert_true(is_selected(&ice, &a));
	assert_true(found(&ice, &b));
	/* Nominated: the selected tuple moves, the old one stays valid. */
	assert_true(check(&ice, &b, true, T0 + 6, &r) > 0);
	assert_int_equal(r.ev, PL_ICE_LITE_EV_SELECTED);
	assert_int_equal(ice.state, PL_ICE_LITE_CONNECTED);
	assert_true(is_selected(&ice, &b));
	assert_true(found(&ice, &a));
	/* A nomination from a new address selects it at once, and back. */
	struct addr c = v4("203.0.113.5", 61001);
	assert_true(check(&ice, &c, true, T0 + 7, &r) > 0);
	assert_int_equal(r.ev, PL_ICE_LITE_EV_SELECTED);
	assert_true(is_selected(&ice, &c));
	assert_true(check(&ice, &a, true, T0 + 8, &r) > 0);
	assert_int_equal(r.ev, PL_ICE_LITE_EV_SELECTED);
	assert_true(is_selected(&ice, &a));
	assert_int_equal(ice.n_tuples, 3);
	assert_int_equal(ice.checks_answered, 8);
}

/* A peer that sends ICE-CONTROLLED only thinks it is controlled too: 487 (RFC 8445 7.3.1.1),
 * signed, and the check validates nothing. */
static void test_role_conflict(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct addr a = v4("192.0.2.1", 50000);
	uint8_t req[256];
	setup_ice(&ice);
	new_tid(&r);
	struct req q = {.username = USERNAME,
	                .controlled = true,
	                .use_candidate = true,
	                .key = LPWD,
	                .fingerprint = true};
	size_t n = build_request(req, r.tid, &q);
	assert_true(on_bytes(&ice, req, n, &a, 0, T0, &r) > 0);
	assert_int_equal(r.ev, PL_ICE_LITE_NONE);
	struct pl_stun_msg m;
	assert_int_equal(pl_stun_parse(r.out, (size_t)r.n, &m), 0);
	assert_int_equal(m.type, PL_STUN_BINDING_ERROR);
	assert_int_equal(m.error_code, 487);
	assert_memory_equal(m.tid, r.tid, 12);
	assert_true(integrity_ok(r.out, (size_t)r.n, LPWD));
	assert_int_equal(ice.state, PL_ICE_LITE_NEW);
	assert_null(pl_ice_lite_selected(&ice));
	assert_false(found(&ice, &a));
	/* The wrong password with ICE-CONTROLLED is not answered at all. */
	new_tid(&r);
	q.key = RPWD;
	n = build_request(req, r.tid, &q);
	assert_int_equal(on_bytes(&ice, req, n, &a, 0, T0, &r), PL_EAUTH);
	/* The same peer as a controlling agent is answered. */
	new_tid(&r);
	q.key = LPWD;
	q.controlled = false;
	q.controlling = true;
	n = build_request(req, r.tid, &q);
	assert_true(on_bytes(&ice, req, n, &a, 0, T0, &r) > 0);
	assert_success(&r, &a);
	assert_int_equal(r.ev, PL_ICE_LITE_EV_CONNECTED);
}

static struct addr nth(size_t i)
{
	return v4("192.0.2.9", (uint16_t)(20000 + i));
}

/* MAX_TUPLES + 3 addresses: the three least recently checked unselected ones are dropped; the
 * selected one never, though it is the oldest. */
static void test_tuple_limit(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	setup_ice(&ice);
	const size_t max = PL_ICE_LITE_MAX_TUPLES;
	struct addr a[PL_ICE_LITE_MAX_TUPLES + 3];
	for (size_t i = 0; i < max + 3; i++)
		a[i] = nth(i);
	assert_true(check(&ice, &a[0], true, T0, &r) > 0); /* selected, never refreshed */
	for (size_t i = 1; i < max; i++)
		assert_true(check(&ice, &a[i], false, T0 + 10 * (int64_t)i, &r) > 0);
	assert_int_equal(ice.n_tuples, max);
	/* a[1] is checked again: now a[2], a[3], a[4] are the oldest unselected. */
	assert_true(check(&ice, &a[1], false, T0 + 1000, &r) > 0);
	for (size_t i = max; i < max + 3; i++) {
		assert_true(check(&ice, &a[i], false, T0 + 1000 + (int64_t)i, &r) > 0);
		assert_success(&r, &a[i]);
		assert_int_equal(ice.n_tuples, max);
		assert_false(found(&ice, &a[i - max + 2])); /* a[2], then a[3], then a[4] */
	}
	for (size_t i = 0; i < max + 3; i++)
		assert_int_equal(found(&ice, &a[i]), i < 2 || i > 4);
	assert_true(is_selected(&ice, &a[0]));
	assert_int_equal(ice.state, PL_ICE_LITE_CONNECTED);
}

/* The selected tuple in the last slot, moved when an earlier one is dropped, stays selected. */
static void test_tuple_limit_selected_last(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	setup_ice(&ice);
	const size_t max = PL_ICE_LITE_MAX_TUPLES;
	for (size_t i = 0; i < max; i++) {
		struct addr x = nth(i);
		assert_true(check(&ice, &x, i == max - 1, T0 + (int64_t)i, &r) > 0);
	}
	struct addr last = nth(max - 1), first = nth(0);
	assert_true(is_selected(&ice, &last));
	for (size_t i = max; i < 2 * max + 1; i++) {
		struct addr x = nth(i);
		assert_true(check(&ice, &x, false, T0 + (int64_t)i, &r) > 0);
		assert_true(is_selected(&ice, &last));
		assert_true(found(&ice, &last));
		assert_int_equal(ice.n_tuples, max);
	}
	assert_false(found(&ice, &first));
	/* Every other address than the selected one was replaced: the last max - 1 remain. */
	for (size_t i = 0; i < 2 * max + 1; i++) {
		struct addr x = nth(i);
		assert_int_equal(found(&ice, &x), i == max - 1 || i >= max + 2);
	}
}

/* ---- consent and timeouts ----------------------------------------------------------------- */

struct expired_log {
	struct sockaddr_storage addrs[2 * PL_ICE_LITE_MAX_TUPLES];
	size_t n;
};

static void on_expired(void *ctx, const struct pl_ice_lite_tuple *t)
{
	struct expired_log *log = ctx;
	assert_true(log->n < 2 * PL_ICE_LITE_MAX_TUPLES);
	log->addrs[log->n++] = t->addr;
}

static size_t times_reported(const struct expired_log *log, const struct addr *a)
{
	size_t n = 0;
	for (size_t i = 0; i < log->n; i++)
		n += same_addr(&log->addrs[i], a);
	return n;
}

/* The selected tuple lapses exactly PL_ICE_LITE_CONSENT_US after its last check; the agent
 * fails and reports every tuple it forgets, once. */
static void test_consent_expiry(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct expired_log log = {.n = 0};
	struct addr a = v4("192.0.2.1", 50000), b = v4("192.0.2.2", 50000),
	            c = v6("2001:db8::3", 50000);
	const int64_t t1 = T0 + 5000000;
	setup_ice(&ice);
	assert_true(check(&ice, &a, true, t1, &r) > 0);
	assert_true(check(&ice, &c, false, t1 + 1000000, &r) > 0);
	assert_true(check(&ice, &b, false, t1 + 2000000, &r) > 0);
	assert_int_equal(pl_ice_lite_tick(&ice, t1, on_expired, &log), PL_ICE_LITE_CONNECTED);
	assert_int_equal(pl_ice_lite_tick(&ice, t1 + PL_ICE_LITE_CONSENT_US - 1, on_expired, &log),
	                 PL_ICE_LITE_CONNECTED);
	assert_int_equal(log.n, 0);
	assert_true(is_selected(&ice, &a));
	assert_true(found(&ice, &a));
	assert_int_equal(pl_ice_lite_tick(&ice, t1 + PL_ICE_LITE_CONSENT_US, on_expired, &log),
	                 PL_ICE_LITE_FAILED);
	assert_int_equal(ice.state, PL_ICE_LITE_FAILED);
	assert_null(pl_ice_lite_selected(&ice));
	assert_false(found(&ice, &a));
	assert_false(found(&ice, &b));
	assert_false(found(&ice, &c));
	assert_int_equal(log.n, 3);
	assert_int_equal(times_reported(&log, &a), 1);
	assert_int_equal(times_reported(&log, &b), 1);
	assert_int_equal(times_reported(&log, &c), 1);
	/* Failed for good: every later tick says so and reports nothing more. */
	assert_int_equal(pl_ice_lite_tick(&ice, t1 + 2 * PL_ICE_LITE_CONSENT_US, on_expired, &log),
	                 PL_ICE_LITE_FAILED);
	assert_int_equal(log.n, 3);
	/* expired may be NULL. */
	struct pl_ice_lite other;
	setup_ice(&other);
	assert_true(check(&other, &a, true, t1, &r) > 0);
	assert_int_equal(pl_ice_lite_tick(&other, t1 + PL_ICE_LITE_CONSENT_US, NULL, NULL),
	                 PL_ICE_LITE_FAILED);
	assert_false(found(&other, &a));
}

/* Every check refreshes consent, with or without USE-CANDIDATE. */
static void test_consent_refresh(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct expired_log log = {.n = 0};
	struct addr a = v4("192.0.2.1", 50000);
	const int64_t t1 = T0 + 1000000, t2 = t1 + 20000000, t3 = t2 + 25000000;
	setup_ice(&ice);
	assert_true(check(&ice, &a, true, t1, &r) > 0);
	assert_true(check(&ice, &a, false, t2, &r) > 0);
	assert_int_equal(pl_ice_lite_tick(&ice, t1 + PL_ICE_LITE_CONSENT_US, on_expired, &log),
	                 PL_ICE_LITE_CONNECTED);
	assert_true(check(&ice, &a, true, t3, &r) > 0);
	assert_int_equal(r.ev, PL_ICE_LITE_NONE);
	assert_int_equal(pl_ice_lite_tick(&ice, t2 + PL_ICE_LITE_CONSENT_US, on_expired, &log),
	                 PL_ICE_LITE_CONNECTED);
	assert_int_equal(pl_ice_lite_tick(&ice, t3 + PL_ICE_LITE_CONSENT_US - 1, on_expired, &log),
	                 PL_ICE_LITE_CONNECTED);
	assert_int_equal(log.n, 0);
	assert_true(is_selected(&ice, &a));
	assert_int_equal(pl_ice_lite_tick(&ice, t3 + PL_ICE_LITE_CONSENT_US, on_expired, &log),
	                 PL_ICE_LITE_FAILED);
	assert_int_equal(times_reported(&log, &a), 1);
}

/* An unselected tuple without checks lapses alone; the PeerConnection stays up. */
static void test_unselected_expiry(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct expired_log log = {.n = 0};
	struct addr a = v4("192.0.2.1", 50000), b = v4("192.0.2.2", 50000);
	const int64_t t1 = T0 + 1000000;
	setup_ice(&ice);
	assert_true(check(&ice, &b, false, t1, &r) > 0);
	assert_true(check(&ice, &a, true, t1 + 1, &r) > 0);
	assert_int_equal(pl_ice_lite_tick(&ice, t1 + PL_ICE_LITE_CONSENT_US - 1, on_expired, &log),
	                 PL_ICE_LITE_CONNECTED);
	assert_true(found(&ice, &b));
	assert_int_equal(pl_ice_lite_tick(&ice, t1 + PL_ICE_LITE_CONSENT_US, on_expired, &log),
	                 PL_ICE_LITE_CONNECTED);
	assert_int_equal(log.n, 1);
	assert_int_equal(times_reported(&log, &b), 1);
	assert_false(found(&ice, &b));
	assert_true(found(&ice, &a));
	assert_true(is_selected(&ice, &a));
	/* b comes back with a new check. */
	assert_true(check(&ice, &b, false, t1 + PL_ICE_LITE_CONSENT_US, &r) > 0);
	assert_true(found(&ice, &b));
}

/* Never nominated: failed PL_ICE_LITE_CONNECT_US after init, however recent its checks. */
static void test_connect_timeout(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct expired_log log = {.n = 0};
	struct addr a = v4("192.0.2.1", 50000);
	setup_ice(&ice);
	assert_int_equal(pl_ice_lite_tick(&ice, T0, on_expired, &log), PL_ICE_LITE_NEW);
	assert_true(check(&ice, &a, false, T0 + PL_ICE_LITE_CONNECT_US - 1000, &r) > 0);
	assert_int_equal(pl_ice_lite_tick(&ice, T0 + PL_ICE_LITE_CONNECT_US - 1, on_expired, &log),
	                 PL_ICE_LITE_NEW);
	assert_true(found(&ice, &a));
	assert_int_equal(log.n, 0);
	assert_int_equal(pl_ice_lite_tick(&ice, T0 + PL_ICE_LITE_CONNECT_US, on_expired, &log),
	                 PL_ICE_LITE_FAILED);
	assert_int_equal(times_reported(&log, &a), 1);
	assert_int_equal(log.n, 1);
	assert_false(found(&ice, &a));
	assert_null(pl_ice_lite_selected(&ice));
}

/* A failed agent answers nothing, nominations included, and accepts nothing. */
static void test_failed_answers_nothing(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct addr a = v4("192.0.2.1", 50000);
	setup_ice(&ice);
	assert_true(check(&ice, &a, true, T0, &r) > 0);
	assert_int_equal(pl_ice_lite_tick(&ice, T0 + PL_ICE_LITE_CONSENT_US, NULL, NULL),
	                 PL_ICE_LITE_FAILED);
	uint64_t answered = ice.checks_answered;
	assert_int_equal(check(&ice, &a, true, T0 + PL_ICE_LITE_CONSENT_US + 1, &r), PL_ESTATE);
	assert_int_equal(r.ev, PL_ICE_LITE_NONE);
	assert_int_equal(check(&ice, &a, false, T0 + PL_ICE_LITE_CONSENT_US + 2, &r), PL_ESTATE);
	assert_int_equal(ice.checks_answered, answered);
	assert_int_equal(ice.state, PL_ICE_LITE_FAILED);
	assert_null(pl_ice_lite_selected(&ice));
	assert_false(found(&ice, &a));
	assert_int_equal(ice.n_tuples, 0);
	/* Failed by the connect timeout: the same. */
	struct pl_ice_lite late;
	setup_ice(&late);
	assert_int_equal(pl_ice_lite_tick(&late, T0 + PL_ICE_LITE_CONNECT_US, NULL, NULL),
	                 PL_ICE_LITE_FAILED);
	assert_int_equal(check(&late, &a, true, T0 + PL_ICE_LITE_CONNECT_US, &r), PL_ESTATE);
	assert_false(found(&late, &a));
}

static void test_ipv6(void **state)
{
	(void)state;
	struct pl_ice_lite ice;
	struct result r;
	struct addr a = v6("2001:db8::1", 50000), b = v6("2001:db8::2", 50000),
	            a_port = v6("2001:db8::1", 50001);
	setup_ice(&ice);
	assert_true(check(&ice, &a, true, T0, &r) > 0);
	assert_success(&r, &a);
	struct pl_stun_msg m;
	assert_int_equal(pl_stun_parse(r.out, (size_t)r.n, &m), 0);
	assert_int_equal(m.mapped.ss_family, AF_INET6);
	assert_int_equal(r.ev, PL_ICE_LITE_EV_CONNECTED);
	assert_true(is_selected(&ice, &a));
	assert_false(found(&ice, &b));
	assert_false(found(&ice, &a_port));
	/* The scope id is not part of the address. */
	struct addr scoped = a;
	((struct sockaddr_in6 *)&scoped.ss)->sin6_scope_id = 3;
	assert_true(found(&ice, &scoped));
	/* An IPv4 address with the same bytes is another address. */
	struct addr four = v4("32.1.13.184", 50000); /* 2001:0db8 */
	assert_false(found(&ice, &four));
	/* b nominated: selected moves across addresses of one family. */
	assert_true(check(&ice, &b, true, T0 + 1, &r) > 0);
	assert_int_equal(r.ev, PL_ICE_LITE_EV_SELECTED);
	assert_true(is_selected(&ice, &b));
	/* A dual-stack socket's IPv4-mapped source is told its IPv4 address (stun.h). */
	struct addr mapped = v6("::ffff:192.0.2.44", 40000), plain = v4("192.0.2.44", 40000);
	assert_true(check(&ice, &mapped, false, T0 + 2, &r) > 0);
	assert_int_equal(pl_stun_parse(r.out, (size_t)r.n, &m), 0);
	assert_true(same_addr(&m.mapped, &plain));
	assert_true(found(&ice, &mapped));
}

static void test_username_local(void **state)
{
	(void)state;
	char out[PL_ICE_LITE_UFRAG_MAX];
	struct pl_stun_msg m;
	memset(&m, 0, sizeof m);
	assert_int_equal(pl_ice_lite_username_local(&m, out), PL_EINVAL); /* no USERNAME */
	m.username = (const uint8_t *)"abcd:efgh";
	m.username_len = 9;
	assert_int_equal(pl_ice_lite_username_local(&m, out), 0);
	assert_string_equal(out, "abcd");
	m.username_len = 4; /* "abcd": the colon is past the attribute */
	assert_int_equal(pl_ice_lite_username_local(&m, out), PL_EINVAL);
	m.username = (const uint8_t *)":efgh";
	m.username_len = 5;
	assert_int_equal(pl_ice_lite_username_local(&m, out), PL_EINVAL);
	char name[PL_ICE_LITE_UFRAG_MAX + 8];
	memset(name, 'u', sizeof name);
	name[PL_ICE_LITE_UFRAG_MAX - 1] = ':'; /* 63 bytes before it: fits with the NUL */
	m.username = (const uint8_t *)name;
	m.username_len = sizeof name;
	assert_int_equal(pl_ice_lite_username_local(&m, out), 0);
	assert_int_equal(strlen(out), PL_ICE_LITE_UFRAG_MAX - 1);
	name[PL_ICE_LITE_UFRAG_MAX - 1] = 'u';
	name[PL_ICE_LITE_UFRAG_MAX] = ':'; /* 64 bytes: does not fit */
	assert_int_equal(pl_ice_lite_username_local(&m, out), PL_EINVAL);
}

static void test_addr_equal(void **state)
{
	(void)state;
	struct addr a = v4("192.0.2.1", 1), a2 = v4("192.0.2.1", 1), b = v4("192.0.2.1", 2),
	            c = v4("192.0.2.2", 1), d = v6("::1", 1), d2 = v6("::1", 1), e = v6("::2", 1);
	assert_true(pl_ice_lite_addr_equal(SA(&a), a.len, SA(&a2), a2.len));
	assert_false(pl_ice_lite_addr_equal(SA(&a), a.len, SA(&b), b.len));
	assert_false(pl_ice_lite_addr_equal(SA(&a), a.len, SA(&c), c.len));
	assert_false(pl_ice_lite_addr_equal(SA(&a), a.len, SA(&d), d.len));
	assert_true(pl_ice_lite_addr_equal(SA(&d), d.len, SA(&d2), d2.len));
	assert_false(pl_ice_lite_addr_equal(SA(&d), d.len, SA(&e), e.len));
	/* A length too short for the family is never equal. */
	assert_false(pl_ice_lite_addr_equal(SA(&a), a.len, SA(&a2), 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_answered),
	    cmocka_unit_test(test_hand_made_request),
	    cmocka_unit_test(test_rejected),
	    cmocka_unit_test(test_tampered),
	    cmocka_unit_test(test_remote_ufrag_unset),
	    cmocka_unit_test(test_not_a_request),
	    cmocka_unit_test(test_nomination),
	    cmocka_unit_test(test_role_conflict),
	    cmocka_unit_test(test_tuple_limit),
	    cmocka_unit_test(test_tuple_limit_selected_last),
	    cmocka_unit_test(test_consent_expiry),
	    cmocka_unit_test(test_consent_refresh),
	    cmocka_unit_test(test_unselected_expiry),
	    cmocka_unit_test(test_connect_timeout),
	    cmocka_unit_test(test_failed_answers_nothing),
	    cmocka_unit_test(test_ipv6),
	    cmocka_unit_test(test_username_local),
	    cmocka_unit_test(test_addr_equal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
