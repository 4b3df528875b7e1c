/* The control thread: GLib main loop, signaling core, HTTP server, media workers, signals
 * (SIGHUP reload, SIGTERM/SIGINT drain) and the timers that drive the sans-IO cores. */
#ifndef PL_DAEMON_H
#define PL_DAEMON_H

#include <glib.h>

#include "server/config.h"

struct pl_daemon_args {
	const char *config_path;
	const char *listen_override; /* "ADDR:PORT" from --listen, or NULL */
};

/* Loads and validates the file, applies --listen. Fills *err with a message naming the key. */
int pl_daemon_load_config(const struct pl_daemon_args *args, struct pl_config *cfg, GError **err);
/* Runs until drained or stopped; returns the process exit status. Takes ownership of *cfg. */
int pl_daemon_run(const struct pl_daemon_args *args, struct pl_config *cfg);

/* JSON bodies served at api/client and api/privacy, derived from the running configuration so
 * the privacy notice cannot drift from what the server does. Newly allocated. */
char *pl_daemon_client_json(const struct pl_config *cfg);
char *pl_daemon_privacy_json(const struct pl_config *cfg);

#endif
