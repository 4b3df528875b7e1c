/* Signaling core; see signal.h and docs/protocol.md. Rooms and sessions live only in memory;
 * a room and everything in it are freed when its last participant leaves. Logs carry only
 * pseudonyms unless log_personal_data is set. */
#include "signaling/signal.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "media/alloc.h"
#include "signaling/text.h"
#include "signaling/version.h"

#define PL_MAX_DEPTH         16
#define PL_MAX_ID_STRING     64
#define PL_MAX_RATE_DROPS    200
#define PL_JSON_MAX_SAFE_INT 9007199254740992LL /* 2^53 */
#define PL_MICRO_TOKENS      1000000LL          /* token bucket in millionths of a token */

struct pl_room {
	char *name;
	char pseudonym[12];
	GPtrArray *sessions; /* joined sessions, in join order */
	void *media;
};

struct pl_session {
	void *conn;
	char pseudonym[12];
	char participant[16];
	char *name;
	struct pl_room *room;
	bool joined;
	bool closing; /* close requested: ignore further input */
	bool hand;
	json_t *tracks;
	void *media;
	int64_t connected_us;
	int64_t last_rx_us;
	int64_t next_ping_us;
	int64_t tokens; /* micro-tokens */
	int64_t tokens_at_us;
	unsigned drops;
};

struct pl_signal {
	struct pl_signal_config cfg;
	char *ice_servers_json;
	struct pl_signal_ops ops;
	void *ctx;
	GHashTable *rooms; /* name -> struct pl_room* */
	GPtrArray *sessions;
	bool draining;
	unsigned drain_seconds;
};

void pl_signal_config_defaults(struct pl_signal_config *c)
{
	memset(c, 0, sizeof *c);
	c->max_rooms = 100;
	c->max_participants = 50;
	c->max_name_length = 64;
	c->max_room_length = 64;
	c->max_chat_length = 2000;
	c->messages_per_second = 20;
	c->message_burst = 40;
	c->join_timeout_us = 10 * 1000000LL;
	c->ping_interval_us = 20 * 1000000LL;
	c->idle_timeout_us = 60 * 1000000LL;
}

static void random_hex(struct pl_signal *sig, char *out, size_t hex_chars)
{
	uint8_t b[16];
	sig->ops.random(sig->ctx, b, (hex_chars + 1) / 2);
	for (size_t i = 0; i < hex_chars; i++)
		out[i] = "0123456789abcdef"[(b[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	out[hex_chars] = '\0';
}

/* ---- output --------------------------------------------------------------------------------- */

void pl_signal_send_json(struct pl_signal *sig, struct pl_session *s, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!text)
		return;
	if (!s->closing)
		sig->ops.send(sig->ctx, s->conn, text, strlen(text));
	free(text);
}

void pl_signal_send_text(struct pl_signal *sig, struct pl_session *s, const char *json, size_t len)
{
	if (!s->closing)
		sig->ops.send(sig->ctx, s->conn, json, len);
}

void pl_signal_send_error(struct pl_signal *sig, struct pl_session *s, json_t *id, const char *code,
                          const char *message)
{
	json_t *m = json_pack("{s:s, s:s, s:s}", "type", "error", "code", code, "message", message);
	if (id)
		json_object_set(m, "id", id);
	pl_signal_send_json(sig, s, m);
}

static void close_session(struct pl_signal *sig, struct pl_session *s, int code, const char *reason)
{
	if (s->closing)
		return;
	sig->ops.close(sig->ctx, s->conn, code, reason);
	s->closing = true;
}

void pl_signal_broadcast(struct pl_signal *sig, struct pl_session *from, json_t *msg,
                         bool include_from)
{
	struct pl_room *r = from->room;
	if (!r) {
		json_decref(msg);
		return;
	}
	char *text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!text)
		return;
	size_t len = strlen(text);
	for (guint i = 0; i < r->sessions->len; i++) {
		struct pl_session *o = g_ptr_array_index(r->sessions, i);
		if ((o != from || include_from) && !o->closing)
			sig->ops.send(sig->ctx, o->conn, text, len);
	}
	free(text);
}

static json_t *participant_json(struct pl_session *s)
{
	return json_pack("{s:s, s:s, s:b, s:O}", "id", s->participant, "name", s->name, "hand",
	                 s->hand, "tracks", s->tracks);
}

void pl_signal_participant_updated(struct pl_signal *sig, struct pl_session *s)
{
	if (!s->joined)
		return;
	pl_signal_broadcast(sig, s,
	                    json_pack("{s:s, s:o}", "type", "participant-updated", "participant",
	                              participant_json(s)),
	                    true);
}

/* ---- rooms ---------------------------------------------------------------------------------- */

static void room_free(struct pl_signal *sig, struct pl_room *r)
{
	if (sig->ops.room_destroyed)
		sig->ops.room_destroyed(sig->ctx, r);
	g_info("room %s destroyed, %u rooms left", r->pseudonym, g_hash_table_size(sig->rooms) - 1);
	g_hash_table_remove(sig->rooms, r->name);
	g_ptr_array_free(r->sessions, TRUE);
	free(r->name);
	free(r);
}

/* Removes a joined session from its room (broadcasting participant-left) and frees the room
 * when it was the last one. */
static void leave_room(struct pl_signal *sig, struct pl_session *s)
{
	if (!s->joined)
		return;
	if (sig->ops.session_leaving)
		sig->ops.session_leaving(sig->ctx, s);
	struct pl_room *r = s->room;
	g_ptr_array_remove(r->sessions, s);
	s->joined = false;
	g_info("session %s left room %s (%u remain)", s->pseudonym, r->pseudonym, r->sessions->len);
	json_t *m =
	    json_pack("{s:s, s:s}", "type", "participant-left", "participant", s->participant);
	char *text = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	for (guint i = 0; i < r->sessions->len; i++) {
		struct pl_session *o = g_ptr_array_index(r->sessions, i);
		if (!o->closing)
			sig->ops.send(sig->ctx, o->conn, text, strlen(text));
	}
	free(text);
	s->room = NULL;
	if (r->sessions->len == 0)
		room_free(sig, r);
}

/* ---- message handlers ----------------------------------------------------------------------- */

static void handle_join(struct pl_signal *sig, struct pl_session *s, json_t *msg, json_t *id)
{
	const char *room = json_string_value(json_object_get(msg, "room"));
	const char *name = json_string_value(json_object_get(msg, "name"));
	json_t *password = json_object_get(msg, "password");
	if (!room || !name || (password && !json_is_null(password) && !json_is_string(password))) {
		pl_signal_send_error(sig, s, id, "invalid-message",
		                     "join needs string members room and name");
		return;
	}
	if (s->joined) {
		pl_signal_send_error(sig, s, id, "already-joined",
		                     "this connection already joined");
		return;
	}
	if (sig->draining) {
		pl_signal_send_error(sig, s, id, "draining",
		                     "the server is shutting down and takes no new participants");
		return;
	}
	if (!pl_text_room_name_valid(room, sig->cfg.max_room_length)) {
		char m[128];
		snprintf(m, sizeof m, "room must be 1 to %u of A-Z a-z 0-9 - _ .",
		         sig->cfg.max_room_length);
		pl_signal_send_error(sig, s, id, "invalid-room", m);
		return;
	}
	char *clean = pl_text_display_name(name, sig->cfg.max_name_length);
	if (!clean) {
		char m[128];
		snprintf(m, sizeof m, "name must be 1 to %u characters without control characters",
		         sig->cfg.max_name_length);
		pl_signal_send_error(sig, s, id, "invalid-name", m);
		return;
	}
	struct pl_room *r = g_hash_table_lookup(sig->rooms, room);
	if (!r && g_hash_table_size(sig->rooms) >= sig->cfg.max_rooms) {
		free(clean);
		pl_signal_send_error(sig, s, id, "too-many-rooms",
		                     "the server has as many rooms as it is configured to hold");
		return;
	}
	if (r && r->sessions->len >= sig->cfg.max_participants) {
		free(clean);
		char m[96];
		snprintf(m, sizeof m, "the room has the maximum of %u participants",
		         sig->cfg.max_participants);
		pl_signal_send_error(sig, s, id, "room-full", m);
		return;
	}
	if (!r) {
		r = pl_xcalloc(1, sizeof *r);
		r->name = pl_xstrdup(room);
		r->pseudonym[0] = 'r';
		r->pseudonym[1] = '-';
		random_hex(sig, r->pseudonym + 2, 6);
		r->sessions = g_ptr_array_new();
		g_hash_table_insert(sig->rooms, r->name, r);
		if (sig->cfg.log_personal_data)
			g_info("room %s created (name '%s'), %u rooms", r->pseudonym, r->name,
			       g_hash_table_size(sig->rooms));
		else
			g_info("room %s created, %u rooms", r->pseudonym,
			       g_hash_table_size(sig->rooms));
	}
	s->name = clean;
	s->room = r;
	s->joined = true;
	s->participant[0] = 'p';
	random_hex(sig, s->participant + 1, 12);

	json_t *others = json_array();
	for (guint i = 0; i < r->sessions->len; i++)
		json_array_append_new(others, participant_json(g_ptr_array_index(r->sessions, i)));
	json_t *ice = json_loads(sig->ice_servers_json ? sig->ice_servers_json : "[]", 0, NULL);
	if (!json_is_array(ice)) {
		json_decref(ice);
		ice = json_array();
	}
	json_t *joined =
	    json_pack("{s:s, s:i, s:s, s:s, s:o, s:o, s:{s:i, s:i, s:i, s:i}, s:{s:b, s:b}}",
	              "type", "joined", "protocol", (json_int_t)PL_PROTOCOL_VERSION, "participant",
	              s->participant, "room", r->name, "participants", others, "iceServers", ice,
	              "limits", "maxParticipants", (json_int_t)sig->cfg.max_participants,
	              "maxNameLength", (json_int_t)sig->cfg.max_name_length, "maxChatLength",
	              (json_int_t)sig->cfg.max_chat_length, "messagesPerSecond",
	              (json_int_t)sig->cfg.messages_per_second, "client", "cameraOnJoin",
	              sig->cfg.camera_on_join, "microphoneOnJoin", sig->cfg.microphone_on_join);
	if (id)
		json_object_set(joined, "id", id);
	pl_signal_send_json(sig, s, joined);
	/* Tell the others, then add. */
	pl_signal_broadcast(sig, s,
	                    json_pack("{s:s, s:o}", "type", "participant-joined", "participant",
	                              participant_json(s)),
	                    false);
	g_ptr_array_add(r->sessions, s);
	if (sig->ops.session_joined)
		sig->ops.session_joined(sig->ctx, s);
	if (sig->cfg.log_personal_data)
		g_info("session %s joined room %s as '%s' (%u participants)", s->pseudonym,
		       r->pseudonym, s->name, r->sessions->len);
	else
		g_info("session %s joined room %s (%u participants)", s->pseudonym, r->pseudonym,
		       r->sessions->len);
}

static void handle_chat(struct pl_signal *sig, struct pl_session *s, json_t *msg, json_t *id)
{
	json_t *t = json_object_get(msg, "text");
	if (!json_is_string(t)) {
		pl_signal_send_error(sig, s, id, "invalid-message", "chat needs a string text");
		return;
	}
	size_t n = pl_text_utf8_chars(json_string_value(t), json_string_length(t));
	if (n < 1 || n > sig->cfg.max_chat_length ||
	    strlen(json_string_value(t)) != json_string_length(t)) {
		char m[96];
		snprintf(m, sizeof m, "chat text must be 1 to %u characters",
		         sig->cfg.max_chat_length);
		pl_signal_send_error(sig, s, id, "invalid-chat", m);
		return;
	}
	json_t *out =
	    json_pack("{s:s, s:s, s:s, s:O, s:I}", "type", "chat", "from", s->participant, "name",
	              s->name, "text", t, "ts", (json_int_t)sig->ops.wall_ms(sig->ctx));
	if (sig->cfg.log_personal_data)
		g_debug("session %s chat: %s", s->pseudonym, json_string_value(t));
	pl_signal_broadcast(sig, s, out, true);
}

static void handle_hand(struct pl_signal *sig, struct pl_session *s, json_t *msg, json_t *id)
{
	json_t *raised = json_object_get(msg, "raised");
	if (!json_is_boolean(raised)) {
		pl_signal_send_error(sig, s, id, "invalid-message",
		                     "hand needs raised: true or false");
		return;
	}
	s->hand = json_is_true(raised);
	pl_signal_participant_updated(sig, s);
}

static void handle_leave(struct pl_signal *sig, struct pl_session *s, json_t *id)
{
	leave_room(sig, s);
	json_t *m = json_pack("{s:s}", "type", "left");
	if (id)
		json_object_set(m, "id", id);
	pl_signal_send_json(sig, s, m);
	close_session(sig, s, 1000, "left");
}

static bool id_valid(json_t *id)
{
	if (!id)
		return true;
	if (json_is_integer(id))
		return json_integer_value(id) >= 0 &&
		       json_integer_value(id) <= PL_JSON_MAX_SAFE_INT;
	if (json_is_string(id))
		return json_string_length(id) <= PL_MAX_ID_STRING;
	return false;
}

/* Token bucket: rate tokens per second up to burst. Returns false when the message must be
 * dropped. */
static bool take_token(struct pl_signal *sig, struct pl_session *s, int64_t now)
{
	int64_t cap = (int64_t)sig->cfg.message_burst * PL_MICRO_TOKENS;
	int64_t elapsed = now - s->tokens_at_us;
	if (elapsed > 0) {
		s->tokens += elapsed * (int64_t)sig->cfg.messages_per_second;
		if (s->tokens > cap)
			s->tokens = cap;
		s->tokens_at_us = now;
	}
	if (s->tokens < PL_MICRO_TOKENS)
		return false;
	s->tokens -= PL_MICRO_TOKENS;
	return true;
}

static void dispatch(struct pl_signal *sig, struct pl_session *s, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	const char *type = json_string_value(json_object_get(msg, "type"));
	if (!type) {
		pl_signal_send_error(sig, s, NULL, "invalid-message", "type must be a string");
		return;
	}
	if (!id_valid(id)) {
		pl_signal_send_error(
		    sig, s, NULL, "invalid-message",
		    "id must be an integer 0..2^53 or a string of at most 64 bytes");
		return;
	}
	if (strcmp(type, "ping") == 0) {
		json_t *m = json_pack("{s:s}", "type", "pong");
		if (id)
			json_object_set(m, "id", id);
		pl_signal_send_json(sig, s, m);
		return;
	}
	if (strcmp(type, "pong") == 0)
		return;
	if (strcmp(type, "join") == 0) {
		handle_join(sig, s, msg, id);
		return;
	}
	static const char *const joined_types[] = {
	    "leave", "chat", "hand", "publish", "subscribe-answer", "candidate", "mute"};
	bool known = false;
	for (size_t i = 0; i < G_N_ELEMENTS(joined_types); i++)
		known |= strcmp(type, joined_types[i]) == 0;
	if (!known) {
		pl_signal_send_error(sig, s, id, "unknown-type", "unknown message type");
		return;
	}
	if (!s->joined) {
		pl_signal_send_error(sig, s, id, "not-joined", "join a room first");
		return;
	}
	if (strcmp(type, "leave") == 0)
		handle_leave(sig, s, id);
	else if (strcmp(type, "chat") == 0)
		handle_chat(sig, s, msg, id);
	else if (strcmp(type, "hand") == 0)
		handle_hand(sig, s, msg, id);
	else if (!sig->ops.media_message)
		pl_signal_send_error(sig, s, id, "media-unavailable", "no media plane");
	else
		sig->ops.media_message(sig->ctx, s, type, msg);
}

void pl_signal_receive(struct pl_signal *sig, struct pl_session *s, const char *data, size_t len,
                       int64_t now_us)
{
	if (s->closing)
		return;
	s->last_rx_us = now_us;
	if (!take_token(sig, s, now_us)) {
		if (++s->drops >= PL_MAX_RATE_DROPS) {
			g_message("session %s: %u messages over the rate limit in a row, closing",
			          s->pseudonym, s->drops);
			close_session(sig, s, 1008, "rate limit");
			return;
		}
		pl_signal_send_error(sig, s, NULL, "rate-limited",
		                     "too many messages; this one was dropped");
		return;
	}
	s->drops = 0;
	if (!pl_text_utf8_valid(data, len)) {
		pl_signal_send_error(sig, s, NULL, "invalid-utf8",
		                     "the message is not valid UTF-8");
		return;
	}
	if (pl_text_json_depth(data, len, PL_MAX_DEPTH) > PL_MAX_DEPTH) {
		pl_signal_send_error(sig, s, NULL, "too-deep", "JSON nested deeper than 16 levels");
		return;
	}
	json_error_t jerr;
	json_t *msg = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!msg || !json_is_object(msg)) {
		json_decref(msg);
		pl_signal_send_error(sig, s, NULL, "invalid-json", "expected one JSON object");
		return;
	}
	dispatch(sig, s, msg);
	json_decref(msg);
}

void pl_signal_receive_binary(struct pl_signal *sig, struct pl_session *s, int64_t now_us)
{
	s->last_rx_us = now_us;
	pl_signal_send_error(sig, s, NULL, "binary-unsupported",
	                     "binary frames are not part of the protocol");
}

/* ---- sessions ------------------------------------------------------------------------------- */

struct pl_session *pl_signal_connect(struct pl_signal *sig, void *conn, int64_t now_us)
{
	struct pl_session *s = pl_xcalloc(1, sizeof *s);
	s->conn = conn;
	s->pseudonym[0] = 's';
	s->pseudonym[1] = '-';
	random_hex(sig, s->pseudonym + 2, 6);
	s->tracks = json_array();
	s->connected_us = s->last_rx_us = s->tokens_at_us = now_us;
	s->next_ping_us = now_us + sig->cfg.ping_interval_us;
	s->tokens = (int64_t)sig->cfg.message_burst * PL_MICRO_TOKENS;
	g_ptr_array_add(sig->sessions, s);
	g_debug("session %s connected (%u connections)", s->pseudonym, sig->sessions->len);
	if (sig->draining) {
		pl_signal_send_json(sig, s,
		                    json_pack("{s:s, s:s, s:i}", "type", "server-shutdown",
		                              "reason", "maintenance", "drainSeconds",
		                              (json_int_t)sig->drain_seconds));
	}
	return s;
}

static void session_free(struct pl_session *s)
{
	json_decref(s->tracks);
	free(s->name);
	free(s);
}

void pl_signal_disconnect(struct pl_signal *sig, struct pl_session *s, int64_t now_us)
{
	s->closing = true; /* no frames to a gone connection, not even while leaving */
	leave_room(sig, s);
	g_ptr_array_remove_fast(sig->sessions, s);
	g_debug("session %s disconnected (%u connections)", s->pseudonym, sig->sessions->len);
	session_free(s);
}

int64_t pl_signal_tick(struct pl_signal *sig, int64_t now)
{
	int64_t next = INT64_MAX;
	for (guint i = 0; i < sig->sessions->len; i++) {
		struct pl_session *s = g_ptr_array_index(sig->sessions, i);
		if (s->closing)
			continue;
		if (!s->joined && now - s->connected_us >= sig->cfg.join_timeout_us) {
			pl_signal_send_error(sig, s, NULL, "join-timeout",
			                     "no join within the time allowed");
			close_session(sig, s, 1008, "join timeout");
			continue;
		}
		if (now - s->last_rx_us >= sig->cfg.idle_timeout_us) {
			g_debug("session %s idle, closing", s->pseudonym);
			close_session(sig, s, 1001, "idle");
			continue;
		}
		if (now >= s->next_ping_us) {
			pl_signal_send_json(sig, s, json_pack("{s:s}", "type", "ping"));
			s->next_ping_us = now + sig->cfg.ping_interval_us;
		}
		int64_t d = s->next_ping_us;
		if (!s->joined && s->connected_us + sig->cfg.join_timeout_us < d)
			d = s->connected_us + sig->cfg.join_timeout_us;
		if (s->last_rx_us + sig->cfg.idle_timeout_us < d)
			d = s->last_rx_us + sig->cfg.idle_timeout_us;
		if (d < next)
			next = d;
	}
	return next;
}

void pl_signal_drain(struct pl_signal *sig, unsigned drain_seconds)
{
	sig->draining = true;
	sig->drain_seconds = drain_seconds;
	for (guint i = 0; i < sig->sessions->len; i++)
		pl_signal_send_json(sig, g_ptr_array_index(sig->sessions, i),
		                    json_pack("{s:s, s:s, s:i}", "type", "server-shutdown",
		                              "reason", "maintenance", "drainSeconds",
		                              (json_int_t)drain_seconds));
}

bool pl_signal_draining(const struct pl_signal *sig)
{
	return sig->draining;
}

void pl_signal_close_all(struct pl_signal *sig)
{
	for (guint i = 0; i < sig->sessions->len; i++)
		close_session(sig, g_ptr_array_index(sig->sessions, i), 1001, "server shutdown");
}

size_t pl_signal_session_count(const struct pl_signal *sig)
{
	return sig->sessions->len;
}

size_t pl_signal_room_count(const struct pl_signal *sig)
{
	return g_hash_table_size(sig->rooms);
}

void pl_signal_set_config(struct pl_signal *sig, const struct pl_signal_config *cfg)
{
	free(sig->ice_servers_json);
	sig->cfg = *cfg;
	sig->ice_servers_json = pl_xstrdup(cfg->ice_servers_json ? cfg->ice_servers_json : "[]");
	sig->cfg.ice_servers_json = sig->ice_servers_json;
}

struct pl_signal *pl_signal_new(const struct pl_signal_config *cfg, const struct pl_signal_ops *ops,
                                void *ctx)
{
	struct pl_signal *sig = pl_xcalloc(1, sizeof *sig);
	sig->ops = *ops;
	sig->ctx = ctx;
	pl_signal_set_config(sig, cfg);
	sig->rooms = g_hash_table_new(g_str_hash, g_str_equal);
	sig->sessions = g_ptr_array_new();
	return sig;
}

void pl_signal_free(struct pl_signal *sig)
{
	if (!sig)
		return;
	for (guint i = 0; i < sig->sessions->len; i++)
		session_free(g_ptr_array_index(sig->sessions, i));
	g_ptr_array_free(sig->sessions, TRUE);
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, sig->rooms);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct pl_room *r = v;
		g_ptr_array_free(r->sessions, TRUE);
		free(r->name);
		free(r);
	}
	g_hash_table_destroy(sig->rooms);
	free(sig->ice_servers_json);
	free(sig);
}

/* ---- accessors ------------------------------------------------------------------------------ */

const char *pl_session_pseudonym(const struct pl_session *s)
{
	return s ? s->pseudonym : "-";
}

const char *pl_session_participant_id(const struct pl_session *s)
{
	return s->joined ? s->participant : NULL;
}

bool pl_session_joined(const struct pl_session *s)
{
	return s->joined;
}

struct pl_room *pl_session_room(const struct pl_session *s)
{
	return s->room;
}

void *pl_session_media(const struct pl_session *s)
{
	return s->media;
}

void pl_session_set_media(struct pl_session *s, void *media)
{
	s->media = media;
}

json_t *pl_session_tracks(struct pl_session *s)
{
	return s->tracks;
}

size_t pl_room_session_count(const struct pl_room *r)
{
	return r->sessions->len;
}

struct pl_session *pl_room_session_at(const struct pl_room *r, size_t i)
{
	return i < r->sessions->len ? g_ptr_array_index(r->sessions, i) : NULL;
}

const char *pl_room_pseudonym(const struct pl_room *r)
{
	return r->pseudonym;
}

void *pl_room_media(const struct pl_room *r)
{
	return r->media;
}

void pl_room_set_media(struct pl_room *r, void *m)
{
	r->media = m;
}
