/* --janus: the same simulated participants against the Janus VideoRoom plugin (Janus 1.1, its
 * websocket transport, subprotocol "janus-protocol"). Only the signaling differs from part.c;
 * peers, media and measurements are shared.
 *
 * Per participant: one websocket and one Janus session; a first handle joins the room as
 * ptype "publisher" (publishers with `joinandconfigure` and their offer, pure subscribers
 * with a plain `join`, which only tells them about the room's publishers) and a second handle
 * subscribes (ptype "subscriber", Janus 1.1 multistream "streams":[{"feed":id}, ...]) to every
 * other publisher as Janus announces it. Janus offers on the subscribe handle and takes the
 * answer in a `start` request, as Plenum's server offers on the subscribe PC. Requests on the
 * subscribe handle are serialised: one subscription change in flight at a time.
 *
 * Janus puts its candidates into its SDP (no trickle without full_trickle); ours go out as
 * {"janus":"trickle"} messages. A keepalive every PL_JANUS_KEEPALIVE_S keeps the session
 * inside Janus's session_timeout (60 s by default). The room is created by participant 0
 * (`create`; "already exists", error 427, is as good) and the others wait until it exists. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/alloc.h"
#include "tests/load/load.h"

#define PL_JANUS_KEEPALIVE_S     15
#define PL_JANUS_ROOM_EXISTS     427 /* JANUS_VIDEOROOM_ERROR_ROOM_EXISTS */
#define PL_JANUS_ROOM_WAIT_MS    20
#define PL_JANUS_ROOM_WAIT_TRIES 500 /* 10 s */

struct pl_janus {
	json_int_t session, h_pub, h_sub; /* 0 until known */
	json_int_t private_id;
	bool room_ready; /* participant 0: the room exists */
	bool sub_attaching, sub_joined, sub_busy;
	GArray *feeds;   /* json_int_t: publishers seen (subscribed or pending) */
	guint n_pending; /* feeds[len - n_pending ..] not yet requested */
	char sub_mid[33];
	guint keepalive, room_wait;
	unsigned room_tries;
	unsigned tx;
};

static struct pl_janus *jn(struct pl_part *part)
{
	if (!part->janus) {
		part->janus = pl_xcalloc(1, sizeof *part->janus);
		part->janus->feeds = g_array_new(FALSE, FALSE, sizeof(json_int_t));
	}
	return part->janus;
}

int64_t pl_janus_room_id(const struct pl_load *L)
{
	const char *r = L->o.room;
	char *end = NULL;
	unsigned long long v = strtoull(r, &end, 10);
	if (*r && end && !*end && v > 0)
		return (int64_t)v;
	/* Janus rooms are numbers (unless string_ids): a stable one from the name */
	return (int64_t)(g_str_hash(r) % 1000000000u) + 1;
}

/* Sends a Janus API message; `kind` names the transaction ("<kind>-<n>"). */
static void send_janus(struct pl_part *part, const char *kind, json_int_t handle, json_t *m)
{
	struct pl_janus *j = jn(part);
	char tx[48];
	snprintf(tx, sizeof tx, "%s-%u", kind, j->tx++);
	json_object_set_new(m, "transaction", json_string(tx));
	if (j->session)
		json_object_set_new(m, "session_id", json_integer(j->session));
	if (handle)
		json_object_set_new(m, "handle_id", json_integer(handle));
	char *s = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (s) {
		pl_ws_send(part, g_strdup(s));
		free(s);
	}
}

/* A videoroom request on a handle, with an optional JSEP (takes both references). */
static void send_message(struct pl_part *part, const char *kind, json_int_t handle, json_t *body,
                         json_t *jsep)
{
	json_t *m = json_pack("{s:s, s:o}", "janus", "message", "body", body);
	if (jsep)
		json_object_set_new(m, "jsep", jsep);
	send_janus(part, kind, handle, m);
}

static gboolean on_keepalive(gpointer data)
{
	struct pl_part *part = data;
	if (part->closed || part->L->done)
		return G_SOURCE_CONTINUE;
	send_janus(part, "keepalive", 0, json_pack("{s:s}", "janus", "keepalive"));
	return G_SOURCE_CONTINUE;
}

void pl_janus_on_open(struct pl_part *part)
{
	pl_part_mark(part, PL_T_JOIN);
	send_janus(part, "create", 0, json_pack("{s:s}", "janus", "create"));
}

static void attach(struct pl_part *part, const char *kind)
{
	send_janus(part, kind, 0,
	           json_pack("{s:s, s:s}", "janus", "attach", "plugin", "janus.plugin.videoroom"));
}

static void join_room(struct pl_part *part)
{
	struct pl_janus *j = jn(part);
	struct pl_load *L = part->L;
	char name[32];
	snprintf(name, sizeof name, "load %d", part->idx);
	json_t *body =
	    json_pack("{s:s, s:I, s:s, s:s}", "request", "join", "room",
	              (json_int_t)pl_janus_room_id(L), "ptype", "publisher", "display", name);
	if (!part->publisher) {
		send_message(part, "join", j->h_pub, body, NULL);
		return;
	}
	json_object_set_new(body, "request", json_string("joinandconfigure"));
	part->pub = pl_peer_new(part, true);
	char *sdp =
	    pl_offer_publish(part, part->pub->ufrag, part->pub->pwd, pl_cert_fingerprint(L->cert));
	send_message(part, "join", j->h_pub, body,
	             json_pack("{s:s, s:s}", "type", "offer", "sdp", sdp));
	g_free(sdp);
	pl_peer_gather(part->pub);
}

static gboolean on_room_wait(gpointer data)
{
	struct pl_part *part = data;
	struct pl_janus *j = jn(part);
	struct pl_part *first = part->L->parts[0];
	bool ready = first->failed || (first->janus && first->janus->room_ready);
	if (!ready && ++j->room_tries < PL_JANUS_ROOM_WAIT_TRIES && !part->L->done)
		return G_SOURCE_CONTINUE;
	j->room_wait = 0;
	if (!part->failed && !part->closed && !part->L->done)
		join_room(part);
	return G_SOURCE_REMOVE;
}

static void create_room(struct pl_part *part)
{
	struct pl_load *L = part->L;
	int pubs = L->o.publishers > 0 ? L->o.publishers : 1;
	/* VP8 + Opus, no bitrate cap, no recording: the same media as against Plenum. */
	json_t *body = json_pack("{s:s, s:I, s:b, s:s, s:i, s:i, s:i, s:s, s:s, s:b, s:b}",
	                         "request", "create", "room", (json_int_t)pl_janus_room_id(L),
	                         "permanent", 0, "description", "plenum-load", "publishers",
	                         pubs + 1, "bitrate", 0, "fir_freq", 0, "audiocodec", "opus",
	                         "videocodec", "vp8", "record", 0, "notify_joining", 0);
	send_message(part, "room", jn(part)->h_pub, body, NULL);
}

/* ---- subscriptions ------------------------------------------------------------------------ */

static void add_feed(struct pl_part *part, json_int_t feed)
{
	struct pl_janus *j = jn(part);
	for (guint i = 0; i < j->feeds->len; i++)
		if (g_array_index(j->feeds, json_int_t, i) == feed)
			return;
	g_array_append_val(j->feeds, feed);
	j->n_pending++;
}

/* Asks for the pending feeds when nothing else is in flight on the subscribe handle. */
static void pump_subscriptions(struct pl_part *part)
{
	struct pl_janus *j = jn(part);
	if (!j->n_pending || j->sub_busy || j->sub_attaching || part->failed || part->L->done)
		return;
	if (!j->h_sub) {
		j->sub_attaching = true;
		attach(part, "attach-sub");
		return;
	}
	json_t *streams = json_array();
	for (guint i = j->feeds->len - j->n_pending; i < j->feeds->len; i++)
		json_array_append_new(
		    streams, json_pack("{s:I}", "feed", g_array_index(j->feeds, json_int_t, i)));
	j->n_pending = 0;
	json_t *body;
	if (!j->sub_joined) {
		body = json_pack("{s:s, s:I, s:s, s:o}", "request", "join", "room",
		                 (json_int_t)pl_janus_room_id(part->L), "ptype", "subscriber",
		                 "streams", streams);
		if (j->private_id)
			json_object_set_new(body, "private_id", json_integer(j->private_id));
		j->sub_joined = true;
	} else {
		body = json_pack("{s:s, s:o}", "request", "subscribe", "streams", streams);
	}
	j->sub_busy = true;
	send_message(part, "sub", j->h_sub, body, NULL);
}

static void add_publishers(struct pl_part *part, json_t *list)
{
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p)
	{
		json_t *id = json_object_get(p, "id");
		if (json_is_integer(id) && json_integer_value(id) != 0)
			add_feed(part, json_integer_value(id));
	}
	pump_subscriptions(part);
}

static void on_subscribe_offer(struct pl_part *part, const char *sdp)
{
	struct pl_janus *j = jn(part);
	pl_part_mark(part, PL_T_SUB_OFFER);
	char err[256] = "", setup = 0;
	struct pl_lsdp s;
	const char *ufrag, *pwd;
	const uint8_t *fp;
	if (pl_lsdp_parse(sdp, &s, err, sizeof err) != 0 ||
	    pl_lsdp_transport(&s, &ufrag, &pwd, &fp, &setup) != 0) {
		pl_part_fail(part, "bad Janus subscribe offer: %s",
		             err[0] ? err : "no ICE/fingerprint");
		goto out;
	}
	bool fresh = !part->sub;
	if (fresh) {
		part->sub = pl_peer_new(part, false);
		pl_peer_set_controlling(part->sub, s.ice_lite);
	}
	if (!j->sub_mid[0] && s.n)
		g_strlcpy(j->sub_mid, s.m[0].mid, sizeof j->sub_mid);
	pl_submedia_expect_sdp(&part->sm, &s);
	char *answer = pl_offer_subscribe_answer(&s, part->sub->ufrag, part->sub->pwd,
	                                         pl_cert_fingerprint(part->L->cert));
	send_message(part, "start", j->h_sub, json_pack("{s:s}", "request", "start"),
	             json_pack("{s:s, s:s}", "type", "answer", "sdp", answer));
	g_free(answer);
	/* We answered a=setup:active: we are the DTLS client. A re-offer keeps the transport. */
	if (pl_peer_set_remote(part->sub, ufrag, pwd, fp, true, err, sizeof err) != 0) {
		pl_part_fail(part, "subscribe: %s", err);
		goto out;
	}
	pl_peer_add_sdp_candidates(part->sub, &s); /* no trickle from Janus: all in its SDP */
	if (fresh)
		pl_peer_gather(part->sub);
out:
	pl_lsdp_free(&s);
}

/* ---- incoming messages -------------------------------------------------------------------- */

static void on_success(struct pl_part *part, const char *tx, json_t *msg)
{
	struct pl_janus *j = jn(part);
	json_int_t id = json_integer_value(json_object_get(json_object_get(msg, "data"), "id"));
	if (g_str_has_prefix(tx, "create-")) {
		j->session = id;
		j->keepalive = g_timeout_add_seconds(PL_JANUS_KEEPALIVE_S, on_keepalive, part);
		attach(part, "attach-pub");
	} else if (g_str_has_prefix(tx, "attach-pub-")) {
		j->h_pub = id;
		struct pl_part *first = part->L->parts[0];
		if (part->idx == 0)
			create_room(part);
		else if (first->failed || (first->janus && first->janus->room_ready))
			join_room(part);
		else
			j->room_wait = g_timeout_add(PL_JANUS_ROOM_WAIT_MS, on_room_wait, part);
	} else if (g_str_has_prefix(tx, "attach-sub-")) {
		j->h_sub = id;
		j->sub_attaching = false;
		pump_subscriptions(part);
	} else if (g_str_has_prefix(tx, "room-")) {
		json_t *data = json_object_get(json_object_get(msg, "plugindata"), "data");
		json_int_t code = json_integer_value(json_object_get(data, "error_code"));
		if (code && code != PL_JANUS_ROOM_EXISTS) {
			const char *e = json_string_value(json_object_get(data, "error"));
			pl_part_fail(part, "Janus cannot create the room: %d %s", (int)code,
			             e ? e : "");
			return;
		}
		j->room_ready = true;
		join_room(part);
	}
}

static void on_event(struct pl_part *part, json_t *msg)
{
	struct pl_janus *j = jn(part);
	json_int_t sender = json_integer_value(json_object_get(msg, "sender"));
	json_t *data = json_object_get(json_object_get(msg, "plugindata"), "data");
	json_t *jsep = json_object_get(msg, "jsep");
	const char *jtype = json_string_value(json_object_get(jsep, "type"));
	const char *sdp = json_string_value(json_object_get(jsep, "sdp"));
	const char *what = json_string_value(json_object_get(data, "videoroom"));
	json_int_t code = json_integer_value(json_object_get(data, "error_code"));
	if (code) {
		const char *e = json_string_value(json_object_get(data, "error"));
		pl_part_fail(part, "Janus refused a %s request: %d %s",
		             sender == j->h_sub ? "subscribe" : "join", (int)code, e ? e : "");
		return;
	}
	if (sender == j->h_pub && sender) {
		if (what && strcmp(what, "joined") == 0) {
			pl_part_mark(part, PL_T_JOINED);
			part->joined = true;
			snprintf(part->id, sizeof part->id, "%lld",
			         (long long)json_integer_value(json_object_get(data, "id")));
			j->private_id = json_integer_value(json_object_get(data, "private_id"));
			pl_load_maybe_window(part->L);
		}
		if (jtype && sdp && strcmp(jtype, "answer") == 0)
			pl_part_on_publish_answer(part, sdp); /* as Plenum's publish-answer */
		json_t *pubs = json_object_get(data, "publishers");
		if (json_is_array(pubs))
			add_publishers(part, pubs);
	} else if (sender == j->h_sub && sender) {
		if (jtype && sdp && strcmp(jtype, "offer") == 0) {
			on_subscribe_offer(part, sdp); /* attached / updated: answered with start */
		} else if (json_object_get(data, "started")) {
			j->sub_busy = false; /* the answer is in: the next change may go */
			pump_subscriptions(part);
		} else if (what && strcmp(what, "updated") == 0) {
			j->sub_busy = false; /* nothing to renegotiate */
			pump_subscriptions(part);
		}
		/* "updating": Janus postponed the change; its offer comes later */
	}
}

void pl_janus_on_message(struct pl_part *part, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *msg = json_loadb(text, len, 0, &jerr);
	const char *type = msg ? json_string_value(json_object_get(msg, "janus")) : NULL;
	if (!type) {
		pl_part_fail(part, "Janus sent a message without a \"janus\" type");
		json_decref(msg);
		return;
	}
	const char *tx = json_string_value(json_object_get(msg, "transaction"));
	if (strcmp(type, "success") == 0 && tx) {
		on_success(part, tx, msg);
	} else if (strcmp(type, "event") == 0) {
		on_event(part, msg);
	} else if (strcmp(type, "error") == 0) {
		json_t *e = json_object_get(msg, "error");
		const char *reason = json_string_value(json_object_get(e, "reason"));
		pl_part_fail(part, "Janus error %d on %s: %s",
		             (int)json_integer_value(json_object_get(e, "code")), tx ? tx : "?",
		             reason ? reason : "?");
	} else if (strcmp(type, "trickle") == 0) {
		json_int_t sender = json_integer_value(json_object_get(msg, "sender"));
		struct pl_peer *p = sender == jn(part)->h_pub ? part->pub : part->sub;
		json_t *c = json_object_get(msg, "candidate");
		const char *cand = json_string_value(json_object_get(c, "candidate"));
		if (p && cand && *cand)
			pl_peer_add_candidate(p, cand);
		else if (p && json_is_true(json_object_get(c, "completed")))
			pl_peer_end_of_candidates(p);
	} else if (strcmp(type, "hangup") == 0) {
		const char *reason = json_string_value(json_object_get(msg, "reason"));
		pl_part_fail(part, "Janus hung up a PeerConnection: %s", reason ? reason : "?");
	} else if (strcmp(type, "timeout") == 0) {
		pl_part_fail(part, "the Janus session timed out");
	}
	/* ack, webrtcup, media, slowlink, detached: nothing to do */
	json_decref(msg);
}

void pl_janus_send_candidate(struct pl_part *part, bool publish, const char *cand)
{
	struct pl_janus *j = jn(part);
	json_int_t h = publish ? j->h_pub : j->h_sub;
	json_t *c;
	if (cand)
		c = json_pack("{s:s, s:s, s:i}", "candidate", cand, "sdpMid",
		              publish ? "0" : (j->sub_mid[0] ? j->sub_mid : "0"), "sdpMLineIndex",
		              0);
	else
		c = json_pack("{s:b}", "completed", 1);
	send_janus(part, "trickle", h, json_pack("{s:s, s:o}", "janus", "trickle", "candidate", c));
}

void pl_janus_leave(struct pl_part *part)
{
	if (part->janus && part->janus->session)
		send_janus(part, "destroy", 0, json_pack("{s:s}", "janus", "destroy"));
}

void pl_janus_free(struct pl_part *part)
{
	struct pl_janus *j = part->janus;
	if (!j)
		return;
	if (j->keepalive)
		g_source_remove(j->keepalive);
	if (j->room_wait)
		g_source_remove(j->room_wait);
	g_array_free(j->feeds, TRUE);
	free(j);
	part->janus = NULL;
}
