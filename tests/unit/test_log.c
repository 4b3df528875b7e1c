/* Unit tests for server/log.c: level filter, foreign-domain privacy filter, line format and
 * escaping, redaction, names. Output goes to a memory sink (open_memstream). */
#include "server/log.h"

#include "media/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char *sink_buf;
static size_t sink_len;
static FILE *sink;

static int setup(void **state)
{
	(void)state;
	sink = open_memstream(&sink_buf, &sink_len);
	if (sink == NULL)
		return -1;
	pl_log_init(PL_LOG_TARGET_STDERR, G_LOG_LEVEL_INFO);
	pl_log_set_timestamps(false);
	pl_log_set_personal_data(false);
	pl_log_set_sink(sink);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pl_log_set_sink(NULL);
	fclose(sink);
	free(sink_buf);
	sink_buf = NULL;
	sink_len = 0;
	return 0;
}

/* Everything written to the sink so far, as a string. */
static const char *output(void)
{
	fflush(sink);
	return sink_buf ? sink_buf : "";
}

static void test_info_line_format(void **state)
{
	(void)state;
	pl_log_info("listening on %s:%u", "127.0.0.1", 8080u);
	assert_string_equal(output(), "plenum[info] plenum: listening on 127.0.0.1:8080\n");
}

static void test_levels_filtered_at_info(void **state)
{
	(void)state;
	pl_log_debug("hidden %d", 1);
	pl_log_info("shown-info");
	pl_log_warning("shown-warning");
	pl_log_error("shown-error");
	assert_string_equal(output(), "plenum[info] plenum: shown-info\n"
	                              "plenum[warning] plenum: shown-warning\n"
	                              "plenum[critical] plenum: shown-error\n");
}

static void test_level_error_drops_warning(void **state)
{
	(void)state;
	pl_log_set_level(G_LOG_LEVEL_ERROR);
	pl_log_info("no");
	pl_log_warning("no");
	pl_log_error("yes");
	assert_string_equal(output(), "plenum[critical] plenum: yes\n");
	assert_int_equal(pl_log_get_level(), G_LOG_LEVEL_ERROR);
}

static void test_level_debug_passes_debug(void **state)
{
	(void)state;
	/* Even without G_MESSAGES_DEBUG: our writer, not GLib's default, decides. */
	g_unsetenv("G_MESSAGES_DEBUG");
	pl_log_set_level(G_LOG_LEVEL_DEBUG);
	pl_log_debug("dbg %d", 42);
	g_log(PL_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "msg");
	assert_string_equal(output(),
	                    "plenum[debug] plenum: dbg 42\nplenum[message] plenum: msg\n");
}

static void test_level_change_live(void **state)
{
	(void)state;
	pl_log_debug("a");
	pl_log_set_level(G_LOG_LEVEL_DEBUG);
	pl_log_debug("b");
	pl_log_set_level(G_LOG_LEVEL_WARNING);
	pl_log_info("c");
	pl_log_warning("d");
	assert_string_equal(output(), "plenum[debug] plenum: b\nplenum[warning] plenum: d\n");
}

static void test_foreign_domain_limited_to_warning(void **state)
{
	(void)state;
	pl_log_set_level(G_LOG_LEVEL_DEBUG);
	g_log("libnice", G_LOG_LEVEL_DEBUG, "candidate 192.0.2.1");
	g_log("libnice", G_LOG_LEVEL_INFO, "info 192.0.2.1");
	g_log("GLib-GIO", G_LOG_LEVEL_WARNING, "gio warns");
	assert_string_equal(output(), "plenum[warning] GLib-GIO: gio warns\n");

	/* With debug_personal_data the administrator asked for everything. */
	pl_log_set_personal_data(true);
	g_log("libnice", G_LOG_LEVEL_DEBUG, "cand");
	assert_string_equal(output(), "plenum[warning] GLib-GIO: gio warns\n"
	                              "plenum[debug] libnice: cand\n");
	/* ...but still not more verbose than the level. */
	pl_log_set_level(G_LOG_LEVEL_INFO);
	g_log("libnice", G_LOG_LEVEL_DEBUG, "cand2");
	assert_string_equal(output(), "plenum[warning] GLib-GIO: gio warns\n"
	                              "plenum[debug] libnice: cand\n");
}

static void test_would_log(void **state)
{
	(void)state;
	pl_log_set_level(G_LOG_LEVEL_WARNING);
	assert_true(pl_log_would_log(G_LOG_LEVEL_CRITICAL, PL_LOG_DOMAIN));
	assert_true(pl_log_would_log(G_LOG_LEVEL_WARNING, NULL));
	assert_false(pl_log_would_log(G_LOG_LEVEL_MESSAGE, PL_LOG_DOMAIN));
	assert_false(pl_log_would_log(G_LOG_LEVEL_INFO, PL_LOG_DOMAIN));
	assert_true(pl_log_would_log(G_LOG_LEVEL_ERROR, "other")); /* fatal: always */
	pl_log_set_level(G_LOG_LEVEL_DEBUG);
	assert_true(pl_log_would_log(G_LOG_LEVEL_DEBUG, ""));
	assert_false(pl_log_would_log(G_LOG_LEVEL_DEBUG, "libnice"));
	assert_true(pl_log_would_log(G_LOG_LEVEL_WARNING, "libnice"));
}

static void test_control_characters_escaped(void **state)
{
	(void)state;
	/* A display name with a newline must not forge a second log line. */
	pl_log_info("name=%s", "Eve\nplenum[info] plenum: fake\r\x1b[31m\\");
	assert_string_equal(
	    output(),
	    "plenum[info] plenum: name=Eve\\nplenum[info] plenum: fake\\r\\x1b[31m\\\\\n");
}

static void test_long_message_not_truncated(void **state)
{
	char big[3000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pl_log_info("%s", big);
	assert_int_equal(strlen(output()), strlen("plenum[info] plenum: ") + 2999 + 1);
}

static void test_timestamp_prefix(void **state)
{
	const char *out;

	(void)state;
	pl_log_set_timestamps(true);
	pl_log_info("t");
	out = output();
	/* 2025-05-01T10:00:00.123Z plenum[info] plenum: t */
	assert_true(g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z "
	                                 "plenum\\[info\\] plenum: t\\n$",
	                                 out, 0, 0));
}

static void test_structured_api(void **state)
{
	(void)state;
	g_log_structured(PL_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "MESSAGE", "structured %d", 7,
	                 "PLENUM_ROOM", "x");
	assert_string_equal(output(), "plenum[warning] plenum: structured 7\n");
}

static void test_format_small_buffer(void **state)
{
	char buf[16];
	size_t need;

	(void)state;
	need = pl_log_format(buf, sizeof(buf), G_LOG_LEVEL_INFO, NULL, "hello\n");
	assert_int_equal(need, strlen("plenum[info] plenum: hello\\n\n"));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf, "plenum[info] pl", 15);
	need = pl_log_format(NULL, 0, G_LOG_LEVEL_DEBUG, "d", "m");
	assert_int_equal(need, strlen("plenum[debug] d: m\n"));
}

static void test_redact(void **state)
{
	(void)state;
	assert_string_equal(pl_log_redact(false, "192.0.2.7"), "[redacted]");
	assert_string_equal(pl_log_redact(true, "192.0.2.7"), "192.0.2.7");
	assert_string_equal(pl_log_redact(true, NULL), "(null)");
	assert_string_equal(pl_log_redact(false, NULL), "[redacted]");
	pl_log_set_personal_data(true);
	assert_true(pl_log_personal_data());
	pl_log_info("peer %s", pl_log_redact(pl_log_personal_data(), "Anna"));
	pl_log_set_personal_data(false);
	pl_log_info("peer %s", pl_log_redact(pl_log_personal_data(), "Anna"));
	assert_string_equal(output(), "plenum[info] plenum: peer Anna\n"
	                              "plenum[info] plenum: peer [redacted]\n");
}

static void test_names(void **state)
{
	GLogLevelFlags l = 0;
	enum pl_log_target t = PL_LOG_TARGET_STDERR;

	(void)state;
	assert_int_equal(pl_log_level_from_name("debug", &l), 0);
	assert_int_equal(l, G_LOG_LEVEL_DEBUG);
	assert_int_equal(pl_log_level_from_name("error", &l), 0);
	assert_int_equal(l, G_LOG_LEVEL_ERROR);
	assert_int_equal(pl_log_level_from_name("Info", &l), PL_EINVAL);
	assert_int_equal(pl_log_level_from_name("critical", &l), PL_EINVAL);
	assert_int_equal(pl_log_level_from_name(NULL, &l), PL_EINVAL);
	assert_string_equal(pl_log_level_name(G_LOG_LEVEL_WARNING), "warning");
	assert_string_equal(pl_log_level_name(G_LOG_LEVEL_CRITICAL), "error");
	assert_string_equal(pl_log_level_name(G_LOG_LEVEL_MESSAGE), "info");
	assert_int_equal(pl_log_target_from_name("journal", &t), 0);
	assert_int_equal(t, PL_LOG_TARGET_JOURNAL);
	assert_int_equal(pl_log_target_from_name("syslog", &t), PL_EINVAL);
	assert_string_equal(pl_log_target_name(PL_LOG_TARGET_AUTO), "auto");
	assert_string_equal(pl_log_target_name(PL_LOG_TARGET_STDERR), "stderr");
}

static void test_target_resolve(void **state)
{
	(void)state;
	g_setenv("JOURNAL_STREAM", "8:12345", TRUE);
	assert_int_equal(pl_log_target_resolve(PL_LOG_TARGET_AUTO), PL_LOG_TARGET_JOURNAL);
	assert_int_equal(pl_log_target_resolve(PL_LOG_TARGET_STDERR), PL_LOG_TARGET_STDERR);
	g_setenv("JOURNAL_STREAM", "", TRUE);
	assert_int_equal(pl_log_target_resolve(PL_LOG_TARGET_AUTO), PL_LOG_TARGET_STDERR);
	g_unsetenv("JOURNAL_STREAM");
	assert_int_equal(pl_log_target_resolve(PL_LOG_TARGET_AUTO), PL_LOG_TARGET_STDERR);
	assert_int_equal(pl_log_target_resolve(PL_LOG_TARGET_JOURNAL), PL_LOG_TARGET_JOURNAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_info_line_format, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_levels_filtered_at_info, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_level_error_drops_warning, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_level_debug_passes_debug, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_level_change_live, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_domain_limited_to_warning, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_would_log, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_control_characters_escaped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_message_not_truncated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timestamp_prefix, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_structured_api, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_format_small_buffer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_redact, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_target_resolve, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
