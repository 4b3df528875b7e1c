/* Value checks of the configuration keys: each takes the text of one value (or list item) and
 * returns it normalised, or NULL with the reason appended to why. See config_int.h. */
#include "server/config_int.h"

#include <string.h>

#include "media/error.h"
#include "server/ip_addr.h"

/* "ADDR:PORT", see pl_config_parse_listen. The address goes through pl_ip_addr_parse, which
 * refuses scope ids ("fe80::1%eth0"): they are not wanted in a configuration that must mean the
 * same on every host. */
static int parse_listen_why(const char *s, char **host, unsigned *port, GString *why)
{
	const char *addr_start, *addr_end, *port_str;
	char *addr = NULL;
	struct pl_ip_addr ia;
	char text[PL_IP_ADDR_STRLEN];
	guint64 p = 0;
	bool v6;

	if (s[0] == '[') {
		addr_start = s + 1;
		addr_end = strchr(s, ']');
		if (addr_end == NULL || addr_end[1] != ':') {
			g_string_append(why, addr_end == NULL ? "missing ']' after the IPv6 address"
			                                      : "missing ':PORT' after ']'");
			goto fail;
		}
		port_str = addr_end + 2;
		v6 = true;
	} else {
		addr_start = s;
		addr_end = strrchr(s, ':');
		if (addr_end == NULL) {
			g_string_append(why, "missing address or port");
			goto fail;
		}
		if (strchr(s, ':') != addr_end) {
			g_string_append(why, "IPv6 addresses must be in brackets");
			goto fail;
		}
		port_str = addr_end + 1;
		v6 = false;
	}
	addr = g_strndup(addr_start, (gsize)(addr_end - addr_start));
	if (pl_ip_addr_parse(addr, &ia) < 0 || pl_ip_addr_bits(&ia) != (v6 ? 128u : 32u)) {
		g_string_append_printf(why, "\"%s\" is not an %s address", addr,
		                       v6 ? "IPv6" : "IPv4");
		goto fail;
	}
	if (!g_ascii_string_to_unsigned(port_str, 10, 1, 65535, &p, NULL)) {
		g_string_append_printf(why, "bad port \"%s\"", port_str);
		goto fail;
	}
	*host = g_strdup(pl_ip_addr_format(&ia, text));
	*port = (unsigned)p;
	g_free(addr);
	return 0;
fail:
	g_string_append(why, ": expected ADDR:PORT with an IP address and a port from 1 to 65535, "
	                     "e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::]:8080");
	g_free(addr);
	return PL_EINVAL;
}

int pl_config_parse_listen(const char *s, char **host, unsigned *port, GError **err)
{
	GString *why = g_string_new(NULL);
	int rc = parse_listen_why(s != NULL ? s : "", host, port, why);

	if (rc < 0)
		g_set_error_literal(err, PL_CONFIG_ERROR, -rc, why->str);
	g_string_free(why, TRUE);
	return rc;
}

char *pl_config_check_listen(const char *v, GString *why)
{
	char *host = NULL, *out;
	unsigned port = 0;

	if (parse_listen_why(v, &host, &port, why) < 0)
		return NULL;
	out = strchr(host, ':') != NULL ? g_strdup_printf("[%s]:%u", host, port)
	                                : g_strdup_printf("%s:%u", host, port);
	g_free(host);
	return out;
}

static bool url_safe_path_char(char ch)
{
	/* RFC 3986 unreserved characters, and '/' between segments. */
	return g_ascii_isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '/';
}

char *pl_config_check_base_path(const char *v, GString *why)
{
	size_t len = strlen(v);
	char **segs;
	bool bad_seg = false;

	if (len == 0 || v[0] != '/' || len > PL_CONFIG_MAX_TEXT) {
		g_string_append_printf(why,
		                       "expected a path starting with '/', at most %d bytes, "
		                       "e.g. / or /meet/",
		                       PL_CONFIG_MAX_TEXT);
		return NULL;
	}
	for (const char *p = v; *p; p++) {
		if (!url_safe_path_char(*p)) {
			g_string_append(why,
			                "expected only A-Z a-z 0-9 - . _ ~ and '/' in the path");
			return NULL;
		}
	}
	segs = g_strsplit(v + 1, "/", -1);
	for (size_t i = 0; segs[i] != NULL; i++) {
		bool last = segs[i + 1] == NULL;
		if ((segs[i][0] == '\0' && !last) || strcmp(segs[i], ".") == 0 ||
		    strcmp(segs[i], "..") == 0)
			bad_seg = true;
	}
	g_strfreev(segs);
	if (bad_seg) {
		g_string_append(why, "expected a path without empty, '.' or '..' segments");
		return NULL;
	}
	/* "/meet" means the directory "/meet/": the page's relative links need the slash. */
	return v[len - 1] == '/' ? g_strdup(v) : g_strconcat(v, "/", NULL);
}

/* "ADDR" or "ADDR/LEN" (RFC 4632 section 3.1 notation, and RFC 4291 section 2.3 for IPv6). */
char *pl_config_check_proxy(const char *v, GString *why)
{
	struct pl_ip_cidr c;
	char text[PL_IP_CIDR_STRLEN];

	switch (pl_ip_cidr_parse(v, &c)) {
	case 0:
		return g_strdup(pl_ip_cidr_format(&c, text));
	case PL_ELIMIT:
		/* ADDR did parse, so a ':' in v means an IPv6 address. */
		g_string_append_printf(why,
		                       "\"%s\" is not an IP address or CIDR (prefix length must be "
		                       "0 to %u)",
		                       v, strchr(v, ':') != NULL ? 128u : 32u);
		break;
	case PL_EPROTO:
		/* e.g. "10.0.0.1/8": bits set beyond the prefix, probably a typo. The wording in
		 * parentheses is what GIO's GInetAddressMask said before; kept for the admins. */
		g_string_append_printf(why,
		                       "\"%s\" is not an IP address or CIDR (Address has bits set "
		                       "beyond prefix length)",
		                       v);
		break;
	default:
		g_string_append_printf(why, "\"%s\" is not an IP address or CIDR", v);
		break;
	}
	g_string_append(why, "; expected e.g. 127.0.0.1, 10.0.0.0/8 or fd00::/64");
	return NULL;
}

char *pl_config_check_origin(const char *v, GString *why)
{
	const char *rest = NULL, *host_end, *port = NULL;
	char *scheme;
	char *host = NULL;
	char *out = NULL;
	guint64 pn;

	if (g_ascii_strncasecmp(v, "http://", 7) == 0)
		rest = v + 7;
	else if (g_ascii_strncasecmp(v, "https://", 8) == 0)
		rest = v + 8;
	if (rest == NULL || strlen(v) > PL_CONFIG_MAX_TEXT) {
		g_string_append_printf(why, "\"%s\" is not an origin", v);
		goto fail;
	}
	if (strpbrk(rest, "/?#@") != NULL) {
		g_string_append_printf(why,
		                       "\"%s\" has a path, query or user part (an origin "
		                       "has none, not even a trailing '/')",
		                       v);
		goto fail;
	}
	if (rest[0] == '[') {
		struct pl_ip_addr ia;

		host_end = strchr(rest, ']');
		host = host_end ? g_strndup(rest + 1, (gsize)(host_end - rest - 1)) : NULL;
		if (host == NULL || pl_ip_addr_parse(host, &ia) < 0 ||
		    pl_ip_addr_bits(&ia) != 128) {
			g_string_append_printf(why, "\"%s\" has a bad IPv6 address", v);
			goto fail;
		}
		host_end++;
	} else {
		host_end = rest;
		while (g_ascii_isalnum(*host_end) || *host_end == '.' || *host_end == '-')
			host_end++;
		if (host_end == rest) {
			g_string_append_printf(why, "\"%s\" has no host", v);
			goto fail;
		}
	}
	if (*host_end == ':') {
		port = host_end + 1;
		if (!g_ascii_string_to_unsigned(port, 10, 1, 65535, &pn, NULL)) {
			g_string_append_printf(why, "\"%s\" has a bad port", v);
			goto fail;
		}
	} else if (*host_end != '\0') {
		g_string_append_printf(why, "\"%s\" has a bad character in the host name", v);
		goto fail;
	}
	/* Browsers send the Origin header in lower case; compare like with like. */
	scheme = g_ascii_strdown(v, -1);
	out = scheme;
	g_free(host);
	return out;
fail:
	g_string_append(why, "; expected http://HOST[:PORT] or https://HOST[:PORT], "
	                     "e.g. https://meet.example.org");
	g_free(host);
	return NULL;
}

char *pl_config_check_ip(const char *v, GString *why)
{
	struct pl_ip_addr ia;
	char text[PL_IP_ADDR_STRLEN];

	if (pl_ip_addr_parse(v, &ia) < 0) {
		g_string_append_printf(why, "\"%s\" is not an IP address", v);
		if (strpbrk(v, ", ") != NULL)
			g_string_append(why, " (separate list items with ';')");
		g_string_append(why, "; expected e.g. 192.0.2.10 or 2001:db8::10");
		return NULL;
	}
	return g_strdup(pl_ip_addr_format(&ia, text));
}

char *pl_config_check_ip_or_empty(const char *v, GString *why)
{
	return v[0] == '\0' ? g_strdup("") : pl_config_check_ip(v, why);
}

char *pl_config_check_ice_url(const char *v, GString *why)
{
	/* RFC 7064 (stun:, stuns:) and RFC 7065 (turn:, turns:) URIs: scheme ":" host [":" port]
	 * ["?transport=" udp|tcp]. Only the shape is checked; the browser resolves them. */
	static const char *const schemes[] = {"stun:", "stuns:", "turn:", "turns:"};
	const char *rest = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(schemes) && rest == NULL; i++) {
		if (g_ascii_strncasecmp(v, schemes[i], strlen(schemes[i])) == 0)
			rest = v + strlen(schemes[i]);
	}
	if (rest == NULL || rest[0] == '\0' || strlen(v) > PL_CONFIG_MAX_TEXT) {
		g_string_append_printf(why, "\"%s\" is not a STUN or TURN URL", v);
		goto fail;
	}
	for (const char *p = rest; *p; p++) {
		if (!g_ascii_isalnum(*p) && strchr(".-:[]?=_", *p) == NULL) {
			g_string_append_printf(why, "\"%s\" has a bad character", v);
			goto fail;
		}
	}
	return g_strdup(v);
fail:
	g_string_append(why, "; expected stun:HOST[:PORT] or turn:HOST[:PORT][?transport=udp|tcp] "
	                     "(stuns:/turns: for TLS)");
	return NULL;
}

char *pl_config_check_srtp_profile(const char *v, GString *why)
{
	if (strcmp(v, "aes-gcm") == 0 || strcmp(v, "aes-cm") == 0)
		return g_strdup(v);
	g_string_append_printf(why,
	                       "\"%s\" is not an SRTP profile; expected aes-gcm and/or aes-cm, "
	                       "in order of preference",
	                       v);
	return NULL;
}

char *pl_config_check_video_codec(const char *v, GString *why)
{
	if (strcmp(v, "vp8") == 0 || strcmp(v, "vp9") == 0 || strcmp(v, "h264") == 0)
		return g_strdup(v);
	g_string_append_printf(why,
	                       "\"%s\" is not a video codec Plenum forwards; expected vp8, vp9 "
	                       "and/or h264, in order of preference",
	                       v);
	return NULL;
}
