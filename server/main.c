/* plenum: command line, configuration loading and the exit codes admins script against. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "server/config.h"
#include "server/daemon.h"
#include "server/log.h"

#define EXIT_CONFIG 78 /* EX_CONFIG from sysexits.h: configuration error */

static const char *default_config(void)
{
	/* Installed layout first, then the source tree (make run). */
	if (g_file_test("/etc/plenum/plenum.conf", G_FILE_TEST_EXISTS))
		return "/etc/plenum/plenum.conf";
	return PLENUM_SOURCE_DIR "/config/plenum.conf";
}

/* Every websocket, every ICE socket of the media plane and the files of the web client need a
 * descriptor. The usual soft limit of 1024 would cap a server at well under a thousand
 * connections; beyond it accept() fails with EMFILE. The hard limit is what the administrator
 * (systemd's LimitNOFILE, ulimit -Hn) allows, so the soft limit is raised to it before
 * libwebsockets sizes its descriptor table from the soft limit. */
#define PL_NOFILE_CAP ((rlim_t)1 << 20) /* used when the hard limit is unlimited */

static void raise_nofile_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		g_warning("getrlimit(RLIMIT_NOFILE) failed; keeping the file descriptor limit");
		return;
	}
	rlim_t want = rl.rlim_max == RLIM_INFINITY ? PL_NOFILE_CAP : rl.rlim_max;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rlim_t before = rl.rlim_cur;
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			g_warning("file descriptor limit %llu could not be raised to %llu",
			          (unsigned long long)before, (unsigned long long)want);
			return;
		}
		g_info("file descriptor limit raised from %llu to %llu (the hard limit)",
		       (unsigned long long)before, (unsigned long long)want);
		return;
	}
	g_info("file descriptor limit %llu", (unsigned long long)rl.rlim_cur);
}

int main(int argc, char **argv)
{
	gchar *config_path = NULL, *listen = NULL;
	gboolean check = FALSE, version = FALSE;
	GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
	     "Configuration file (default /etc/plenum/plenum.conf, else the source tree's)",
	     "FILE"},
	    {"listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
	     "Listen address, overrides [http] listen (e.g. 127.0.0.1:8080, [::1]:8080)",
	     "ADDR:PORT"},
	    {"check-config", 0, 0, G_OPTION_ARG_NONE, &check,
	     "Validate the configuration, print the effective configuration and exit", NULL},
	    {"version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionContext *octx = g_option_context_new("- self-hosted WebRTC video conferences");
	g_option_context_add_main_entries(octx, entries, NULL);
	g_option_context_set_description(
	    octx, "Signals: SIGHUP reloads the configuration, SIGTERM drains and stops.\n"
	          "Exit status: 0 ok, 1 runtime failure, 2 usage error, 78 configuration error.\n");
	GError *err = NULL;
	if (!g_option_context_parse(octx, &argc, &argv, &err)) {
		fprintf(stderr, "plenum: %s\nTry 'plenum --help'.\n", err->message);
		g_error_free(err);
		g_option_context_free(octx);
		return 2;
	}
	g_option_context_free(octx);
	if (version) {
		printf("plenum %s\n", PLENUM_VERSION);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "plenum: unexpected argument '%s'\nTry 'plenum --help'.\n",
		        argv[1]);
		return 2;
	}

	int rc = 0;
	struct pl_daemon_args args = {
	    .config_path = config_path ? config_path : default_config(),
	    .listen_override = listen,
	};
	struct pl_config cfg;
	if (pl_daemon_load_config(&args, &cfg, &err) != 0) {
		/* GLib's config errors already name the file; others get it prefixed. */
		if (strstr(err->message, args.config_path))
			fprintf(stderr, "plenum: %s\n", err->message);
		else
			fprintf(stderr, "plenum: %s: %s\n", args.config_path, err->message);
		g_error_free(err);
		rc = EXIT_CONFIG;
		goto out;
	}
	if (check) {
		char *text = pl_config_to_string(&cfg);
		printf("# effective configuration (%s)\n%s", args.config_path, text);
		g_free(text);
		pl_config_cleanup(&cfg);
		goto out;
	}
	/* pl_daemon_run initialises the log the same way again; this is only so that the limit is
	 * logged where the rest goes. */
	pl_log_init(cfg.log.target, cfg.log.level);
	raise_nofile_limit();
	rc = pl_daemon_run(&args, &cfg);
	pl_config_cleanup(&cfg);
out:
	g_free(config_path);
	g_free(listen);
	return rc;
}
