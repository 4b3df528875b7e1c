/* Privacy-safe logging through GLib's structured logging (g_log_set_writer_func).
 *
 * One writer for the whole process: to the systemd journal (g_log_writer_journald) or as one
 * compact line per message on stderr:
 *
 *     2025-05-01T10:00:00.123Z plenum[info] plenum: listening on 127.0.0.1:8080
 *
 * (the time stamp can be switched off). Messages more verbose than the configured level are
 * dropped. Log lines name participants by pseudonyms; IP addresses, display names and room names
 * go through pl_log_redact() so they appear only when [log] debug_personal_data is on.
 *
 * Messages of other log domains (GLib, GIO, libnice) pass only at warning or more severe unless
 * personal data is allowed: libnice's debug output is full of candidate IP addresses.
 *
 * The level, the personal-data switch and the sink are process-wide (atomics / a mutex) so any
 * thread may log, and SIGHUP can change the level while workers log. */
#ifndef PL_LOG_H
#define PL_LOG_H

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>

/* Our log domain. CMake defines G_LOG_DOMAIN to the same string for every file, so plain
 * g_info()/g_warning() log under it too; a NULL domain is also treated as ours. */
#define PL_LOG_DOMAIN "plenum"

#define pl_log_error(...)   g_log(PL_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, __VA_ARGS__)
#define pl_log_warning(...) g_log(PL_LOG_DOMAIN, G_LOG_LEVEL_WARNING, __VA_ARGS__)
#define pl_log_info(...)    g_log(PL_LOG_DOMAIN, G_LOG_LEVEL_INFO, __VA_ARGS__)
#define pl_log_debug(...)   g_log(PL_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, __VA_ARGS__)

enum pl_log_target {
	PL_LOG_TARGET_AUTO = 0, /* journal when $JOURNAL_STREAM is set (as under systemd) */
	PL_LOG_TARGET_STDERR,
	PL_LOG_TARGET_JOURNAL,
};

/* Install the writer. level is a threshold G_LOG_LEVEL_ERROR, _WARNING, _INFO or _DEBUG
 * (ERROR also passes CRITICAL, INFO also passes MESSAGE). May be called again. */
void pl_log_init(enum pl_log_target target, GLogLevelFlags level);

/* Change the threshold at run time (SIGHUP); thread-safe. */
void pl_log_set_level(GLogLevelFlags level);
GLogLevelFlags pl_log_get_level(void);

/* [log] debug_personal_data: whether pl_log_redact(pl_log_personal_data(), s) shows s. */
void pl_log_set_personal_data(bool allowed);
bool pl_log_personal_data(void);

/* s when personal data may be logged, else "[redacted]". Never NULL ("(null)" for NULL s). */
const char *pl_log_redact(bool personal_allowed, const char *s);

/* The target actually used for t: AUTO resolves to JOURNAL when $JOURNAL_STREAM is set and
 * non-empty, else STDERR. */
enum pl_log_target pl_log_target_resolve(enum pl_log_target t);

/* Names as used in the configuration file: "error", "warning", "info", "debug" and
 * "auto", "stderr", "journal". from_name returns 0 or PL_EINVAL. */
int pl_log_level_from_name(const char *name, GLogLevelFlags *out);
const char *pl_log_level_name(GLogLevelFlags level);
int pl_log_target_from_name(const char *name, enum pl_log_target *out);
const char *pl_log_target_name(enum pl_log_target t);

/* Prefix stderr lines with an ISO 8601 UTC time stamp (default on). */
void pl_log_set_timestamps(bool on);

/* Tests: write stderr-style lines to f instead of the chosen target (NULL restores). */
void pl_log_set_sink(FILE *f);

/* Whether a message of this level and domain passes the current filter. */
bool pl_log_would_log(GLogLevelFlags level, const char *domain);

/* Format one stderr line (without time stamp, with a trailing '\n') into buf, escaping control
 * characters in the message so hostile input cannot forge log lines. Returns the length that a
 * large enough buffer would need, like snprintf. */
size_t pl_log_format(char *buf, size_t n, GLogLevelFlags level, const char *domain,
                     const char *message);

#endif
