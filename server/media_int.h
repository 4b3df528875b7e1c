/* Private state of the control-thread media plane (media_plane.c, media_publish.c,
 * media_subscribe.c). */
#ifndef PL_MEDIA_INT_H
#define PL_MEDIA_INT_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "media/router.h"
#include "media/sdp.h"

struct pl_cert;
struct pl_signal;
struct pl_session;
struct pl_worker;
struct pl_wcmd;

/* Published tracks per participant and forwarded tracks per subscriber are bounded so an SDP
 * never grows without limit. */
#define PL_MP_MAX_TRACKS 8
#define PL_MP_MAX_LINES  PL_SDP_MAX_MEDIA

struct pl_media_plane {
	struct pl_signal *sig;
	struct pl_cert *cert;
	struct pl_worker **workers;
	unsigned n_workers;
	unsigned next_worker;
	uint64_t next_id;
	GHashTable *transports; /* transport id -> struct mp_transport_ref */
	char **video_codecs;    /* [media] video_codecs, owned */
};

struct mp_room {
	uint64_t key;
	unsigned worker;
	GPtrArray *sessions; /* struct mp_session *, not owned */
};

struct mp_codec {
	char name[16]; /* "opus", "VP8", "VP9", "H264" */
	uint32_t clock_rate;
	uint8_t channels;
	uint8_t pt; /* canonical payload type subscribers see */
	char fmtp[256];
};

/* One published track (a producer on the worker). */
struct mp_track {
	uint64_t producer;
	char id[24]; /* "t<producer>" in protocol messages */
	char mid[33];
	enum pl_media_kind kind;
	char source[16];
	bool muted;
	struct mp_codec codec;
};

/* One m-line of a subscriber's receiving PeerConnection. */
struct mp_line {
	char mid[8];
	uint64_t producer; /* 0 once the track ended (m-line kept with port 0) */
	uint64_t consumer;
	uint32_t ssrc;
	enum pl_media_kind kind;
	struct mp_codec codec;
	char track_id[24];
	char participant[16];
	char source[16];
	bool muted;
	bool needs_consumer; /* the worker has not been told about this line's consumer yet */
};

struct mp_session {
	struct pl_session *s;
	struct mp_room *room;
	uint64_t pub_tid, sub_tid;
	char pub_ufrag[16], pub_pwd[32], sub_ufrag[16], sub_pwd[32];
	unsigned pub_version;
	GPtrArray *tracks; /* struct mp_track *, owned */
	GArray *lines;     /* struct mp_line */
	unsigned revision;
	unsigned next_mid;
	bool awaiting_answer; /* an offer is out: changes wait (no glare) */
	bool dirty;           /* something changed while awaiting an answer */
	bool sub_remote_set;
	bool sub_restart; /* the next offer is for a new transport */
	struct pl_media_plane *plane;
	guint reoffer;          /* timer of a coalesced re-offer (pl_mp_reoffer_gap_us), 0 = none */
	bool reoffer_now;       /* the timer fired: send now */
	int64_t last_offer_us;  /* monotonic time of the last subscribe offer sent */
	bool lines_full_logged; /* PL_MP_MAX_LINES reached: said once in the log */
};

/* Re-offers (any subscribe offer after the first) are throttled: one goes out at once when the
 * last offer to that subscriber is at least a gap old, otherwise when the gap has passed, carrying
 * every change made meanwhile. In a join storm every join changes everybody's subscription, and
 * each offer and answer is SDP of every track in the room, in JSON, for every participant: the
 * gap grows with the room (PL_MP_REOFFER_MS per PL_MP_REOFFER_PER sessions, at most
 * PL_MP_REOFFER_MAX_MS) so the control thread's work per second grows with the room, not with its
 * square. A newcomer's first offer never waits. */
#define PL_MP_REOFFER_MS     50
#define PL_MP_REOFFER_PER    16
#define PL_MP_REOFFER_MAX_MS 200
/* Milliseconds a re-offer to a subscriber in a room of `sessions` must still wait, given when
 * the last offer went out (0: send now). */
unsigned pl_mp_reoffer_wait_ms(unsigned sessions, int64_t last_offer_us, int64_t now_us);

struct mp_transport_ref {
	struct mp_session *ms;
	bool publish;
};

uint64_t pl_mp_random_u32(void);
void pl_mp_post(struct pl_media_plane *p, struct mp_room *r, struct pl_wcmd *c);
/* The ICE candidates of the room's worker, for its SDP. */
const char *const *pl_mp_candidates(struct pl_media_plane *p, struct mp_room *r);
uint64_t pl_mp_create_transport(struct pl_media_plane *p, struct mp_session *ms, bool publish,
                                char *ufrag, char *pwd);

void pl_mp_publish(struct pl_media_plane *p, struct mp_session *ms, json_t *msg);
void pl_mp_mute(struct pl_media_plane *p, struct mp_session *ms, json_t *msg);
void pl_mp_subscribe_answer(struct pl_media_plane *p, struct mp_session *ms, json_t *msg);
/* Brings the subscriber's m-lines in line with the room's tracks and sends an offer if needed. */
void pl_mp_subscribe_update(struct pl_media_plane *p, struct mp_session *ms);
void pl_mp_candidate(struct pl_media_plane *p, struct mp_session *ms, json_t *msg);
/* Removes every published track (producers go with their transport) and tells the room. */
void pl_mp_drop_tracks(struct pl_media_plane *p, struct mp_session *ms);
void pl_mp_transport_failed(struct pl_media_plane *p, struct mp_session *ms, bool publish);

#endif
