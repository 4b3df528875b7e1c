/* ICE for one PeerConnection with libnice: one agent, one stream, one component (BUNDLE and
 * rtcp-mux are required), running on a media worker's GMainContext. The only file that includes
 * <nice/agent.h>. All callbacks run on that worker thread. */
#ifndef PL_ICE_H
#define PL_ICE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pl_ice;

enum pl_ice_state { PL_ICE_CHECKING, PL_ICE_CONNECTED, PL_ICE_FAILED };

struct pl_ice_ops {
	/* One received datagram; buf is writable and only valid during the call. */
	void (*recv)(void *user, uint8_t *buf, size_t len);
	/* A local candidate as an SDP attribute value ("candidate:..."), or NULL when gathering is
	 * done (end-of-candidates). */
	void (*candidate)(void *user, const char *candidate);
	void (*state)(void *user, enum pl_ice_state state);
};

struct pl_ice_settings {
	char **addresses; /* NULL-terminated local addresses to use; NULL/empty = all interfaces */
	const char *public_ip;       /* announced instead of the local address (1:1 NAT), or NULL */
	unsigned port_min, port_max; /* 0,0 = any */
	bool consent_freshness;      /* RFC 7675 */
};

struct pl_ice *pl_ice_new(GMainContext *ctx, const struct pl_ice_settings *s, bool controlling,
                          const char *local_ufrag, const char *local_pwd,
                          const struct pl_ice_ops *ops, void *user);
/* Starts gathering; candidates arrive through ops->candidate. */
int pl_ice_gather(struct pl_ice *ice);
int pl_ice_set_remote_credentials(struct pl_ice *ice, const char *ufrag, const char *pwd);
/* A trickled remote candidate ("candidate:..." with or without "a="). mDNS (.local) candidates
 * cannot be resolved by libnice and are ignored (PL_EUNSUPPORTED). */
int pl_ice_add_remote_candidate(struct pl_ice *ice, const char *candidate);
void pl_ice_remote_gathering_done(struct pl_ice *ice);
/* Sends one datagram on the selected pair; PL_ESTATE before ICE connected. */
int pl_ice_send(struct pl_ice *ice, const uint8_t *buf, size_t len);
void pl_ice_free(struct pl_ice *ice);
/* UDP sockets (descriptors) one agent holds once it has gathered: one host candidate per local
 * address (one component, no ICE-TCP, no TURN). addresses as in pl_ice_settings; when empty,
 * the machine's non-loopback addresses are counted, as libnice would gather on them. At least 1. */
unsigned pl_ice_sockets_per_agent(char **addresses);

#endif
