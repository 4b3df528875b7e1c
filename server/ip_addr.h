/* IP address literals and CIDR prefixes: parsing, the normalised text form and prefix matching,
 * for the configuration ([media] addresses, public_ip, [http] listen, trusted_proxies) and the
 * trusted-proxy check on each HTTP connection. Plain inet_pton/inet_ntop: no name resolution, no
 * allocation, no scope ids.
 *
 * Text forms: IPv4 dotted decimal as inet_pton(AF_INET) takes it (four decimal parts, no leading
 * zeros, no "0x"); IPv6 as RFC 4291 section 2.2, written back as RFC 5952 recommends (lower case,
 * longest run of zero groups as "::"), so "2001:DB8:0:0::5" becomes "2001:db8::5". */
#ifndef PL_IP_ADDR_H
#define PL_IP_ADDR_H

#include <stdbool.h>
#include <stdint.h>

/* Longest text form with the terminating NUL: INET6_ADDRSTRLEN, and "/128" for a CIDR. */
#define PL_IP_ADDR_STRLEN 46
#define PL_IP_CIDR_STRLEN (PL_IP_ADDR_STRLEN + 4)

struct pl_ip_addr {
	int family;        /* AF_INET or AF_INET6 */
	uint8_t bytes[16]; /* network byte order; only the first 4 for AF_INET */
};

struct pl_ip_cidr {
	struct pl_ip_addr addr; /* every bit after the first prefix_len is zero */
	unsigned prefix_len;    /* 0..32 for AF_INET, 0..128 for AF_INET6 */
};

/* Parse an IPv4 or IPv6 literal. NULL, "", host names, brackets, surrounding spaces and scope
 * ids ("fe80::1%eth0": they mean something else on every host) are PL_EINVAL; 0 on success. */
int pl_ip_addr_parse(const char *s, struct pl_ip_addr *out);

/* 32 or 128. */
unsigned pl_ip_addr_bits(const struct pl_ip_addr *a);

/* Whether a is an IPv4-mapped IPv6 address ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2), as a
 * dual-stack socket reports an IPv4 peer; if so and v4 is not NULL, *v4 is the IPv4 address. */
bool pl_ip_addr_v4_mapped(const struct pl_ip_addr *a, struct pl_ip_addr *v4);

/* The normalised text form into out; returns out. */
char *pl_ip_addr_format(const struct pl_ip_addr *a, char out[PL_IP_ADDR_STRLEN]);

/* Parse "ADDR" (a prefix of all its bits) or "ADDR/LEN" (RFC 4632 section 3.1, RFC 4291
 * section 2.3). LEN is decimal digits only (leading zeros allowed; no sign, no spaces).
 * Returns 0; PL_EINVAL when ADDR is not an address (pl_ip_addr_parse); PL_ELIMIT when LEN is
 * empty, not decimal or above 32 (IPv4) or 128 (IPv6); PL_EPROTO when ADDR has bits set after
 * the prefix ("10.0.0.1/8", probably a typo for 10.0.0.0/8 or 10.0.0.1). ADDR is checked
 * first, so "garbage/99" is PL_EINVAL. */
int pl_ip_cidr_parse(const char *s, struct pl_ip_cidr *out);

/* "ADDR/LEN", or only "ADDR" when LEN is all the address's bits; returns out. */
char *pl_ip_cidr_format(const struct pl_ip_cidr *c, char out[PL_IP_CIDR_STRLEN]);

/* Whether a lies inside c. Families must agree, except that an IPv4-mapped IPv6 address also
 * matches an IPv4 CIDR by its IPv4 address: a proxy listed as 10.0.0.0/8 is still recognised
 * when the daemon listens on [::] and sees it as ::ffff:10.x.y.z. A /0 matches every address of
 * its family. */
bool pl_ip_cidr_match(const struct pl_ip_cidr *c, const struct pl_ip_addr *a);

#endif
