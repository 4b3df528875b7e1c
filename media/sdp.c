/* SDP parser (RFC 8866 §5, attributes of RFC 8839 ICE, RFC 8122 fingerprint, RFC 5888/8843
 * BUNDLE, RFC 8285 extmap, RFC 4585 rtcp-fb, RFC 5576 ssrc). Lines are copied into a bounded
 * buffer one at a time; nothing is trusted: counts, lengths and numbers are checked. */
#include "media/sdp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/alloc.h"
#include "media/cert.h"
#include "media/error.h"

struct pl_sdp *pl_sdp_new(void)
{
	return pl_xcalloc(1, sizeof(struct pl_sdp));
}

void pl_sdp_free(struct pl_sdp *sdp)
{
	free(sdp);
}

static int fail(char *err, size_t errlen, int rc, unsigned line, const char *fmt, ...)
{
	if (err && errlen) {
		int n = snprintf(err, errlen, "SDP line %u: ", line);
		if (n < 0)
			n = 0;
		if ((size_t)n < errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return rc;
}

/* Parses an unsigned decimal in [0, max]; the whole token must be digits. */
static bool parse_uint(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	if (n == 0 || n > 10)
		return false;
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static bool copy_token(char *dst, size_t cap, const char *s, size_t n)
{
	if (n == 0 || n >= cap)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

static struct pl_sdp_codec *codec_by_pt(struct pl_sdp_media *m, unsigned long pt)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt)
			return &m->codecs[i];
	return NULL;
}

/* A codec entry for pt, filled by a=rtpmap, a=fmtp and a=rtcp-fb in any order. NULL when the
 * table is full. */
static struct pl_sdp_codec *codec_add(struct pl_sdp_media *m, unsigned long pt)
{
	if (m->n_codecs >= PL_SDP_MAX_CODECS)
		return NULL;
	struct pl_sdp_codec *c = &m->codecs[m->n_codecs++];
	memset(c, 0, sizeof *c);
	c->pt = (uint8_t)pt;
	c->apt = -1;
	return c;
}

static enum pl_sdp_setup parse_setup(const char *v)
{
	if (strcmp(v, "actpass") == 0)
		return PL_SETUP_ACTPASS;
	if (strcmp(v, "active") == 0)
		return PL_SETUP_ACTIVE;
	if (strcmp(v, "passive") == 0)
		return PL_SETUP_PASSIVE;
	return PL_SETUP_NONE;
}

static void add_ssrc(struct pl_sdp_media *m, uint32_t ssrc)
{
	for (size_t i = 0; i < m->n_ssrcs; i++)
		if (m->ssrcs[i] == ssrc)
			return;
	if (m->n_ssrcs < PL_SDP_MAX_SSRCS)
		m->ssrcs[m->n_ssrcs++] = ssrc;
}

/* m=<media> <port> <proto> <fmt> ... */
static int parse_m(struct pl_sdp *s, char *v, unsigned ln, char *err, size_t errlen)
{
	if (s->n_media >= PL_SDP_MAX_MEDIA)
		return fail(err, errlen, PL_ELIMIT, ln, "more than %d m-lines", PL_SDP_MAX_MEDIA);
	struct pl_sdp_media *m = &s->media[s->n_media];
	memset(m, 0, sizeof *m);
	char *save = NULL;
	char *kind = strtok_r(v, " ", &save);
	char *port = strtok_r(NULL, " ", &save);
	char *proto = strtok_r(NULL, " ", &save);
	unsigned long p;
	if (!kind || !port || !proto || !parse_uint(port, strlen(port), 65535, &p))
		return fail(err, errlen, PL_EINVAL, ln, "malformed m-line");
	m->kind = strcmp(kind, "audio") == 0   ? PL_KIND_AUDIO
	          : strcmp(kind, "video") == 0 ? PL_KIND_VIDEO
	                                       : PL_KIND_OTHER;
	m->port = (unsigned)p;
	if (!copy_token(m->proto, sizeof m->proto, proto, strlen(proto)))
		return fail(err, errlen, PL_EINVAL, ln, "bad protocol");
	s->n_media++;
	return 0;
}

static int parse_fingerprint(const char *v, uint8_t out[32], bool *has, unsigned ln, char *err,
                             size_t errlen)
{
	if (strncmp(v, "sha-256 ", 8) != 0)
		return 0; /* other hash functions are ignored; a sha-256 one must also be present */
	if (pl_fingerprint_parse(v + 8, out) != 0)
		return fail(err, errlen, PL_EINVAL, ln, "malformed sha-256 fingerprint");
	*has = true;
	return 0;
}

static int parse_attr(struct pl_sdp *s, struct pl_sdp_media *m, char *a, unsigned ln, char *err,
                      size_t errlen)
{
	char *colon = strchr(a, ':');
	const char *name = a;
	char *val = a + strlen(a); /* empty value: the line's own terminator */
	if (colon) {
		*colon = '\0';
		val = colon + 1;
	}
	unsigned long n;
	if (strcmp(name, "group") == 0 && strncmp(val, "BUNDLE", 6) == 0) {
		s->has_bundle = true;
		char *save = NULL;
		for (char *t = strtok_r(val + 6, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			if (s->n_bundle >= PL_SDP_MAX_MEDIA ||
			    !copy_token(s->bundle[s->n_bundle], PL_SDP_MID_LEN, t, strlen(t)))
				return fail(err, errlen, PL_ELIMIT, ln, "BUNDLE group too large");
			s->n_bundle++;
		}
	} else if (strcmp(name, "ice-ufrag") == 0) {
		char *dst = m ? m->ice_ufrag : s->ice_ufrag;
		if (!copy_token(dst, PL_SDP_ICE_LEN, val, strlen(val)))
			return fail(err, errlen, PL_EINVAL, ln, "bad ice-ufrag");
	} else if (strcmp(name, "ice-pwd") == 0) {
		char *dst = m ? m->ice_pwd : s->ice_pwd;
		if (!copy_token(dst, PL_SDP_ICE_LEN, val, strlen(val)))
			return fail(err, errlen, PL_EINVAL, ln, "bad ice-pwd");
	} else if (strcmp(name, "fingerprint") == 0) {
		return parse_fingerprint(val, m ? m->fingerprint : s->fingerprint,
		                         m ? &m->has_fingerprint : &s->has_fingerprint, ln, err,
		                         errlen);
	} else if (strcmp(name, "setup") == 0) {
		enum pl_sdp_setup st = parse_setup(val);
		if (st == PL_SETUP_NONE)
			return fail(err, errlen, PL_EINVAL, ln, "unknown a=setup value");
		if (m)
			m->setup = st;
		else
			s->setup = st;
	} else if (!m) {
		return 0; /* other session-level attributes are not needed */
	} else if (strcmp(name, "mid") == 0) {
		if (!copy_token(m->mid, sizeof m->mid, val, strlen(val)))
			return fail(err, errlen, PL_EINVAL, ln, "mid must be 1 to 32 characters");
	} else if (strcmp(name, "sendonly") == 0) {
		m->dir = PL_DIR_SENDONLY;
	} else if (strcmp(name, "recvonly") == 0) {
		m->dir = PL_DIR_RECVONLY;
	} else if (strcmp(name, "inactive") == 0) {
		m->dir = PL_DIR_INACTIVE;
	} else if (strcmp(name, "sendrecv") == 0) {
		m->dir = PL_DIR_SENDRECV;
	} else if (strcmp(name, "rtcp-mux") == 0) {
		m->rtcp_mux = true;
	} else if (strcmp(name, "rtpmap") == 0) {
		/* <pt> <name>/<clock>[/<channels>] */
		char *sp = strchr(val, ' ');
		if (!sp || !parse_uint(val, (size_t)(sp - val), 127, &n))
			return fail(err, errlen, PL_EINVAL, ln,
			            "a=rtpmap payload type out of range");
		struct pl_sdp_codec *c = codec_by_pt(m, n);
		if (c && c->name[0])
			return fail(err, errlen, PL_EINVAL, ln, "payload type %lu mapped twice", n);
		if (!c && !(c = codec_add(m, n)))
			return fail(err, errlen, PL_ELIMIT, ln, "more than %d codecs",
			            PL_SDP_MAX_CODECS);
		char *save = NULL;
		char *cname = strtok_r(sp + 1, "/", &save);
		char *clock = strtok_r(NULL, "/", &save);
		char *ch = strtok_r(NULL, "/", &save);
		unsigned long clk, chn = 1;
		if (!cname || !clock ||
		    !copy_token(c->name, sizeof c->name, cname, strlen(cname)) ||
		    !parse_uint(clock, strlen(clock), 1000000, &clk) ||
		    (ch && !parse_uint(ch, strlen(ch), 8, &chn)))
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=rtpmap");
		c->clock_rate = (uint32_t)clk;
		c->channels = (uint8_t)chn;
	} else if (strcmp(name, "fmtp") == 0) {
		char *sp = strchr(val, ' ');
		if (!sp || !parse_uint(val, (size_t)(sp - val), 127, &n))
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=fmtp");
		/* Firefox writes a=fmtp before a=rtpmap: keep it for the rtpmap to come. */
		struct pl_sdp_codec *c = codec_by_pt(m, n);
		if (!c && !(c = codec_add(m, n)))
			return fail(err, errlen, PL_ELIMIT, ln, "more than %d codecs",
			            PL_SDP_MAX_CODECS);
		if (strlen(sp + 1) >= sizeof c->fmtp)
			return fail(err, errlen, PL_ELIMIT, ln, "a=fmtp too long");
		strcpy(c->fmtp, sp + 1);
		const char *apt = strstr(c->fmtp, "apt=");
		unsigned long assoc;
		if (apt && parse_uint(apt + 4, strspn(apt + 4, "0123456789"), 127, &assoc))
			c->apt = (int)assoc;
	} else if (strcmp(name, "rtcp-fb") == 0) {
		char *sp = strchr(val, ' ');
		if (!sp)
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=rtcp-fb");
		if (!parse_uint(val, (size_t)(sp - val), 127, &n))
			return 0; /* "*": ignored */
		struct pl_sdp_codec *c = codec_by_pt(m, n);
		if (!c && !(c = codec_add(m, n)))
			return fail(err, errlen, PL_ELIMIT, ln, "more than %d codecs",
			            PL_SDP_MAX_CODECS);
		const char *fb = sp + 1;
		if (strcmp(fb, "nack") == 0)
			c->fb |= PL_FB_NACK;
		else if (strcmp(fb, "nack pli") == 0)
			c->fb |= PL_FB_PLI;
		else if (strcmp(fb, "ccm fir") == 0)
			c->fb |= PL_FB_FIR;
		else if (strcmp(fb, "transport-cc") == 0)
			c->fb |= PL_FB_TWCC;
		else if (strcmp(fb, "goog-remb") == 0)
			c->fb |= PL_FB_REMB;
	} else if (strcmp(name, "extmap") == 0) {
		/* <id>[/<direction>] <uri> */
		size_t idlen = strspn(val, "0123456789");
		char *sp = strchr(val, ' ');
		if (!sp || !parse_uint(val, idlen, 255, &n) || n < 1 || n == 15)
			return fail(err, errlen, PL_EINVAL, ln,
			            "a=extmap id must be 1-14 or 16-255");
		if (m->n_exts >= PL_SDP_MAX_EXTS)
			return fail(err, errlen, PL_ELIMIT, ln, "more than %d extmaps",
			            PL_SDP_MAX_EXTS);
		const char *uri = sp + 1;
		size_t ulen = strcspn(uri, " ");
		struct pl_sdp_ext *e = &m->exts[m->n_exts];
		if (!copy_token(e->uri, sizeof e->uri, uri, ulen))
			return fail(err, errlen, PL_EINVAL, ln, "a=extmap uri too long");
		e->id = (uint8_t)n;
		m->n_exts++;
	} else if (strcmp(name, "ssrc") == 0) {
		size_t dl = strspn(val, "0123456789");
		if (!parse_uint(val, dl, 0xFFFFFFFFul, &n))
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=ssrc");
		add_ssrc(m, (uint32_t)n);
	} else if (strcmp(name, "ssrc-group") == 0 && strncmp(val, "FID ", 4) == 0) {
		char *save = NULL;
		char *a1 = strtok_r(val + 4, " ", &save);
		char *a2 = strtok_r(NULL, " ", &save);
		unsigned long p1, p2;
		if (!a1 || !a2 || !parse_uint(a1, strlen(a1), 0xFFFFFFFFul, &p1) ||
		    !parse_uint(a2, strlen(a2), 0xFFFFFFFFul, &p2))
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=ssrc-group:FID");
		if (!m->fid_primary) {
			m->fid_primary = (uint32_t)p1;
			m->fid_rtx = (uint32_t)p2;
		}
	} else if (strcmp(name, "rid") == 0 || strcmp(name, "simulcast") == 0) {
		m->has_rids = true;
	}
	return 0;
}

int pl_sdp_parse(const char *text, size_t len, struct pl_sdp *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (len > PL_SDP_MAX_BYTES)
		return fail(err, errlen, PL_ELIMIT, 0, "SDP larger than %d bytes",
		            PL_SDP_MAX_BYTES);
	char line[PL_SDP_MAX_LINE + 1];
	unsigned ln = 0;
	size_t pos = 0;
	bool saw_v = false;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		size_t n = end - pos;
		if (n && text[pos + n - 1] == '\r')
			n--;
		ln++;
		if (ln > PL_SDP_MAX_LINES)
			return fail(err, errlen, PL_ELIMIT, ln, "more than %d lines",
			            PL_SDP_MAX_LINES);
		if (n > PL_SDP_MAX_LINE)
			return fail(err, errlen, PL_ELIMIT, ln, "line longer than %d bytes",
			            PL_SDP_MAX_LINE);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = end + 1;
		if (n == 0)
			continue;
		if (memchr(line, '\0', n))
			return fail(err, errlen, PL_EINVAL, ln, "NUL byte");
		if (n < 2 || line[1] != '=')
			return fail(err, errlen, PL_EINVAL, ln, "expected <type>=<value>");
		char *v = line + 2;
		struct pl_sdp_media *m = out->n_media ? &out->media[out->n_media - 1] : NULL;
		int rc = 0;
		switch (line[0]) {
		case 'v':
			if (strcmp(v, "0") != 0)
				return fail(err, errlen, PL_EINVAL, ln, "version must be 0");
			saw_v = true;
			break;
		case 'm':
			rc = parse_m(out, v, ln, err, errlen);
			break;
		case 'a':
			rc = parse_attr(out, m, v, ln, err, errlen);
			break;
		default:
			break; /* o=, s=, t=, c=, b= ... carry nothing the SFU needs */
		}
		if (rc)
			return rc;
	}
	if (!saw_v)
		return fail(err, errlen, PL_EINVAL, 1, "missing v=0");
	return 0;
}

const char *pl_sdp_ufrag(const struct pl_sdp *s, size_t i)
{
	return s->media[i].ice_ufrag[0] ? s->media[i].ice_ufrag : s->ice_ufrag;
}

const char *pl_sdp_pwd(const struct pl_sdp *s, size_t i)
{
	return s->media[i].ice_pwd[0] ? s->media[i].ice_pwd : s->ice_pwd;
}

const uint8_t *pl_sdp_fingerprint(const struct pl_sdp *s, size_t i)
{
	if (s->media[i].has_fingerprint)
		return s->media[i].fingerprint;
	return s->has_fingerprint ? s->fingerprint : NULL;
}

enum pl_sdp_setup pl_sdp_setup_of(const struct pl_sdp *s, size_t i)
{
	return s->media[i].setup != PL_SETUP_NONE ? s->media[i].setup : s->setup;
}

uint8_t pl_sdp_ext_id(const struct pl_sdp_media *m, const char *uri)
{
	for (size_t i = 0; i < m->n_exts; i++)
		if (strcmp(m->exts[i].uri, uri) == 0)
			return m->exts[i].id;
	return 0;
}
