/* The signaling core: sessions (one per websocket), the in-memory room registry and the JSON
 * protocol of docs/protocol.md. Sans-IO: the shell hands in whole text messages and the time; the
 * core answers through struct pl_signal_ops. No sockets, no clocks, no file-scope state. */
#ifndef PL_SIGNAL_H
#define PL_SIGNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pl_signal;
struct pl_session;
struct pl_room;

struct pl_signal_config {
	unsigned max_rooms;           /* rooms on the server */
	unsigned max_participants;    /* per room */
	unsigned max_name_length;     /* characters (code points) after trimming */
	unsigned max_room_length;     /* characters of A-Z a-z 0-9 - _ . */
	unsigned max_chat_length;     /* characters */
	unsigned messages_per_second; /* token bucket rate per connection */
	unsigned message_burst;       /* token bucket size */
	int64_t join_timeout_us;      /* connect -> join */
	int64_t ping_interval_us;     /* server pings */
	int64_t idle_timeout_us;      /* silence -> close 1001 */
	bool log_personal_data;       /* names, room names, chat in the log (debug only) */
	bool camera_on_join, microphone_on_join;
	const char *ice_servers_json; /* JSON array for joined.iceServers; NULL = [] */
};
void pl_signal_config_defaults(struct pl_signal_config *cfg);

struct pl_signal_ops {
	void (*send)(void *ctx, void *conn, const char *json, size_t len);
	void (*close)(void *ctx, void *conn, int ws_code, const char *reason);
	/* publish, subscribe-answer, candidate, mute from a joined session; NULL = unavailable. */
	void (*media_message)(void *ctx, struct pl_session *s, const char *type, json_t *msg);
	/* A session joined its room (after joined and participant-joined were sent). May be NULL.
	 */
	void (*session_joined)(void *ctx, struct pl_session *s);
	void (*session_leaving)(void *ctx, struct pl_session *s);
	void (*room_destroyed)(void *ctx, struct pl_room *r);
	void (*random)(void *ctx, uint8_t *buf, size_t len);
	int64_t (*wall_ms)(void *ctx);
};

struct pl_signal *pl_signal_new(const struct pl_signal_config *cfg, const struct pl_signal_ops *ops,
                                void *ctx);
void pl_signal_free(struct pl_signal *sig);
void pl_signal_set_config(struct pl_signal *sig, const struct pl_signal_config *cfg);
struct pl_session *pl_signal_connect(struct pl_signal *sig, void *conn, int64_t now_us);
void pl_signal_receive(struct pl_signal *sig, struct pl_session *s, const char *data, size_t len,
                       int64_t now_us);
void pl_signal_receive_binary(struct pl_signal *sig, struct pl_session *s, int64_t now_us);
void pl_signal_disconnect(struct pl_signal *sig, struct pl_session *s, int64_t now_us);
int64_t pl_signal_tick(struct pl_signal *sig, int64_t now_us);
void pl_signal_drain(struct pl_signal *sig, unsigned drain_seconds);
bool pl_signal_draining(const struct pl_signal *sig);
void pl_signal_close_all(struct pl_signal *sig);
size_t pl_signal_session_count(const struct pl_signal *sig);
size_t pl_signal_room_count(const struct pl_signal *sig);

void pl_signal_send_json(struct pl_signal *sig, struct pl_session *s, json_t *msg);
/* Sends a message the caller wrote as JSON text itself (len bytes, not NUL-terminated). */
void pl_signal_send_text(struct pl_signal *sig, struct pl_session *s, const char *json, size_t len);
void pl_signal_send_error(struct pl_signal *sig, struct pl_session *s, json_t *id, const char *code,
                          const char *message);
void pl_signal_broadcast(struct pl_signal *sig, struct pl_session *from, json_t *msg,
                         bool include_from);
void pl_signal_participant_updated(struct pl_signal *sig, struct pl_session *s);

const char *pl_session_pseudonym(const struct pl_session *s);
const char *pl_session_participant_id(const struct pl_session *s);
bool pl_session_joined(const struct pl_session *s);
struct pl_room *pl_session_room(const struct pl_session *s);
void *pl_session_media(const struct pl_session *s);
void pl_session_set_media(struct pl_session *s, void *media);
json_t *pl_session_tracks(struct pl_session *s);

size_t pl_room_session_count(const struct pl_room *r);
struct pl_session *pl_room_session_at(const struct pl_room *r, size_t i);
const char *pl_room_pseudonym(const struct pl_room *r);
void *pl_room_media(const struct pl_room *r);
void pl_room_set_media(struct pl_room *r, void *m);

#endif
