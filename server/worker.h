/* A media worker: one thread with its own GMainContext and its own UDP sockets (server/ice.c).
 * Rooms are pinned to a worker; all their transports (ICE-lite, DTLS, SRTP) and their router live
 * on it, so forwarding a packet is a
 * plain function call on one thread. The control thread talks to a worker only by posting owned
 * commands; the worker answers with owned events posted back to the control thread. */
#ifndef PL_WORKER_H
#define PL_WORKER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "media/router.h"
#include "server/ice.h"

struct pl_cert;
struct pl_worker;

struct pl_worker_settings {
	struct pl_ice_settings ice;
	int srtp_profiles[3]; /* 0-terminated preference list */
	unsigned max_ssrcs;
	int64_t dtls_timeout_us;
	uint32_t video_bitrate_max_bps;
};

enum pl_wcmd_type {
	PL_WCMD_TRANSPORT_CREATE,  /* ice + dtls for one PeerConnection */
	PL_WCMD_TRANSPORT_REMOTE,  /* remote ICE credentials + fingerprint + role (subscribe answer)
	                            */
	PL_WCMD_TRANSPORT_DESTROY, /* tear down, with its producers and consumers */
	PL_WCMD_PRODUCER_SET,
	PL_WCMD_PRODUCER_REMOVE,
	PL_WCMD_CONSUMER_ADD, /* added to the router once the subscriber's DTLS is up */
	PL_WCMD_CONSUMER_REMOVE,
};

struct pl_wcmd {
	enum pl_wcmd_type type;
	uint64_t room;      /* room key (rooms are created on first use, freed when empty) */
	uint64_t transport; /* transport id */
	/* TRANSPORT_CREATE / TRANSPORT_REMOTE */
	bool has_remote;
	char local_ufrag[64], local_pwd[64];
	char remote_ufrag[64], remote_pwd[64];
	uint8_t remote_fp[32];
	bool dtls_client; /* we are a=setup:active */
	/* PRODUCER_SET / CONSUMER_ADD; ids in the *_REMOVE commands */
	struct pl_producer_desc producer;
	struct pl_consumer_desc consumer;
	uint64_t id;
};

enum pl_wevent_type { PL_WEVENT_STATE };

enum pl_wstate { PL_WSTATE_ICE_CONNECTED, PL_WSTATE_CONNECTED, PL_WSTATE_FAILED };

struct pl_wevent {
	enum pl_wevent_type type;
	uint64_t transport;
	enum pl_wstate state;
	char reason[128];
	int srtp_profile;
};

/* Called on the control thread (the default main context) for each event; ev is freed after. */
typedef void (*pl_worker_event_fn)(void *ctx, const struct pl_wevent *ev);

struct pl_worker *pl_worker_new(unsigned index, const struct pl_worker_settings *s,
                                const struct pl_cert *cert, pl_worker_event_fn on_event,
                                void *event_ctx, char *err, size_t err_len);
/* Stops the thread after everything posted before was handled, and frees all rooms. */
void pl_worker_free(struct pl_worker *w);
/* Posts a command (ownership moves to the worker). */
void pl_worker_post(struct pl_worker *w, struct pl_wcmd *cmd);
/* Adds the worker's counters (at most PL_COUNTERS_MS old) to *to. Control thread. */
struct pl_media_counters;
/* Its ICE candidates for the SDP; fixed while it runs, readable from any thread. */
const char *const *pl_worker_candidates(const struct pl_worker *w);
/* Its sockets for the start-up log ("udp 192.0.2.1:40000"), and the descriptors it holds. */
void pl_worker_describe(const struct pl_worker *w, char *out, size_t cap);
unsigned pl_worker_fd_count(const struct pl_worker *w);
void pl_worker_add_counters(struct pl_worker *w, struct pl_media_counters *to);
struct pl_wcmd *pl_wcmd_new(enum pl_wcmd_type type, uint64_t room, uint64_t transport);

#endif
