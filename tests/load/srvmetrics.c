/* The server's own forwarding delay over the measured window: Plenum's /metrics histogram
 * plenum_media_forward_delay_seconds, read at both edges of the window (each read on a thread
 * of its own, so a slow answer never stalls the media ticks) and subtracted. Plenum refreshes
 * the counters once a second, so the window it covers is the measured one within a second. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "media/alloc.h"
#include "tests/load/load.h"

#define PL_METRICS_MAX (1 << 20) /* a /metrics answer longer than this is not Plenum's */

static const char hist_name[] = "plenum_media_forward_delay_seconds";

/* Parses the histogram out of a Prometheus text body: 0, or -1 when it is not there whole. */
static int parse_hist(const char *body, struct pl_delay_hist *h)
{
	memset(h, 0, sizeof *h);
	size_t nl = strlen(hist_name);
	unsigned next = 0; /* buckets come in order; each line is cumulative */
	uint64_t below = 0;
	bool have_count = false;
	for (const char *p = body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, hist_name, nl) != 0)
			continue;
		const char *rest = p + nl;
		const char *sp = strchr(rest, ' ');
		if (!sp)
			return -1;
		if (strncmp(rest, "_bucket{", 8) == 0) {
			if (next >= PL_DELAY_BUCKETS)
				return -1;
			uint64_t cum = strtoull(sp + 1, NULL, 10);
			if (cum < below)
				return -1;
			h->count[next++] = cum - below;
			below = cum;
		} else if (strncmp(rest, "_sum ", 5) == 0) {
			h->sum_us = (uint64_t)(strtod(sp + 1, NULL) * 1e6 + 0.5);
		} else if (strncmp(rest, "_count ", 7) == 0) {
			h->total = strtoull(sp + 1, NULL, 10);
			have_count = true;
		}
	}
	return next == PL_DELAY_BUCKETS && have_count && h->total == below ? 0 : -1;
}

/* GET the metrics over HTTP/1.1 with "Connection: close"; the body in a malloc'd string. */
static char *http_get(const struct pl_srvmetrics *m, char *err, size_t errlen)
{
	char port[8];
	snprintf(port, sizeof port, "%d", m->port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
	int e = getaddrinfo(m->host, port, &hints, &ai);
	if (e != 0) {
		snprintf(err, errlen, "%s: %s", m->host, gai_strerror(e));
		return NULL;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {.tv_sec = 5};
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		snprintf(err, errlen, "connect to %s:%d: %s", m->host, m->port, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return NULL;
	}
	freeaddrinfo(ai);
	char req[512];
	int rl =
	    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n",
	             m->path, m->host, m->port);
	GString *in = g_string_new(NULL);
	if (send(fd, req, (size_t)rl, MSG_NOSIGNAL) != rl) {
		snprintf(err, errlen, "send: %s", strerror(errno));
		goto fail;
	}
	char buf[16384];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "reading %.60s: %s", m->path, strerror(errno));
			goto fail;
		}
		if (in->len + (size_t)n > PL_METRICS_MAX) {
			snprintf(err, errlen, "answer over %d bytes", PL_METRICS_MAX);
			goto fail;
		}
		g_string_append_len(in, buf, n);
		/* With Content-Length known, stop when it is all here (not every server closes). */
		char *hdr_end = strstr(in->str, "\r\n\r\n");
		const char *cl = hdr_end ? strcasestr(in->str, "\r\ncontent-length:") : NULL;
		if (cl && cl < hdr_end &&
		    in->len - (size_t)(hdr_end + 4 - in->str) >= strtoull(cl + 17, NULL, 10))
			break;
	}
	close(fd);
	if (strncmp(in->str, "HTTP/1.1 200", 12) != 0 &&
	    strncmp(in->str, "HTTP/1.0 200", 12) != 0) {
		snprintf(err, errlen, "GET %.60s: %.40s", m->path, in->str);
		g_string_free(in, TRUE);
		return NULL;
	}
	char *body = strstr(in->str, "\r\n\r\n");
	char *out = g_strdup(body ? body + 4 : "");
	g_string_free(in, TRUE);
	return out;
fail:
	close(fd);
	g_string_free(in, TRUE);
	return NULL;
}

static gpointer fetch(gpointer data)
{
	struct pl_srvmetrics *m = data;
	char *body = http_get(m, m->err, sizeof m->err);
	if (body) {
		if (parse_hist(body, &m->hist) == 0)
			m->ok = true;
		else
			snprintf(m->err, sizeof m->err, "no %s histogram in %.60s", hist_name,
			         m->path);
		g_free(body);
	}
	return NULL;
}

int pl_srvmetrics_url(const struct pl_load_opts *o, struct pl_srvmetrics *m)
{
	memset(m, 0, sizeof *m);
	const char *u = o->metrics_url;
	if (!u[0]) { /* next to the websocket: ws://h:p/base/ws -> http://h:p/base/metrics */
		g_strlcpy(m->host, o->host, sizeof m->host);
		m->port = o->port;
		const char *slash = strrchr(o->path, '/');
		size_t keep = slash ? (size_t)(slash - o->path) + 1 : 0;
		snprintf(m->path, sizeof m->path, "%.*smetrics", (int)keep, o->path);
		if (!keep)
			snprintf(m->path, sizeof m->path, "/metrics");
		return 0;
	}
	if (strncmp(u, "http://", 7) != 0)
		return -1;
	u += 7;
	const char *slash = strchr(u, '/'), *colon = strchr(u, ':');
	size_t hostlen = slash ? (size_t)(slash - u) : strlen(u);
	if (colon && (!slash || colon < slash))
		hostlen = (size_t)(colon - u);
	if (hostlen == 0 || hostlen >= sizeof m->host)
		return -1;
	memcpy(m->host, u, hostlen);
	m->port = colon && (!slash || colon < slash) ? atoi(colon + 1) : 80;
	g_strlcpy(m->path, slash ? slash : "/", sizeof m->path);
	return m->port > 0 && m->port <= 65535 ? 0 : -1;
}

void pl_srvmetrics_start(struct pl_srvmetrics *m)
{
	m->thread = g_thread_new("metrics", fetch, m);
}

int pl_srvmetrics_join(struct pl_srvmetrics *m)
{
	if (!m->thread)
		return -1;
	g_thread_join(m->thread);
	m->thread = NULL;
	return m->ok ? 0 : -1;
}
