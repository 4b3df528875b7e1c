/* STUN (RFC 5389/8489) as ICE uses it (RFC 8445 section 7, RFC 7675): the Binding method only.
 * Sans-IO: bytes in, a parsed view or bytes out. The parser never trusts a length field and
 * returns views into the caller's buffer. Addresses are struct sockaddr_in/_in6 (plain data). */
#ifndef PL_STUN_H
#define PL_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PL_STUN_HEADER       20
#define PL_STUN_MAGIC        0x2112A442u
#define PL_STUN_MAX_ATTRS    32   /* more attributes than this: PL_ELIMIT */
#define PL_STUN_MAX_USERNAME 513  /* RFC 8489 14.3: < 513 bytes */
#define PL_STUN_MAX_MESSAGE  1280 /* longer input: PL_ELIMIT; no writer goes past it */

/* Message types (method Binding = 0x001 with its four classes). */
#define PL_STUN_BINDING_REQUEST    0x0001
#define PL_STUN_BINDING_INDICATION 0x0011
#define PL_STUN_BINDING_SUCCESS    0x0101
#define PL_STUN_BINDING_ERROR      0x0111

struct pl_stun_msg {
	uint16_t type;
	uint8_t tid[12];
	/* USERNAME as sent (not NUL-terminated), or NULL/0 when absent. */
	const uint8_t *username;
	size_t username_len;
	/* Offset of the MESSAGE-INTEGRITY attribute's header from the start of the message, and of
	 * FINGERPRINT's; 0 when absent (an attribute can never start at 0). Attributes after
	 * MESSAGE-INTEGRITY other than FINGERPRINT are ignored, as RFC 8489 14.5 says. */
	size_t integrity_at;
	size_t fingerprint_at;
	bool has_priority;
	uint32_t priority;
	bool use_candidate;
	bool ice_controlling, ice_controlled;
	uint64_t tiebreaker;
	/* XOR-MAPPED-ADDRESS of a success response, decoded; family 0 when absent. */
	struct sockaddr_storage mapped;
	/* ERROR-CODE of an error response (300..699), 0 when absent. */
	int error_code;
	/* Comprehension-required attribute types (< 0x8000) this parser does not know, for a 420
	 * answer; up to 8 kept, n_unknown counts all. */
	uint16_t unknown[8];
	size_t n_unknown;
};

/* True when buf looks like STUN (RFC 7983: first byte 0..3, magic cookie, length multiple of 4
 * matching len). Cheap: for demultiplexing before a full parse. */
bool pl_stun_is_stun(const uint8_t *buf, size_t len);

/* Parses a whole message of exactly len bytes (RFC 8489 sections 5 and 14). PL_ETRUNC/PL_EINVAL
 * on malformed input: PL_ETRUNC when len is under the header or the header length or an
 * attribute runs past len; PL_EINVAL for a top type bit set, a wrong magic cookie, a header
 * length not a multiple of 4 or shorter than len, a known attribute of the wrong size or
 * content, an attribute after FINGERPRINT, or a FINGERPRINT value that does not match (a
 * damaged message or not STUN; it is no authentication, so not PL_EAUTH). PL_ELIMIT over
 * PL_STUN_MAX_ATTRS attributes, a USERNAME of PL_STUN_MAX_USERNAME bytes or more, or len over
 * PL_STUN_MAX_MESSAGE. Any method and class is accepted: the caller checks type. Of repeated
 * attributes the first counts. On error *out is all zero. Does not check MESSAGE-INTEGRITY
 * (the key depends on USERNAME): see pl_stun_check_integrity. */
int pl_stun_parse(const uint8_t *buf, size_t len, struct pl_stun_msg *out);

/* 0 when m's MESSAGE-INTEGRITY (HMAC-SHA1 over buf up to the attribute, with the header length
 * adjusted as RFC 8489 14.5 says) matches key (the ICE password, short-term credentials);
 * PL_EAUTH when it does not or is absent. buf/len as given to pl_stun_parse. */
int pl_stun_check_integrity(const uint8_t *buf, size_t len, const struct pl_stun_msg *m,
                            const uint8_t *key, size_t key_len);

/* Writers: padding is zero; MESSAGE-INTEGRITY is left out when key is NULL (an empty key is
 * key != NULL, key_len 0); FINGERPRINT comes last. None writes more than PL_STUN_MAX_MESSAGE
 * bytes (cap is taken as at most that), so pl_stun_parse accepts all they write. PL_EIO if
 * OpenSSL's HMAC fails. */

/* Writes a Binding success response to the request tid: XOR-MAPPED-ADDRESS = mapped (an
 * IPv4-mapped IPv6 address, ::ffff:a.b.c.d from a dual-stack socket, is written as IPv4
 * a.b.c.d), MESSAGE-INTEGRITY with key, FINGERPRINT. Returns its length, or PL_ESPACE /
 * PL_EINVAL (unknown address family). */
int pl_stun_write_success(uint8_t *out, size_t cap, const uint8_t tid[12],
                          const struct sockaddr *mapped, const uint8_t *key, size_t key_len);

/* Writes a Binding error response: ERROR-CODE code with reason (NUL-terminated UTF-8, NULL
 * for none), UNKNOWN-ATTRIBUTES when code == 420 and unknown is given, MESSAGE-INTEGRITY when
 * key is not NULL, FINGERPRINT. Returns its length, or PL_ESPACE / PL_EINVAL (code outside
 * 300..699, reason over 763 bytes). */
int pl_stun_write_error(uint8_t *out, size_t cap, const uint8_t tid[12], int code,
                        const char *reason, const uint16_t *unknown, size_t n_unknown,
                        const uint8_t *key, size_t key_len);

/* Writes a Binding request as a controlling ICE agent would (for tests and plenum-load):
 * USERNAME (left out when NULL), PRIORITY, ICE-CONTROLLING with tiebreaker, USE-CANDIDATE
 * when asked, MESSAGE-INTEGRITY with key, FINGERPRINT. Returns its length, PL_ESPACE, or
 * PL_EINVAL for a username of PL_STUN_MAX_USERNAME bytes or more. */
int pl_stun_write_request(uint8_t *out, size_t cap, const uint8_t tid[12], const char *username,
                          uint32_t priority, uint64_t tiebreaker, bool use_candidate,
                          const uint8_t *key, size_t key_len);

#endif
