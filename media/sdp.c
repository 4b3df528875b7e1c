/* SDP parser (RFC 8866 §5, attributes of RFC 8839 ICE, RFC 8122 fingerprint, RFC 5888/8843
 * BUNDLE, RFC 8285 extmap, RFC 4585 rtcp-fb, RFC 5576 ssrc, RFC 8830 msid, RFC 8851/8853
 * rid/simulcast). Lines are copied into a bounded buffer one at a time; nothing is trusted:
 * counts, lengths and numbers are checked, and control characters are refused so that no value
 * the answer echoes (mid, fmtp) can smuggle a line break into the server's SDP. */
#include "media/sdp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "media/alloc.h"
#include "media/error.h"

struct pl_sdp *pl_sdp_new(void)
{
	return pl_xcalloc(1, sizeof(struct pl_sdp));
}

void pl_sdp_free(struct pl_sdp *sdp)
{
	if (sdp)
		free(sdp->media);
	free(sdp);
}

int pl_sdp_reserve_media(struct pl_sdp *sdp, size_t n)
{
	if (n > PL_SDP_MAX_MEDIA)
		return PL_ELIMIT;
	if (n <= sdp->cap_media)
		return 0;
	size_t cap = sdp->cap_media ? sdp->cap_media : 4;
	while (cap < n)
		cap *= 2;
	if (cap > PL_SDP_MAX_MEDIA)
		cap = PL_SDP_MAX_MEDIA;
	sdp->media = pl_xrealloc(sdp->media, cap * sizeof *sdp->media);
	sdp->cap_media = cap;
	return 0;
}

__attribute__((format(printf, 5, 6))) static int fail(char *err, size_t errlen, int rc,
                                                      unsigned line, const char *fmt, ...)
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
static bool parse_uint(const char *s, size_t n, unsigned long long max, unsigned long long *out)
{
	if (n == 0 || n > 20)
		return false;
	unsigned long long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
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

/* RFC 8866 §9 token-char: visible ASCII without separators we rely on. */
static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f)
			return false;
	return true;
}

/* RFC 8839 §5.4 ice-char = ALPHA / DIGIT / "+" / "/" */
static bool is_ice_chars(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '+' || *s == '/'))
			return false;
	return true;
}

static struct pl_sdp_codec *codec_by_pt(struct pl_sdp_media *m, unsigned long long pt)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt)
			return &m->codecs[i];
	return NULL;
}

/* A codec entry for pt, filled by a=rtpmap, a=fmtp and a=rtcp-fb in any order (Firefox writes
 * a=fmtp before a=rtpmap). NULL when the table is full. */
static struct pl_sdp_codec *codec_get(struct pl_sdp_media *m, unsigned long long pt)
{
	struct pl_sdp_codec *c = codec_by_pt(m, pt);
	if (c)
		return c;
	if (m->n_codecs >= PL_SDP_MAX_CODECS)
		return NULL;
	c = &m->codecs[m->n_codecs++];
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

/* The entry for ssrc, added when new; NULL when the table is full (further ssrcs are ignored:
 * the SFU uses the first ones, which the FID groups name). */
static struct pl_sdp_ssrc *ssrc_get(struct pl_sdp_media *m, uint32_t ssrc)
{
	for (size_t i = 0; i < m->n_ssrcs; i++)
		if (m->ssrcs[i] == ssrc)
			return &m->ssrc_attrs[i];
	if (m->n_ssrcs >= PL_SDP_MAX_SSRCS)
		return NULL;
	m->ssrcs[m->n_ssrcs] = ssrc;
	struct pl_sdp_ssrc *a = &m->ssrc_attrs[m->n_ssrcs++];
	memset(a, 0, sizeof *a);
	a->ssrc = ssrc;
	return a;
}

/* "<stream> <track>" (RFC 8830 §2); both copied bounded, the track may be absent. */
static bool parse_msid(const char *v, char *stream, char *track)
{
	size_t sl = strcspn(v, " ");
	if (!copy_token(stream, PL_SDP_NAME_LEN, v, sl))
		return false;
	track[0] = '\0';
	if (v[sl] == ' ') {
		const char *t = v + sl + 1;
		size_t tl = strcspn(t, " ");
		if (tl && !copy_token(track, PL_SDP_NAME_LEN, t, tl))
			return false;
	}
	return true;
}

/* m=<media> <port>[/<n>] <proto> <fmt> ... (RFC 8866 §5.14) */
static int parse_m(struct pl_sdp *s, char *v, unsigned ln, char *err, size_t errlen)
{
	if (s->n_media >= PL_SDP_MAX_MEDIA)
		return fail(err, errlen, PL_ELIMIT, ln, "more than %d m-lines", PL_SDP_MAX_MEDIA);
	pl_sdp_reserve_media(s, s->n_media + 1);
	struct pl_sdp_media *m = &s->media[s->n_media];
	memset(m, 0, sizeof *m);
	char *save = NULL;
	char *kind = strtok_r(v, " ", &save);
	char *port = strtok_r(NULL, " ", &save);
	char *proto = strtok_r(NULL, " ", &save);
	unsigned long long p;
	if (!kind || !port || !proto || !parse_uint(port, strcspn(port, "/"), 65535, &p))
		return fail(err, errlen, PL_EINVAL, ln, "malformed m-line");
	if (!copy_token(m->media_type, sizeof m->media_type, kind, strlen(kind)))
		return fail(err, errlen, PL_EINVAL, ln, "media type too long");
	m->kind = strcmp(kind, "audio") == 0   ? PL_KIND_AUDIO
	          : strcmp(kind, "video") == 0 ? PL_KIND_VIDEO
	                                       : PL_KIND_OTHER;
	m->port = (unsigned)p;
	if (!copy_token(m->proto, sizeof m->proto, proto, strlen(proto)))
		return fail(err, errlen, PL_EINVAL, ln, "bad protocol");
	bool rtp = strstr(m->proto, "RTP/") != NULL;
	for (char *f = strtok_r(NULL, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		if (!m->first_fmt[0] &&
		    !copy_token(m->first_fmt, sizeof m->first_fmt, f, strlen(f)))
			return fail(err, errlen, PL_EINVAL, ln, "format too long");
		if (!rtp)
			continue;
		unsigned long long pt;
		if (!parse_uint(f, strlen(f), 127, &pt))
			return fail(err, errlen, PL_EINVAL, ln,
			            "payload type %.12s out of range (0-127)", f);
		if (memchr(m->fmts, (int)pt, m->n_fmts))
			return fail(err, errlen, PL_EINVAL, ln, "payload type %llu listed twice",
			            pt);
		if (m->n_fmts >= PL_SDP_MAX_FMTS)
			return fail(err, errlen, PL_ELIMIT, ln, "more than %d payload types",
			            PL_SDP_MAX_FMTS);
		m->fmts[m->n_fmts++] = (uint8_t)pt;
	}
	if (!m->first_fmt[0])
		return fail(err, errlen, PL_EINVAL, ln, "m-line without a format");
	m->ice_trickle = s->ice_trickle;
	m->extmap_allow_mixed = s->extmap_allow_mixed;
	s->n_media++;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* a=fingerprint:<hash-func> <XX:XX:...> (RFC 8122 §5). A sha-256 fingerprint is what Plenum
 * checks; another hash is stored only while no sha-256 one was seen. */
static int parse_fingerprint(const char *v, char alg[16], uint8_t fp[PL_SDP_FP_MAX], size_t *len,
                             bool *has256, unsigned ln, char *err, size_t errlen)
{
	size_t al = strcspn(v, " ");
	char a[16];
	if (v[al] != ' ' || !copy_token(a, sizeof a, v, al))
		return fail(err, errlen, PL_EINVAL, ln, "malformed a=fingerprint");
	const char *h = v + al + 1;
	uint8_t bytes[PL_SDP_FP_MAX];
	size_t n = 0;
	for (;;) {
		int hi = hexval(h[0]), lo = hi < 0 ? -1 : hexval(h[1]);
		if (hi < 0 || lo < 0)
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=fingerprint hex");
		if (n >= PL_SDP_FP_MAX)
			return fail(err, errlen, PL_ELIMIT, ln,
			            "a=fingerprint longer than %d bytes", PL_SDP_FP_MAX);
		bytes[n++] = (uint8_t)(hi << 4 | lo);
		h += 2;
		if (*h == '\0')
			break;
		if (*h != ':')
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=fingerprint hex");
		h++;
	}
	bool is256 = strcasecmp(a, "sha-256") == 0;
	if (is256 && n != PL_SDP_FP_LEN)
		return fail(err, errlen, PL_EINVAL, ln,
		            "a sha-256 fingerprint has 32 bytes, not %zu", n);
	if (*has256 || (!is256 && *len))
		return 0; /* keep the first sha-256 one, else the first one */
	for (size_t i = 0; a[i]; i++)
		a[i] = (char)(a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]);
	memcpy(alg, a, sizeof a);
	memcpy(fp, bytes, n);
	*len = n;
	*has256 = is256;
	return 0;
}

int pl_sdp_fingerprint_parse(const char *text, char alg[16], uint8_t fp[PL_SDP_FP_MAX], size_t *len)
{
	bool has256 = false;
	*len = 0;
	alg[0] = '\0';
	return parse_fingerprint(text, alg, fp, len, &has256, 0, NULL, 0);
}

bool pl_sdp_ice_chars_ok(const char *s, size_t min_len)
{
	size_t n = strlen(s);
	return n >= min_len && n < PL_SDP_ICE_LEN && is_ice_chars(s);
}

static enum pl_sdp_dir dir_of(const char *name, bool *ok)
{
	*ok = true;
	if (strcmp(name, "sendonly") == 0)
		return PL_DIR_SENDONLY;
	if (strcmp(name, "recvonly") == 0)
		return PL_DIR_RECVONLY;
	if (strcmp(name, "inactive") == 0)
		return PL_DIR_INACTIVE;
	if (strcmp(name, "sendrecv") == 0)
		return PL_DIR_SENDRECV;
	*ok = false;
	return PL_DIR_SENDRECV;
}

static int parse_rtpmap(struct pl_sdp_media *m, char *val, unsigned ln, char *err, size_t errlen)
{
	/* <pt> <name>/<clock>[/<channels>] (RFC 8866 §6.6) */
	char *sp = strchr(val, ' ');
	unsigned long long n;
	size_t ptl = sp ? (size_t)(sp - val) : strlen(val);
	if (!parse_uint(val, ptl, 127, &n))
		return fail(err, errlen, PL_EINVAL, ln,
		            "a=rtpmap payload type %.*s out of range (0-127)",
		            (int)(ptl > 12 ? 12 : ptl), val);
	if (!sp)
		return fail(err, errlen, PL_EINVAL, ln, "malformed a=rtpmap");
	struct pl_sdp_codec *c = codec_get(m, n);
	if (!c)
		return fail(err, errlen, PL_ELIMIT, ln, "more than %d codecs", PL_SDP_MAX_CODECS);
	if (c->name[0])
		return fail(err, errlen, PL_EINVAL, ln, "payload type %llu mapped twice", n);
	char *save = NULL;
	char *cname = strtok_r(sp + 1, "/", &save);
	char *clock = strtok_r(NULL, "/", &save);
	char *ch = strtok_r(NULL, "/", &save);
	unsigned long long clk, chn = 1;
	if (!cname || !clock || !copy_token(c->name, sizeof c->name, cname, strlen(cname)) ||
	    !parse_uint(clock, strlen(clock), 1000000, &clk) || clk == 0 ||
	    (ch && (!parse_uint(ch, strlen(ch), 8, &chn) || chn == 0)) ||
	    strtok_r(NULL, "/", &save)) {
		c->name[0] = '\0';
		return fail(err, errlen, PL_EINVAL, ln, "malformed a=rtpmap");
	}
	c->clock_rate = (uint32_t)clk;
	c->channels = (uint8_t)chn;
	return 0;
}

static int parse_media_attr(struct pl_sdp_media *m, const char *name, char *val, unsigned ln,
                            char *err, size_t errlen)
{
	unsigned long long n;
	bool isdir;
	enum pl_sdp_dir d = dir_of(name, &isdir);
	if (isdir) {
		m->dir = d;
		m->dir_set = true;
	} else if (strcmp(name, "mid") == 0) {
		if (!copy_token(m->mid, sizeof m->mid, val, strlen(val)) || !is_token(m->mid))
			return fail(err, errlen, PL_EINVAL, ln,
			            "mid must be 1 to 32 visible characters");
	} else if (strcmp(name, "rtcp-mux") == 0) {
		m->rtcp_mux = true;
	} else if (strcmp(name, "bundle-only") == 0) {
		m->bundle_only = true;
	} else if (strcmp(name, "rtpmap") == 0) {
		return parse_rtpmap(m, val, ln, err, errlen);
	} else if (strcmp(name, "fmtp") == 0) {
		/* <pt> <format specific parameters> (RFC 8866 §6.15) */
		char *sp = strchr(val, ' ');
		if (!sp || !parse_uint(val, (size_t)(sp - val), 127, &n))
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=fmtp");
		struct pl_sdp_codec *c = codec_get(m, n);
		if (!c)
			return fail(err, errlen, PL_ELIMIT, ln, "more than %d codecs",
			            PL_SDP_MAX_CODECS);
		if (strlen(sp + 1) >= sizeof c->fmtp)
			return fail(err, errlen, PL_ELIMIT, ln, "a=fmtp longer than %d bytes",
			            PL_SDP_FMTP_LEN - 1);
		strcpy(c->fmtp, sp + 1);
		/* RFC 4588 §8.1: apt=<associated payload type> */
		const char *apt = strstr(c->fmtp, "apt=");
		unsigned long long assoc;
		if (apt && (apt == c->fmtp || apt[-1] == ';' || apt[-1] == ' ') &&
		    parse_uint(apt + 4, strspn(apt + 4, "0123456789"), 127, &assoc))
			c->apt = (int)assoc;
	} else if (strcmp(name, "rtcp-fb") == 0) {
		/* <pt>|* <type> [<subtype>] (RFC 4585 §4.2) */
		char *sp = strchr(val, ' ');
		if (!sp)
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=rtcp-fb");
		if (!parse_uint(val, (size_t)(sp - val), 127, &n))
			return 0; /* "*" (all formats): browsers do not use it; ignored */
		struct pl_sdp_codec *c = codec_get(m, n);
		if (!c)
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
		/* <id>[/<direction>] <uri> [<attributes>] (RFC 8285 §5); ids 1-14 one-byte,
		 * 16-255 two-byte; 15 is reserved (RFC 8285 §4.2). */
		size_t idlen = strspn(val, "0123456789");
		char *sp = strchr(val, ' ');
		if (!sp || !parse_uint(val, idlen, 255, &n) || n < 1 || n == 15)
			return fail(err, errlen, PL_EINVAL, ln,
			            "a=extmap id must be 1-14 or 16-255");
		enum pl_sdp_dir edir = PL_DIR_SENDRECV;
		if (val[idlen] == '/') {
			*sp = '\0';
			bool ok;
			edir = dir_of(val + idlen + 1, &ok);
			*sp = ' ';
			if (!ok)
				return fail(err, errlen, PL_EINVAL, ln, "bad a=extmap direction");
		} else if (val + idlen != sp) {
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=extmap");
		}
		for (size_t i = 0; i < m->n_exts; i++)
			if (m->exts[i].id == n)
				return fail(err, errlen, PL_EINVAL, ln,
				            "a=extmap id %llu used twice", n);
		if (m->n_exts >= PL_SDP_MAX_EXTS)
			return fail(err, errlen, PL_ELIMIT, ln, "more than %d extmaps",
			            PL_SDP_MAX_EXTS);
		const char *uri = sp + 1;
		struct pl_sdp_ext *e = &m->exts[m->n_exts];
		if (!copy_token(e->uri, sizeof e->uri, uri, strcspn(uri, " ")))
			return fail(err, errlen, PL_EINVAL, ln, "a=extmap uri missing or too long");
		e->id = (uint8_t)n;
		e->dir = edir;
		m->n_exts++;
	} else if (strcmp(name, "extmap-allow-mixed") == 0) {
		m->extmap_allow_mixed = true;
	} else if (strcmp(name, "msid") == 0) {
		if (!parse_msid(val, m->msid_stream, m->msid_track))
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=msid");
	} else if (strcmp(name, "ssrc") == 0) {
		/* <ssrc-id> <attribute>[:<value>] (RFC 5576 §4.1) */
		size_t dl = strspn(val, "0123456789");
		if (!parse_uint(val, dl, 0xFFFFFFFFull, &n) || (val[dl] != ' ' && val[dl] != '\0'))
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=ssrc");
		struct pl_sdp_ssrc *a = ssrc_get(m, (uint32_t)n);
		if (!a || val[dl] != ' ')
			return 0;
		const char *attr = val + dl + 1;
		if (strncmp(attr, "cname:", 6) == 0) {
			if (!copy_token(a->cname, sizeof a->cname, attr + 6, strlen(attr + 6)))
				return fail(err, errlen, PL_EINVAL, ln, "a=ssrc cname too long");
		} else if (strncmp(attr, "msid:", 5) == 0) {
			if (!parse_msid(attr + 5, a->msid_stream, a->msid_track))
				return fail(err, errlen, PL_EINVAL, ln, "malformed a=ssrc msid");
		}
	} else if (strcmp(name, "ssrc-group") == 0 && strncmp(val, "FID ", 4) == 0) {
		/* FID <primary> <rtx> (RFC 5576 §4.2, RFC 4588 §8.3) */
		char *save = NULL;
		char *a1 = strtok_r(val + 4, " ", &save);
		char *a2 = strtok_r(NULL, " ", &save);
		unsigned long long p1, p2;
		if (!a1 || !a2 || !parse_uint(a1, strlen(a1), 0xFFFFFFFFull, &p1) ||
		    !parse_uint(a2, strlen(a2), 0xFFFFFFFFull, &p2) || strtok_r(NULL, " ", &save))
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=ssrc-group:FID");
		if (m->n_fids >= PL_SDP_MAX_FIDS)
			return fail(err, errlen, PL_ELIMIT, ln, "more than %d FID groups",
			            PL_SDP_MAX_FIDS);
		m->fids[m->n_fids].primary = (uint32_t)p1;
		m->fids[m->n_fids].rtx = (uint32_t)p2;
		if (m->n_fids++ == 0) {
			m->fid_primary = (uint32_t)p1;
			m->fid_rtx = (uint32_t)p2;
		}
	} else if (strcmp(name, "rid") == 0) {
		/* <rid-id> send|recv [<restrictions>] (RFC 8851 §10) */
		m->has_rids = true;
		size_t il = strcspn(val, " ");
		if (m->n_rids >= PL_SDP_MAX_RIDS)
			return fail(err, errlen, PL_ELIMIT, ln, "more than %d a=rid",
			            PL_SDP_MAX_RIDS);
		struct pl_sdp_rid *r = &m->rids[m->n_rids];
		if (!copy_token(r->id, sizeof r->id, val, il) || val[il] != ' ')
			return fail(err, errlen, PL_EINVAL, ln, "malformed a=rid");
		const char *rd = val + il + 1;
		size_t dlen = strcspn(rd, " ");
		if (dlen == 4 && strncmp(rd, "send", 4) == 0)
			r->send = true;
		else if (!(dlen == 4 && strncmp(rd, "recv", 4) == 0))
			return fail(err, errlen, PL_EINVAL, ln,
			            "a=rid direction must be send or recv");
		m->n_rids++;
	} else if (strcmp(name, "simulcast") == 0) {
		m->has_rids = true;
		if (!copy_token(m->simulcast, sizeof m->simulcast, val, strlen(val)))
			return fail(err, errlen, PL_EINVAL, ln, "a=simulcast empty or too long");
	}
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
	if (strcmp(name, "group") == 0 && strncmp(val, "BUNDLE", 6) == 0 &&
	    (val[6] == ' ' || val[6] == '\0')) {
		/* RFC 8843 §7: only the first BUNDLE group is used (browsers write one). */
		if (s->has_bundle)
			return 0;
		s->has_bundle = true;
		char *save = NULL;
		for (char *t = strtok_r(val + 6, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			if (s->n_bundle >= PL_SDP_MAX_MEDIA)
				return fail(err, errlen, PL_ELIMIT, ln, "BUNDLE group too large");
			if (!copy_token(s->bundle[s->n_bundle], PL_SDP_MID_LEN, t, strlen(t)))
				return fail(err, errlen, PL_EINVAL, ln, "BUNDLE mid too long");
			s->n_bundle++;
		}
	} else if (strcmp(name, "ice-ufrag") == 0 || strcmp(name, "ice-pwd") == 0) {
		bool ufrag = name[4] == 'u';
		char *dst =
		    ufrag ? (m ? m->ice_ufrag : s->ice_ufrag) : (m ? m->ice_pwd : s->ice_pwd);
		/* RFC 8839 §5.4: ufrag 4-256, pwd 22-256 ice-chars */
		size_t vl = strlen(val);
		if (vl < (ufrag ? 4u : 22u) || !copy_token(dst, PL_SDP_ICE_LEN, val, vl) ||
		    !is_ice_chars(dst)) {
			dst[0] = '\0';
			return fail(err, errlen, PL_EINVAL, ln, "bad a=%s", name);
		}
	} else if (strcmp(name, "ice-options") == 0) {
		bool trickle = false;
		char *save = NULL;
		for (char *t = strtok_r(val, " ", &save); t; t = strtok_r(NULL, " ", &save))
			trickle |= strcmp(t, "trickle") == 0;
		if (m)
			m->ice_trickle = trickle;
		else
			s->ice_trickle = trickle;
	} else if (strcmp(name, "fingerprint") == 0) {
		return m ? parse_fingerprint(val, m->fingerprint_alg, m->fingerprint,
		                             &m->fingerprint_len, &m->has_fingerprint, ln, err,
		                             errlen)
		         : parse_fingerprint(val, s->fingerprint_alg, s->fingerprint,
		                             &s->fingerprint_len, &s->has_fingerprint, ln, err,
		                             errlen);
	} else if (strcmp(name, "setup") == 0) {
		/* RFC 4145 §4 */
		enum pl_sdp_setup st = parse_setup(val);
		if (st == PL_SETUP_NONE)
			return fail(err, errlen, PL_EINVAL, ln, "unknown a=setup value");
		if (m)
			m->setup = st;
		else
			s->setup = st;
	} else if (!m) {
		bool isdir;
		enum pl_sdp_dir d = dir_of(name, &isdir);
		if (isdir)
			s->dir = d;
		else if (strcmp(name, "extmap-allow-mixed") == 0)
			s->extmap_allow_mixed = true;
		return 0; /* other session-level attributes are not needed */
	} else {
		return parse_media_attr(m, name, val, ln, err, errlen);
	}
	return 0;
}

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> (RFC 8866 §5.2).
 * Browsers write 64-bit ids; larger values are kept as 0 (the SFU does not need them). */
static void parse_origin(struct pl_sdp *s, const char *v)
{
	const char *id = strchr(v, ' ');
	if (!id)
		return;
	id++;
	size_t il = strcspn(id, " ");
	unsigned long long x;
	if (parse_uint(id, il, UINT64_MAX, &x))
		s->sess_id = x;
	if (id[il] != ' ')
		return;
	const char *ver = id + il + 1;
	if (parse_uint(ver, strcspn(ver, " "), UINT64_MAX, &x))
		s->sess_version = x;
}

static int check_model(struct pl_sdp *s, char *err, size_t errlen, unsigned ln)
{
	for (size_t i = 0; i < s->n_media; i++) {
		struct pl_sdp_media *m = &s->media[i];
		if (!m->dir_set)
			m->dir = s->dir;
		for (size_t j = 0; j < i; j++)
			if (m->mid[0] && strcmp(m->mid, s->media[j].mid) == 0)
				return fail(err, errlen, PL_EINVAL, ln,
				            "mid \"%s\" used by m-lines %zu and %zu (RFC 5888 §4)",
				            m->mid, j, i);
	}
	return 0;
}

int pl_sdp_parse(const char *text, size_t len, struct pl_sdp *out, char *err, size_t errlen)
{
	/* Re-parsing into the same model reuses its m-line storage. */
	struct pl_sdp_media *keep = out->media;
	size_t keep_cap = out->cap_media;
	memset(out, 0, sizeof *out);
	out->media = keep;
	out->cap_media = keep_cap;
	if (err && errlen)
		err[0] = '\0';
	if (len > PL_SDP_MAX_BYTES)
		return fail(err, errlen, PL_ELIMIT, 0, "SDP larger than %d bytes",
		            PL_SDP_MAX_BYTES);
	char line[PL_SDP_MAX_LINE + 1];
	unsigned ln = 0;
	size_t pos = 0;
	bool saw_v = false;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
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
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
				return fail(err, errlen, PL_EINVAL, ln,
				            "control character 0x%02x at column %zu",
				            (unsigned char)line[i], i + 1);
		if (n < 2 || line[1] != '=')
			return fail(err, errlen, PL_EINVAL, ln, "expected <type>=<value>");
		if (!saw_v && line[0] != 'v')
			return fail(err, errlen, PL_EINVAL, ln, "SDP must start with v=0");
		char *v = line + 2;
		struct pl_sdp_media *m = out->n_media ? &out->media[out->n_media - 1] : NULL;
		int rc = 0;
		switch (line[0]) {
		case 'v':
			if (saw_v || strcmp(v, "0") != 0)
				return fail(err, errlen, PL_EINVAL, ln, "version must be 0, once");
			saw_v = true;
			break;
		case 'o':
			if (!m)
				parse_origin(out, v);
			break;
		case 'm':
			rc = parse_m(out, v, ln, err, errlen);
			break;
		case 'a':
			rc = parse_attr(out, m, v, ln, err, errlen);
			break;
		default:
			break; /* s=, t=, c=, b= ... carry nothing the SFU needs */
		}
		if (rc)
			return rc;
	}
	if (!saw_v)
		return fail(err, errlen, PL_EINVAL, 1, "missing v=0");
	return check_model(out, err, errlen, ln);
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

int pl_sdp_transport_of(const struct pl_sdp *s, size_t i, struct pl_sdp_transport *out, char *err,
                        size_t errlen)
{
	memset(out, 0, sizeof *out);
	const char *u = pl_sdp_ufrag(s, i), *p = pl_sdp_pwd(s, i);
	const uint8_t *fp = pl_sdp_fingerprint(s, i);
	const char *missing = !*u || !*p ? "ICE credentials (a=ice-ufrag/a=ice-pwd)"
	                      : !fp      ? "a sha-256 DTLS fingerprint"
	                                 : NULL;
	if (missing) {
		if (err && errlen)
			snprintf(err, errlen, "m-line %zu (mid %s) has no %s", i,
			         s->media[i].mid[0] ? s->media[i].mid : "-", missing);
		return PL_EPROTO;
	}
	memcpy(out->ice_ufrag, u, strlen(u) + 1);
	memcpy(out->ice_pwd, p, strlen(p) + 1);
	memcpy(out->fingerprint, fp, PL_SDP_FP_LEN);
	out->setup = pl_sdp_setup_of(s, i);
	return 0;
}

const struct pl_sdp_ssrc *pl_sdp_ssrc_find(const struct pl_sdp_media *m, uint32_t ssrc)
{
	for (size_t i = 0; i < m->n_ssrcs; i++)
		if (m->ssrcs[i] == ssrc)
			return &m->ssrc_attrs[i];
	return NULL;
}

const struct pl_sdp_media *pl_sdp_media_by_mid(const struct pl_sdp *s, const char *mid)
{
	for (size_t i = 0; i < s->n_media; i++)
		if (s->media[i].mid[0] && strcmp(s->media[i].mid, mid) == 0)
			return &s->media[i];
	return NULL;
}

bool pl_sdp_in_bundle(const struct pl_sdp *s, const char *mid)
{
	for (size_t i = 0; i < s->n_bundle; i++)
		if (strcmp(s->bundle[i], mid) == 0)
			return true;
	return false;
}
