/* Sans-IO DTLS 1.2 endpoint for DTLS-SRTP (RFC 5764, RFC 5763): OpenSSL over memory BIOs.
 *
 * Bytes in: pl_dtls_receive() with one UDP datagram the shell demultiplexed as DTLS (RFC 7983:
 * first byte 20..63). Bytes out: ops->send(), called synchronously from inside pl_dtls_start,
 * pl_dtls_receive, pl_dtls_handle_timeout and pl_dtls_close with one datagram of at most
 * PL_DTLS_MTU bytes each. The callback must not free the pl_dtls (defer that).
 *
 * Once CONNECTED the peer certificate's SHA-256 fingerprint has matched the one from SDP and
 * the SRTP keys are available. A mismatch, a fatal alert, or no SRTP profile in common makes it
 * FAILED, with a reason in pl_dtls_error() and no keys.
 *
 * Timers: the shell calls pl_dtls_handle_timeout(now) once now >= pl_dtls_next_timeout().
 * Caveat: OpenSSL 3.0 runs its DTLS retransmission timer on the wall clock (gettimeofday)
 * internally and retransmits only when that clock says the timer expired. next_timeout is
 * therefore "last now_us given + what DTLSv1_get_timeout says remains", which is right as long
 * as the shell's now_us advances at the speed of real time (it does: it is the monotonic
 * clock). If the shell calls early, nothing is sent and next_timeout moves to the real expiry.
 * The handshake deadline, in contrast, runs on now_us only. */
#ifndef PL_DTLS_H
#define PL_DTLS_H

#include <stddef.h>
#include <stdint.h>

#include "media/cert.h"

/* Largest datagram we send, in bytes: fits IPv6 minimum MTU (1280) minus IP/UDP and TURN
 * overhead, as browsers do. */
#define PL_DTLS_MTU 1200
/* Largest datagram we accept, in bytes. Browsers send flights fragmented to ~1200. */
#define PL_DTLS_MAX_DATAGRAM 4096
/* Default handshake deadline, microseconds from pl_dtls_start. */
#define PL_DTLS_HANDSHAKE_TIMEOUT_US (10 * 1000000LL)

struct pl_dtls;

struct pl_dtls_ops {
	void (*send)(void *ctx, const uint8_t *buf, size_t len); /* an outgoing DTLS datagram */
};

enum pl_dtls_role {
	PL_DTLS_CLIENT, /* a=setup:active: we send the ClientHello */
	PL_DTLS_SERVER, /* a=setup:passive */
};

enum pl_dtls_state {
	PL_DTLS_HANDSHAKING,
	PL_DTLS_CONNECTED,
	PL_DTLS_FAILED,
	PL_DTLS_CLOSED,
};

/* cert: our identity (must outlive nothing: the SSL keeps its own reference to the context).
 * remote_fp_sha256: the peer's a=fingerprint, parsed. srtp_profiles: PL_SRTP_* ids in
 * preference order, 0-terminated, 1..4 entries (as a server, our order decides). Returns NULL
 * on bad arguments or OpenSSL failure. */
struct pl_dtls *pl_dtls_new(const struct pl_cert *cert, enum pl_dtls_role role,
                            const uint8_t remote_fp_sha256[32], const int *srtp_profiles,
                            const struct pl_dtls_ops *ops, void *ctx);
void pl_dtls_free(struct pl_dtls *d);

/* Before pl_dtls_start: handshake deadline in microseconds (> 0). */
int pl_dtls_set_handshake_timeout(struct pl_dtls *d, int64_t timeout_us);

/* Arms the handshake deadline at now_us + timeout; a client sends its ClientHello. A server
 * that receives before start is started implicitly at that time. */
int pl_dtls_start(struct pl_dtls *d, int64_t now_us);

/* One incoming datagram. Returns 0 (also when OpenSSL silently dropped an invalid record, as
 * RFC 6347 §4.1.2.7 asks), PL_EINVAL (not a DTLS datagram), PL_ELIMIT (larger than
 * PL_DTLS_MAX_DATAGRAM), PL_ESTATE (FAILED/CLOSED, or a client not started), PL_EPROTO (this
 * datagram made the handshake fail), PL_EAUTH (fingerprint mismatch). Application data is
 * discarded (no data channels). */
int pl_dtls_receive(struct pl_dtls *d, const uint8_t *buf, size_t len, int64_t now_us);

/* Absolute time in us at which pl_dtls_handle_timeout is due, or INT64_MAX. */
int64_t pl_dtls_next_timeout(const struct pl_dtls *d);

/* Retransmits the current flight if OpenSSL's timer expired. Returns PL_EPROTO (and the state
 * becomes FAILED) once the handshake deadline passed or OpenSSL gave up, PL_ESTATE if already
 * FAILED/CLOSED, else 0. */
int pl_dtls_handle_timeout(struct pl_dtls *d, int64_t now_us);

/* Sends close_notify (RFC 5246 §7.2.1) if connected; the state becomes CLOSED. */
int pl_dtls_close(struct pl_dtls *d);

enum pl_dtls_state pl_dtls_state(const struct pl_dtls *d);

/* After CONNECTED: the negotiated PL_SRTP_* profile and the keying material of RFC 5764 §4.2
 * (client key, server key, client salt, server salt) split into ours and the peer's, each as
 * master key || master salt. *local_len and *remote_len give the buffer sizes in bytes on input
 * (PL_SRTP_MAX_KEY_SALT_LEN is enough) and the lengths on output. PL_ESTATE before CONNECTED or
 * after a failure, PL_ESPACE if a buffer is too small. */
int pl_dtls_srtp_keys(const struct pl_dtls *d, int *profile, uint8_t *local_key_salt,
                      size_t *local_len, uint8_t *remote_key_salt, size_t *remote_len);

/* Last failure reason, for logs ("" if none). Contains no personal data. */
const char *pl_dtls_error(const struct pl_dtls *d);

const char *pl_dtls_state_name(enum pl_dtls_state s);

#endif
