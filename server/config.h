/* The daemon's configuration: one INI file (GLib GKeyFile), documented key by key in
 * config/plenum.conf and docs/configuration.md.
 *
 * Every key has a default, so an empty file is valid. Unknown groups and keys are errors (a typo
 * must not silently leave a default in place); the message lists the valid ones. Every value is
 * checked (ranges, IP addresses, CIDRs, origins, paths, files) and an error message names the
 * group, the key, the value and what is allowed, e.g.
 *     [rooms] max_participants = "abc": expected an integer from 2 to 1000
 *
 * Reload (SIGHUP) versus restart. A valid new file applies at once:
 *     [rooms] (all keys), [client] (all keys), [log] level and debug_personal_data,
 *     [http] allowed_origins, trusted_proxies, ping_interval, idle_timeout, drain_timeout.
 * These need a restart; pl_config_diff_restart_keys() lists the ones that changed so the daemon
 * can log "ignored until restart: ...":
 *     [http] listen, base_path, tls_cert, tls_key, web_root; [media] (all keys); [log] target.
 * An invalid file changes nothing: pl_config_load() writes *out only on success.
 *
 * Ownership: every string is non-NULL and owned (empty = not set); every list is a non-NULL,
 * NULL-terminated string vector (g_strfreev). pl_config_cleanup() frees them. */
#ifndef PL_CONFIG_H
#define PL_CONFIG_H

#include "server/ip_addr.h"
#include "server/log.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Files larger than this are refused (a configuration file is a few KiB). */
#define PL_CONFIG_MAX_FILE_SIZE (1024 * 1024)

struct pl_config_http {
	char *listen;           /* "ADDR:PORT" as normalised: "127.0.0.1:8080", "[::1]:8080" */
	char *listen_host;      /* derived from listen: the IP address without brackets */
	unsigned listen_port;   /* derived from listen: 1..65535 */
	char *base_path;        /* starts and ends with '/': "/", "/meet/" */
	char **trusted_proxies; /* IP addresses or CIDRs whose X-Forwarded-* headers count */
	char **allowed_origins; /* "https://host[:port]", lower case; empty = must match Host */
	char *tls_cert;         /* PEM file, or "" (plain HTTP, e.g. behind a proxy) */
	char *tls_key;          /* set together with tls_cert */
	char *web_root;         /* directory of the web client; "" = compiled-in PLENUM_WEB_ROOT */
	int drain_timeout;      /* seconds after SIGTERM before remaining connections close */
	int ping_interval;      /* seconds between server pings on each websocket */
	int idle_timeout;       /* seconds of silence after which a websocket is closed */
	int max_connections;    /* open websockets at most; 0 = from the file descriptor limit */
	/* Parsed trusted_proxies, same order (derived; owned array of n_proxy_masks). */
	struct pl_ip_cidr *proxy_masks;
	size_t n_proxy_masks;
};

struct pl_config_rooms {
	int max_rooms;
	int max_participants;
	int max_name_length; /* characters (Unicode code points) after trimming */
	int max_room_length; /* characters of A-Z a-z 0-9 - _ . */
	int max_chat_length; /* characters */
	int join_timeout;    /* seconds from connect to join */
	int messages_per_second;
	int message_burst;
};

struct pl_config_media {
	int workers;      /* media threads; 0 = number of CPUs */
	int udp_port_min; /* both 0 (any port) or 1024..65535 with min <= max */
	int udp_port_max;
	char **addresses; /* IP addresses to gather host candidates on; empty = all non-loopback */
	char *public_ip;  /* announced instead of the local address (1:1 NAT), or "" */
	char **ice_servers;   /* stun:/stuns:/turn:/turns: URLs handed to clients */
	char **srtp_profiles; /* "aes-gcm", "aes-cm" in order of preference, no duplicates */
	char **video_codecs;  /* "vp8", "vp9", "h264" in order of preference, no duplicates */
	int dtls_timeout;     /* seconds for the DTLS handshake */
	int max_ssrcs_per_transport;
	int video_bitrate_max; /* kbit/s a publisher may reach through our congestion feedback */
};

struct pl_config_client {
	bool camera_on_join;
	bool microphone_on_join;
};

struct pl_config_log {
	GLogLevelFlags level; /* G_LOG_LEVEL_ERROR, _WARNING, _INFO or _DEBUG */
	enum pl_log_target target;
	bool debug_personal_data; /* log IP addresses, names and room names */
};

struct pl_config {
	struct pl_config_http http;
	struct pl_config_rooms rooms;
	struct pl_config_media media;
	struct pl_config_client client;
	struct pl_config_log log;
};

/* Error domain of the GErrors below; the code is the (positive) -PL_E* value. */
#define PL_CONFIG_ERROR (pl_config_error_quark())
GQuark pl_config_error_quark(void);

/* Fill c with the defaults (allocates; pair with pl_config_cleanup). */
void pl_config_defaults(struct pl_config *c);

/* Free what c owns and zero it. Accepts a zeroed struct; may be called twice. */
void pl_config_cleanup(struct pl_config *c);

/* Read and check the file at path. On success *out (not cleaned first: pass a fresh struct)
 * holds defaults overridden by the file, and 0 is returned. On failure *out is untouched,
 * err (may be NULL) says why prefixed with the path, and PL_EIO (unreadable) or PL_EINVAL is
 * returned. */
int pl_config_load(const char *path, struct pl_config *out, GError **err);

/* The same for len bytes of INI text (for tests and --check-config of stdin). */
int pl_config_load_data(const char *data, size_t len, struct pl_config *out, GError **err);

/* The effective configuration as INI text that pl_config_load_data() reads back to an equal
 * configuration (g_free). */
char *pl_config_to_string(const struct pl_config *c);

/* Whether every key has the same value (derived fields follow from the keys). */
bool pl_config_equal(const struct pl_config *a, const struct pl_config *b);

/* Append to out, comma separated ("[http] listen, [media] workers"), the keys whose values
 * differ between a and b and which take effect only after a restart. Appends nothing when there
 * are none. */
void pl_config_diff_restart_keys(const struct pl_config *a, const struct pl_config *b,
                                 GString *out);

/* Parse "ADDR:PORT": an IPv4 address or an IPv6 address in brackets, and a port 1..65535
 * ("127.0.0.1:8080", "[::1]:8080", "[::]:443"). A bare port or a host name is refused.
 * On success *host is the address without brackets (g_free) and 0 is returned; else PL_EINVAL
 * and err says what is expected. */
int pl_config_parse_listen(const char *s, char **host, unsigned *port, GError **err);

/* Whether the peer address ip (a string as given by the socket, IPv4, IPv6 or IPv4-mapped IPv6)
 * is an address or inside a CIDR of [http] trusted_proxies. False for garbage. */
bool pl_config_proxy_trusted(const struct pl_config *c, const char *ip);

#endif
