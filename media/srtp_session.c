/* libsrtp2 wrapper: see srtp_session.h. */
#include "media/srtp_session.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "media/alloc.h"
#include "media/bytes.h"
#include "media/error.h"

/* Replay window in packets (RFC 3711 §3.3.2 asks for at least 64). Video bursts with
 * retransmissions reorder by several hundred packets at high bitrates, so 1024 instead of
 * libsrtp's default 128. */
#define PL_SRTP_REPLAY_WINDOW 1024

struct pl_srtp {
	srtp_t out;
	srtp_t in;
	unsigned max_ssrcs;
	unsigned n_ssrcs;
	uint32_t *ssrcs; /* host order, n_ssrcs used of max_ssrcs */
	struct pl_srtp_stats stats;
};

int pl_srtp_global_init(void)
{
	return srtp_init() == srtp_err_status_ok ? 0 : PL_EIO;
}

void pl_srtp_global_shutdown(void)
{
	srtp_shutdown();
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

static int make_session(srtp_t *out, int profile, const uint8_t *key_salt, size_t len, int outbound)
{
	srtp_policy_t pol;
	/* libsrtp wants a non-const key pointer; it copies the key during srtp_create. */
	unsigned char key[PL_SRTP_MAX_KEY_SALT_LEN];
	srtp_err_status_t st;

	memset(&pol, 0, sizeof(pol));
	if (profile == PL_SRTP_AEAD_AES_128_GCM) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	}
	memcpy(key, key_salt, len);
	pol.key = key;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = PL_SRTP_REPLAY_WINDOW;
	/* Outbound only matters: NACK-driven resends reuse the original sequence number. */
	pol.allow_repeat_tx = 1;
	pol.next = NULL;
	st = srtp_create(out, &pol);
	memset(key, 0, sizeof(key));
	return st == srtp_err_status_ok ? 0 : PL_EIO;
}

struct pl_srtp *pl_srtp_new(int profile, const uint8_t *local_key_salt, size_t llen,
                            const uint8_t *remote_key_salt, size_t rlen, unsigned max_ssrcs,
                            char *err, size_t errlen)
{
	struct pl_srtp *s = NULL;
	size_t klen, slen;

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
	s->max_ssrcs = max_ssrcs;
	s->ssrcs = pl_xcalloc(max_ssrcs, sizeof(*s->ssrcs));
	if (make_session(&s->out, profile, local_key_salt, llen, 1) < 0) {
		snprintf(err, errlen, "srtp_create (outbound, %s) failed",
		         pl_srtp_profile_name(profile));
		goto fail;
	}
	if (make_session(&s->in, profile, remote_key_salt, rlen, 0) < 0) {
		snprintf(err, errlen, "srtp_create (inbound, %s) failed",
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
	if (s->out)
		srtp_dealloc(s->out);
	if (s->in)
		srtp_dealloc(s->in);
	free(s->ssrcs);
	free(s);
}

static int map_err(struct pl_srtp *s, srtp_err_status_t st)
{
	switch (st) {
	case srtp_err_status_ok:
		return 0;
	case srtp_err_status_auth_fail:
		s->stats.auth_fail++;
		return PL_EAUTH;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		s->stats.replay++;
		return PL_EPROTO;
	case srtp_err_status_bad_param:
	case srtp_err_status_parse_err:
		return PL_EINVAL;
	default:
		return PL_EIO;
	}
}

static int protect(struct pl_srtp *s, uint8_t *buf, size_t *len, size_t cap, int rtcp)
{
	size_t min = rtcp ? 8 : 12; /* RFC 3550 §6.4.1 / §5.1 fixed headers */
	size_t overhead = rtcp ? PL_SRTP_RTCP_OVERHEAD : PL_SRTP_RTP_OVERHEAD;
	int n;
	srtp_err_status_t st;

	if (!s || !buf || !len || *len < min || *len > INT_MAX - overhead)
		return PL_EINVAL;
	if (cap < *len || cap - *len < overhead)
		return PL_ESPACE;
	n = (int)*len;
	st = rtcp ? srtp_protect_rtcp(s->out, buf, &n) : srtp_protect(s->out, buf, &n);
	if (st != srtp_err_status_ok)
		return map_err(s, st);
	*len = (size_t)n;
	s->stats.protected_pkts++;
	return 0;
}

int pl_srtp_protect_rtp(struct pl_srtp *s, uint8_t *buf, size_t *len, size_t cap)
{
	return protect(s, buf, len, cap, 0);
}

int pl_srtp_protect_rtcp(struct pl_srtp *s, uint8_t *buf, size_t *len, size_t cap)
{
	return protect(s, buf, len, cap, 1);
}

static int ssrc_known(const struct pl_srtp *s, uint32_t ssrc)
{
	for (unsigned i = 0; i < s->n_ssrcs; i++)
		if (s->ssrcs[i] == ssrc)
			return 1;
	return 0;
}

static int unprotect(struct pl_srtp *s, uint8_t *buf, size_t *len, int rtcp)
{
	/* RTP: 12-byte header, SSRC at offset 8 (RFC 3550 §5.1). RTCP: SSRC of the sender at
	 * offset 4 of the first packet of the compound (RFC 3550 §6.4.1); SRTCP appends at
	 * least the 4-byte index (RFC 3711 §3.4), so both need 12 bytes before libsrtp checks
	 * the tag length. Version must be 2 in both. */
	const size_t min = 12;
	uint32_t ssrc;
	int known, n;
	srtp_err_status_t st;

	if (!s || !buf || !len || *len < min || *len > INT_MAX)
		return PL_EINVAL;
	if ((buf[0] >> 6) != 2)
		return PL_EINVAL;
	ssrc = pl_read_u32(buf + (rtcp ? 4 : 8));
	known = ssrc_known(s, ssrc);
	n = (int)*len;
	st = rtcp ? srtp_unprotect_rtcp(s->in, buf, &n) : srtp_unprotect(s->in, buf, &n);
	if (st != srtp_err_status_ok)
		return map_err(s, st); /* libsrtp created no stream: nothing to account */
	if (!known) {
		if (s->n_ssrcs >= s->max_ssrcs) {
			/* libsrtp cloned the template into a per-SSRC stream when the tag
			 * verified; take it out again so the table stays bounded. */
			srtp_remove_stream(s->in, htonl(ssrc));
			s->stats.ssrc_cap_hits++;
			return PL_ELIMIT;
		}
		s->ssrcs[s->n_ssrcs++] = ssrc;
	}
	*len = (size_t)n;
	s->stats.unprotected_pkts++;
	return 0;
}

int pl_srtp_unprotect_rtp(struct pl_srtp *s, uint8_t *buf, size_t *len)
{
	return unprotect(s, buf, len, 0);
}

int pl_srtp_unprotect_rtcp(struct pl_srtp *s, uint8_t *buf, size_t *len)
{
	return unprotect(s, buf, len, 1);
}

unsigned pl_srtp_inbound_ssrc_count(const struct pl_srtp *s)
{
	return s->n_ssrcs;
}

const struct pl_srtp_stats *pl_srtp_stats(const struct pl_srtp *s)
{
	return &s->stats;
}
