/* Pure helpers of server/http.c: MIME types, request path mapping (traversal refused), the
 * websocket Origin check and trusted-proxy address matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/http.h"

static void test_mime(void **state)
{
	(void)state;
	assert_string_equal(pl_http_mime_type("index.html"), "text/html; charset=utf-8");
	assert_string_equal(pl_http_mime_type("js/app.js"), "text/javascript; charset=utf-8");
	assert_string_equal(pl_http_mime_type("css/app.css"), "text/css; charset=utf-8");
	assert_string_equal(pl_http_mime_type("i18n/de.json"), "application/json; charset=utf-8");
	assert_string_equal(pl_http_mime_type("img/mic.svg"), "image/svg+xml");
	assert_string_equal(pl_http_mime_type("noext"), "application/octet-stream");
	assert_string_equal(pl_http_mime_type("dir.js/file"), "application/octet-stream");
}

static void expect_map(const char *in, const char *out)
{
	char *m = pl_http_map_path(in);
	if (!out) {
		assert_null(m);
		return;
	}
	assert_non_null(m);
	assert_string_equal(m, out);
	free(m);
}

static void test_map_path(void **state)
{
	(void)state;
	expect_map("", "index.html");
	expect_map("r/weekly-team", "index.html");
	expect_map("js/app.js", "js/app.js");
	expect_map("r/a/b", "r/a/b");
	expect_map("../etc/passwd", NULL);
	expect_map("js/../../x", NULL);
	expect_map(".git/config", NULL);
	expect_map("js/.hidden", NULL);
	expect_map("/etc/passwd", NULL);
	expect_map("a//b", NULL);
	expect_map("js/", NULL);
	expect_map("%2e%2e/x", NULL);
	expect_map("a b", NULL);
	char long_path[300];
	memset(long_path, 'a', sizeof long_path - 1);
	long_path[sizeof long_path - 1] = '\0';
	expect_map(long_path, NULL);
}

static void test_origin(void **state)
{
	(void)state;
	char o0[] = "https://meet.example.org";
	char *allowed[] = {o0, NULL};
	char *none[] = {NULL};
	assert_true(pl_http_origin_allowed(allowed, "https://meet.example.org", "x", "http"));
	assert_false(pl_http_origin_allowed(allowed, "https://meet.example.org.evil", "x", "http"));
	assert_false(pl_http_origin_allowed(allowed, "http://meet.example.org", "x", "http"));
	assert_false(pl_http_origin_allowed(allowed, "", "x", "http"));
	assert_false(pl_http_origin_allowed(allowed, NULL, "x", "http"));
	/* Empty list: Origin must be the Host the browser connected to, with the right scheme. */
	assert_true(
	    pl_http_origin_allowed(none, "http://localhost:8080", "localhost:8080", "http"));
	assert_false(
	    pl_http_origin_allowed(none, "http://localhost:8081", "localhost:8080", "http"));
	assert_false(
	    pl_http_origin_allowed(none, "https://localhost:8080", "localhost:8080", "http"));
	assert_true(pl_http_origin_allowed(none, "https://m.example", "m.example", "https"));
	assert_false(pl_http_origin_allowed(none, "http://evil.example", "", "http"));
	assert_false(pl_http_origin_allowed(NULL, "http://a", NULL, "http"));
}

static void test_ip_list(void **state)
{
	(void)state;
	char l0[] = "127.0.0.1", l1[] = "10.0.0.0/8", l2[] = "2001:db8::/32";
	char *list[] = {l0, l1, l2, NULL};
	assert_true(pl_http_ip_in_list(list, "127.0.0.1"));
	assert_false(pl_http_ip_in_list(list, "127.0.0.2"));
	assert_true(pl_http_ip_in_list(list, "10.200.3.4"));
	assert_false(pl_http_ip_in_list(list, "11.0.0.1"));
	assert_true(pl_http_ip_in_list(list, "2001:db8::1"));
	assert_false(pl_http_ip_in_list(list, "2001:db9::1"));
	/* Listening on [::], IPv4 peers (and proxies) arrive as IPv4-mapped addresses. */
	assert_true(pl_http_ip_in_list(list, "::ffff:127.0.0.1"));
	assert_true(pl_http_ip_in_list(list, "::ffff:10.200.3.4"));
	assert_false(pl_http_ip_in_list(list, "::ffff:11.0.0.1"));
	assert_false(pl_http_ip_in_list(list, "::127.0.0.1"));
	assert_false(pl_http_ip_in_list(list, "not-an-ip"));
	assert_false(pl_http_ip_in_list(list, ""));
	assert_false(pl_http_ip_in_list(NULL, "127.0.0.1"));
	char b0[] = "garbage/99";
	char *bad[] = {b0, NULL};
	assert_false(pl_http_ip_in_list(bad, "127.0.0.1"));
}

/* Websockets (one descriptor each: media shares the workers' sockets), the media plane's
 * descriptors and both reserves fit into the limit, and one more websocket would not. */
static void test_connection_budget(void **state)
{
	(void)state;
	const unsigned reserve = PL_HTTP_FD_RESERVE_LWS + PL_HTTP_FD_RESERVE_PROCESS;
	const unsigned long long limits[] = {1024, 20000, 65536, 524288};
	const unsigned media[] = {0, 4, 34};
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		for (size_t j = 0; j < sizeof media / sizeof media[0]; j++) {
			unsigned n = pl_http_connection_budget(limits[i], media[j]);
			unsigned long long used = (unsigned long long)n + media[j] + reserve;
			assert_true(used <= limits[i]);
			assert_true(used + 1 > limits[i]);
		}
	}
	/* Two workers with one address each: a socket and a wake-up descriptor per worker. */
	assert_int_equal(pl_http_connection_budget(20000, 4), 19804);
	assert_int_equal(pl_http_connection_budget(512, 4), 316);
	/* Tiny limits still allow a few; huge ones are capped like the configuration key. */
	assert_int_equal(pl_http_connection_budget(100, 4), 16);
	assert_int_equal(pl_http_connection_budget(1ULL << 40, 4), 1000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mime),
	    cmocka_unit_test(test_map_path),
	    cmocka_unit_test(test_origin),
	    cmocka_unit_test(test_ip_list),
	    cmocka_unit_test(test_connection_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
