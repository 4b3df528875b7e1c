/* The process-wide log writer: level filter, privacy filter for other domains, journald or one
 * escaped line per message on stderr. See log.h. */
#include "server/log.h"

#include "media/error.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Process-wide state: the writer is called from any thread, so the level and switches are
 * atomics and the sink is guarded by a mutex (one line is written under it, so lines of two
 * threads never interleave). */
static gint log_level = G_LOG_LEVEL_INFO;
static gint log_personal = 0;
static gint log_timestamps = 1;
static gint log_target = PL_LOG_TARGET_STDERR;
static GMutex log_lock;
static FILE *log_sink; /* tests; NULL = the target */

/* Severity rank: 0 error, 1 warning, 2 info, 3 debug. CRITICAL counts as an error (GLib's
 * g_error aborts, so our errors use CRITICAL) and MESSAGE as info. */
static int level_rank(GLogLevelFlags level)
{
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		return 0;
	if (level & G_LOG_LEVEL_WARNING)
		return 1;
	if (level & G_LOG_LEVEL_DEBUG)
		return 3;
	return 2;
}

static const char *level_word(GLogLevelFlags level)
{
	if (level & G_LOG_LEVEL_ERROR)
		return "error";
	if (level & G_LOG_LEVEL_CRITICAL)
		return "critical";
	if (level & G_LOG_LEVEL_WARNING)
		return "warning";
	if (level & G_LOG_LEVEL_MESSAGE)
		return "message";
	if (level & G_LOG_LEVEL_INFO)
		return "info";
	if (level & G_LOG_LEVEL_DEBUG)
		return "debug";
	return "log";
}

static bool domain_is_ours(const char *domain)
{
	return domain == NULL || domain[0] == '\0' || strcmp(domain, PL_LOG_DOMAIN) == 0;
}

bool pl_log_would_log(GLogLevelFlags level, const char *domain)
{
	int rank = level_rank(level);
	int limit = level_rank((GLogLevelFlags)g_atomic_int_get(&log_level));

	if (level & (G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL))
		return true; /* the process is about to abort: always say why */
	if (!domain_is_ours(domain) && !g_atomic_int_get(&log_personal) && limit > 1)
		limit = 1; /* foreign info/debug output may hold IP addresses */
	return rank <= limit;
}

/* Appends s to buf (capacity n, current length *len) escaping control characters; *len keeps
 * counting past n so the caller learns the size needed. */
static void append_escaped(char *buf, size_t n, size_t *len, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char tmp[5];
		const char *out = tmp;
		size_t k;

		if (*p == '\n')
			out = "\\n";
		else if (*p == '\r')
			out = "\\r";
		else if (*p == '\\')
			out = "\\\\";
		else if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			snprintf(tmp, sizeof(tmp), "\\x%02x", *p);
		else {
			tmp[0] = (char)*p;
			tmp[1] = '\0';
		}
		k = strlen(out);
		if (*len + k < n)
			memcpy(buf + *len, out, k);
		*len += k;
	}
}

size_t pl_log_format(char *buf, size_t n, GLogLevelFlags level, const char *domain,
                     const char *message)
{
	int head;
	size_t len;

	if (domain == NULL || domain[0] == '\0')
		domain = PL_LOG_DOMAIN;
	head = snprintf(buf, n, "plenum[%s] %s: ", level_word(level), domain);
	len = head < 0 ? 0 : (size_t)head;
	append_escaped(buf, n, &len, message ? message : "(null)");
	if (len + 1 < n)
		buf[len] = '\n';
	len++;
	if (n > 0)
		buf[len < n ? len : n - 1] = '\0';
	return len;
}

static void write_line(FILE *f, GLogLevelFlags level, const char *domain, const char *message)
{
	char stack[1024];
	char *line = stack;
	size_t need = pl_log_format(stack, sizeof(stack), level, domain, message);
	char stamp[40] = "";

	if (need >= sizeof(stack)) {
		line = g_malloc(need + 1);
		pl_log_format(line, need + 1, level, domain, message);
	}
	if (g_atomic_int_get(&log_timestamps)) {
		gint64 now = g_get_real_time(); /* microseconds since the epoch */
		time_t secs = (time_t)(now / G_USEC_PER_SEC);
		struct tm tm;

		if (gmtime_r(&secs, &tm) != NULL) {
			size_t k = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
			snprintf(stamp + k, sizeof(stamp) - k, ".%03dZ ",
			         (int)(now % G_USEC_PER_SEC / 1000));
		}
	}
	fprintf(f, "%s%s", stamp, line);
	fflush(f);
	if (line != stack)
		g_free(line);
}

static GLogWriterOutput pl_log_writer(GLogLevelFlags level, const GLogField *fields, gsize n,
                                      gpointer user_data)
{
	const char *domain = NULL;
	const char *message = NULL;
	char *owned_domain = NULL, *owned_message = NULL;
	GLogWriterOutput ret = G_LOG_WRITER_HANDLED;

	(void)user_data;
	for (gsize i = 0; i < n; i++) {
		const char *key = fields[i].key;
		const char **slot = NULL;
		char **owned = NULL;

		if (strcmp(key, "GLIB_DOMAIN") == 0 && domain == NULL) {
			slot = &domain;
			owned = &owned_domain;
		} else if (strcmp(key, "MESSAGE") == 0 && message == NULL) {
			slot = &message;
			owned = &owned_message;
		} else {
			continue;
		}
		/* length -1 means NUL-terminated; otherwise the value is not terminated. */
		if (fields[i].length < 0)
			*slot = fields[i].value;
		else
			*slot = *owned = g_strndup(fields[i].value, (gsize)fields[i].length);
	}
	if (!pl_log_would_log(level, domain))
		goto out;

	g_mutex_lock(&log_lock);
	if (log_sink != NULL) {
		write_line(log_sink, level, domain, message);
	} else if (g_atomic_int_get(&log_target) == PL_LOG_TARGET_JOURNAL &&
	           g_log_writer_journald(level, fields, n, NULL) == G_LOG_WRITER_HANDLED) {
		/* written */
	} else {
		write_line(stderr, level, domain, message);
	}
	g_mutex_unlock(&log_lock);
out:
	g_free(owned_domain);
	g_free(owned_message);
	return ret;
}

enum pl_log_target pl_log_target_resolve(enum pl_log_target t)
{
	const char *js;

	if (t != PL_LOG_TARGET_AUTO)
		return t;
	js = getenv("JOURNAL_STREAM");
	return js != NULL && js[0] != '\0' ? PL_LOG_TARGET_JOURNAL : PL_LOG_TARGET_STDERR;
}

void pl_log_init(enum pl_log_target target, GLogLevelFlags level)
{
	static gsize installed;

	g_atomic_int_set(&log_target, (gint)pl_log_target_resolve(target));
	pl_log_set_level(level);
	/* GLib allows setting the writer only once per process. */
	if (g_once_init_enter(&installed)) {
		g_log_set_writer_func(pl_log_writer, NULL, NULL);
		g_once_init_leave(&installed, 1);
	}
}

void pl_log_set_level(GLogLevelFlags level)
{
	g_atomic_int_set(&log_level, (gint)(level & G_LOG_LEVEL_MASK));
}

GLogLevelFlags pl_log_get_level(void)
{
	return (GLogLevelFlags)g_atomic_int_get(&log_level);
}

void pl_log_set_personal_data(bool allowed)
{
	g_atomic_int_set(&log_personal, allowed ? 1 : 0);
}

bool pl_log_personal_data(void)
{
	return g_atomic_int_get(&log_personal) != 0;
}

const char *pl_log_redact(bool personal_allowed, const char *s)
{
	if (!personal_allowed)
		return "[redacted]";
	return s != NULL ? s : "(null)";
}

void pl_log_set_timestamps(bool on)
{
	g_atomic_int_set(&log_timestamps, on ? 1 : 0);
}

void pl_log_set_sink(FILE *f)
{
	g_mutex_lock(&log_lock);
	log_sink = f;
	g_mutex_unlock(&log_lock);
}

static const struct {
	const char *name;
	GLogLevelFlags level;
} level_names[] = {
    {"error", G_LOG_LEVEL_ERROR},
    {"warning", G_LOG_LEVEL_WARNING},
    {"info", G_LOG_LEVEL_INFO},
    {"debug", G_LOG_LEVEL_DEBUG},
};

static const char *const target_names[] = {
    [PL_LOG_TARGET_AUTO] = "auto",
    [PL_LOG_TARGET_STDERR] = "stderr",
    [PL_LOG_TARGET_JOURNAL] = "journal",
};

int pl_log_level_from_name(const char *name, GLogLevelFlags *out)
{
	for (size_t i = 0; name != NULL && i < G_N_ELEMENTS(level_names); i++) {
		if (strcmp(name, level_names[i].name) == 0) {
			*out = level_names[i].level;
			return 0;
		}
	}
	return PL_EINVAL;
}

const char *pl_log_level_name(GLogLevelFlags level)
{
	return level_names[level_rank(level)].name;
}

int pl_log_target_from_name(const char *name, enum pl_log_target *out)
{
	for (size_t i = 0; name != NULL && i < G_N_ELEMENTS(target_names); i++) {
		if (strcmp(name, target_names[i]) == 0) {
			*out = (enum pl_log_target)i;
			return 0;
		}
	}
	return PL_EINVAL;
}

const char *pl_log_target_name(enum pl_log_target t)
{
	if ((unsigned)t >= G_N_ELEMENTS(target_names))
		return "auto";
	return target_names[t];
}
