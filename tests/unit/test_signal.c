/* The signaling core on a fake clock with fake ops that record every frame: every message type,
 * every error code, the limits, the timers and room destruction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "signaling/signal.h"
#include "signaling/text.h"

#define MAX_CONNS 8

struct conn {
	GPtrArray *frames; /* json_t * */
	int close_code;
};

struct fake {
	struct conn conns[MAX_CONNS];
	unsigned rnd;
	int leaving, destroyed;
};

static void f_send(void *ctx, void *c, const char *json, size_t len)
{
	struct conn *conn = c;
	json_error_t e;
	json_t *j = json_loadb(json, len, 0, &e);
	assert_non_null(j);
	g_ptr_array_add(conn->frames, j);
}

static void f_close(void *ctx, void *c, int code, const char *reason)
{
	((struct conn *)c)->close_code = code;
}

static void f_random(void *ctx, uint8_t *buf, size_t len)
{
	struct fake *f = ctx;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(++f->rnd * 37);
}

static int64_t f_wall(void *ctx)
{
	return 1764000000000;
}

static void f_leaving(void *ctx, struct pl_session *s)
{
	((struct fake *)ctx)->leaving++;
}

static void f_destroyed(void *ctx, struct pl_room *r)
{
	((struct fake *)ctx)->destroyed++;
}

struct env {
	struct fake f;
	struct pl_signal *sig;
	struct pl_session *s[MAX_CONNS];
	int64_t now;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	struct pl_signal_config cfg;
	pl_signal_config_defaults(&cfg);
	cfg.max_participants = 3;
	cfg.max_rooms = 2;
	static const struct pl_signal_ops ops = {.send = f_send,
	                                         .close = f_close,
	                                         .random = f_random,
	                                         .wall_ms = f_wall,
	                                         .session_leaving = f_leaving,
	                                         .room_destroyed = f_destroyed};
	e->sig = pl_signal_new(&cfg, &ops, &e->f);
	e->now = 1000000;
	for (int i = 0; i < MAX_CONNS; i++)
		e->f.conns[i].frames = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	pl_signal_free(e->sig);
	for (int i = 0; i < MAX_CONNS; i++)
		g_ptr_array_free(e->f.conns[i].frames, TRUE);
	free(e);
	return 0;
}

static struct pl_session *connect_n(struct env *e, int n)
{
	e->s[n] = pl_signal_connect(e->sig, &e->f.conns[n], e->now);
	return e->s[n];
}

static void send_text(struct env *e, int n, const char *text)
{
	pl_signal_receive(e->sig, e->s[n], text, strlen(text), e->now);
}

/* Pops the oldest frame of connection n (the caller decrefs). */
static json_t *pop(struct env *e, int n)
{
	GPtrArray *a = e->f.conns[n].frames;
	assert_true(a->len > 0);
	json_t *j = g_ptr_array_steal_index(a, 0);
	return j;
}

static const char *type_of(json_t *j)
{
	return json_string_value(json_object_get(j, "type"));
}

static void expect_error(struct env *e, int n, const char *code)
{
	json_t *j = pop(e, n);
	assert_string_equal(type_of(j), "error");
	assert_string_equal(json_string_value(json_object_get(j, "code")), code);
	assert_non_null(json_string_value(json_object_get(j, "message")));
	json_decref(j);
}

static void join(struct env *e, int n, const char *room, const char *name)
{
	char buf[256];
	snprintf(buf, sizeof buf, "{\"type\":\"join\",\"id\":%d,\"room\":\"%s\",\"name\":\"%s\"}",
	         n, room, name);
	send_text(e, n, buf);
	json_t *j = pop(e, n);
	assert_string_equal(type_of(j), "joined");
	assert_int_equal(json_integer_value(json_object_get(j, "id")), n);
	assert_int_equal(json_integer_value(json_object_get(j, "protocol")), 1);
	json_decref(j);
}

static void test_join_chat_leave(void **state)
{
	struct env *e = *state;
	connect_n(e, 0);
	connect_n(e, 1);
	join(e, 0, "team", "  Anna ");
	assert_int_equal(pl_signal_room_count(e->sig), 1);
	send_text(e, 1, "{\"type\":\"join\",\"id\":\"x\",\"room\":\"team\",\"name\":\"Ben\"}");
	json_t *j = pop(e, 1);
	assert_string_equal(type_of(j), "joined");
	assert_string_equal(json_string_value(json_object_get(j, "id")), "x");
	json_t *others = json_object_get(j, "participants");
	assert_int_equal(json_array_size(others), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(others, 0), "name")),
	                    "Anna");
	json_decref(j);
	j = pop(e, 0);
	assert_string_equal(type_of(j), "participant-joined");
	json_decref(j);

	send_text(e, 0, "{\"type\":\"chat\",\"text\":\"Hallo\"}");
	for (int n = 0; n < 2; n++) {
		j = pop(e, n);
		assert_string_equal(type_of(j), "chat");
		assert_string_equal(json_string_value(json_object_get(j, "text")), "Hallo");
		assert_string_equal(json_string_value(json_object_get(j, "name")), "Anna");
		assert_int_equal(json_integer_value(json_object_get(j, "ts")), 1764000000000);
		json_decref(j);
	}
	send_text(e, 1, "{\"type\":\"hand\",\"raised\":true}");
	for (int n = 0; n < 2; n++) {
		j = pop(e, n);
		assert_string_equal(type_of(j), "participant-updated");
		assert_true(
		    json_is_true(json_object_get(json_object_get(j, "participant"), "hand")));
		json_decref(j);
	}
	send_text(e, 0, "{\"type\":\"leave\",\"id\":7}");
	j = pop(e, 0);
	assert_string_equal(type_of(j), "left");
	json_decref(j);
	assert_int_equal(e->f.conns[0].close_code, 1000);
	j = pop(e, 1);
	assert_string_equal(type_of(j), "participant-left");
	json_decref(j);
	assert_int_equal(e->f.leaving, 1);
	pl_signal_disconnect(e->sig, e->s[0], e->now);
	pl_signal_disconnect(e->sig, e->s[1], e->now);
	assert_int_equal(e->f.leaving, 2);
	assert_int_equal(e->f.destroyed, 1);
	assert_int_equal(pl_signal_room_count(e->sig), 0);
	assert_int_equal(pl_signal_session_count(e->sig), 0);
}

static void test_errors(void **state)
{
	struct env *e = *state;
	connect_n(e, 0);
	send_text(e, 0, "{\"type\":\"chat\",\"text\":\"x\"}");
	expect_error(e, 0, "not-joined");
	send_text(e, 0, "nope");
	expect_error(e, 0, "invalid-json");
	send_text(e, 0, "[]");
	expect_error(e, 0, "invalid-json");
	send_text(e, 0, "{\"type\":1}");
	expect_error(e, 0, "invalid-message");
	send_text(e, 0, "{\"type\":\"dance\",\"id\":3}");
	json_t *j = pop(e, 0);
	assert_int_equal(json_integer_value(json_object_get(j, "id")), 3);
	assert_string_equal(json_string_value(json_object_get(j, "code")), "unknown-type");
	json_decref(j);
	send_text(e, 0, "{\"type\":\"ping\",\"id\":-1}");
	expect_error(e, 0, "invalid-message");
	send_text(e, 0, "{\"type\":\"ping\",\"id\":9007199254740993}");
	expect_error(e, 0, "invalid-message");
	send_text(e, 0, "{\"type\":\"ping\",\"id\":{}}");
	expect_error(e, 0, "invalid-message");
	pl_signal_receive(e->sig, e->s[0], "{\"type\":\"ping\",\"x\":\"\xc0\xaf\"}", 24, e->now);
	expect_error(e, 0, "invalid-utf8");
	pl_signal_receive_binary(e->sig, e->s[0], e->now);
	expect_error(e, 0, "binary-unsupported");
	GString *deep = g_string_new("{\"type\":\"ping\",\"a\":");
	for (int i = 0; i < 100000; i++)
		g_string_append_c(deep, '[');
	send_text(e, 0, deep->str);
	g_string_free(deep, TRUE);
	expect_error(e, 0, "too-deep");
	send_text(e, 0, "{\"type\":\"join\",\"room\":\"a b\",\"name\":\"x\"}");
	expect_error(e, 0, "invalid-room");
	send_text(e, 0, "{\"type\":\"join\",\"room\":\"ok\",\"name\":\"\\u0007bell\"}");
	expect_error(e, 0, "invalid-name");
	send_text(e, 0, "{\"type\":\"join\",\"room\":\"ok\",\"name\":\"x\",\"password\":5}");
	expect_error(e, 0, "invalid-message");
	join(e, 0, "ok", "x");
	send_text(e, 0, "{\"type\":\"join\",\"room\":\"ok\",\"name\":\"x\"}");
	expect_error(e, 0, "already-joined");
	send_text(e, 0, "{\"type\":\"chat\",\"text\":\"\"}");
	expect_error(e, 0, "invalid-chat");
	send_text(e, 0, "{\"type\":\"hand\",\"raised\":\"yes\"}");
	expect_error(e, 0, "invalid-message");
	send_text(e, 0, "{\"type\":\"publish\",\"sdp\":\"v=0\"}");
	expect_error(e, 0, "media-unavailable");
	send_text(e, 0, "{\"type\":\"ping\",\"id\":\"abc\"}");
	j = pop(e, 0);
	assert_string_equal(type_of(j), "pong");
	assert_string_equal(json_string_value(json_object_get(j, "id")), "abc");
	json_decref(j);
}

static void test_limits(void **state)
{
	struct env *e = *state;
	/* 64 characters of a 2-byte letter are fine; 65 are not. */
	GString *name = g_string_new(NULL);
	for (int i = 0; i < 64; i++)
		g_string_append(name, "\xc3\xa4");
	for (int i = 0; i < 3; i++)
		connect_n(e, i);
	join(e, 0, "r1", name->str);
	g_string_append(name, "\xc3\xa4");
	char buf[512];
	snprintf(buf, sizeof buf, "{\"type\":\"join\",\"room\":\"r1\",\"name\":\"%s\"}", name->str);
	send_text(e, 1, buf);
	expect_error(e, 1, "invalid-name");
	g_string_free(name, TRUE);
	join(e, 1, "r1", "b");
	join(e, 2, "r1", "c");
	connect_n(e, 3);
	send_text(e, 3, "{\"type\":\"join\",\"room\":\"r1\",\"name\":\"d\"}");
	expect_error(e, 3, "room-full");
	join(e, 3, "r2", "d");
	connect_n(e, 4);
	send_text(e, 4, "{\"type\":\"join\",\"room\":\"r3\",\"name\":\"e\"}");
	expect_error(e, 4, "too-many-rooms");
	/* A room name over the limit. */
	char room[80];
	memset(room, 'a', 65);
	room[65] = '\0';
	snprintf(buf, sizeof buf, "{\"type\":\"join\",\"room\":\"%s\",\"name\":\"e\"}", room);
	send_text(e, 4, buf);
	expect_error(e, 4, "invalid-room");
	/* Chat of exactly 2000 characters passes, 2001 does not. */
	GString *chat = g_string_new("{\"type\":\"chat\",\"text\":\"");
	for (int i = 0; i < 2000; i++)
		g_string_append_c(chat, 'x');
	GString *chat2 = g_string_new(chat->str);
	g_string_append(chat, "\"}");
	g_string_append(chat2, "x\"}");
	send_text(e, 3, chat->str);
	json_t *j = pop(e, 3);
	assert_string_equal(type_of(j), "chat");
	json_decref(j);
	send_text(e, 3, chat2->str);
	expect_error(e, 3, "invalid-chat");
	g_string_free(chat, TRUE);
	g_string_free(chat2, TRUE);
}

static void test_rate_limit(void **state)
{
	struct env *e = *state;
	connect_n(e, 0);
	int pongs = 0, limited = 0;
	for (int i = 0; i < 60; i++)
		send_text(e, 0, "{\"type\":\"ping\"}");
	while (e->f.conns[0].frames->len) {
		json_t *j = pop(e, 0);
		if (strcmp(type_of(j), "pong") == 0)
			pongs++;
		else
			limited++;
		json_decref(j);
	}
	assert_int_equal(pongs, 40); /* the burst */
	assert_int_equal(limited, 20);
	e->now += 500000; /* half a second refills 10 tokens at 20/s */
	for (int i = 0; i < 12; i++)
		send_text(e, 0, "{\"type\":\"ping\"}");
	pongs = 0;
	while (e->f.conns[0].frames->len) {
		json_t *j = pop(e, 0);
		pongs += strcmp(type_of(j), "pong") == 0;
		json_decref(j);
	}
	assert_int_equal(pongs, 10);
	/* 200 drops in a row close the connection with 1008. */
	for (int i = 0; i < 200; i++)
		send_text(e, 0, "{\"type\":\"ping\"}");
	assert_int_equal(e->f.conns[0].close_code, 1008);
}

static void test_timers_and_drain(void **state)
{
	struct env *e = *state;
	connect_n(e, 0);
	connect_n(e, 1);
	join(e, 1, "r", "b");
	e->now += 9 * 1000000;
	pl_signal_tick(e->sig, e->now);
	assert_int_equal(e->f.conns[0].close_code, 0);
	e->now += 1000000;
	pl_signal_tick(e->sig, e->now);
	expect_error(e, 0, "join-timeout");
	assert_int_equal(e->f.conns[0].close_code, 1008);
	/* The joined one got no timeout; after 20 s it gets a ping. */
	assert_int_equal(e->f.conns[1].close_code, 0);
	e->now += 10 * 1000000;
	int64_t next = pl_signal_tick(e->sig, e->now);
	json_t *j = pop(e, 1);
	assert_string_equal(type_of(j), "ping");
	json_decref(j);
	assert_true(next > e->now);
	send_text(e, 1, "{\"type\":\"pong\"}");
	assert_int_equal(e->f.conns[1].frames->len, 0);
	/* Silence for 60 s closes with 1001. */
	e->now += 61 * 1000000;
	pl_signal_tick(e->sig, e->now);
	assert_int_equal(e->f.conns[1].close_code, 1001);

	connect_n(e, 2);
	pl_signal_drain(e->sig, 30);
	assert_true(pl_signal_draining(e->sig));
	j = pop(e, 2);
	assert_string_equal(type_of(j), "server-shutdown");
	assert_int_equal(json_integer_value(json_object_get(j, "drainSeconds")), 30);
	json_decref(j);
	send_text(e, 2, "{\"type\":\"join\",\"room\":\"late\",\"name\":\"x\"}");
	expect_error(e, 2, "draining");
	pl_signal_close_all(e->sig);
	assert_int_equal(e->f.conns[2].close_code, 1001);
}

static void test_text(void **state)
{
	(void)state;
	assert_true(pl_text_utf8_valid("h\xc3\xa4llo", 6));
	assert_false(pl_text_utf8_valid("\xc0\xaf", 2));         /* overlong */
	assert_false(pl_text_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(pl_text_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(pl_text_utf8_valid("\xe2\x82", 2));         /* truncated */
	assert_true(pl_text_utf8_valid("\xf0\x9f\x98\x80", 4));
	assert_int_equal(pl_text_json_depth("{\"a\":\"[[[[\"}", 11, 16), 1);
	assert_int_equal(pl_text_json_depth("[[[]]]", 6, 2), 3);
	char *n = pl_text_display_name("\xc2\xa0 Anna \t", 64);
	assert_string_equal(n, "Anna");
	free(n);
	assert_null(pl_text_display_name("   ", 64));
	assert_null(pl_text_display_name("a\nb", 64));
	assert_null(pl_text_display_name("abc", 2));
	assert_true(pl_text_room_name_valid("a.b-c_D9", 64));
	assert_false(pl_text_room_name_valid("", 64));
	assert_false(pl_text_room_name_valid("a/b", 64));
	assert_false(pl_text_room_name_valid("abc", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_join_chat_leave, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timers_and_drain, setup, teardown),
	    cmocka_unit_test(test_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
