/* libFuzzer target: STUN Binding codec (media/stun.c), with one fixed key (the short-term
 * password of RFC 5769, so that the seeds, its test vectors among them, pass the integrity check
 * and mutations reach past it):
 * 1. the input as a received message: parsing never crashes; when it succeeds, pl_stun_is_stun
 *    agrees, the offsets lie inside the input, and the integrity check runs (0 or PL_EAUTH);
 * 2. for a message that parsed, a success response (its XOR-MAPPED-ADDRESS, or one made of its
 *    transaction ID) and an error response (420 with its unknown attributes, else its error code
 *    or one derived from the input) for the same transaction: each must parse back to what was
 *    written and pass the integrity check with the key, and fail it with another key;
 * 3. a request with its USERNAME, PRIORITY, tiebreaker and USE-CANDIDATE, likewise.
 * Each input is tried twice: as it is, and with the header length and a trailing FINGERPRINT
 * made right (a CRC-32 of this file's own), since a mutation nearly always breaks the checksum
 * and the parser would never be seen past it. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "media/error.h"
#include "media/stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char key[] = "VOkJxbRl1RmTxUk/WvJxBt";
#define KEY     ((const uint8_t *)key)
#define KEY_LEN (sizeof(key) - 1)

static void check(int cond)
{
	if (!cond)
		abort();
}

/* Parses what a writer made (n bytes, or a negative error) and checks the common parts. */
static void reparse(const uint8_t *out, int n, uint16_t type, const uint8_t tid[12],
                    struct pl_stun_msg *m)
{
	check(n >= PL_STUN_HEADER + 8 && n <= PL_STUN_MAX_MESSAGE);
	check(pl_stun_is_stun(out, (size_t)n));
	check(pl_stun_parse(out, (size_t)n, m) == 0);
	check(m->type == type && memcmp(m->tid, tid, 12) == 0);
	check(m->fingerprint_at == (size_t)n - 8 && m->integrity_at == (size_t)n - 32);
	check(m->n_unknown == 0);
	check(pl_stun_check_integrity(out, (size_t)n, m, KEY, KEY_LEN) == 0);
	check(pl_stun_check_integrity(out, (size_t)n, m, KEY, KEY_LEN - 1) == PL_EAUTH);
}

/* The address the success response must carry: an IPv4-mapped IPv6 one becomes IPv4. */
static void check_mapped(const struct sockaddr_storage *want, const struct sockaddr_storage *got)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (want->ss_family == AF_INET6) {
		const struct sockaddr_in6 *w = (const struct sockaddr_in6 *)want;
		if (memcmp(&w->sin6_addr, v4mapped, 12) == 0) {
			const struct sockaddr_in *g = (const struct sockaddr_in *)got;
			check(got->ss_family == AF_INET && g->sin_port == w->sin6_port &&
			      memcmp(&g->sin_addr, (const uint8_t *)&w->sin6_addr + 12, 4) == 0);
			return;
		}
		const struct sockaddr_in6 *g = (const struct sockaddr_in6 *)got;
		check(got->ss_family == AF_INET6 && g->sin6_port == w->sin6_port &&
		      memcmp(&g->sin6_addr, &w->sin6_addr, 16) == 0);
		return;
	}
	const struct sockaddr_in *w = (const struct sockaddr_in *)want;
	const struct sockaddr_in *g = (const struct sockaddr_in *)got;
	check(got->ss_family == AF_INET && g->sin_port == w->sin_port &&
	      memcmp(&g->sin_addr, &w->sin_addr, 4) == 0);
}

static void answer(const uint8_t *data, size_t size, const struct pl_stun_msg *req)
{
	uint8_t out[PL_STUN_MAX_MESSAGE];
	struct sockaddr_storage addr;
	struct pl_stun_msg m;
	char reason[64];
	int n;

	/* Success: the parsed XOR-MAPPED-ADDRESS, else one made of the transaction ID. */
	if (req->mapped.ss_family != 0) {
		addr = req->mapped;
	} else {
		memset(&addr, 0, sizeof(addr));
		if (req->tid[11] & 1) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&addr;
			a->sin6_family = AF_INET6;
			memcpy(&a->sin6_port, req->tid, 2);
			memcpy(&a->sin6_addr, req->tid, 12);
			memcpy((uint8_t *)&a->sin6_addr + 12, req->tid + 2, 4);
		} else {
			struct sockaddr_in *a = (struct sockaddr_in *)&addr;
			a->sin_family = AF_INET;
			memcpy(&a->sin_port, req->tid, 2);
			memcpy(&a->sin_addr, req->tid + 2, 4);
		}
	}
	n = pl_stun_write_success(out, sizeof(out), req->tid, (const struct sockaddr *)&addr, KEY,
	                          KEY_LEN);
	reparse(out, n, PL_STUN_BINDING_SUCCESS, req->tid, &m);
	check_mapped(&addr, &m.mapped);

	/* Error: 420 listing the unknown attributes, else the error code received or one made of
	 * the input; a reason of up to 63 letters from the input. */
	size_t rlen = size ? data[size - 1] % sizeof(reason) : 0;
	if (rlen > size)
		rlen = size;
	for (size_t i = 0; i < rlen; i++)
		reason[i] = (char)('a' + data[i] % 26);
	reason[rlen] = '\0';
	int code = req->error_code ? req->error_code : 300 + (req->tid[0] << 8 | req->tid[1]) % 400;
	size_t kept = req->n_unknown < 8 ? req->n_unknown : 8;
	if (kept)
		code = 420;
	n = pl_stun_write_error(out, sizeof(out), req->tid, code, reason, req->unknown, kept, KEY,
	                        KEY_LEN);
	reparse(out, n, PL_STUN_BINDING_ERROR, req->tid, &m);
	check(m.error_code == code);

	/* Request: the USERNAME received (unless it holds a NUL), PRIORITY and so on. */
	char user[PL_STUN_MAX_USERNAME];
	const char *u = NULL;
	if (req->username && !memchr(req->username, 0, req->username_len)) {
		check(req->username_len < sizeof(user));
		memcpy(user, req->username, req->username_len);
		user[req->username_len] = '\0';
		u = user;
	}
	n = pl_stun_write_request(out, sizeof(out), req->tid, u, req->priority, req->tiebreaker,
	                          req->use_candidate, KEY, KEY_LEN);
	reparse(out, n, PL_STUN_BINDING_REQUEST, req->tid, &m);
	check(m.has_priority && m.priority == req->priority);
	check(m.ice_controlling && !m.ice_controlled && m.tiebreaker == req->tiebreaker);
	check(m.use_candidate == req->use_candidate);
	if (u)
		check(m.username_len == req->username_len &&
		      memcmp(m.username, req->username, req->username_len) == 0);
	else
		check(m.username == NULL);
}

/* CRC-32 (ISO-HDLC), bit at a time: independent of media/stun.c's. */
static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static void received(const uint8_t *data, size_t size)
{
	struct pl_stun_msg m;
	int rc = pl_stun_parse(data, size, &m);

	if (rc != 0) {
		check(rc == PL_ETRUNC || rc == PL_EINVAL || rc == PL_ELIMIT);
		return;
	}
	check(pl_stun_is_stun(data, size));
	check(m.integrity_at == 0 ||
	      (m.integrity_at >= PL_STUN_HEADER && m.integrity_at + 24 <= size));
	check(m.fingerprint_at == 0 || m.fingerprint_at == size - 8);
	check(m.username == NULL ||
	      (m.username >= data && m.username + m.username_len <= data + size &&
	       m.username_len < PL_STUN_MAX_USERNAME));
	check(m.error_code == 0 || (m.error_code >= 300 && m.error_code <= 699));
	rc = pl_stun_check_integrity(data, size, &m, KEY, KEY_LEN);
	check(rc == 0 || rc == PL_EAUTH);
	check(m.integrity_at != 0 || rc == PL_EAUTH);
	answer(data, size, &m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	received(data, size);
	if (size < PL_STUN_HEADER || size > PL_STUN_MAX_MESSAGE)
		return 0;
	uint8_t *fixed = malloc(size); /* exact size, so that ASan sees reads past the end */
	check(fixed != NULL);
	memcpy(fixed, data, size);
	fixed[2] = (uint8_t)((size - PL_STUN_HEADER) >> 8);
	fixed[3] = (uint8_t)(size - PL_STUN_HEADER);
	if (size >= PL_STUN_HEADER + 8 && memcmp(fixed + size - 8, "\x80\x28\x00\x04", 4) == 0) {
		uint32_t fp = crc32(fixed, size - 8) ^ 0x5354554eu;
		fixed[size - 4] = (uint8_t)(fp >> 24);
		fixed[size - 3] = (uint8_t)(fp >> 16);
		fixed[size - 2] = (uint8_t)(fp >> 8);
		fixed[size - 1] = (uint8_t)fp;
	}
	received(fixed, size);
	free(fixed);
	return 0;
}
