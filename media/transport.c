#include "media/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/alloc.h"
#include "media/demux.h"
#include "media/error.h"
#include "media/srtp_session.h"

struct pl_transport {
	struct pl_dtls *dtls;
	struct pl_srtp *srtp;
	struct pl_transport_ops ops;
	void *user;
	enum pl_transport_state state;
	enum pl_dtls_role role;
	unsigned max_ssrcs;
	int profile;
	struct pl_transport_stats stats;
};

static void set_state(struct pl_transport *t, enum pl_transport_state s, const char *reason)
{
	if (t->state == s)
		return;
	t->state = s;
	t->ops.state(t->user, s, reason);
}

static void dtls_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct pl_transport *t = ctx;
	t->ops.send(t->user, buf, len);
}

struct pl_transport *pl_transport_new(const struct pl_cert *cert, enum pl_dtls_role role,
                                      const uint8_t remote_fp[32], const int *profiles,
                                      unsigned max_ssrcs, int64_t dtls_timeout_us,
                                      const struct pl_transport_ops *ops, void *user)
{
	static const struct pl_dtls_ops dtls_ops = {.send = dtls_send};
	struct pl_transport *t = pl_xcalloc(1, sizeof *t);
	t->ops = *ops;
	t->user = user;
	t->role = role;
	t->max_ssrcs = max_ssrcs;
	t->dtls = pl_dtls_new(cert, role, remote_fp, profiles, &dtls_ops, t);
	if (!t->dtls) {
		free(t);
		return NULL;
	}
	if (dtls_timeout_us > 0)
		pl_dtls_set_handshake_timeout(t->dtls, dtls_timeout_us);
	return t;
}

void pl_transport_free(struct pl_transport *t)
{
	if (!t)
		return;
	pl_dtls_free(t->dtls);
	pl_srtp_free(t->srtp);
	free(t);
}

/* DTLS finished: check state, export keys, create the SRTP contexts. */
static void after_dtls(struct pl_transport *t)
{
	enum pl_dtls_state ds = pl_dtls_state(t->dtls);
	if (ds == PL_DTLS_FAILED) {
		set_state(t, PL_TRANSPORT_FAILED, pl_dtls_error(t->dtls));
		return;
	}
	if (ds == PL_DTLS_CLOSED) {
		set_state(t, PL_TRANSPORT_CLOSED, "DTLS close_notify");
		return;
	}
	if (ds != PL_DTLS_CONNECTED || t->srtp)
		return;
	uint8_t lk[64], rk[64];
	size_t ll = sizeof lk, rl = sizeof rk;
	int profile = 0;
	if (pl_dtls_srtp_keys(t->dtls, &profile, lk, &ll, rk, &rl) != 0) {
		set_state(t, PL_TRANSPORT_FAILED, "no SRTP keys from DTLS");
		return;
	}
	char err[128] = "";
	t->srtp = pl_srtp_new(profile, lk, ll, rk, rl, t->max_ssrcs, err, sizeof err);
	memset(lk, 0, sizeof lk);
	memset(rk, 0, sizeof rk);
	if (!t->srtp) {
		set_state(t, PL_TRANSPORT_FAILED, err);
		return;
	}
	t->profile = profile;
	set_state(t, PL_TRANSPORT_CONNECTED, pl_srtp_profile_name(profile));
}

int pl_transport_start(struct pl_transport *t, int64_t now_us)
{
	if (t->state != PL_TRANSPORT_NEW)
		return 0;
	t->state = PL_TRANSPORT_CONNECTING;
	int rc = t->role == PL_DTLS_CLIENT ? pl_dtls_start(t->dtls, now_us) : 0;
	after_dtls(t);
	return rc;
}

void pl_transport_receive(struct pl_transport *t, uint8_t *buf, size_t len, int64_t now_us)
{
	switch (pl_demux(buf, len)) {
	case PL_PKT_DTLS:
		t->stats.dtls_in++;
		if (t->state == PL_TRANSPORT_NEW)
			t->state =
			    PL_TRANSPORT_CONNECTING; /* the peer was faster than our ICE event */
		pl_dtls_receive(t->dtls, buf, len, now_us);
		after_dtls(t);
		return;
	case PL_PKT_RTP: {
		if (!t->srtp)
			return;
		size_t n = len;
		if (pl_srtp_unprotect_rtp(t->srtp, buf, &n) != 0) {
			t->stats.unprotect_fail++;
			return;
		}
		t->stats.srtp_in++;
		t->ops.rtp(t->user, buf, n, now_us);
		return;
	}
	case PL_PKT_RTCP: {
		if (!t->srtp)
			return;
		size_t n = len;
		if (pl_srtp_unprotect_rtcp(t->srtp, buf, &n) != 0) {
			t->stats.unprotect_fail++;
			return;
		}
		t->stats.srtcp_in++;
		t->ops.rtcp(t->user, buf, n, now_us);
		return;
	}
	default:
		/* STUN is consumed by libnice before it reaches us; anything else is noise. */
		t->stats.unknown++;
		return;
	}
}

int pl_transport_send_rtp(struct pl_transport *t, uint8_t *buf, size_t len, size_t cap)
{
	if (!t->srtp)
		return PL_ESTATE;
	size_t n = len;
	int rc = pl_srtp_protect_rtp(t->srtp, buf, &n, cap);
	if (rc != 0) {
		t->stats.protect_fail++;
		return rc;
	}
	t->stats.srtp_out++;
	t->ops.send(t->user, buf, n);
	return 0;
}

int pl_transport_send_rtcp(struct pl_transport *t, uint8_t *buf, size_t len, size_t cap)
{
	if (!t->srtp)
		return PL_ESTATE;
	size_t n = len;
	int rc = pl_srtp_protect_rtcp(t->srtp, buf, &n, cap);
	if (rc != 0) {
		t->stats.protect_fail++;
		return rc;
	}
	t->stats.srtcp_out++;
	t->ops.send(t->user, buf, n);
	return 0;
}

int64_t pl_transport_next_timeout(const struct pl_transport *t)
{
	if (t->state != PL_TRANSPORT_CONNECTING)
		return INT64_MAX;
	return pl_dtls_next_timeout(t->dtls);
}

void pl_transport_handle_timeout(struct pl_transport *t, int64_t now_us)
{
	if (t->state != PL_TRANSPORT_CONNECTING)
		return;
	pl_dtls_handle_timeout(t->dtls, now_us);
	after_dtls(t);
}

enum pl_transport_state pl_transport_state(const struct pl_transport *t)
{
	return t->state;
}

int pl_transport_srtp_profile(const struct pl_transport *t)
{
	return t->profile;
}

const struct pl_transport_stats *pl_transport_stats(const struct pl_transport *t)
{
	return &t->stats;
}

const struct pl_srtp_stats *pl_transport_srtp_stats(const struct pl_transport *t)
{
	return t->srtp ? pl_srtp_stats(t->srtp) : NULL;
}
