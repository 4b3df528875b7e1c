/* ICE for the media workers: server-side ICE-lite (media/ice_lite.c) on one UDP socket per local
 * address per worker, shared by every PeerConnection of the worker. A datagram is matched to
 * its PeerConnection by the STUN USERNAME (checks) or by its source address (DTLS, SRTP).
 * So a worker polls a handful of sockets however many people it serves, reads them in batches
 * (recvmmsg), and a firewall needs one UDP port per worker. All functions and callbacks run on
 * the worker's thread, except pl_ice_mux_new (before the thread uses it). */
#ifndef PL_ICE_H
#define PL_ICE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/delay_hist.h"

struct pl_ice;
struct pl_ice_mux;

enum pl_ice_state { PL_ICE_CHECKING, PL_ICE_CONNECTED, PL_ICE_FAILED };

struct pl_ice_ops {
	/* One received datagram; buf is writable and only valid during the call. */
	void (*recv)(void *user, uint8_t *buf, size_t len);
	void (*state)(void *user, enum pl_ice_state state);
};

struct pl_ice_settings {
	char **addresses; /* NULL-terminated local addresses to use; NULL/empty = all interfaces */
	const char *public_ip;       /* announced instead of the local address (1:1 NAT), or NULL */
	unsigned port_min, port_max; /* 0,0 = any */
};

/* Counts for GET /metrics (no addresses). */
struct pl_ice_stats {
	uint64_t checks_answered; /* connectivity checks answered */
	uint64_t checks_rejected; /* STUN requests with an unknown ufrag or a bad integrity */
	uint64_t unknown_source;  /* non-STUN datagrams from an address no check validated */
	uint64_t oversized;       /* datagrams larger than PL_ICE_MAX_DATAGRAM, dropped */
	uint64_t send_dropped;    /* datagrams not sent: the socket's send buffer was full */
	uint64_t gso_sends;       /* sends of several datagrams at once (UDP GSO) */
	uint64_t gso_datagrams;   /* the datagrams in them */
	/* For every datagram sent while a received one was being handled (forwarded RTP, its
	 * retransmissions, RTCP answers): from the received datagram's arrival at the socket
	 * (the kernel's receive timestamp, so time queued in the socket counts) to the return of
	 * the sendmmsg that handed the sent one to the kernel. The server's own forwarding delay.
	 */
	struct pl_delay_hist forward_delay;
};

/* Opens the worker's sockets: one per configured address (or per address of the machine's
 * interfaces that are up, loopback only when there is nothing else), each on the first free
 * port of [port_min, port_max] (any port when 0). NULL with a message in err when no socket
 * could be opened. */
struct pl_ice_mux *pl_ice_mux_new(GMainContext *ctx, const struct pl_ice_settings *s, char *err,
                                  size_t err_len);
void pl_ice_mux_free(struct pl_ice_mux *mux);
const struct pl_ice_stats *pl_ice_mux_stats(const struct pl_ice_mux *mux);
/* The worker's host candidates ("candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host"),
 * NULL-terminated; fixed for the mux's lifetime, so other threads may read them. */
const char *const *pl_ice_mux_candidates(const struct pl_ice_mux *mux);
/* "udp 192.0.2.1:40000, [2001:db8::1]:40000" for the start-up log. */
void pl_ice_mux_describe(const struct pl_ice_mux *mux, char *out, size_t cap);

/* One PeerConnection. NULL when local_ufrag is already in use on this worker. */
struct pl_ice *pl_ice_new(struct pl_ice_mux *mux, const char *local_ufrag, const char *local_pwd,
                          const struct pl_ice_ops *ops, void *user);
/* The peer's ufrag, checked in the USERNAME of its checks from then on. (A lite agent needs no
 * remote password and no remote candidates: the peer's checks bring its addresses.) */
int pl_ice_set_remote_credentials(struct pl_ice *ice, const char *ufrag, const char *pwd);
/* Queues one datagram for the selected address; PL_ESTATE before ICE connected, PL_ELIMIT over
 * 2048 bytes. The queue goes
 * out with sendmmsg after the current batch of received datagrams, or before the worker's loop
 * next waits; a datagram the kernel refuses then (a full send buffer) is dropped, as the network
 * would, and counted in send_dropped. */
int pl_ice_send(struct pl_ice *ice, const uint8_t *buf, size_t len);
void pl_ice_free(struct pl_ice *ice);

/* The sockets it holds: one per address. */
unsigned pl_ice_mux_socket_count(const struct pl_ice_mux *mux);

#endif
