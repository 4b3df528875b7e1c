/* A transport: one PeerConnection's DTLS + SRTP state, fed with the datagrams ICE delivers.
 * Sans-IO: datagrams and the time go in; decrypted RTP/RTCP, datagrams to send and state changes
 * come out through the ops. RFC 7983 demultiplexing decides what each datagram is. */
#ifndef PL_TRANSPORT_H
#define PL_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/dtls.h"

struct pl_transport;

enum pl_transport_state {
	PL_TRANSPORT_NEW,
	PL_TRANSPORT_CONNECTING, /* DTLS handshake running */
	PL_TRANSPORT_CONNECTED,  /* SRTP keys installed: media flows */
	PL_TRANSPORT_FAILED,     /* DTLS failed, fingerprint mismatch, or handshake deadline */
	PL_TRANSPORT_CLOSED,
};

struct pl_transport_ops {
	/* A datagram for the network (DTLS records and SRTP/SRTCP). */
	void (*send)(void *user, const uint8_t *buf, size_t len);
	/* Decrypted RTP / RTCP compound packet; buf is writable scratch valid during the call. */
	void (*rtp)(void *user, uint8_t *buf, size_t len, int64_t now_us);
	void (*rtcp)(void *user, uint8_t *buf, size_t len, int64_t now_us);
	void (*state)(void *user, enum pl_transport_state state, const char *reason);
};

struct pl_transport_stats {
	uint64_t dtls_in, srtp_in, srtcp_in, srtp_out, srtcp_out;
	uint64_t unprotect_fail, protect_fail, unknown;
};

/* remote_fp: SHA-256 fingerprint from the peer's SDP. profiles: 0-terminated preference list. */
struct pl_transport *pl_transport_new(const struct pl_cert *cert, enum pl_dtls_role role,
                                      const uint8_t remote_fp[32], const int *profiles,
                                      unsigned max_ssrcs, int64_t dtls_timeout_us,
                                      const struct pl_transport_ops *ops, void *user);
void pl_transport_free(struct pl_transport *t);
/* ICE is connected: the DTLS client sends its first flight. */
int pl_transport_start(struct pl_transport *t, int64_t now_us);
/* One datagram from ICE. buf must be writable (SRTP is removed in place). */
void pl_transport_receive(struct pl_transport *t, uint8_t *buf, size_t len, int64_t now_us);
/* Encrypt a plaintext packet in place (cap bytes available) and send it. */
int pl_transport_send_rtp(struct pl_transport *t, uint8_t *buf, size_t len, size_t cap);
int pl_transport_send_rtcp(struct pl_transport *t, uint8_t *buf, size_t len, size_t cap);
/* DTLS retransmission timer: absolute deadline, INT64_MAX when none. */
int64_t pl_transport_next_timeout(const struct pl_transport *t);
void pl_transport_handle_timeout(struct pl_transport *t, int64_t now_us);
enum pl_transport_state pl_transport_state(const struct pl_transport *t);
int pl_transport_srtp_profile(const struct pl_transport *t);
const struct pl_transport_stats *pl_transport_stats(const struct pl_transport *t);
/* The SRTP session's counters (auth and replay failures, SSRC cap hits); NULL before DTLS. */
struct pl_srtp_stats;
const struct pl_srtp_stats *pl_transport_srtp_stats(const struct pl_transport *t);

#endif
