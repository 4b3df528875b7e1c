/* The control thread. Owns the GLib main loop that libwebsockets runs on, the signaling core,
 * the media plane, and the process lifecycle: SIGHUP reloads what can change live, SIGTERM/SIGINT
 * drain (healthz 503, server-shutdown to every client, exit 0 when the last one leaves or the
 * drain timeout passes). */
#include "server/daemon.h"

#include <glib-unix.h>
#include <jansson.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "server/http.h"
#include "server/ice.h"
#include "server/log.h"
#include "server/media_plane.h"
#include "signaling/signal.h"

struct pl_daemon {
	GMainLoop *loop;
	const struct pl_daemon_args *args;
	struct pl_config cfg;
	struct pl_signal *sig;
	struct pl_http *http;
	struct pl_media_plane *media;
	guint tick_source;
	bool draining;
	int64_t drain_deadline_us;
	int64_t close_deadline_us;
	int exit_code;
};

static void ops_random(void *ctx, uint8_t *buf, size_t len)
{
	if (RAND_bytes(buf, (int)len) != 1) {
		/* Identifiers must be unguessable; running without a CSPRNG is not an option. */
		g_error("OpenSSL RAND_bytes failed");
	}
}

static int64_t ops_wall_ms(void *ctx)
{
	return g_get_real_time() / 1000;
}

int pl_daemon_load_config(const struct pl_daemon_args *args, struct pl_config *cfg, GError **err)
{
	if (pl_config_load(args->config_path, cfg, err) != 0)
		return -1;
	if (args->listen_override) {
		char *host = NULL;
		unsigned port = 0;
		if (pl_config_parse_listen(args->listen_override, &host, &port, err) != 0) {
			pl_config_cleanup(cfg);
			return -1;
		}
		g_free(cfg->http.listen_host);
		g_free(cfg->http.listen);
		cfg->http.listen_host = host;
		cfg->http.listen_port = port;
		cfg->http.listen = g_strdup(args->listen_override);
	}
	return 0;
}

char *pl_daemon_client_json(const struct pl_config *cfg)
{
	json_t *o =
	    json_pack("{s:b, s:b, s:i, s:i, s:s}", "cameraOnJoin", cfg->client.camera_on_join,
	              "microphoneOnJoin", cfg->client.microphone_on_join, "maxNameLength",
	              (json_int_t)cfg->rooms.max_name_length, "maxChatLength",
	              (json_int_t)cfg->rooms.max_chat_length, "version", PLENUM_VERSION);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

char *pl_daemon_privacy_json(const struct pl_config *cfg)
{
	json_t *ice = json_array();
	for (size_t i = 0; cfg->media.ice_servers && cfg->media.ice_servers[i]; i++)
		json_array_append_new(ice, json_string(cfg->media.ice_servers[i]));
	json_t *o = json_pack(
	    "{s:b, s:b, s:b, s:s, s:{s:b, s:s, s:s}, s:[], s:o, s:s, s:s, s:b}", "recording", 0,
	    "storesNames", 0, "storesChat", 0, "chatRetention",
	    "memory-only, deleted when the meeting ends", "logs", "personalData",
	    cfg->log.debug_personal_data, "contents",
	    cfg->log.debug_personal_data
	        ? "debug mode: names, room names, chat and addresses may appear in the log"
	        : "pseudonymous session ids, counts and errors; no names, rooms, chat or addresses",
	    "destination", "system journal or standard error of this server", "thirdParties",
	    "iceServers", ice, "media",
	    "relayed by this server, encrypted in transit (DTLS-SRTP), never decoded or recorded",
	    "presence", "everyone who receives audio or video is listed among the participants",
	    "database", 0);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static void signal_config(const struct pl_config *cfg, struct pl_signal_config *sc, char **ice_json)
{
	pl_signal_config_defaults(sc);
	sc->max_rooms = cfg->rooms.max_rooms;
	sc->max_participants = cfg->rooms.max_participants;
	sc->max_name_length = cfg->rooms.max_name_length;
	sc->max_room_length = cfg->rooms.max_room_length;
	sc->max_chat_length = cfg->rooms.max_chat_length;
	sc->messages_per_second = cfg->rooms.messages_per_second;
	sc->message_burst = cfg->rooms.message_burst;
	sc->join_timeout_us = (int64_t)cfg->rooms.join_timeout * G_USEC_PER_SEC;
	sc->ping_interval_us = (int64_t)cfg->http.ping_interval * G_USEC_PER_SEC;
	sc->idle_timeout_us = (int64_t)cfg->http.idle_timeout * G_USEC_PER_SEC;
	sc->log_personal_data = cfg->log.debug_personal_data;
	sc->camera_on_join = cfg->client.camera_on_join;
	sc->microphone_on_join = cfg->client.microphone_on_join;
	json_t *ice = json_array();
	for (size_t i = 0; cfg->media.ice_servers && cfg->media.ice_servers[i]; i++)
		json_array_append_new(ice, json_pack("{s:s}", "urls", cfg->media.ice_servers[i]));
	*ice_json = json_dumps(ice, JSON_COMPACT);
	json_decref(ice);
	sc->ice_servers_json = *ice_json;
}

static void http_options(const struct pl_config *cfg, unsigned media_fds, struct pl_http_options *o)
{
	memset(o, 0, sizeof *o);
	o->host = cfg->http.listen_host;
	o->port = cfg->http.listen_port;
	o->base_path = cfg->http.base_path;
	o->web_root = cfg->http.web_root && *cfg->http.web_root ? cfg->http.web_root
	                                                        : PLENUM_SOURCE_DIR "/web";
	o->tls_cert = cfg->http.tls_cert;
	o->tls_key = cfg->http.tls_key;
	o->allowed_origins = cfg->http.allowed_origins;
	o->trusted_proxies = cfg->http.trusted_proxies;
	o->client_json = pl_daemon_client_json(cfg);
	o->privacy_json = pl_daemon_privacy_json(cfg);
	o->log_personal_data = cfg->log.debug_personal_data;
	o->max_connections = (unsigned)cfg->http.max_connections;
	/* A participant's PeerConnections share their worker's UDP sockets (server/ice.c). */
	o->media_fds = media_fds;
}

static void http_options_cleanup(struct pl_http_options *o)
{
	free((char *)o->client_json);
	free((char *)o->privacy_json);
}

static gboolean on_tick(gpointer data)
{
	struct pl_daemon *d = data;
	int64_t now = g_get_monotonic_time();
	pl_signal_tick(d->sig, now);
	if (d->draining) {
		if (pl_http_ws_count(d->http) == 0) {
			g_info("drained: no clients left, exiting");
			g_main_loop_quit(d->loop);
		} else if (d->close_deadline_us && now >= d->close_deadline_us) {
			g_info("drain: %zu connections did not close in time, exiting",
			       pl_http_ws_count(d->http));
			g_main_loop_quit(d->loop);
		} else if (!d->close_deadline_us && now >= d->drain_deadline_us) {
			g_info("drain timeout: closing %zu connections", pl_http_ws_count(d->http));
			pl_signal_close_all(d->sig);
			d->close_deadline_us = now + 2 * G_USEC_PER_SEC;
		}
	}
	return G_SOURCE_CONTINUE;
}

static gboolean on_terminate(gpointer data)
{
	struct pl_daemon *d = data;
	if (d->draining) {
		g_info("second stop signal: exiting now");
		g_main_loop_quit(d->loop);
		return G_SOURCE_CONTINUE;
	}
	d->draining = true;
	d->drain_deadline_us =
	    g_get_monotonic_time() + (int64_t)d->cfg.http.drain_timeout * G_USEC_PER_SEC;
	g_info("stop requested: draining %zu connections (at most %u s)", pl_http_ws_count(d->http),
	       d->cfg.http.drain_timeout);
	pl_http_set_draining(d->http, true);
	pl_signal_drain(d->sig, d->cfg.http.drain_timeout);
	return G_SOURCE_CONTINUE;
}

#define SWAP(f)                                                                                    \
	do {                                                                                       \
		__typeof__(next->f) tmp_ = next->f;                                                \
		next->f = old->f;                                                                  \
		old->f = tmp_;                                                                     \
	} while (0)

/* Moves the values that only a restart can change from the running config into next. */
static void keep_restart_keys(struct pl_config *next, struct pl_config *old)
{
	SWAP(http.listen);
	SWAP(http.listen_host);
	SWAP(http.listen_port);
	SWAP(http.base_path);
	SWAP(http.tls_cert);
	SWAP(http.tls_key);
	SWAP(http.web_root);
	SWAP(media);
	SWAP(log.target);
}

static gboolean on_reload(gpointer data)
{
	struct pl_daemon *d = data;
	struct pl_config next;
	GError *err = NULL;
	if (pl_daemon_load_config(d->args, &next, &err) != 0) {
		g_warning("reload failed, keeping the running configuration: %s", err->message);
		g_error_free(err);
		return G_SOURCE_CONTINUE;
	}
	GString *restart = g_string_new(NULL);
	pl_config_diff_restart_keys(&d->cfg, &next, restart);
	if (restart->len)
		g_warning("reload: changed but only applied after a restart: %s", restart->str);
	g_string_free(restart, TRUE);

	struct pl_signal_config sc;
	char *ice_json = NULL;
	signal_config(&next, &sc, &ice_json);
	pl_signal_set_config(d->sig, &sc);
	free(ice_json);
	struct pl_http_options ho;
	http_options(&next, 0, &ho);
	pl_http_set_policy(d->http, &ho);
	http_options_cleanup(&ho);
	pl_log_set_level(next.log.level);
	/* Keep the running values of restart-only keys so the next diff is against what runs. */
	keep_restart_keys(&next, &d->cfg);
	pl_log_set_personal_data(next.log.debug_personal_data);
	pl_config_cleanup(&d->cfg);
	d->cfg = next;
	g_info("configuration reloaded");
	return G_SOURCE_CONTINUE;
}

int pl_daemon_run(const struct pl_daemon_args *args, struct pl_config *cfg)
{
	struct pl_daemon d = {.args = args, .cfg = *cfg};
	memset(cfg, 0, sizeof *cfg); /* ownership moved */
	pl_log_init(d.cfg.log.target, d.cfg.log.level);
	pl_log_set_personal_data(d.cfg.log.debug_personal_data);
	signal(SIGPIPE, SIG_IGN);

	d.loop = g_main_loop_new(NULL, FALSE);
	struct pl_signal_ops ops = {0};
	pl_http_fill_signal_ops(&ops);
	ops.random = ops_random;
	ops.wall_ms = ops_wall_ms;

	GError *err = NULL;
	d.media = pl_media_plane_new(&d.cfg, &err);
	if (!d.media) {
		g_critical("media plane: %s", err->message);
		g_error_free(err);
		d.exit_code = 1;
		goto out;
	}
	pl_media_plane_fill_signal_ops(d.media, &ops);

	struct pl_signal_config sc;
	char *ice_json = NULL;
	signal_config(&d.cfg, &sc, &ice_json);
	struct pl_http_options ho;
	http_options(&d.cfg, pl_media_plane_fd_count(d.media), &ho);
	d.http = pl_http_new(&ho, NULL, d.loop, &err);
	http_options_cleanup(&ho);
	if (!d.http) {
		free(ice_json);
		g_critical("%s", err->message);
		g_error_free(err);
		d.exit_code = 1;
		goto out;
	}
	/* ops ctx is the media plane (for the media hooks); send/close find their connection
	 * through the conn pointer alone. */
	d.sig = pl_signal_new(&sc, &ops, d.media);
	free(ice_json);
	pl_http_set_signal(d.http, d.sig);
	pl_http_set_metrics(d.http, pl_media_plane_metrics, d.media);
	pl_media_plane_set_signal(d.media, d.sig);

	g_unix_signal_add(SIGTERM, on_terminate, &d);
	g_unix_signal_add(SIGINT, on_terminate, &d);
	g_unix_signal_add(SIGHUP, on_reload, &d);
	d.tick_source = g_timeout_add(250, on_tick, &d);

	g_info("plenum %s listening on %s:%u%s (pid %d), up to %u websockets", PLENUM_VERSION,
	       d.cfg.http.listen_host, pl_http_port(d.http), d.cfg.http.base_path, (int)getpid(),
	       pl_http_max_connections(d.http));
	g_main_loop_run(d.loop);
	d.exit_code = 0;

	g_source_remove(d.tick_source);
out:
	pl_signal_free(d.sig);
	pl_http_free(d.http);
	pl_media_plane_free(d.media);
	if (d.loop)
		g_main_loop_unref(d.loop);
	pl_config_cleanup(&d.cfg);
	return d.exit_code;
}
