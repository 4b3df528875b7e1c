/* STUN Binding messages (RFC 8489, RFC 5389) with the ICE attributes (RFC 8445 section 7.1):
 * see stun.h. Written from the RFCs; checked against the test vectors of RFC 5769. */
#include "media/stun.h"

#include <limits.h>
#include <string.h>

#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "media/bytes.h"
#include "media/error.h"

/* Attribute types (RFC 8489 section 18.3, RFC 8445 section 16.1). Below 0x8000 a receiver
 * must understand an attribute (comprehension-required); from 0x8000 on it may skip it. */
#define ATTR_MAPPED_ADDRESS     0x0001
#define ATTR_USERNAME           0x0006
#define ATTR_MESSAGE_INTEGRITY  0x0008
#define ATTR_ERROR_CODE         0x0009
#define ATTR_UNKNOWN_ATTRIBUTES 0x000A
#define ATTR_XOR_MAPPED_ADDRESS 0x0020
#define ATTR_PRIORITY           0x0024
#define ATTR_USE_CANDIDATE      0x0025
#define ATTR_FINGERPRINT        0x8028
#define ATTR_ICE_CONTROLLED     0x8029
#define ATTR_ICE_CONTROLLING    0x802A

#define ATTR_HEADER       4
#define INTEGRITY_LEN     20          /* HMAC-SHA1 (RFC 8489 section 14.5) */
#define FINGERPRINT_XOR   0x5354554eu /* "STUN" (RFC 8489 section 14.7) */
#define MAX_REASON        763         /* RFC 8489 section 14.8: < 128 characters, <= 763 bytes */
#define FAMILY_IPV4       0x01
#define FAMILY_IPV6       0x02
#define COMPREHENSION_OPT 0x8000

/* CRC-32 of ISO-HDLC (ITU-T V.42, the one of Ethernet and zlib): reflected polynomial
 * 0xEDB88320, initial value and final XOR 0xFFFFFFFF. Four bits a step from a 16-entry table:
 * the messages are short, and the table stays small and constant. */
static uint32_t crc32_iso_hdlc(const uint8_t *p, size_t n)
{
	static const uint32_t nibble[16] = {
	    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	    0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	    0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		c = (c >> 4) ^ nibble[c & 0x0f];
		c = (c >> 4) ^ nibble[c & 0x0f];
	}
	return c ^ 0xffffffffu;
}

/* HMAC-SHA1(key, data) into mac[INTEGRITY_LEN]. OpenSSL's one-shot HMAC() wants a non-NULL
 * key pointer even for an empty key; NULL is taken as empty, NULL with a length refused. */
static int hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *data, size_t n,
                     uint8_t mac[INTEGRITY_LEN])
{
	static const uint8_t empty[1] = {0};
	unsigned int mac_len = 0;

	if (key_len > INT_MAX || (!key && key_len))
		return PL_EINVAL;
	if (!HMAC(EVP_sha1(), key ? key : empty, (int)key_len, data, n, mac, &mac_len) ||
	    mac_len != INTEGRITY_LEN)
		return PL_EIO;
	return 0;
}

bool pl_stun_is_stun(const uint8_t *buf, size_t len)
{
	if (!buf || len < PL_STUN_HEADER || (buf[0] & 0xc0) != 0)
		return false;
	size_t body = pl_read_u16(buf + 2);
	return body % 4 == 0 && body == len - PL_STUN_HEADER &&
	       pl_read_u32(buf + 4) == PL_STUN_MAGIC;
}

/* XOR-MAPPED-ADDRESS (RFC 8489 section 14.2): reserved byte, family, port XOR the top half of
 * the magic cookie, address XOR the cookie (IPv4) or the cookie and the transaction ID (IPv6). */
static int decode_xor_address(const uint8_t *v, size_t n, const uint8_t *header,
                              struct sockaddr_storage *out)
{
	uint8_t port[2];

	/* The size first: v has n bytes and nothing after them may be read. */
	if (n != 8 && n != 20)
		return PL_EINVAL;
	port[0] = v[2] ^ header[4];
	port[1] = v[3] ^ header[5];
	memset(out, 0, sizeof(*out));
	if (n == 8 && v[1] == FAMILY_IPV4) {
		struct sockaddr_in sin;
		uint8_t a[4];

		memset(&sin, 0, sizeof(sin));
		for (size_t i = 0; i < 4; i++)
			a[i] = v[4 + i] ^ header[4 + i];
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_port, port, 2); /* both in network byte order */
		memcpy(&sin.sin_addr, a, 4);
		memcpy(out, &sin, sizeof(sin));
		return 0;
	}
	if (n == 20 && v[1] == FAMILY_IPV6) {
		struct sockaddr_in6 sin6;
		uint8_t a[16];

		memset(&sin6, 0, sizeof(sin6));
		for (size_t i = 0; i < 16; i++)
			a[i] = v[4 + i] ^ header[4 + i]; /* cookie, then transaction ID */
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_port, port, 2);
		memcpy(&sin6.sin6_addr, a, 16);
		memcpy(out, &sin6, sizeof(sin6));
		return 0;
	}
	return PL_EINVAL;
}

/* ERROR-CODE (RFC 8489 section 14.8): 21 reserved bits, class (3 bits, 3..6), number (0..99),
 * then a UTF-8 reason phrase that is not looked at. */
static int decode_error_code(const uint8_t *v, size_t n, int *code)
{
	if (n < 4 || n > 4 + MAX_REASON)
		return PL_EINVAL;
	int cls = v[2] & 0x07, number = v[3];
	if (cls < 3 || cls > 6 || number > 99)
		return PL_EINVAL;
	*code = cls * 100 + number;
	return 0;
}

/* One attribute before MESSAGE-INTEGRITY. Each is checked; of several with the same type the
 * first counts (RFC 8489 section 14: "only the first occurrence needs to be processed"). */
static int decode_attr(uint16_t type, const uint8_t *v, size_t n, const uint8_t *header,
                       struct pl_stun_msg *m)
{
	struct sockaddr_storage addr;
	int code, rc;

	switch (type) {
	case ATTR_USERNAME:
		if (n >= PL_STUN_MAX_USERNAME)
			return PL_ELIMIT;
		if (!m->username) {
			m->username = v; /* never NULL, even for an empty USERNAME */
			m->username_len = n;
		}
		return 0;
	case ATTR_ERROR_CODE:
		if ((rc = decode_error_code(v, n, &code)) != 0)
			return rc;
		if (!m->error_code)
			m->error_code = code;
		return 0;
	case ATTR_UNKNOWN_ATTRIBUTES:
		return n % 2 == 0 ? 0 : PL_EINVAL; /* a list of 16-bit types; not kept */
	case ATTR_MAPPED_ADDRESS:
		/* Known (RFC 8489 section 14.1), so no 420 for it; ICE uses the XOR form. */
		return n == 8 || n == 20 ? 0 : PL_EINVAL;
	case ATTR_XOR_MAPPED_ADDRESS:
		if ((rc = decode_xor_address(v, n, header, &addr)) != 0)
			return rc;
		if (m->mapped.ss_family == 0)
			m->mapped = addr;
		return 0;
	case ATTR_PRIORITY:
		if (n != 4)
			return PL_EINVAL;
		if (!m->has_priority) {
			m->has_priority = true;
			m->priority = pl_read_u32(v);
		}
		return 0;
	case ATTR_USE_CANDIDATE:
		if (n != 0)
			return PL_EINVAL;
		m->use_candidate = true;
		return 0;
	case ATTR_ICE_CONTROLLED:
	case ATTR_ICE_CONTROLLING:
		/* Both may be present (a broken peer): both flags are set, the tiebreaker is the
		 * first one's. */
		if (n != 8)
			return PL_EINVAL;
		if (!m->ice_controlled && !m->ice_controlling)
			m->tiebreaker = (uint64_t)pl_read_u32(v) << 32 | pl_read_u32(v + 4);
		if (type == ATTR_ICE_CONTROLLED)
			m->ice_controlled = true;
		else
			m->ice_controlling = true;
		return 0;
	default:
		/* Unknown: comprehension-optional ones are skipped, comprehension-required ones
		 * are listed for a 420 answer (RFC 8489 section 6.3.1). */
		if (type < COMPREHENSION_OPT) {
			if (m->n_unknown < sizeof(m->unknown) / sizeof(m->unknown[0]))
				m->unknown[m->n_unknown] = type;
			m->n_unknown++;
		}
		return 0;
	}
}

static int parse(const uint8_t *buf, size_t len, struct pl_stun_msg *m)
{
	const uint8_t *p = buf, *end;
	uint16_t type, body;
	uint32_t cookie;
	size_t n_attrs = 0;
	int rc;

	if (!buf || len < PL_STUN_HEADER)
		return PL_ETRUNC;
	if (len > PL_STUN_MAX_MESSAGE)
		return PL_ELIMIT;
	end = buf + len;
	/* RFC 8489 section 5: the top two bits of the type are zero, the length counts the bytes
	 * after the header (a multiple of 4), then the magic cookie and the transaction ID. */
	if ((rc = pl_get_u16(&p, end, &type)) != 0 || (rc = pl_get_u16(&p, end, &body)) != 0 ||
	    (rc = pl_get_u32(&p, end, &cookie)) != 0)
		return rc;
	if ((type & 0xc000) != 0 || cookie != PL_STUN_MAGIC || body % 4 != 0)
		return PL_EINVAL;
	if ((size_t)body > len - PL_STUN_HEADER)
		return PL_ETRUNC;
	if ((size_t)body < len - PL_STUN_HEADER)
		return PL_EINVAL;
	m->type = type;
	memcpy(m->tid, p, sizeof(m->tid));
	p += sizeof(m->tid);

	while (p < end) {
		size_t at = (size_t)(p - buf), padded;
		uint16_t atype, alen;

		if (++n_attrs > PL_STUN_MAX_ATTRS)
			return PL_ELIMIT;
		if ((rc = pl_get_u16(&p, end, &atype)) != 0 ||
		    (rc = pl_get_u16(&p, end, &alen)) != 0)
			return rc;
		/* RFC 8489 section 14: values are padded to a multiple of 4 bytes; the padding is
		 * counted in the message length and its content ignored. */
		padded = ((size_t)alen + 3) & ~(size_t)3;
		if ((size_t)(end - p) < padded)
			return PL_ETRUNC;
		const uint8_t *v = p;
		p += padded;
		/* RFC 8489 section 14.7: FINGERPRINT is the last attribute. */
		if (m->fingerprint_at)
			return PL_EINVAL;
		if (atype == ATTR_FINGERPRINT) {
			if (alen != 4)
				return PL_EINVAL;
			if (pl_read_u32(v) != (crc32_iso_hdlc(buf, at) ^ FINGERPRINT_XOR))
				return PL_EINVAL;
			m->fingerprint_at = at;
			continue;
		}
		/* RFC 8489 section 14.5: what follows MESSAGE-INTEGRITY (but FINGERPRINT) is not
		 * covered by it, so it is ignored. Its framing was still checked above. */
		if (m->integrity_at)
			continue;
		if (atype == ATTR_MESSAGE_INTEGRITY) {
			if (alen != INTEGRITY_LEN)
				return PL_EINVAL;
			m->integrity_at = at;
			continue;
		}
		if ((rc = decode_attr(atype, v, alen, buf, m)) != 0)
			return rc;
	}
	return 0;
}

int pl_stun_parse(const uint8_t *buf, size_t len, struct pl_stun_msg *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse(buf, len, out)) != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

int pl_stun_check_integrity(const uint8_t *buf, size_t len, const struct pl_stun_msg *m,
                            const uint8_t *key, size_t key_len)
{
	uint8_t copy[PL_STUN_MAX_MESSAGE], mac[INTEGRITY_LEN];
	size_t at = m->integrity_at;
	int rc = PL_EAUTH;

	/* m must describe buf: the attribute lies inside it, after the header. */
	if (!buf || at < PL_STUN_HEADER || at > len || len - at < ATTR_HEADER + INTEGRITY_LEN ||
	    at > sizeof(copy) || pl_read_u16(buf + at) != ATTR_MESSAGE_INTEGRITY)
		return PL_EAUTH;
	/* RFC 8489 section 14.5: the HMAC covers the message up to the attribute, with the
	 * header's length set as if MESSAGE-INTEGRITY were the last attribute. */
	memcpy(copy, buf, at);
	pl_put_u16(copy + 2, (uint16_t)(at - PL_STUN_HEADER + ATTR_HEADER + INTEGRITY_LEN));
	if (hmac_sha1(key, key_len, copy, at, mac) == 0 &&
	    CRYPTO_memcmp(mac, buf + at + ATTR_HEADER, INTEGRITY_LEN) == 0)
		rc = 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

/* Writers: a message grows in out; every step checks the room left. Nothing written is
 * longer than PL_STUN_MAX_MESSAGE, so pl_stun_parse takes all of it. */
struct writer {
	uint8_t *out;
	size_t cap, len;
};

static int writer_init(struct writer *w, uint8_t *out, size_t cap, uint16_t type,
                       const uint8_t tid[12])
{
	w->out = out;
	w->cap = cap < PL_STUN_MAX_MESSAGE ? cap : PL_STUN_MAX_MESSAGE;
	w->len = PL_STUN_HEADER;
	if (!out || w->cap < PL_STUN_HEADER)
		return PL_ESPACE;
	pl_put_u16(out, type);
	pl_put_u16(out + 2, 0);
	pl_put_u32(out + 4, PL_STUN_MAGIC);
	memcpy(out + 8, tid, 12);
	return 0;
}

/* Appends an attribute header and room for n value bytes, zero padding included; returns
 * where the value goes, or NULL when it does not fit. */
static uint8_t *writer_attr(struct writer *w, uint16_t type, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;
	uint8_t *v;

	if (n > UINT16_MAX || w->cap - w->len < ATTR_HEADER + padded)
		return NULL;
	pl_put_u16(w->out + w->len, type);
	pl_put_u16(w->out + w->len + 2, (uint16_t)n);
	v = w->out + w->len + ATTR_HEADER;
	memset(v + n, 0, padded - n);
	w->len += ATTR_HEADER + padded;
	pl_put_u16(w->out + 2, (uint16_t)(w->len - PL_STUN_HEADER));
	return v;
}

/* MESSAGE-INTEGRITY when key is not NULL (the header length already counts it when the HMAC
 * is taken, RFC 8489 section 14.5), then FINGERPRINT (section 14.7) last. */
static int writer_finish(struct writer *w, const uint8_t *key, size_t key_len)
{
	size_t at;
	uint8_t *v;
	int rc;

	if (key) {
		at = w->len;
		if (!(v = writer_attr(w, ATTR_MESSAGE_INTEGRITY, INTEGRITY_LEN)))
			return PL_ESPACE;
		if ((rc = hmac_sha1(key, key_len, w->out, at, v)) != 0)
			return rc;
	}
	at = w->len;
	if (!(v = writer_attr(w, ATTR_FINGERPRINT, 4)))
		return PL_ESPACE;
	pl_put_u32(v, crc32_iso_hdlc(w->out, at) ^ FINGERPRINT_XOR);
	return (int)w->len;
}

int pl_stun_write_success(uint8_t *out, size_t cap, const uint8_t tid[12],
                          const struct sockaddr *mapped, const uint8_t *key, size_t key_len)
{
	struct writer w;
	uint8_t addr[16], port[2], family, *v;
	size_t alen;
	int rc;

	if (!tid || !mapped)
		return PL_EINVAL;
	if (mapped->sa_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, mapped, sizeof(sin));
		memcpy(port, &sin.sin_port, 2);
		memcpy(addr, &sin.sin_addr, 4);
		family = FAMILY_IPV4;
		alen = 4;
	} else if (mapped->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;
		static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		memcpy(&sin6, mapped, sizeof(sin6));
		memcpy(port, &sin6.sin6_port, 2);
		memcpy(addr, &sin6.sin6_addr, 16);
		family = FAMILY_IPV6;
		alen = 16;
		/* A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; the peer sent from
		 * a.b.c.d and is told so. */
		if (memcmp(addr, v4mapped, sizeof(v4mapped)) == 0) {
			memmove(addr, addr + 12, 4);
			family = FAMILY_IPV4;
			alen = 4;
		}
	} else {
		return PL_EINVAL;
	}
	if ((rc = writer_init(&w, out, cap, PL_STUN_BINDING_SUCCESS, tid)) != 0)
		return rc;
	if (!(v = writer_attr(&w, ATTR_XOR_MAPPED_ADDRESS, 4 + alen)))
		return PL_ESPACE;
	v[0] = 0;
	v[1] = family;
	v[2] = port[0] ^ out[4];
	v[3] = port[1] ^ out[5];
	for (size_t i = 0; i < alen; i++)
		v[4 + i] = addr[i] ^ out[4 + i]; /* cookie, then transaction ID */
	return writer_finish(&w, key, key_len);
}

int pl_stun_write_error(uint8_t *out, size_t cap, const uint8_t tid[12], int code,
                        const char *reason, const uint16_t *unknown, size_t n_unknown,
                        const uint8_t *key, size_t key_len)
{
	size_t rlen = reason ? strlen(reason) : 0;
	struct writer w;
	uint8_t *v;
	int rc;

	if (!tid || code < 300 || code > 699 || rlen > MAX_REASON)
		return PL_EINVAL;
	if ((rc = writer_init(&w, out, cap, PL_STUN_BINDING_ERROR, tid)) != 0)
		return rc;
	if (!(v = writer_attr(&w, ATTR_ERROR_CODE, 4 + rlen)))
		return PL_ESPACE;
	v[0] = 0;
	v[1] = 0;
	v[2] = (uint8_t)(code / 100);
	v[3] = (uint8_t)(code % 100);
	if (rlen)
		memcpy(v + 4, reason, rlen);
	/* RFC 8489 section 14.9: the types this server did not understand, 2 bytes each. */
	if (code == 420 && unknown && n_unknown > 0) {
		if (n_unknown > UINT16_MAX / 2 ||
		    !(v = writer_attr(&w, ATTR_UNKNOWN_ATTRIBUTES, 2 * n_unknown)))
			return PL_ESPACE;
		for (size_t i = 0; i < n_unknown; i++)
			pl_put_u16(v + 2 * i, unknown[i]);
	}
	return writer_finish(&w, key, key_len);
}

int pl_stun_write_request(uint8_t *out, size_t cap, const uint8_t tid[12], const char *username,
                          uint32_t priority, uint64_t tiebreaker, bool use_candidate,
                          const uint8_t *key, size_t key_len)
{
	size_t ulen = username ? strlen(username) : 0;
	struct writer w;
	uint8_t *v;
	int rc;

	if (!tid || ulen >= PL_STUN_MAX_USERNAME)
		return PL_EINVAL;
	if ((rc = writer_init(&w, out, cap, PL_STUN_BINDING_REQUEST, tid)) != 0)
		return rc;
	if (username) {
		if (!(v = writer_attr(&w, ATTR_USERNAME, ulen)))
			return PL_ESPACE;
		memcpy(v, username, ulen);
	}
	if (!(v = writer_attr(&w, ATTR_PRIORITY, 4)))
		return PL_ESPACE;
	pl_put_u32(v, priority);
	if (!(v = writer_attr(&w, ATTR_ICE_CONTROLLING, 8)))
		return PL_ESPACE;
	pl_put_u32(v, (uint32_t)(tiebreaker >> 32));
	pl_put_u32(v + 4, (uint32_t)tiebreaker);
	if (use_candidate && !writer_attr(&w, ATTR_USE_CANDIDATE, 0))
		return PL_ESPACE;
	return writer_finish(&w, key, key_len);
}
