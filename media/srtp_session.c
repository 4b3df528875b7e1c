/* SRTP/SRTCP sessions on Plenum's own transforms: see srtp_session.h. */
#include "media/srtp_session.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/alloc.h"
#include "media/bytes.h"
#include "media/error.h"
#include "media/srtp_crypto.h"
#include "media/srtp_replay.h"

/* Outbound SSRCs remembered per session. The server picks the SSRCs it sends: one per consumer
 * (a room has at most 64 producers) and one for its own RTCP, so about 65 are live at a time;
 * consumers come and go over a long call, so the table keeps the 256 most recently used and
 * forgets the least recently used one beyond that. A forgotten SSRC that is sent again starts
 * over at ROC 0, which is only wrong for a stream that had already wrapped and then stayed
 * silent while 255 others were sent. */
#define OUT_SSRCS 256

struct in_stream {
	uint32_t ssrc;
	struct pl_srtp_replay rtp;  /* RTP packet indices (ROC from rtp.top) */
	struct pl_srtp_replay rtcp; /* SRTCP indices */
};

struct out_stream {
	uint32_t ssrc;
	bool rtp_started;
	uint64_t rtp_top;    /* highest RTP index sent */
	uint32_t rtcp_index; /* last SRTCP index sent */
	uint64_t used;       /* s->tick at the last packet */
};

struct pl_srtp {
	bool gcm;
	struct pl_srtp_crypto out_rtp, out_rtcp, in_rtp, in_rtcp;
	unsigned max_ssrcs;
	unsigned n_in, cap_in; /* inbound table grows on demand up to max_ssrcs */
	struct in_stream *in;
	unsigned n_out, cap_out;
	struct out_stream *out;
	uint64_t tick;
	struct pl_srtp_stats stats;
};

int pl_srtp_global_init(void)
{
	return 0; /* nothing process-global: OpenSSL 3 initialises itself */
}

void pl_srtp_global_shutdown(void)
{
}

const char *pl_srtp_profile_name(int profile)
{
	switch (profile) {
	case PL_SRTP_AES128_CM_SHA1_80:
		return "SRTP_AES128_CM_SHA1_80";
	case PL_SRTP_AEAD_AES_128_GCM:
		return "SRTP_AEAD_AES_128_GCM";
	default:
		return "unknown";
	}
}

int pl_srtp_profile_lengths(int profile, size_t *key_len, size_t *salt_len)
{
	switch (profile) {
	case PL_SRTP_AES128_CM_SHA1_80: /* RFC 5764 §4.1.2: 128-bit key, 112-bit salt */
		*key_len = 16;
		*salt_len = 14;
		return 0;
	case PL_SRTP_AEAD_AES_128_GCM: /* RFC 7714 §12: 128-bit key, 96-bit salt */
		*key_len = 16;
		*salt_len = 12;
		return 0;
	default:
		return PL_EUNSUPPORTED;
	}
}

struct pl_srtp *pl_srtp_new(int profile, const uint8_t *local_key_salt, size_t llen,
                            const uint8_t *remote_key_salt, size_t rlen, unsigned max_ssrcs,
                            char *err, size_t errlen)
{
	struct pl_srtp *s = NULL;
	size_t klen, slen;
	bool gcm = profile == PL_SRTP_AEAD_AES_128_GCM;

	if (pl_srtp_profile_lengths(profile, &klen, &slen) < 0) {
		snprintf(err, errlen, "unsupported SRTP profile 0x%04x", (unsigned)profile);
		return NULL;
	}
	if (!local_key_salt || !remote_key_salt || llen != klen + slen || rlen != klen + slen) {
		snprintf(err, errlen, "%s needs %zu bytes of key+salt, got %zu/%zu",
		         pl_srtp_profile_name(profile), klen + slen, llen, rlen);
		return NULL;
	}
	if (max_ssrcs == 0 || max_ssrcs > PL_SRTP_MAX_SSRCS_LIMIT) {
		snprintf(err, errlen, "max_ssrcs %u out of range 1..%u", max_ssrcs,
		         PL_SRTP_MAX_SSRCS_LIMIT);
		return NULL;
	}
	s = pl_xcalloc(1, sizeof(*s));
	s->gcm = gcm;
	s->max_ssrcs = max_ssrcs;
	if (pl_srtp_crypto_derive(&s->out_rtp, gcm, local_key_salt, llen, false) < 0 ||
	    pl_srtp_crypto_derive(&s->out_rtcp, gcm, local_key_salt, llen, true) < 0 ||
	    pl_srtp_crypto_derive(&s->in_rtp, gcm, remote_key_salt, rlen, false) < 0 ||
	    pl_srtp_crypto_derive(&s->in_rtcp, gcm, remote_key_salt, rlen, true) < 0) {
		snprintf(err, errlen, "SRTP key setup (%s) failed in OpenSSL",
		         pl_srtp_profile_name(profile));
		goto fail;
	}
	return s;
fail:
	pl_srtp_free(s);
	return NULL;
}

void pl_srtp_free(struct pl_srtp *s)
{
	if (!s)
		return;
	pl_srtp_crypto_cleanup(&s->out_rtp);
	pl_srtp_crypto_cleanup(&s->out_rtcp);
	pl_srtp_crypto_cleanup(&s->in_rtp);
	pl_srtp_crypto_cleanup(&s->in_rtcp);
	free(s->in);
	free(s->out);
	free(s);
}

/* RFC 3550 §5.1: 12 octets, 4 per CSRC, then the extension's 4-octet header and its length in
 * 32-bit words. 0 or PL_EINVAL when the header does not fit in `avail` octets. */
static int rtp_header_len(const uint8_t *buf, size_t avail, size_t *hdr_len)
{
	size_t n = 12 + 4 * (size_t)(buf[0] & 0x0f);

	if (buf[0] & 0x10) {
		if (n + 4 > avail)
			return PL_EINVAL;
		n += 4 + 4 * (size_t)pl_read_u16(buf + n + 2);
	}
	if (n > avail)
		return PL_EINVAL;
	*hdr_len = n;
	return 0;
}

static struct out_stream *out_stream(struct pl_srtp *s, uint32_t ssrc)
{
	struct out_stream *o;
	unsigned i, lru = 0;

	s->tick++;
	for (i = 0; i < s->n_out; i++) {
		if (s->out[i].ssrc == ssrc) {
			s->out[i].used = s->tick;
			return &s->out[i];
		}
		if (s->out[i].used < s->out[lru].used)
			lru = i;
	}
	if (s->n_out < OUT_SSRCS) {
		if (s->n_out == s->cap_out) {
			s->cap_out = s->cap_out ? s->cap_out * 2 : 8;
			s->out = pl_xrealloc(s->out, s->cap_out * sizeof(*s->out));
		}
		o = &s->out[s->n_out++];
	} else {
		o = &s->out[lru]; /* full: forget the least recently used */
	}
	memset(o, 0, sizeof(*o));
	o->ssrc = ssrc;
	o->used = s->tick;
	return o;
}

static struct in_stream *in_stream(struct pl_srtp *s, uint32_t ssrc)
{
	for (unsigned i = 0; i < s->n_in; i++)
		if (s->in[i].ssrc == ssrc)
			return &s->in[i];
	return NULL;
}

/* Called only for an authentic packet of an SSRC not in the table. */
static struct in_stream *in_stream_add(struct pl_srtp *s, uint32_t ssrc)
{
	struct in_stream *e;

	if (s->n_in >= s->max_ssrcs)
		return NULL;
	if (s->n_in == s->cap_in) {
		s->cap_in = s->cap_in ? s->cap_in * 2 : 4;
		if (s->cap_in > s->max_ssrcs)
			s->cap_in = s->max_ssrcs;
		s->in = pl_xrealloc(s->in, s->cap_in * sizeof(*s->in));
	}
	e = &s->in[s->n_in++];
	memset(e, 0, sizeof(*e));
	e->ssrc = ssrc;
	return e;
}

static int check_protect_args(struct pl_srtp *s, uint8_t *buf, size_t *len, size_t cap, size_t min,
                              size_t overhead)
{
	if (!s || !buf || !len || *len < min || *len > INT_MAX - overhead || (buf[0] >> 6) != 2)
		return PL_EINVAL;
	if (cap < *len || cap - *len < overhead)
		return PL_ESPACE;
	return 0;
}

int pl_srtp_protect_rtp(struct pl_srtp *s, uint8_t *buf, size_t *len, size_t cap)
{
	struct out_stream *o;
	size_t hdr_len;
	uint64_t index;
	int rc;

	if ((rc = check_protect_args(s, buf, len, cap, 12, PL_SRTP_RTP_OVERHEAD)) < 0 ||
	    (rc = rtp_header_len(buf, *len, &hdr_len)) < 0)
		return rc;
	o = out_stream(s, pl_read_u32(buf + 8));
	/* A resent packet keeps the ROC it was first sent with: the sender guesses it the way a
	 * receiver does (RFC 3711 §3.3.1), from the highest index sent. */
	index = o->rtp_started ? pl_srtp_index_guess(o->rtp_top, pl_read_u16(buf + 2))
	                       : pl_read_u16(buf + 2);
	if (index == PL_SRTP_INDEX_INVALID)
		return PL_EPROTO;
	if ((rc = pl_srtp_crypto_seal_rtp(&s->out_rtp, buf, hdr_len, *len, index)) < 0)
		return rc;
	if (!o->rtp_started || index > o->rtp_top)
		o->rtp_top = index;
	o->rtp_started = true;
	*len += s->out_rtp.tag_len;
	s->stats.protected_pkts++;
	return 0;
}

int pl_srtp_protect_rtcp(struct pl_srtp *s, uint8_t *buf, size_t *len, size_t cap)
{
	struct out_stream *o;
	uint32_t index;
	int rc;

	if ((rc = check_protect_args(s, buf, len, cap, 8, PL_SRTP_RTCP_OVERHEAD)) < 0)
		return rc;
	o = out_stream(s, pl_read_u32(buf + 4));
	/* RFC 3711 §3.4: a 31-bit counter per stream, the first packet 1 */
	index = (o->rtcp_index + 1) & ~PL_SRTCP_E_FLAG;
	if ((rc = pl_srtp_crypto_seal_rtcp(&s->out_rtcp, buf, *len, index, true, len)) < 0)
		return rc;
	o->rtcp_index = index;
	s->stats.protected_pkts++;
	return 0;
}

/* The common end of unprotect: the packet authenticated with `index`; take a slot for a new
 * SSRC (PL_ELIMIT when none is left) and record the index. */
static int accept_packet(struct pl_srtp *s, struct in_stream *e, uint32_t ssrc, bool rtcp,
                         uint64_t index)
{
	if (!e && !(e = in_stream_add(s, ssrc))) {
		s->stats.ssrc_cap_hits++;
		return PL_ELIMIT;
	}
	pl_srtp_replay_add(rtcp ? &e->rtcp : &e->rtp, index);
	s->stats.unprotected_pkts++;
	return 0;
}

static int count_fail(struct pl_srtp *s, int rc)
{
	if (rc == PL_EAUTH)
		s->stats.auth_fail++;
	else if (rc == PL_EPROTO)
		s->stats.replay++;
	return rc;
}

/* RTP: 12-byte header, SSRC at offset 8 (RFC 3550 §5.1); RTCP: the sender SSRC at offset 4 of
 * the first packet of the compound (§6.4.1), and SRTCP appends at least the 4-byte index
 * (RFC 3711 §3.4), so both need 12 bytes. Version must be 2 in both. */
static int check_unprotect_args(struct pl_srtp *s, const uint8_t *buf, const size_t *len)
{
	if (!s || !buf || !len || *len < 12 || *len > INT_MAX || (buf[0] >> 6) != 2)
		return PL_EINVAL;
	return 0;
}

int pl_srtp_unprotect_rtp(struct pl_srtp *s, uint8_t *buf, size_t *len)
{
	struct in_stream *e;
	size_t hdr_len;
	uint32_t ssrc;
	uint16_t seq;
	uint64_t index;
	int rc;

	if ((rc = check_unprotect_args(s, buf, len)) < 0 || *len < 12 + s->in_rtp.tag_len ||
	    rtp_header_len(buf, *len - s->in_rtp.tag_len, &hdr_len) < 0)
		return PL_EINVAL;
	ssrc = pl_read_u32(buf + 8);
	seq = pl_read_u16(buf + 2);
	e = in_stream(s, ssrc);
	/* RFC 3711 §3.3: index from the ROC guess, replay check, then authentication; the first
	 * packet of an SSRC has ROC 0. State changes only after the tag verified, so forged
	 * packets cost nothing. */
	index = e && e->rtp.started ? pl_srtp_index_guess(e->rtp.top, seq) : seq;
	if (e && (rc = pl_srtp_replay_check(&e->rtp, index)) < 0)
		return count_fail(s, rc);
	if ((rc = pl_srtp_crypto_open_rtp(&s->in_rtp, buf, hdr_len, *len, index)) < 0)
		return count_fail(s, rc);
	if ((rc = accept_packet(s, e, ssrc, false, index)) < 0)
		return rc;
	*len -= s->in_rtp.tag_len;
	return 0;
}

int pl_srtp_unprotect_rtcp(struct pl_srtp *s, uint8_t *buf, size_t *len)
{
	struct in_stream *e;
	uint32_t ssrc, word;
	size_t plain;
	int rc;

	if ((rc = check_unprotect_args(s, buf, len)) < 0 ||
	    pl_srtp_crypto_rtcp_word(&s->in_rtcp, buf, *len, &word) < 0)
		return PL_EINVAL;
	ssrc = pl_read_u32(buf + 4);
	e = in_stream(s, ssrc);
	word &= ~PL_SRTCP_E_FLAG;
	if (e && (rc = pl_srtp_replay_check(&e->rtcp, word)) < 0)
		return count_fail(s, rc);
	if ((rc = pl_srtp_crypto_open_rtcp(&s->in_rtcp, buf, *len, &plain)) < 0)
		return count_fail(s, rc);
	if ((rc = accept_packet(s, e, ssrc, true, word)) < 0)
		return rc;
	*len = plain;
	return 0;
}

unsigned pl_srtp_inbound_ssrc_count(const struct pl_srtp *s)
{
	return s->n_in;
}

const struct pl_srtp_stats *pl_srtp_stats(const struct pl_srtp *s)
{
	return &s->stats;
}
