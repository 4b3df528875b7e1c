/* ICE-lite (RFC 8445 sections 2.5 and 7.3) for one PeerConnection, sans-IO. A lite agent only
 * answers: the browser, a full agent and always the controlling one, sends connectivity checks
 * to the server's host candidate; every check that carries our ufrag and passes
 * MESSAGE-INTEGRITY with our password validates the address it came from (a "tuple"), and the
 * check that carries USE-CANDIDATE selects it. Media is accepted from validated tuples and sent
 * to the selected one. Consent (RFC 7675) is the peer's checks continuing: the selected tuple
 * expires PL_ICE_LITE_CONSENT_US after the last one, and the PeerConnection fails with it.
 *
 * The server's socket layer (server/ice.c) finds the PeerConnection by the USERNAME's first
 * half, or for other packets by the source address, and sends what this returns. */
#ifndef PL_ICE_LITE_H
#define PL_ICE_LITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "media/stun.h"

#define PL_ICE_LITE_MAX_TUPLES 8
#define PL_ICE_LITE_UFRAG_MAX  64 /* bytes, NUL included; server/worker.h's credential size */
/* RFC 7675 section 5.1: consent expires 30 s after the last answered check. */
#define PL_ICE_LITE_CONSENT_US 30000000
/* A PeerConnection whose peer never nominates a pair fails this long after it was created. */
#define PL_ICE_LITE_CONNECT_US 30000000

enum pl_ice_lite_state { PL_ICE_LITE_NEW, PL_ICE_LITE_CONNECTED, PL_ICE_LITE_FAILED };

struct pl_ice_lite_tuple {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	unsigned sock; /* which of the server's local sockets it reached */
	int64_t last_us;
};

struct pl_ice_lite {
	char ufrag[PL_ICE_LITE_UFRAG_MAX], pwd[PL_ICE_LITE_UFRAG_MAX];
	char remote_ufrag[PL_ICE_LITE_UFRAG_MAX]; /* "" until the peer's description arrives */
	enum pl_ice_lite_state state;
	int64_t created_us;
	struct pl_ice_lite_tuple tuples[PL_ICE_LITE_MAX_TUPLES];
	size_t n_tuples;
	int selected; /* index into tuples, -1 before a nomination */
	/* Counts for GET /metrics. */
	uint64_t checks_answered, checks_rejected;
};

/* Credentials are copied (truncated to the buffer size by the caller's contract: the signaling
 * layer makes them 4..63 ice-chars). */
void pl_ice_lite_init(struct pl_ice_lite *ice, const char *ufrag, const char *pwd, int64_t now_us);
void pl_ice_lite_set_remote_ufrag(struct pl_ice_lite *ice, const char *ufrag);

/* The local ufrag a Binding request is addressed to: USERNAME is "<ours>:<theirs>". Writes it
 * NUL-terminated to out (PL_ICE_LITE_UFRAG_MAX bytes); PL_EINVAL without USERNAME, colon, or
 * when it does not fit. */
int pl_ice_lite_username_local(const struct pl_stun_msg *m, char *out);

enum pl_ice_lite_event {
	PL_ICE_LITE_NONE = 0,
	PL_ICE_LITE_EV_CONNECTED, /* the first nomination: state is now CONNECTED */
	PL_ICE_LITE_EV_SELECTED,  /* a later nomination moved the selected tuple */
};

/* Handles one Binding request m (parsed from buf/len) that came from `from` on local socket
 * `sock`. When USERNAME and MESSAGE-INTEGRITY check out, the tuple is validated (added, or its
 * time refreshed; the oldest unselected one makes room), a USE-CANDIDATE selects it, and the
 * success response is written to out: returns its length (> 0) and sets *ev. Otherwise returns
 * PL_EAUTH (wrong ufrag or integrity: nothing is answered, so nobody can use the server to
 * reflect traffic) or PL_EPROTO (not a request) and changes nothing. A failed agent answers
 * nothing (PL_ESTATE). */
int pl_ice_lite_on_request(struct pl_ice_lite *ice, const uint8_t *buf, size_t len,
                           const struct pl_stun_msg *m, const struct sockaddr *from,
                           socklen_t from_len, unsigned sock, int64_t now_us, uint8_t *out,
                           size_t cap, enum pl_ice_lite_event *ev);

/* The validated tuple with this source address, or NULL: whether a non-STUN packet from it is
 * the peer's (DTLS, SRTP). */
const struct pl_ice_lite_tuple *pl_ice_lite_find(const struct pl_ice_lite *ice,
                                                 const struct sockaddr *from, socklen_t from_len);
/* Where to send: the selected tuple, or NULL before a nomination or after failure. */
const struct pl_ice_lite_tuple *pl_ice_lite_selected(const struct pl_ice_lite *ice);

/* Expires tuples without a check for PL_ICE_LITE_CONSENT_US; fails the agent when the selected
 * one expires, or when nothing was nominated PL_ICE_LITE_CONNECT_US after init. Returns the
 * state (PL_ICE_LITE_FAILED once, and on every later call). Expired tuples are reported through
 * expired (may be NULL) so the caller can forget their addresses. */
enum pl_ice_lite_state
pl_ice_lite_tick(struct pl_ice_lite *ice, int64_t now_us,
                 void (*expired)(void *ctx, const struct pl_ice_lite_tuple *t), void *ctx);

/* Equality of two socket addresses (family, port, address; IPv6 scope ignored). */
bool pl_ice_lite_addr_equal(const struct sockaddr *a, socklen_t a_len, const struct sockaddr *b,
                            socklen_t b_len);

#endif
