/* Configuration file: one table of keys drives defaults, loading, checking, printing, comparing
 * and the restart diff, so a key cannot be forgotten in one of them. See config.h. The checks of
 * single values are in config_check.c. */
#include "server/config_int.h"

#include "media/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Lists longer than this are refused: no sane deployment has 64 proxies or interfaces, and the
 * per-connection proxy check walks the list. */
#define MAX_LIST_ITEMS 64

enum key_type {
	T_INT,    /* int, min..max */
	T_BOOL,   /* bool, "true" or "false" */
	T_STR,    /* char *, optionally checked and normalised by check() */
	T_LIST,   /* char **, ';' separated, each item checked by check() */
	T_LEVEL,  /* GLogLevelFlags by name */
	T_TARGET, /* enum pl_log_target by name */
};

/* Returns the normalised value (g_free), or NULL after appending the reason to why. */
typedef char *(*check_fn)(const char *value, GString *why);

struct key_def {
	const char *group;
	const char *key;
	enum key_type type;
	size_t offset;   /* of the field in struct pl_config */
	int min, max;    /* T_INT */
	bool restart;    /* a change needs a restart (not applied by SIGHUP) */
	const char *def; /* default, as it would be written in the file */
	check_fn check;  /* T_STR, T_LIST; NULL = any text */
};

#define OFF(f) offsetof(struct pl_config, f)

static const struct key_def keys[] = {
    {"http", "listen", T_STR, OFF(http.listen), 0, 0, true, "127.0.0.1:8080",
     pl_config_check_listen},
    {"http", "base_path", T_STR, OFF(http.base_path), 0, 0, true, "/", pl_config_check_base_path},
    {"http", "trusted_proxies", T_LIST, OFF(http.trusted_proxies), 0, 0, false, "",
     pl_config_check_proxy},
    {"http", "allowed_origins", T_LIST, OFF(http.allowed_origins), 0, 0, false, "",
     pl_config_check_origin},
    {"http", "tls_cert", T_STR, OFF(http.tls_cert), 0, 0, true, "", NULL},
    {"http", "tls_key", T_STR, OFF(http.tls_key), 0, 0, true, "", NULL},
    {"http", "web_root", T_STR, OFF(http.web_root), 0, 0, true, "", NULL},
    {"http", "drain_timeout", T_INT, OFF(http.drain_timeout), 0, 3600, false, "30", NULL},
    {"http", "ping_interval", T_INT, OFF(http.ping_interval), 5, 55, false, "20", NULL},
    {"http", "idle_timeout", T_INT, OFF(http.idle_timeout), 10, 3600, false, "60", NULL},
    {"http", "max_connections", T_INT, OFF(http.max_connections), 0, 1000000, true, "0", NULL},

    {"rooms", "max_rooms", T_INT, OFF(rooms.max_rooms), 1, 100000, false, "100", NULL},
    {"rooms", "max_participants", T_INT, OFF(rooms.max_participants), 2, 1000, false, "50", NULL},
    {"rooms", "max_name_length", T_INT, OFF(rooms.max_name_length), 1, 256, false, "64", NULL},
    {"rooms", "max_room_length", T_INT, OFF(rooms.max_room_length), 8, 128, false, "64", NULL},
    {"rooms", "max_chat_length", T_INT, OFF(rooms.max_chat_length), 1, 10000, false, "2000", NULL},
    {"rooms", "join_timeout", T_INT, OFF(rooms.join_timeout), 1, 120, false, "10", NULL},
    {"rooms", "messages_per_second", T_INT, OFF(rooms.messages_per_second), 1, 1000, false, "20",
     NULL},
    {"rooms", "message_burst", T_INT, OFF(rooms.message_burst), 1, 10000, false, "40", NULL},

    {"media", "workers", T_INT, OFF(media.workers), 0, 64, true, "0", NULL},
    /* 0 or 1024..65535 with min <= max: checked together in check_cross(). */
    {"media", "udp_port_min", T_INT, OFF(media.udp_port_min), 0, 65535, true, "0", NULL},
    {"media", "udp_port_max", T_INT, OFF(media.udp_port_max), 0, 65535, true, "0", NULL},
    {"media", "addresses", T_LIST, OFF(media.addresses), 0, 0, true, "", pl_config_check_ip},
    {"media", "public_ip", T_STR, OFF(media.public_ip), 0, 0, true, "",
     pl_config_check_ip_or_empty},
    {"media", "ice_servers", T_LIST, OFF(media.ice_servers), 0, 0, true, "",
     pl_config_check_ice_url},
    {"media", "srtp_profiles", T_LIST, OFF(media.srtp_profiles), 0, 0, true, "aes-gcm;aes-cm",
     pl_config_check_srtp_profile},
    {"media", "video_codecs", T_LIST, OFF(media.video_codecs), 0, 0, true, "vp8",
     pl_config_check_video_codec},
    {"media", "dtls_timeout", T_INT, OFF(media.dtls_timeout), 1, 60, true, "10", NULL},
    {"media", "max_ssrcs_per_transport", T_INT, OFF(media.max_ssrcs_per_transport), 1, 256, true,
     "32", NULL},
    {"media", "video_bitrate_max", T_INT, OFF(media.video_bitrate_max), 100, 20000, true, "2500",
     NULL},

    {"client", "camera_on_join", T_BOOL, OFF(client.camera_on_join), 0, 0, false, "false", NULL},
    {"client", "microphone_on_join", T_BOOL, OFF(client.microphone_on_join), 0, 0, false, "false",
     NULL},

    {"log", "level", T_LEVEL, OFF(log.level), 0, 0, false, "info", NULL},
    {"log", "target", T_TARGET, OFF(log.target), 0, 0, true, "auto", NULL},
    {"log", "debug_personal_data", T_BOOL, OFF(log.debug_personal_data), 0, 0, false, "false",
     NULL},
};

static const char *const groups[] = {"http", "rooms", "media", "client", "log"};

#define FIELD(c, d, T)  ((T *)(void *)((char *)(c) + (d)->offset))
#define CFIELD(c, d, T) ((T const *)(const void *)((const char *)(c) + (d)->offset))

GQuark pl_config_error_quark(void)
{
	return g_quark_from_static_string("pl-config-error-quark");
}

/* ---- loading ------------------------------------------------------------------------------ */

static void list_valid_keys(GString *s, const char *group)
{
	bool first = true;

	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		if (strcmp(keys[i].group, group) != 0)
			continue;
		g_string_append_printf(s, "%s%s", first ? "" : ", ", keys[i].key);
		first = false;
	}
}

static const struct key_def *find_key(const char *group, const char *key)
{
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		if (strcmp(keys[i].group, group) == 0 && strcmp(keys[i].key, key) == 0)
			return &keys[i];
	}
	return NULL;
}

/* GKeyFile hides localised keys ("listen[de]") from g_key_file_get_keys, so they are found
 * in the text: a line "KEY[LOCALE] = ..." inside a group. */
static int check_localised_keys(const char *data, size_t len, GString *why)
{
	char *text = g_strndup(data, len);
	char **lines = g_strsplit(text, "\n", -1);
	char *group = NULL;
	int rc = 0;

	for (size_t i = 0; lines[i] != NULL && rc == 0; i++) {
		char *line = g_strstrip(lines[i]);
		char *eq = strchr(line, '=');

		if (line[0] == '[') {
			char *end = strchr(line, ']');

			g_free(group);
			group = end ? g_strndup(line + 1, (gsize)(end - line - 1)) : NULL;
		} else if (line[0] != '#' && eq != NULL && memchr(line, '[', (size_t)(eq - line))) {
			*eq = '\0';
			g_string_append_printf(why,
			                       "unknown key [%s] %s (localised keys are not "
			                       "supported); valid keys in [%s]: ",
			                       group ? group : "", g_strstrip(line),
			                       group ? group : "");
			list_valid_keys(why, group ? group : "");
			rc = PL_EINVAL;
		}
	}
	g_free(group);
	g_strfreev(lines);
	g_free(text);
	return rc;
}

/* Unknown groups and keys are errors: a misspelt key would otherwise keep its default. */
static int check_names(GKeyFile *kf, GString *why)
{
	char **gs = g_key_file_get_groups(kf, NULL);
	int rc = 0;

	for (size_t i = 0; gs[i] != NULL && rc == 0; i++) {
		bool known = false;
		char **ks;

		for (size_t j = 0; j < G_N_ELEMENTS(groups); j++)
			known = known || strcmp(gs[i], groups[j]) == 0;
		if (!known) {
			g_string_append_printf(why, "unknown group [%s]; valid groups: ", gs[i]);
			for (size_t j = 0; j < G_N_ELEMENTS(groups); j++)
				g_string_append_printf(why, "%s[%s]", j ? ", " : "", groups[j]);
			rc = PL_EINVAL;
			break;
		}
		ks = g_key_file_get_keys(kf, gs[i], NULL, NULL);
		for (size_t j = 0; ks != NULL && ks[j] != NULL; j++) {
			if (find_key(gs[i], ks[j]) == NULL) {
				g_string_append_printf(
				    why, "unknown key [%s] %s; valid keys in [%s]: ", gs[i], ks[j],
				    gs[i]);
				list_valid_keys(why, gs[i]);
				rc = PL_EINVAL;
				break;
			}
		}
		g_strfreev(ks);
	}
	g_strfreev(gs);
	return rc;
}

/* Reads one key from kf (where every key is present: defaults were filled in) into c. */
static int load_key(GKeyFile *kf, const struct key_def *d, struct pl_config *c, GString *why)
{
	GError *e = NULL;
	char *s = NULL;
	char **items = NULL;
	int rc = PL_EINVAL;

	if (d->type == T_LIST) {
		gsize n = 0, kept = 0;
		char **out;

		items = g_key_file_get_string_list(kf, d->group, d->key, &n, &e);
		if (items == NULL && e != NULL &&
		    g_error_matches(e, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE)) {
			g_string_append(why, e->message);
			goto out;
		}
		if (n > MAX_LIST_ITEMS) {
			g_string_append_printf(why, "expected at most %d items", MAX_LIST_ITEMS);
			goto out;
		}
		out = g_new0(char *, n + 1);
		for (gsize i = 0; i < n; i++) {
			char *item = g_strstrip(items[i]);
			char *norm;

			if (item[0] == '\0')
				continue; /* "a;;b" and a trailing ';' */
			norm = d->check != NULL ? d->check(item, why) : g_strdup(item);
			if (norm == NULL) {
				g_strfreev(out);
				goto out;
			}
			for (gsize j = 0; j < kept; j++) {
				if (strcmp(out[j], norm) == 0) {
					g_string_append_printf(why, "\"%s\" is listed twice", norm);
					g_free(norm);
					g_strfreev(out);
					goto out;
				}
			}
			out[kept++] = norm;
		}
		if (d->check == pl_config_check_video_codec && kept == 0) {
			g_string_append(why, "expected at least one of vp8, vp9, h264");
			g_strfreev(out);
			goto out;
		}
		if (d->check == pl_config_check_srtp_profile && kept == 0) {
			g_string_append(why, "expected at least one of aes-gcm, aes-cm");
			g_strfreev(out);
			goto out;
		}
		g_strfreev(*FIELD(c, d, char **));
		*FIELD(c, d, char **) = out;
		rc = 0;
		goto out;
	}

	s = g_key_file_get_string(kf, d->group, d->key, &e);
	if (s == NULL) {
		g_string_append(why, e != NULL ? e->message : "cannot read the value");
		goto out;
	}
	g_strstrip(s);
	switch (d->type) {
	case T_INT: {
		gint64 v;

		if (!g_ascii_string_to_signed(s, 10, d->min, d->max, &v, NULL)) {
			g_string_append_printf(why, "expected an integer from %d to %d", d->min,
			                       d->max);
			goto out;
		}
		*FIELD(c, d, int) = (int)v;
		break;
	}
	case T_BOOL:
		if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
			g_string_append(why, "expected true or false");
			goto out;
		}
		*FIELD(c, d, bool) = s[0] == 't';
		break;
	case T_STR: {
		char *norm = d->check != NULL ? d->check(s, why) : g_strdup(s);

		if (norm == NULL)
			goto out;
		g_free(*FIELD(c, d, char *));
		*FIELD(c, d, char *) = norm;
		break;
	}
	case T_LEVEL:
		if (pl_log_level_from_name(s, FIELD(c, d, GLogLevelFlags)) < 0) {
			g_string_append(why, "expected one of error, warning, info, debug");
			goto out;
		}
		break;
	case T_TARGET:
		if (pl_log_target_from_name(s, FIELD(c, d, enum pl_log_target)) < 0) {
			g_string_append(why, "expected one of auto, stderr, journal");
			goto out;
		}
		break;
	case T_LIST:
		break;
	}
	rc = 0;
out:
	g_clear_error(&e);
	g_free(s);
	g_strfreev(items);
	return rc;
}

static int check_readable(const char *path, const char *key, GString *why)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		g_string_append_printf(why, "[http] %s = \"%s\": cannot read the file: %s", key,
		                       path, g_strerror(errno));
		return PL_EINVAL;
	}
	fclose(f);
	return 0;
}

/* Checks that involve more than one key. */
static int check_cross(const struct pl_config *c, GString *why)
{
	const struct pl_config_media *m = &c->media;
	const struct pl_config_http *h = &c->http;

	if (m->udp_port_min != 0 || m->udp_port_max != 0) {
		bool min_bad = m->udp_port_min < 1024;

		if (min_bad || m->udp_port_max < 1024) {
			g_string_append_printf(
			    why,
			    "[media] %s = \"%d\": expected a port from 1024 to 65535 (or 0 "
			    "for both udp_port_min and udp_port_max: any port)",
			    min_bad ? "udp_port_min" : "udp_port_max",
			    min_bad ? m->udp_port_min : m->udp_port_max);
			return PL_EINVAL;
		}
		if (m->udp_port_min > m->udp_port_max) {
			g_string_append_printf(why,
			                       "[media] udp_port_min = \"%d\", udp_port_max = "
			                       "\"%d\": expected udp_port_min <= udp_port_max",
			                       m->udp_port_min, m->udp_port_max);
			return PL_EINVAL;
		}
	}
	if ((h->tls_cert[0] == '\0') != (h->tls_key[0] == '\0')) {
		g_string_append_printf(why,
		                       "[http] tls_cert = \"%s\", tls_key = \"%s\": expected both "
		                       "(HTTPS) or neither (plain HTTP, e.g. behind a proxy)",
		                       h->tls_cert, h->tls_key);
		return PL_EINVAL;
	}
	if (h->tls_cert[0] != '\0' && (check_readable(h->tls_cert, "tls_cert", why) < 0 ||
	                               check_readable(h->tls_key, "tls_key", why) < 0))
		return PL_EINVAL;
	if (h->idle_timeout <= h->ping_interval) {
		g_string_append_printf(why,
		                       "[http] idle_timeout = \"%d\": expected more than "
		                       "ping_interval (%d s), or answered pings would not keep a "
		                       "connection open",
		                       h->idle_timeout, h->ping_interval);
		return PL_EINVAL;
	}
	return 0;
}

/* Fills the fields derived from keys: listen host/port and the parsed proxy masks. */
static void derive(struct pl_config *c)
{
	struct pl_config_http *h = &c->http;
	size_t n = g_strv_length(h->trusted_proxies);

	g_clear_pointer(&h->listen_host, g_free);
	if (pl_config_parse_listen(h->listen, &h->listen_host, &h->listen_port, NULL) < 0)
		g_assert_not_reached(); /* checked by pl_config_check_listen */
	h->proxy_masks = g_new0(struct pl_ip_cidr, n + 1);
	for (size_t i = 0; i < n; i++) {
		if (pl_ip_cidr_parse(h->trusted_proxies[i], &h->proxy_masks[i]) < 0)
			g_assert_not_reached(); /* checked by pl_config_check_proxy */
	}
	h->n_proxy_masks = n;
}

/* The whole load: names, every key (defaults filled into kf first), cross checks. On failure
 * why holds the message and *out is untouched. */
static int load_keyfile(GKeyFile *kf, struct pl_config *out, GString *why)
{
	struct pl_config tmp;
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	rc = check_names(kf, why);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		const struct key_def *d = &keys[i];

		if (!g_key_file_has_key(kf, d->group, d->key, NULL))
			g_key_file_set_value(kf, d->group, d->key, d->def);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		const struct key_def *d = &keys[i];
		GString *item_why = g_string_new(NULL);

		rc = load_key(kf, d, &tmp, item_why);
		if (rc < 0) {
			char *raw = g_key_file_get_value(kf, d->group, d->key, NULL);

			g_string_append_printf(why, "[%s] %s = \"%s\": %s", d->group, d->key,
			                       raw ? g_strstrip(raw) : "", item_why->str);
			g_free(raw);
		}
		g_string_free(item_why, TRUE);
		if (rc < 0)
			goto fail;
	}
	rc = check_cross(&tmp, why);
	if (rc < 0)
		goto fail;
	derive(&tmp);
	*out = tmp;
	return 0;
fail:
	pl_config_cleanup(&tmp);
	return rc;
}

void pl_config_defaults(struct pl_config *c)
{
	GKeyFile *kf = g_key_file_new();
	GString *why = g_string_new(NULL);

	if (load_keyfile(kf, c, why) < 0)
		g_error("built-in configuration defaults are invalid: %s", why->str);
	g_string_free(why, TRUE);
	g_key_file_free(kf);
}

int pl_config_load_data(const char *data, size_t len, struct pl_config *out, GError **err)
{
	GKeyFile *kf = g_key_file_new();
	GError *e = NULL;
	GString *why = g_string_new(NULL);
	int rc = PL_EINVAL;

	if (len > PL_CONFIG_MAX_FILE_SIZE) {
		g_string_append_printf(why, "larger than %d bytes", PL_CONFIG_MAX_FILE_SIZE);
		goto out;
	}
	if (memchr(data, '\0', len) != NULL) {
		g_string_append(why, "contains a NUL byte (not a text file)");
		goto out;
	}
	if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &e)) {
		g_string_append_printf(why, "not an INI file: %s", e->message);
		g_error_free(e);
		goto out;
	}
	rc = check_localised_keys(data, len, why);
	if (rc == 0)
		rc = load_keyfile(kf, out, why);
out:
	if (rc < 0)
		g_set_error_literal(err, PL_CONFIG_ERROR, -rc, why->str);
	g_string_free(why, TRUE);
	g_key_file_free(kf);
	return rc;
}

int pl_config_load(const char *path, struct pl_config *out, GError **err)
{
	char *data = NULL;
	gsize len = 0;
	GError *e = NULL;
	int rc;

	if (!g_file_get_contents(path, &data, &len, &e)) {
		g_set_error(err, PL_CONFIG_ERROR, -PL_EIO, "%s: %s", path, e->message);
		g_error_free(e);
		return PL_EIO;
	}
	rc = pl_config_load_data(data, len, out, &e);
	if (rc < 0) {
		g_set_error(err, PL_CONFIG_ERROR, -rc, "%s: %s", path, e->message);
		g_error_free(e);
	}
	g_free(data);
	return rc;
}

void pl_config_cleanup(struct pl_config *c)
{
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		if (keys[i].type == T_STR)
			g_free(*FIELD(c, &keys[i], char *));
		else if (keys[i].type == T_LIST)
			g_strfreev(*FIELD(c, &keys[i], char **));
	}
	g_free(c->http.listen_host);
	g_free(c->http.proxy_masks);
	memset(c, 0, sizeof(*c));
}

/* ---- printing and comparing ------------------------------------------------------------ */

char *pl_config_to_string(const struct pl_config *c)
{
	GKeyFile *kf = g_key_file_new();
	char *text;

	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		const struct key_def *d = &keys[i];

		switch (d->type) {
		case T_INT:
			g_key_file_set_integer(kf, d->group, d->key, *CFIELD(c, d, int));
			break;
		case T_BOOL:
			g_key_file_set_boolean(kf, d->group, d->key, *CFIELD(c, d, bool));
			break;
		case T_STR:
			g_key_file_set_string(kf, d->group, d->key, *CFIELD(c, d, char *));
			break;
		case T_LIST: {
			char *const *l = *CFIELD(c, d, char **);

			g_key_file_set_string_list(kf, d->group, d->key, (const char *const *)l,
			                           g_strv_length((char **)l));
			break;
		}
		case T_LEVEL:
			g_key_file_set_string(kf, d->group, d->key,
			                      pl_log_level_name(*CFIELD(c, d, GLogLevelFlags)));
			break;
		case T_TARGET:
			g_key_file_set_string(
			    kf, d->group, d->key,
			    pl_log_target_name(*CFIELD(c, d, enum pl_log_target)));
			break;
		}
	}
	g_key_file_set_comment(kf, NULL, NULL, " Plenum effective configuration", NULL);
	text = g_key_file_to_data(kf, NULL, NULL);
	g_key_file_free(kf);
	return text;
}

static bool key_equal(const struct key_def *d, const struct pl_config *a, const struct pl_config *b)
{
	switch (d->type) {
	case T_INT:
		return *CFIELD(a, d, int) == *CFIELD(b, d, int);
	case T_BOOL:
		return *CFIELD(a, d, bool) == *CFIELD(b, d, bool);
	case T_STR:
		return g_strcmp0(*CFIELD(a, d, char *), *CFIELD(b, d, char *)) == 0;
	case T_LIST:
		return g_strv_equal((const char *const *)*CFIELD(a, d, char **),
		                    (const char *const *)*CFIELD(b, d, char **));
	case T_LEVEL:
		return *CFIELD(a, d, GLogLevelFlags) == *CFIELD(b, d, GLogLevelFlags);
	case T_TARGET:
		return *CFIELD(a, d, enum pl_log_target) == *CFIELD(b, d, enum pl_log_target);
	}
	return false;
}

bool pl_config_equal(const struct pl_config *a, const struct pl_config *b)
{
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		if (!key_equal(&keys[i], a, b))
			return false;
	}
	return true;
}

void pl_config_diff_restart_keys(const struct pl_config *a, const struct pl_config *b, GString *out)
{
	bool first = true;

	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		if (!keys[i].restart || key_equal(&keys[i], a, b))
			continue;
		g_string_append_printf(out, "%s[%s] %s", first ? "" : ", ", keys[i].group,
		                       keys[i].key);
		first = false;
	}
}

/* ---- trusted proxies ---------------------------------------------------------------------- */

bool pl_config_proxy_trusted(const struct pl_config *c, const char *ip)
{
	struct pl_ip_addr a;

	if (pl_ip_addr_parse(ip, &a) < 0)
		return false;
	/* A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2);
	 * pl_ip_cidr_match matches those against IPv4 entries too. */
	for (size_t i = 0; i < c->http.n_proxy_masks; i++) {
		if (pl_ip_cidr_match(&c->http.proxy_masks[i], &a))
			return true;
	}
	return false;
}
