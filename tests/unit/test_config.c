/* Unit tests for server/config.c: defaults, the shipped config/plenum.conf, every validation
 * error (message names key, value and what is allowed), unknown names, listen parsing, CIDR
 * matching, base_path normalisation, to_string round trips and the restart diff. */
#include "server/config.h"

#include "media/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

/* Loads ini into *c; asserts success. */
static void load_ok(const char *ini, struct pl_config *c)
{
	GError *e = NULL;
	int rc = pl_config_load_data(ini, strlen(ini), c, &e);

	if (rc != 0)
		fail_msg("unexpected error for <<%s>>: %s", ini, e ? e->message : "?");
	assert_null(e);
}

/* Loading ini must fail with a message equal to want (or containing it, when contains). */
static void load_fails(const char *ini, const char *want, bool contains)
{
	struct pl_config c;
	GError *e = NULL;
	int rc;

	memset(&c, 0x5a, sizeof(c)); /* must stay untouched */
	rc = pl_config_load_data(ini, strlen(ini), &c, &e);
	if (rc == 0)
		fail_msg("<<%s>> loaded but should fail with: %s", ini, want);
	assert_int_equal(rc, PL_EINVAL);
	assert_non_null(e);
	assert_true(e->domain == PL_CONFIG_ERROR);
	assert_int_equal(e->code, -PL_EINVAL);
	if (contains ? strstr(e->message, want) == NULL : strcmp(e->message, want) != 0)
		fail_msg("for <<%s>>\n got: %s\nwant: %s", ini, e->message, want);
	assert_int_equal(((unsigned char *)&c)[0], 0x5a);
	assert_int_equal(((unsigned char *)&c)[sizeof(c) - 1], 0x5a);
	g_error_free(e);
}

static void test_defaults(void **state)
{
	struct pl_config c;

	(void)state;
	pl_config_defaults(&c);
	assert_string_equal(c.http.listen, "127.0.0.1:8080");
	assert_string_equal(c.http.listen_host, "127.0.0.1");
	assert_int_equal(c.http.listen_port, 8080);
	assert_string_equal(c.http.base_path, "/");
	assert_non_null(c.http.trusted_proxies);
	assert_null(c.http.trusted_proxies[0]);
	assert_int_equal(c.http.n_proxy_masks, 0);
	assert_null(c.http.allowed_origins[0]);
	assert_string_equal(c.http.tls_cert, "");
	assert_string_equal(c.http.tls_key, "");
	assert_string_equal(c.http.web_root, "");
	assert_int_equal(c.http.drain_timeout, 30);
	assert_int_equal(c.http.ping_interval, 20);
	assert_int_equal(c.http.idle_timeout, 60);
	assert_int_equal(c.rooms.max_rooms, 100);
	assert_int_equal(c.rooms.max_participants, 50);
	assert_int_equal(c.rooms.max_name_length, 64);
	assert_int_equal(c.rooms.max_room_length, 64);
	assert_int_equal(c.rooms.max_chat_length, 2000);
	assert_int_equal(c.rooms.join_timeout, 10);
	assert_int_equal(c.rooms.messages_per_second, 20);
	assert_int_equal(c.rooms.message_burst, 40);
	assert_int_equal(c.media.workers, 0);
	assert_int_equal(c.media.udp_port_min, 0);
	assert_int_equal(c.media.udp_port_max, 0);
	assert_null(c.media.addresses[0]);
	assert_string_equal(c.media.public_ip, "");
	assert_null(c.media.ice_servers[0]);
	assert_int_equal(g_strv_length(c.media.srtp_profiles), 2);
	assert_string_equal(c.media.srtp_profiles[0], "aes-gcm");
	assert_string_equal(c.media.srtp_profiles[1], "aes-cm");
	assert_int_equal(c.media.dtls_timeout, 10);
	assert_int_equal(c.media.max_ssrcs_per_transport, 32);
	assert_int_equal(c.media.video_bitrate_max, 2500);
	assert_false(c.client.camera_on_join);
	assert_false(c.client.microphone_on_join);
	assert_int_equal(c.log.level, G_LOG_LEVEL_INFO);
	assert_int_equal(c.log.target, PL_LOG_TARGET_AUTO);
	assert_false(c.log.debug_personal_data);
	pl_config_cleanup(&c);
	pl_config_cleanup(&c); /* twice is harmless */
}

static void test_empty_file_is_defaults(void **state)
{
	struct pl_config d, c;

	(void)state;
	pl_config_defaults(&d);
	load_ok("", &c);
	assert_true(pl_config_equal(&c, &d));
	pl_config_cleanup(&c);
	load_ok("# only a comment\n\n[rooms]\n", &c);
	assert_true(pl_config_equal(&c, &d));
	pl_config_cleanup(&c);
	pl_config_cleanup(&d);
}

static void test_shipped_file_is_defaults(void **state)
{
	const char *src = getenv("PLENUM_SOURCE_DIR");
	char *path;
	struct pl_config d, c;
	GError *e = NULL;
	GString *diff = g_string_new(NULL);

	(void)state;
	path = g_build_filename(src ? src : PLENUM_SOURCE_DIR, "config", "plenum.conf", NULL);
	pl_config_defaults(&d);
	if (pl_config_load(path, &c, &e) != 0)
		fail_msg("%s", e->message);
	assert_true(pl_config_equal(&c, &d));
	pl_config_diff_restart_keys(&c, &d, diff);
	assert_string_equal(diff->str, "");
	/* Every key is present in the shipped file, set (not commented out). */
	{
		GKeyFile *kf = g_key_file_new();
		char *text = pl_config_to_string(&d);
		char **groups;

		assert_true(g_key_file_load_from_data(kf, text, strlen(text), 0, NULL));
		groups = g_key_file_get_groups(kf, NULL);
		for (size_t i = 0; groups[i]; i++) {
			char **keys = g_key_file_get_keys(kf, groups[i], NULL, NULL);
			GKeyFile *shipped = g_key_file_new();

			assert_true(g_key_file_load_from_file(shipped, path, 0, NULL));
			for (size_t j = 0; keys[j]; j++) {
				if (!g_key_file_has_key(shipped, groups[i], keys[j], NULL))
					fail_msg("[%s] %s missing from plenum.conf", groups[i],
					         keys[j]);
			}
			g_key_file_free(shipped);
			g_strfreev(keys);
		}
		g_strfreev(groups);
		g_free(text);
		g_key_file_free(kf);
	}
	g_string_free(diff, TRUE);
	pl_config_cleanup(&c);
	pl_config_cleanup(&d);
	g_free(path);
}

static void test_load_values(void **state)
{
	struct pl_config c;

	(void)state;
	load_ok("[http]\nlisten = [::]:443\nbase_path = /meet\n"
	        "trusted_proxies = 127.0.0.1; 10.0.0.0/8 ;;\n"
	        "allowed_origins = https://Meet.Example.org;http://localhost:8080\n"
	        "drain_timeout = 0\nping_interval=55\nidle_timeout=3600\n"
	        "[rooms]\nmax_rooms=100000\nmax_participants=2\nmax_name_length=256\n"
	        "max_room_length=8\nmax_chat_length=10000\njoin_timeout=120\n"
	        "messages_per_second=1000\nmessage_burst=1\n"
	        "[media]\nworkers=64\nudp_port_min=40000\nudp_port_max=40999\n"
	        "addresses=192.0.2.10;2001:DB8::10\npublic_ip=203.0.113.5\n"
	        "ice_servers=stun:stun.example.org:3478;turn:turn.example.org?transport=tcp\n"
	        "srtp_profiles=aes-cm\ndtls_timeout=60\n"
	        "max_ssrcs_per_transport=256\nvideo_bitrate_max=100\n"
	        "[client]\ncamera_on_join=true\nmicrophone_on_join = true \n"
	        "[log]\nlevel=debug\ntarget=journal\ndebug_personal_data=true\n",
	        &c);
	assert_string_equal(c.http.listen, "[::]:443");
	assert_string_equal(c.http.listen_host, "::");
	assert_int_equal(c.http.listen_port, 443);
	assert_string_equal(c.http.base_path, "/meet/");
	assert_int_equal(g_strv_length(c.http.trusted_proxies), 2);
	assert_string_equal(c.http.trusted_proxies[1], "10.0.0.0/8");
	assert_int_equal(c.http.n_proxy_masks, 2);
	assert_string_equal(c.http.allowed_origins[0], "https://meet.example.org");
	assert_string_equal(c.http.allowed_origins[1], "http://localhost:8080");
	assert_int_equal(c.http.drain_timeout, 0);
	assert_int_equal(c.http.ping_interval, 55);
	assert_int_equal(c.http.idle_timeout, 3600);
	assert_int_equal(c.rooms.max_rooms, 100000);
	assert_int_equal(c.rooms.max_participants, 2);
	assert_int_equal(c.rooms.message_burst, 1);
	assert_int_equal(c.media.workers, 64);
	assert_int_equal(c.media.udp_port_min, 40000);
	assert_int_equal(c.media.udp_port_max, 40999);
	assert_string_equal(c.media.addresses[1], "2001:db8::10"); /* normalised */
	assert_string_equal(c.media.public_ip, "203.0.113.5");
	assert_int_equal(g_strv_length(c.media.ice_servers), 2);
	assert_int_equal(g_strv_length(c.media.srtp_profiles), 1);
	assert_string_equal(c.media.srtp_profiles[0], "aes-cm");
	assert_int_equal(c.media.video_bitrate_max, 100);
	assert_true(c.client.camera_on_join);
	assert_true(c.client.microphone_on_join);
	assert_int_equal(c.log.level, G_LOG_LEVEL_DEBUG);
	assert_int_equal(c.log.target, PL_LOG_TARGET_JOURNAL);
	assert_true(c.log.debug_personal_data);
	pl_config_cleanup(&c);
}

static void test_int_errors(void **state)
{
	static const struct {
		const char *ini, *msg;
	} cases[] = {
	    {"[rooms]\nmax_participants = abc\n",
	     "[rooms] max_participants = \"abc\": expected an integer from 2 to 1000"},
	    {"[rooms]\nmax_participants = 1\n",
	     "[rooms] max_participants = \"1\": expected an integer from 2 to 1000"},
	    {"[rooms]\nmax_participants = 1001\n",
	     "[rooms] max_participants = \"1001\": expected an integer from 2 to 1000"},
	    {"[rooms]\nmax_rooms = 0\n",
	     "[rooms] max_rooms = \"0\": expected an integer from 1 to 100000"},
	    {"[rooms]\nmax_name_length = 12x\n",
	     "[rooms] max_name_length = \"12x\": expected an integer from 1 to 256"},
	    {"[rooms]\nmax_room_length = 7\n",
	     "[rooms] max_room_length = \"7\": expected an integer from 8 to 128"},
	    {"[rooms]\nmax_chat_length = 10001\n",
	     "[rooms] max_chat_length = \"10001\": expected an integer from 1 to 10000"},
	    {"[rooms]\njoin_timeout = 0\n",
	     "[rooms] join_timeout = \"0\": expected an integer from 1 to 120"},
	    {"[rooms]\nmessages_per_second = -5\n",
	     "[rooms] messages_per_second = \"-5\": expected an integer from 1 to 1000"},
	    {"[rooms]\nmessage_burst = 0x10\n",
	     "[rooms] message_burst = \"0x10\": expected an integer from 1 to 10000"},
	    {"[http]\ndrain_timeout = 3601\n",
	     "[http] drain_timeout = \"3601\": expected an integer from 0 to 3600"},
	    {"[http]\nping_interval = 4\n",
	     "[http] ping_interval = \"4\": expected an integer from 5 to 55"},
	    {"[http]\nidle_timeout = 9\n",
	     "[http] idle_timeout = \"9\": expected an integer from 10 to 3600"},
	    {"[media]\nworkers = 65\n",
	     "[media] workers = \"65\": expected an integer from 0 to 64"},
	    {"[media]\ndtls_timeout = 0\n",
	     "[media] dtls_timeout = \"0\": expected an integer from 1 to 60"},
	    {"[media]\nmax_ssrcs_per_transport = 257\n",
	     "[media] max_ssrcs_per_transport = \"257\": expected an integer from 1 to 256"},
	    {"[media]\nvideo_bitrate_max = 99\n",
	     "[media] video_bitrate_max = \"99\": expected an integer from 100 to 20000"},
	    {"[media]\nudp_port_min = 70000\n",
	     "[media] udp_port_min = \"70000\": expected an integer from 0 to 65535"},
	    {"[rooms]\nmax_rooms = 99999999999999999999\n",
	     "[rooms] max_rooms = \"99999999999999999999\": expected an integer from 1 to 100000"},
	    {"[rooms]\nmax_rooms =\n", "[rooms] max_rooms = \"\": expected an integer from 1 to "
	                               "100000"},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		load_fails(cases[i].ini, cases[i].msg, false);
}

static void test_enum_bool_errors(void **state)
{
	(void)state;
	load_fails("[client]\ncamera_on_join = yes\n",
	           "[client] camera_on_join = \"yes\": expected true or false", false);
	load_fails("[log]\ndebug_personal_data = 1\n",
	           "[log] debug_personal_data = \"1\": expected true or false", false);
	load_fails("[log]\nlevel = verbose\n",
	           "[log] level = \"verbose\": expected one of error, warning, info, debug", false);
	load_fails("[log]\nlevel = INFO\n", "[log] level = \"INFO\": expected one of", true);
	load_fails("[log]\ntarget = syslog\n",
	           "[log] target = \"syslog\": expected one of auto, stderr, journal", false);
}

static void test_unknown_names(void **state)
{
	(void)state;
	load_fails("[rooms]\nmax_participant = 10\n",
	           "unknown key [rooms] max_participant; valid keys in [rooms]: max_rooms, "
	           "max_participants, max_name_length, max_room_length, max_chat_length, "
	           "join_timeout, messages_per_second, message_burst",
	           false);
	load_fails("[room]\nmax_participants = 10\n",
	           "unknown group [room]; valid groups: [http], [rooms], [media], [client], [log]",
	           false);
	/* A localised key is not a key Plenum knows either. */
	load_fails("[http]\nlisten[de] = 127.0.0.1:80\n", "unknown key [http] listen[de]", true);
	/* Removed: libnice's consent and keepalive timers are fixed (see config/plenum.conf). */
	load_fails("[media]\nconsent_timeout = 30\n", "unknown key [media] consent_timeout", true);
	/* Keys outside any group are a syntax error of the key file. */
	load_fails("listen = 1.2.3.4:80\n", "not an INI file", true);
	load_fails("[http\n", "not an INI file", true);
	load_fails("just words\n", "not an INI file", true);
}

static void test_input_limits(void **state)
{
	GString *s = g_string_new("[http]\ntrusted_proxies = ");
	char nul[] = "[http]\nlisten = 1.2.3.4:80\0\n";
	struct pl_config c;
	GError *e = NULL;
	char *big;

	(void)state;
	for (int i = 0; i < 65; i++)
		g_string_append_printf(s, "10.0.%d.0/24;", i);
	load_fails(s->str, "expected at most 64 items", true);
	g_string_free(s, TRUE);

	assert_int_equal(pl_config_load_data(nul, sizeof(nul) - 1, &c, &e), PL_EINVAL);
	assert_non_null(strstr(e->message, "NUL"));
	g_clear_error(&e);

	big = g_malloc0(PL_CONFIG_MAX_FILE_SIZE + 1);
	memset(big, '#', PL_CONFIG_MAX_FILE_SIZE + 1);
	assert_int_equal(pl_config_load_data(big, PL_CONFIG_MAX_FILE_SIZE + 1, &c, &e), PL_EINVAL);
	assert_non_null(strstr(e->message, "larger than"));
	g_clear_error(&e);
	g_free(big);
}

static void test_load_file_errors(void **state)
{
	struct pl_config c;
	GError *e = NULL;
	char *dir, *path;

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(pl_config_load("/nonexistent/plenum.conf", &c, &e), PL_EIO);
	assert_int_equal(e->code, -PL_EIO);
	assert_non_null(strstr(e->message, "/nonexistent/plenum.conf: "));
	assert_int_equal(((unsigned char *)&c)[0], 0x5a);
	g_clear_error(&e);

	/* A bad value in a file: the message starts with the path. */
	dir = g_dir_make_tmp("plenum-cfg-XXXXXX", NULL);
	assert_non_null(dir);
	path = g_build_filename(dir, "bad.conf", NULL);
	assert_true(g_file_set_contents(path, "[rooms]\nmax_participants = abc\n", -1, NULL));
	assert_int_equal(pl_config_load(path, &c, &e), PL_EINVAL);
	{
		char *want = g_strdup_printf("%s: [rooms] max_participants = \"abc\": expected an "
		                             "integer from 2 to 1000",
		                             path);
		assert_string_equal(e->message, want);
		g_free(want);
	}
	g_clear_error(&e);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

static void test_parse_listen(void **state)
{
	static const struct {
		const char *in, *host;
		unsigned port;
	} good[] = {
	    {"127.0.0.1:8080", "127.0.0.1", 8080},
	    {"0.0.0.0:1", "0.0.0.0", 1},
	    {"[::1]:8080", "::1", 8080},
	    {"[::]:65535", "::", 65535},
	    {"[0:0::1]:80", "::1", 80},
	    {"[2001:DB8::1]:443", "2001:db8::1", 443},
	};
	static const struct {
		const char *in, *why;
	} bad[] = {
	    {"8080", "missing address or port"},
	    {"127.0.0.1", "missing address or port"},
	    {"127.0.0.1:", "bad port \"\""},
	    {"127.0.0.1:0", "bad port \"0\""},
	    {"127.0.0.1:65536", "bad port \"65536\""},
	    {"127.0.0.1:80x", "bad port \"80x\""},
	    {"127.0.0.1:-1", "bad port \"-1\""},
	    {"::1:8080", "IPv6 addresses must be in brackets"},
	    {"[::1]8080", "missing ':PORT' after ']'"},
	    {"[::1:8080", "missing ']'"},
	    {"[127.0.0.1]:80", "\"127.0.0.1\" is not an IPv6 address"},
	    {"localhost:8080", "\"localhost\" is not an IPv4 address"},
	    {"*:8080", "\"*\" is not an IPv4 address"},
	    {"[fe80::1%eth0]:80", "is not an IPv6 address"},
	    {"", "missing address or port"},
	};
	char *host = NULL;
	unsigned port = 0;
	GError *e = NULL;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		if (pl_config_parse_listen(good[i].in, &host, &port, &e) != 0)
			fail_msg("%s: %s", good[i].in, e->message);
		assert_string_equal(host, good[i].host);
		assert_int_equal(port, good[i].port);
		g_free(host);
		host = NULL;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		assert_int_equal(pl_config_parse_listen(bad[i].in, &host, &port, &e), PL_EINVAL);
		assert_null(host);
		if (strstr(e->message, bad[i].why) == NULL)
			fail_msg("%s: got %s", bad[i].in, e->message);
		assert_non_null(strstr(e->message, "expected ADDR:PORT"));
		g_clear_error(&e);
	}
	assert_int_equal(pl_config_parse_listen(NULL, &host, &port, NULL), PL_EINVAL);

	/* In a file: the message names the key and value; the value is normalised. */
	load_fails("[http]\nlisten = 8080\n",
	           "[http] listen = \"8080\": missing address or port: expected ADDR:PORT", true);
	{
		struct pl_config c;

		load_ok("[http]\nlisten=[0::1]:9000\n", &c);
		assert_string_equal(c.http.listen, "[::1]:9000");
		assert_string_equal(c.http.listen_host, "::1");
		assert_int_equal(c.http.listen_port, 9000);
		pl_config_cleanup(&c);
	}
}

static void test_base_path(void **state)
{
	static const struct {
		const char *in, *out;
	} good[] = {
	    {"/", "/"},
	    {"/meet", "/meet/"},
	    {"/meet/", "/meet/"},
	    {"/a/b", "/a/b/"},
	    {"/a-b_c.d~e/", "/a-b_c.d~e/"},
	    {" /x ", "/x/"},
	};
	static const char *const bad[] = {"meet", "meet/", "/me et/", "/a//b/", "//",
	                                  "/../", "/a/./", "/%2e/",   "/a?b",   "/ä/"};
	struct pl_config c;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		char *ini = g_strdup_printf("[http]\nbase_path = %s\n", good[i].in);

		load_ok(ini, &c);
		assert_string_equal(c.http.base_path, good[i].out);
		pl_config_cleanup(&c);
		g_free(ini);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *ini = g_strdup_printf("[http]\nbase_path = %s\n", bad[i]);
		char *want = g_strdup_printf("[http] base_path = \"%s\": expected ", bad[i]);

		load_fails(ini, want, true);
		g_free(want);
		g_free(ini);
	}
	load_fails("[http]\nbase_path =\n",
	           "[http] base_path = \"\": expected a path starting with '/'", true);
}

static void test_origins(void **state)
{
	static const char *const bad[] = {
	    "https://x/",      "https://x/meet", "ftp://x",     "https://x:0", "https://x:65536",
	    "https://",        "meet.example",   "https://x?a", "https://u@x", "https://[::1",
	    "https://[zz]:80", "https://x y",    "*",
	};
	struct pl_config c;

	(void)state;
	load_ok("[http]\nallowed_origins = HTTPS://Meet.Example.ORG;https://[::1]:8443;"
	        "http://127.0.0.1:8080\n",
	        &c);
	assert_string_equal(c.http.allowed_origins[0], "https://meet.example.org");
	assert_string_equal(c.http.allowed_origins[1], "https://[::1]:8443");
	assert_string_equal(c.http.allowed_origins[2], "http://127.0.0.1:8080");
	pl_config_cleanup(&c);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *ini =
		    g_strdup_printf("[http]\nallowed_origins = https://ok.example;%s\n", bad[i]);
		char *want =
		    g_strdup_printf("[http] allowed_origins = \"https://ok.example;%s\": ", bad[i]);

		load_fails(ini, want, true);
		load_fails(ini, "expected http://HOST[:PORT] or https://HOST[:PORT]", true);
		g_free(want);
		g_free(ini);
	}
	load_fails("[http]\nallowed_origins = https://x/\n", "not even a trailing '/'", true);
	load_fails("[http]\nallowed_origins = https://a.example;https://A.example\n",
	           "\"https://a.example\" is listed twice", true);
}

static void test_ip_lists(void **state)
{
	struct pl_config c;

	(void)state;
	load_fails("[media]\naddresses = 10.0.0.1,10.0.0.2\n",
	           "[media] addresses = \"10.0.0.1,10.0.0.2\": \"10.0.0.1,10.0.0.2\" is not an IP "
	           "address (separate list items with ';'); expected e.g. 192.0.2.10 or "
	           "2001:db8::10",
	           false);
	load_fails("[media]\naddresses = 10.0.0.1;eth0\n", "\"eth0\" is not an IP address", true);
	load_fails("[media]\naddresses = 256.0.0.1\n", "\"256.0.0.1\" is not an IP address", true);
	load_fails("[media]\npublic_ip = example.org\n",
	           "[media] public_ip = \"example.org\": \"example.org\" is not an IP address",
	           true);
	load_fails("[media]\npublic_ip = 10.0.0.0/8\n", "is not an IP address", true);
	load_ok("[media]\npublic_ip = 2001:db8:0:0::5\naddresses = 192.0.2.1\n", &c);
	assert_string_equal(c.media.public_ip, "2001:db8::5");
	assert_string_equal(c.media.addresses[0], "192.0.2.1");
	assert_null(c.media.addresses[1]);
	pl_config_cleanup(&c);
}

static void test_ice_servers_and_srtp(void **state)
{
	struct pl_config c;

	(void)state;
	load_fails(
	    "[media]\nice_servers = https://stun.example.org\n",
	    "[media] ice_servers = \"https://stun.example.org\": \"https://stun.example.org\" "
	    "is not a STUN or TURN URL; expected stun:",
	    true);
	load_fails("[media]\nice_servers = stun:\n", "is not a STUN or TURN URL", true);
	load_fails("[media]\nice_servers = stun:a b\n", "has a bad character", true);
	load_fails("[media]\nsrtp_profiles = aes-ctr\n",
	           "[media] srtp_profiles = \"aes-ctr\": \"aes-ctr\" is not an SRTP profile; "
	           "expected aes-gcm and/or aes-cm, in order of preference",
	           false);
	load_fails("[media]\nsrtp_profiles =\n",
	           "[media] srtp_profiles = \"\": expected at least one of aes-gcm, aes-cm", false);
	load_fails("[media]\nsrtp_profiles = aes-cm;aes-cm\n", "\"aes-cm\" is listed twice", true);
	load_ok("[media]\nsrtp_profiles = aes-cm;aes-gcm\nice_servers = turns:t.example:5349\n",
	        &c);
	assert_string_equal(c.media.srtp_profiles[0], "aes-cm");
	assert_string_equal(c.media.srtp_profiles[1], "aes-gcm");
	assert_string_equal(c.media.ice_servers[0], "turns:t.example:5349");
	pl_config_cleanup(&c);
}

static void test_udp_ports(void **state)
{
	struct pl_config c;

	(void)state;
	load_fails(
	    "[media]\nudp_port_min = 0\nudp_port_max = 40000\n",
	    "[media] udp_port_min = \"0\": expected a port from 1024 to 65535 (or 0 for both "
	    "udp_port_min and udp_port_max: any port)",
	    false);
	load_fails("[media]\nudp_port_min = 40000\n", "[media] udp_port_max = \"0\": expected",
	           true);
	load_fails("[media]\nudp_port_min = 80\nudp_port_max = 90\n",
	           "[media] udp_port_min = \"80\": expected a port from 1024", true);
	load_fails("[media]\nudp_port_min = 50000\nudp_port_max = 40000\n",
	           "[media] udp_port_min = \"50000\", udp_port_max = \"40000\": expected "
	           "udp_port_min <= udp_port_max",
	           false);
	load_ok("[media]\nudp_port_min = 1024\nudp_port_max = 1024\n", &c);
	assert_int_equal(c.media.udp_port_min, 1024);
	pl_config_cleanup(&c);
}

static void test_tls(void **state)
{
	const char *src = getenv("PLENUM_SOURCE_DIR");
	char *readable =
	    g_build_filename(src ? src : PLENUM_SOURCE_DIR, "config", "plenum.conf", NULL);
	char *ini;
	struct pl_config c;

	(void)state;
	load_fails(
	    "[http]\ntls_cert = /etc/ssl/cert.pem\n",
	    "[http] tls_cert = \"/etc/ssl/cert.pem\", tls_key = \"\": expected both (HTTPS) or "
	    "neither",
	    true);
	load_fails("[http]\ntls_key = /k.pem\n", "expected both (HTTPS) or neither", true);
	ini = g_strdup_printf("[http]\ntls_cert = %s\ntls_key = /nonexistent/key.pem\n", readable);
	load_fails(
	    ini,
	    "[http] tls_key = \"/nonexistent/key.pem\": cannot read the file: No such file or "
	    "directory",
	    false);
	g_free(ini);
	ini = g_strdup_printf("[http]\ntls_cert = %s\ntls_key = %s\n", readable, readable);
	load_ok(ini, &c);
	assert_string_equal(c.http.tls_cert, readable);
	pl_config_cleanup(&c);
	g_free(ini);
	g_free(readable);
}

static void test_idle_vs_ping(void **state)
{
	(void)state;
	load_fails("[http]\nping_interval = 30\nidle_timeout = 30\n",
	           "[http] idle_timeout = \"30\": expected more than ping_interval (30 s)", true);
}

static void test_proxy_cidrs(void **state)
{
	static const struct {
		const char *ip;
		bool trusted;
	} cases[] = {
	    {"192.168.1.77", true},
	    {"192.168.1.0", true},
	    {"192.168.1.255", true},
	    {"192.168.2.1", false},
	    {"192.168.0.255", false},
	    {"10.255.0.1", true},
	    {"11.0.0.1", false},
	    {"127.0.0.1", true},
	    {"127.0.0.2", false},
	    {"fd00:1::abcd", true},
	    {"fd00:1:0:0:ffff::1", true},
	    {"fd00:1:0:1::1", false},
	    {"2001:db8::7", true},
	    {"2001:db8::8", false},
	    {"::ffff:10.1.2.3", true},
	    {"::ffff:11.1.2.3", false},
	    {"::1", false},
	    {"abc", false},
	    {"", false},
	    {NULL, false},
	    {"10.0.0.1/8", false},
	    {"999.1.1.1", false},
	    {"10.0.0.1 ", false},
	    {"fe80::1%lo", false},
	};
	struct pl_config c, d;

	(void)state;
	load_ok("[http]\ntrusted_proxies = 10.0.0.0/8;192.168.1.0/24;fd00:1::/64;2001:db8::7;"
	        "127.0.0.1\n",
	        &c);
	assert_int_equal(c.http.n_proxy_masks, 5);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		if (pl_config_proxy_trusted(&c, cases[i].ip) != cases[i].trusted)
			fail_msg("%s: expected %s", cases[i].ip ? cases[i].ip : "NULL",
			         cases[i].trusted ? "trusted" : "not trusted");
	}
	pl_config_cleanup(&c);

	pl_config_defaults(&d);
	assert_false(pl_config_proxy_trusted(&d, "127.0.0.1"));
	assert_false(pl_config_proxy_trusted(&d, "::1"));
	pl_config_cleanup(&d);

	load_fails("[http]\ntrusted_proxies = 10.0.0.0/33\n",
	           "[http] trusted_proxies = \"10.0.0.0/33\": \"10.0.0.0/33\" is not an IP address "
	           "or CIDR",
	           true);
	load_fails("[http]\ntrusted_proxies = proxy.local\n", "expected e.g. 127.0.0.1", true);
	load_fails("[http]\ntrusted_proxies = 10.0.0.1/8\n", "is not an IP address or CIDR", true);
	load_fails("[http]\ntrusted_proxies = fd00::/129\n", "is not an IP address or CIDR", true);
}

/* A configuration with every kind of value away from its default. */
static const char *const custom_ini =
    "[http]\nlisten=[::1]:8443\nbase_path=/meet/room-a\ntrusted_proxies=127.0.0.1;fd00::/8\n"
    "allowed_origins=https://meet.example.org\nweb_root=/srv/plenum web;x\n"
    "ping_interval=10\n"
    "[rooms]\nmax_rooms=7\n[media]\nworkers=3\nudp_port_min=40000\nudp_port_max=40010\n"
    "addresses=192.0.2.1;2001:db8::1\npublic_ip=203.0.113.9\n"
    "ice_servers=stun:stun.example.org:3478\nsrtp_profiles=aes-cm\n"
    "[client]\ncamera_on_join=true\n[log]\nlevel=warning\ntarget=stderr\n"
    "debug_personal_data=true\n";

static void test_to_string_round_trip(void **state)
{
	struct pl_config a, b;
	char *text, *text2;

	(void)state;
	pl_config_defaults(&a);
	text = pl_config_to_string(&a);
	load_ok(text, &b);
	assert_true(pl_config_equal(&a, &b));
	g_free(text);
	pl_config_cleanup(&a);
	pl_config_cleanup(&b);

	load_ok(custom_ini, &a);
	assert_string_equal(a.http.web_root, "/srv/plenum web;x");
	text = pl_config_to_string(&a);
	assert_non_null(strstr(text, "[rooms]\nmax_rooms=7\n"));
	assert_non_null(strstr(text, "level=warning\n"));
	load_ok(text, &b);
	assert_true(pl_config_equal(&a, &b));
	assert_string_equal(b.http.web_root, "/srv/plenum web;x");
	assert_string_equal(b.http.base_path, "/meet/room-a/");
	text2 = pl_config_to_string(&b);
	assert_string_equal(text, text2); /* a fixed point */
	g_free(text);
	g_free(text2);
	pl_config_cleanup(&b);

	/* equal really compares: change one field at a time. */
	load_ok(custom_ini, &b);
	b.rooms.max_rooms++;
	assert_false(pl_config_equal(&a, &b));
	b.rooms.max_rooms--;
	assert_true(pl_config_equal(&a, &b));
	b.client.camera_on_join = false;
	assert_false(pl_config_equal(&a, &b));
	pl_config_cleanup(&b);
	pl_config_cleanup(&a);
}

static void test_restart_diff(void **state)
{
	struct pl_config a, b;
	GString *out = g_string_new(NULL);

	(void)state;
	pl_config_defaults(&a);
	load_ok(custom_ini, &b);
	pl_config_diff_restart_keys(&a, &b, out);
	assert_string_equal(out->str,
	                    "[http] listen, [http] base_path, [http] web_root, [media] workers, "
	                    "[media] udp_port_min, [media] udp_port_max, [media] addresses, "
	                    "[media] public_ip, [media] ice_servers, [media] srtp_profiles, "
	                    "[log] target");
	pl_config_cleanup(&b);

	/* Only live keys changed: nothing to report. */
	g_string_truncate(out, 0);
	load_ok("[rooms]\nmax_participants=10\n[log]\nlevel=debug\ndebug_personal_data=true\n"
	        "[client]\nmicrophone_on_join=true\n[http]\nallowed_origins=https://x.example\n"
	        "trusted_proxies=::1\nping_interval=30\nidle_timeout=90\ndrain_timeout=5\n",
	        &b);
	assert_false(pl_config_equal(&a, &b));
	pl_config_diff_restart_keys(&a, &b, out);
	assert_string_equal(out->str, "");

	/* TLS and the media timers need a restart too. */
	pl_config_cleanup(&b);
	load_ok("[media]\ndtls_timeout=5\nmax_ssrcs_per_transport=8\n"
	        "video_bitrate_max=1000\n",
	        &b);
	pl_config_diff_restart_keys(&a, &b, out);
	assert_string_equal(out->str, "[media] dtls_timeout, "
	                              "[media] max_ssrcs_per_transport, [media] video_bitrate_max");
	pl_config_cleanup(&b);
	pl_config_cleanup(&a);
	g_string_free(out, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_empty_file_is_defaults),
	    cmocka_unit_test(test_shipped_file_is_defaults),
	    cmocka_unit_test(test_load_values),
	    cmocka_unit_test(test_int_errors),
	    cmocka_unit_test(test_enum_bool_errors),
	    cmocka_unit_test(test_unknown_names),
	    cmocka_unit_test(test_input_limits),
	    cmocka_unit_test(test_load_file_errors),
	    cmocka_unit_test(test_parse_listen),
	    cmocka_unit_test(test_base_path),
	    cmocka_unit_test(test_origins),
	    cmocka_unit_test(test_ip_lists),
	    cmocka_unit_test(test_ice_servers_and_srtp),
	    cmocka_unit_test(test_udp_ports),
	    cmocka_unit_test(test_tls),
	    cmocka_unit_test(test_idle_vs_ping),
	    cmocka_unit_test(test_proxy_cidrs),
	    cmocka_unit_test(test_to_string_round_trip),
	    cmocka_unit_test(test_restart_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
