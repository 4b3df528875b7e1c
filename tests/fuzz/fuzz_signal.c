/* libFuzzer target: arbitrary websocket text messages into the signaling core. The first byte
 * decides whether the session joins a room first (so the joined-only handlers are reached); the
 * rest is split at NUL bytes into messages from two sessions, with clock ticks in between. */
#include <stdint.h>
#include <string.h>

#include "signaling/signal.h"

static void f_send(void *ctx, void *conn, const char *json, size_t len)
{
	(void)ctx;
	(void)conn;
	(void)json;
	(void)len;
}

static void f_close(void *ctx, void *conn, int code, const char *reason)
{
	(void)ctx;
	(void)conn;
	(void)code;
	(void)reason;
}

static void f_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 29 + 7);
}

static int64_t f_wall(void *ctx)
{
	(void)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pl_signal_ops ops = {
	    .send = f_send, .close = f_close, .random = f_random, .wall_ms = f_wall};
	struct pl_signal_config cfg;
	pl_signal_config_defaults(&cfg);
	struct pl_signal *sig = pl_signal_new(&cfg, &ops, NULL);
	int c1, c2;
	struct pl_session *s[2] = {pl_signal_connect(sig, &c1, 0), pl_signal_connect(sig, &c2, 0)};
	int64_t now = 0;
	if (size > 0 && (data[0] & 1)) {
		const char *j = "{\"type\":\"join\",\"room\":\"r\",\"name\":\"n\"}";
		pl_signal_receive(sig, s[0], j, strlen(j), now);
		pl_signal_receive(sig, s[1], j, strlen(j), now);
	}
	const uint8_t *p = size ? data + 1 : data, *end = data + size;
	unsigned k = 0;
	while (p < end) {
		const uint8_t *z = memchr(p, 0, (size_t)(end - p));
		size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
		pl_signal_receive(sig, s[k++ & 1], (const char *)p, n, now);
		now += 250000;
		pl_signal_tick(sig, now);
		p += n + (z ? 1 : 0);
	}
	pl_signal_disconnect(sig, s[0], now);
	pl_signal_free(sig);
	return 0;
}
