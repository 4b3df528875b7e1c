/* Media plane counters: totals since start, summed over the media workers. Counts only (no
 * identities, no addresses), shown at GET <base_path>metrics. Each worker adds up its live rooms
 * and transports once a second (plus what it retired) into a snapshot the control thread copies
 * under a mutex: nothing on the packet path is shared or locked. */
#ifndef PL_MEDIA_COUNTERS_H
#define PL_MEDIA_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "media/router.h"
#include "media/srtp_session.h"
#include "media/transport.h"
#include "server/ice.h"

struct pl_media_counters {
	/* transport lifecycle */
	uint64_t transports_created, transports_connected, ice_failed, dtls_failed;
	struct pl_transport_stats transport; /* DTLS/SRTP demultiplexing, (un)protect failures */
	struct pl_srtp_stats srtp;           /* auth and replay failures, SSRC cap hits */
	struct pl_router_stats router;       /* forwarding, RTCP, NACK/PLI and their caps */
	struct pl_ice_stats ice; /* the workers' UDP sockets: checks, strangers, drops */
};

void pl_media_counters_add(struct pl_media_counters *to, const struct pl_media_counters *from);
void pl_media_counters_add_transport(struct pl_media_counters *to, const struct pl_transport *t);
void pl_media_counters_add_ice(struct pl_media_counters *to, const struct pl_ice_stats *s);
void pl_media_counters_add_router(struct pl_media_counters *to, const struct pl_router *r);

/* Prometheus text exposition format (version 0.0.4) of the counters, appended to buf (a GString
 * is not used so the function stays free of GLib): returns the length written, or the length
 * needed when it exceeds cap (like snprintf). */
size_t pl_media_counters_format(const struct pl_media_counters *c, char *buf, size_t cap);

#endif
