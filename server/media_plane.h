/* The control thread's side of the media plane: turns publish / subscribe-answer / candidate /
 * mute messages into SDP answers and offers, tracks who publishes what, pins each room to a
 * media worker and sends it owned commands; relays the workers' candidates and state back to
 * the clients. Subscribe offers are serialised per participant (never two outstanding: no glare).
 */
#ifndef PL_MEDIA_PLANE_H
#define PL_MEDIA_PLANE_H

#include <glib.h>

#include "server/config.h"

struct pl_media_plane;
struct pl_signal;
struct pl_signal_ops;

struct pl_media_plane *pl_media_plane_new(const struct pl_config *cfg, GError **err);
void pl_media_plane_free(struct pl_media_plane *p);
/* Sets the media hooks of the signaling ops; their ctx must be the plane. */
void pl_media_plane_fill_signal_ops(struct pl_media_plane *p, struct pl_signal_ops *ops);
/* GET /metrics: the media counters of all workers in Prometheus text format (see
 * server/media_counters.h); returns the length written or needed, like snprintf. */
size_t pl_media_plane_metrics(void *plane, char *buf, size_t cap);
/* Descriptors the workers hold (their UDP sockets and wake-up descriptors). */
unsigned pl_media_plane_fd_count(const struct pl_media_plane *p);
void pl_media_plane_set_signal(struct pl_media_plane *p, struct pl_signal *sig);

#endif
