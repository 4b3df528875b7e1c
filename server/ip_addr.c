/* IP address literals and CIDR prefixes on inet_pton/inet_ntop. See ip_addr.h. */
#include "server/ip_addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "media/error.h"

int pl_ip_addr_parse(const char *s, struct pl_ip_addr *out)
{
	struct pl_ip_addr a;

	/* inet_pton refuses scope ids today; the explicit check keeps that true whatever libc. */
	if (s == NULL || s[0] == '\0' || strchr(s, '%') != NULL)
		return PL_EINVAL;
	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, s, a.bytes) == 1)
		a.family = AF_INET6;
	else
		return PL_EINVAL;
	*out = a;
	return 0;
}

unsigned pl_ip_addr_bits(const struct pl_ip_addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

bool pl_ip_addr_v4_mapped(const struct pl_ip_addr *a, struct pl_ip_addr *v4)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (a->family != AF_INET6 || memcmp(a->bytes, prefix, sizeof(prefix)) != 0)
		return false;
	if (v4 != NULL) {
		memset(v4, 0, sizeof(*v4));
		v4->family = AF_INET;
		memcpy(v4->bytes, a->bytes + 12, 4);
	}
	return true;
}

char *pl_ip_addr_format(const struct pl_ip_addr *a, char out[PL_IP_ADDR_STRLEN])
{
	/* Cannot fail: the family is one of the two and the buffer is INET6_ADDRSTRLEN long. */
	if (inet_ntop(a->family, a->bytes, out, PL_IP_ADDR_STRLEN) == NULL)
		out[0] = '\0';
	return out;
}

/* Decimal digits only, at most max; what g_ascii_string_to_unsigned(s, 10, 0, max) accepts. */
static bool parse_prefix_len(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (s[0] == '\0')
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > max)
			return false; /* also stops before v could overflow */
	}
	*out = v;
	return true;
}

/* Whether the first len bits of x and y are equal. */
static bool prefix_equal(const uint8_t *x, const uint8_t *y, unsigned len)
{
	unsigned nbytes = len / 8, nbits = len % 8;

	if (memcmp(x, y, nbytes) != 0)
		return false;
	if (nbits == 0)
		return true;
	return ((x[nbytes] ^ y[nbytes]) & (uint8_t)(0xff << (8 - nbits))) == 0;
}

int pl_ip_cidr_parse(const char *s, struct pl_ip_cidr *out)
{
	const char *slash;
	char addr[PL_IP_ADDR_STRLEN];
	struct pl_ip_cidr c;
	size_t n;

	if (s == NULL)
		return PL_EINVAL;
	slash = strchr(s, '/');
	n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(addr))
		return PL_EINVAL; /* longer than any address literal */
	memcpy(addr, s, n);
	addr[n] = '\0';
	memset(&c, 0, sizeof(c));
	if (pl_ip_addr_parse(addr, &c.addr) < 0)
		return PL_EINVAL;
	c.prefix_len = pl_ip_addr_bits(&c.addr);
	if (slash != NULL && !parse_prefix_len(slash + 1, c.prefix_len, &c.prefix_len))
		return PL_ELIMIT;
	/* The bits after the prefix must be zero (RFC 4632 section 3.1: the host part of a
	 * prefix is zero); anything else is a typo in one of the two halves. */
	for (unsigned bit = c.prefix_len; bit < pl_ip_addr_bits(&c.addr); bit++) {
		if (c.addr.bytes[bit / 8] & (0x80 >> (bit % 8)))
			return PL_EPROTO;
	}
	*out = c;
	return 0;
}

char *pl_ip_cidr_format(const struct pl_ip_cidr *c, char out[PL_IP_CIDR_STRLEN])
{
	char a[PL_IP_ADDR_STRLEN];

	pl_ip_addr_format(&c->addr, a);
	if (c->prefix_len == pl_ip_addr_bits(&c->addr))
		snprintf(out, PL_IP_CIDR_STRLEN, "%s", a);
	else
		snprintf(out, PL_IP_CIDR_STRLEN, "%s/%u", a, c->prefix_len);
	return out;
}

bool pl_ip_cidr_match(const struct pl_ip_cidr *c, const struct pl_ip_addr *a)
{
	struct pl_ip_addr v4;

	if (c->addr.family == a->family)
		return prefix_equal(c->addr.bytes, a->bytes, c->prefix_len);
	if (c->addr.family == AF_INET && pl_ip_addr_v4_mapped(a, &v4))
		return prefix_equal(c->addr.bytes, v4.bytes, c->prefix_len);
	return false;
}
