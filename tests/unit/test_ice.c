/* server/ice.c, the media workers' ICE-lite sockets, on 127.0.0.1 against real libnice agents
 * (the full ICE implementation Debian ships, controlling, as a browser is towards an ICE-lite
 * server), all driven on one GMainContext: they connect and pass datagrams both ways; two
 * PeerConnections on one socket each get only their own datagrams; a wrong password never
 * connects; strangers reach nobody and are not answered; a ufrag in use and a taken port range
 * are refused. Every wait runs the context until its condition or a generous deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <nice/agent.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "media/error.h"
#include "media/stun.h"
#include "server/ice.h"

#define MAX_CANDS   4
#define DEADLINE_MS 10000 /* for what takes milliseconds on loopback */

/* ---- the context ---------------------------------------------------------------------------- */

struct env {
	GMainContext *ctx;
	struct pl_ice_mux *mux;
	uint16_t port; /* the mux's port on 127.0.0.1 */
};

static gboolean on_deadline(gpointer data)
{
	*(bool *)data = true;
	return G_SOURCE_REMOVE;
}

/* Runs ctx until done(arg) or ms have passed; returns done(arg). */
static bool run_until(GMainContext *ctx, bool (*done)(const void *), const void *arg, unsigned ms)
{
	bool expired = false;
	GSource *t = g_timeout_source_new(ms);
	g_source_set_callback(t, on_deadline, &expired, NULL);
	g_source_attach(t, ctx);
	while (!expired && !done(arg))
		g_main_context_iteration(ctx, TRUE);
	g_source_destroy(t);
	g_source_unref(t);
	return done(arg);
}

static bool is_set(const void *flag)
{
	return *(const bool *)flag;
}

static char loopback[] = "127.0.0.1";
static char *addresses[] = {loopback, NULL};

static int setup(void **state)
{
	struct env *e = g_new0(struct env, 1);
	char err[256] = "";
	e->ctx = g_main_context_new();
	struct pl_ice_settings set = {.addresses = addresses};
	e->mux = pl_ice_mux_new(e->ctx, &set, err, sizeof err);
	if (!e->mux) {
		fprintf(stderr, "pl_ice_mux_new: %s\n", err);
		return -1;
	}
	char desc[128];
	pl_ice_mux_describe(e->mux, desc, sizeof desc);
	unsigned port = 0;
	if (sscanf(desc, "udp 127.0.0.1:%u", &port) != 1 || port == 0 || port > 65535) {
		fprintf(stderr, "pl_ice_mux_describe: \"%s\"\n", desc);
		return -1;
	}
	e->port = (uint16_t)port;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	pl_ice_mux_free(e->mux);
	while (g_main_context_pending(e->ctx))
		g_main_context_iteration(e->ctx, FALSE);
	g_main_context_unref(e->ctx);
	g_free(e);
	return 0;
}

/* ---- the server side: one pl_ice ------------------------------------------------------------ */

struct srv {
	struct pl_ice *ice;
	const char *ufrag, *pwd;
	char *cands[MAX_CANDS];
	size_t n_cands;
	bool connected, failed;
	size_t received;
	uint8_t last[2048];
	size_t last_len;
};

static void srv_recv(void *user, uint8_t *buf, size_t len)
{
	struct srv *s = user;
	s->received++;
	s->last_len = len < sizeof s->last ? len : sizeof s->last;
	memcpy(s->last, buf, s->last_len);
}

static void srv_state(void *user, enum pl_ice_state st)
{
	struct srv *s = user;
	if (st == PL_ICE_CONNECTED)
		s->connected = true;
	else if (st == PL_ICE_FAILED)
		s->failed = true;
}

static const struct pl_ice_ops srv_ops = {.recv = srv_recv, .state = srv_state};

static void srv_new(struct env *e, struct srv *s, const char *ufrag, const char *pwd)
{
	memset(s, 0, sizeof *s);
	s->ufrag = ufrag;
	s->pwd = pwd;
	s->ice = pl_ice_new(e->mux, ufrag, pwd, &srv_ops, s);
	assert_non_null(s->ice);
	const char *const *cands = pl_ice_mux_candidates(e->mux);
	while (cands[s->n_cands] && s->n_cands < MAX_CANDS) {
		s->cands[s->n_cands] = g_strdup(cands[s->n_cands]);
		s->n_cands++;
	}
	assert_int_equal(s->n_cands, 1);
	char want[64];
	snprintf(want, sizeof want, " udp %u 127.0.0.1 %u typ host",
	         (126u << 24) | (65535u << 8) | 255u, e->port);
	assert_non_null(strstr(s->cands[0], want));
}

static void srv_free(struct srv *s)
{
	pl_ice_free(s->ice);
	for (size_t i = 0; i < s->n_cands; i++)
		g_free(s->cands[i]);
}

/* ---- the browser side: a libnice agent ------------------------------------------------------ */

struct peer {
	NiceAgent *agent;
	guint stream;
	char ufrag[16], pwd[32];
	bool gathered, connected, failed;
	size_t received;
	uint8_t last[2048];
	size_t last_len;
};

static void peer_recv(NiceAgent *agent, guint stream, guint component, guint len, gchar *buf,
                      gpointer data)
{
	(void)agent;
	(void)stream;
	(void)component;
	struct peer *p = data;
	p->received++;
	p->last_len = len < sizeof p->last ? len : sizeof p->last;
	memcpy(p->last, buf, p->last_len);
}

static void peer_gathered(NiceAgent *agent, guint stream, gpointer data)
{
	(void)agent;
	(void)stream;
	((struct peer *)data)->gathered = true;
}

static void peer_state(NiceAgent *agent, guint stream, guint component, guint st, gpointer data)
{
	(void)agent;
	(void)stream;
	(void)component;
	struct peer *p = data;
	if (st == NICE_COMPONENT_STATE_CONNECTED || st == NICE_COMPONENT_STATE_READY)
		p->connected = true;
	else if (st == NICE_COMPONENT_STATE_FAILED)
		p->failed = true;
}

static void peer_new(struct env *e, struct peer *p, const char *ufrag)
{
	memset(p, 0, sizeof *p);
	g_strlcpy(p->ufrag, ufrag, sizeof p->ufrag);
	snprintf(p->pwd, sizeof p->pwd, "%s-password-0123456789", ufrag);
	p->agent =
	    nice_agent_new_full(e->ctx, NICE_COMPATIBILITY_RFC5245, NICE_AGENT_OPTION_ICE_TRICKLE);
	assert_non_null(p->agent);
	/* Controlling, as a browser is towards an ICE-lite server. Keepalives as checks: a lite
	 * server's consent (30 s) lives on the peer's checks. Two retransmissions (at least 500 ms
	 * apart in libnice) and 300 ms idle before it declares failure, instead of 7 and 5 s, so
	 * the wrong-password agent gives up in under a second. */
	g_object_set(p->agent, "controlling-mode", TRUE, "ice-tcp", FALSE, "upnp", FALSE,
	             "keepalive-conncheck", TRUE, "stun-max-retransmissions", 2, "idle-timeout",
	             300, NULL);
	NiceAddress addr;
	nice_address_init(&addr);
	assert_true(nice_address_set_from_string(&addr, "127.0.0.1"));
	assert_true(nice_agent_add_local_address(p->agent, &addr));
	p->stream = nice_agent_add_stream(p->agent, 1);
	assert_int_not_equal(p->stream, 0);
	assert_true(nice_agent_set_local_credentials(p->agent, p->stream, p->ufrag, p->pwd));
	g_signal_connect(p->agent, "candidate-gathering-done", G_CALLBACK(peer_gathered), p);
	g_signal_connect(p->agent, "component-state-changed", G_CALLBACK(peer_state), p);
	assert_true(nice_agent_attach_recv(p->agent, p->stream, 1, e->ctx, peer_recv, p));
	assert_true(nice_agent_gather_candidates(p->agent, p->stream));
	assert_true(run_until(e->ctx, is_set, &p->gathered, DEADLINE_MS));
}

/* Gives each side the other's description: the peer gets the server's candidates and
 * credentials (with remote_pwd as the password), the server the peer's credentials. */
static void peer_start(struct peer *p, struct srv *s, const char *remote_pwd)
{
	assert_int_equal(pl_ice_set_remote_credentials(s->ice, p->ufrag, p->pwd), 0);
	assert_true(nice_agent_set_remote_credentials(p->agent, p->stream, s->ufrag, remote_pwd));
	GSList *cands = NULL;
	for (size_t i = 0; i < s->n_cands; i++) {
		char *line = g_strconcat("a=", s->cands[i], NULL);
		NiceCandidate *c = nice_agent_parse_remote_candidate_sdp(p->agent, p->stream, line);
		g_free(line);
		assert_non_null(c);
		cands = g_slist_append(cands, c);
	}
	assert_int_equal(nice_agent_set_remote_candidates(p->agent, p->stream, 1, cands),
	                 (int)s->n_cands);
	g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
	assert_true(nice_agent_peer_candidate_gathering_done(p->agent, p->stream));
}

static void peer_free(struct peer *p)
{
	nice_agent_attach_recv(p->agent, p->stream, 1, NULL, NULL, NULL);
	g_signal_handlers_disconnect_by_data(p->agent, p);
	nice_agent_remove_stream(p->agent, p->stream);
	g_object_unref(p->agent);
}

static void peer_send(struct peer *p, const void *buf, size_t len)
{
	assert_int_equal(nice_agent_send(p->agent, p->stream, 1, (guint)len, buf), (int)len);
}

struct pair {
	const struct srv *s;
	const struct peer *p;
};

static bool both_connected(const void *arg)
{
	const struct pair *x = arg;
	return x->s->connected && x->p->connected;
}

static void connect_pair(struct env *e, struct srv *s, struct peer *p)
{
	struct pair x = {s, p};
	peer_start(p, s, s->pwd);
	assert_true(run_until(e->ctx, both_connected, &x, DEADLINE_MS));
	assert_false(s->failed);
	assert_false(p->failed);
}

static bool srv_has_received(const void *s)
{
	return ((const struct srv *)s)->received > 0;
}

static bool peer_has_received(const void *p)
{
	return ((const struct peer *)p)->received > 0;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_connect_and_exchange(void **state)
{
	struct env *e = *state;
	struct srv s;
	struct peer p;
	srv_new(e, &s, "srvA", "srvA-password-0123456789");
	peer_new(e, &p, "brwA");
	const uint8_t early[] = {0x80, 'e'};
	assert_int_equal(pl_ice_send(s.ice, early, sizeof early), PL_ESTATE);
	assert_int_equal(pl_ice_mux_socket_count(e->mux), 1);
	connect_pair(e, &s, &p);
	assert_true(pl_ice_mux_stats(e->mux)->checks_answered > 0);
	assert_int_equal(pl_ice_mux_stats(e->mux)->checks_rejected, 0);

	/* libnice -> pl_ice; 0x80: an RTP-looking first byte, as media is. */
	uint8_t big[1200];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i == 0 ? 0x80 : i * 7);
	peer_send(&p, big, sizeof big);
	assert_true(run_until(e->ctx, srv_has_received, &s, DEADLINE_MS));
	assert_int_equal(s.received, 1);
	assert_int_equal(s.last_len, sizeof big);
	assert_memory_equal(s.last, big, sizeof big);

	/* pl_ice -> libnice. */
	const uint8_t pong[] = {0x80, 'p', 'o', 'n', 'g'};
	assert_int_equal(pl_ice_send(s.ice, pong, sizeof pong), 0);
	assert_true(run_until(e->ctx, peer_has_received, &p, DEADLINE_MS));
	assert_int_equal(p.received, 1);
	assert_int_equal(p.last_len, sizeof pong);
	assert_memory_equal(p.last, pong, sizeof pong);

	assert_false(s.failed || p.failed);
	assert_int_equal(pl_ice_mux_stats(e->mux)->unknown_source, 0);
	peer_free(&p);
	srv_free(&s);
}

struct two {
	const struct srv *s1, *s2;
	const struct peer *p1, *p2;
};

static bool both_srv_received(const void *arg)
{
	const struct two *t = arg;
	return t->s1->received > 0 && t->s2->received > 0;
}

static bool both_peers_received(const void *arg)
{
	const struct two *t = arg;
	return t->p1->received > 0 && t->p2->received > 0;
}

/* Two PeerConnections on the one socket: each check reaches its own by USERNAME (or it would
 * fail integrity), each datagram its own by source address, and each sends to its own peer. */
static void test_demultiplexing(void **state)
{
	struct env *e = *state;
	struct srv s1, s2;
	struct peer p1, p2;
	srv_new(e, &s1, "srv1", "srv1-password-0123456789");
	srv_new(e, &s2, "srv2", "srv2-password-0123456789");
	peer_new(e, &p1, "brw1");
	peer_new(e, &p2, "brw2");
	connect_pair(e, &s1, &p1);
	connect_pair(e, &s2, &p2);
	struct two t = {&s1, &s2, &p1, &p2};

	const uint8_t one[] = {0x80, 'o', 'n', 'e'}, two[] = {0x80, 't', 'w', 'o', '!'};
	peer_send(&p2, two, sizeof two);
	peer_send(&p1, one, sizeof one);
	assert_true(run_until(e->ctx, both_srv_received, &t, DEADLINE_MS));
	assert_int_equal(s1.received, 1);
	assert_int_equal(s1.last_len, sizeof one);
	assert_memory_equal(s1.last, one, sizeof one);
	assert_int_equal(s2.received, 1);
	assert_int_equal(s2.last_len, sizeof two);
	assert_memory_equal(s2.last, two, sizeof two);

	/* s2 sends first: sent to p1's address, it would reach p1 before s1's own datagram. */
	const uint8_t to1[] = {0x80, 't', 'o', '1'}, to2[] = {0x80, 't', 'o', '2', '.'};
	assert_int_equal(pl_ice_send(s2.ice, to2, sizeof to2), 0);
	assert_int_equal(pl_ice_send(s1.ice, to1, sizeof to1), 0);
	assert_true(run_until(e->ctx, both_peers_received, &t, DEADLINE_MS));
	assert_int_equal(p1.received, 1);
	assert_int_equal(p1.last_len, sizeof to1);
	assert_memory_equal(p1.last, to1, sizeof to1);
	assert_int_equal(p2.received, 1);
	assert_int_equal(p2.last_len, sizeof to2);
	assert_memory_equal(p2.last, to2, sizeof to2);
	assert_int_equal(pl_ice_mux_stats(e->mux)->checks_rejected, 0);

	peer_free(&p1);
	peer_free(&p2);
	srv_free(&s1);
	srv_free(&s2);
}

struct rejected_wait {
	const struct pl_ice_mux *mux;
	uint64_t base;
	const struct peer *p;
};

static bool rejected_and_failed(const void *arg)
{
	const struct rejected_wait *w = arg;
	return pl_ice_mux_stats(w->mux)->checks_rejected > w->base && w->p->failed;
}

/* libnice signs its checks with a wrong password: none is answered, libnice gives up. */
static void test_wrong_password(void **state)
{
	struct env *e = *state;
	struct srv s;
	struct peer p;
	srv_new(e, &s, "srvW", "srvW-password-0123456789");
	peer_new(e, &p, "brwW");
	const struct pl_ice_stats *st = pl_ice_mux_stats(e->mux);
	uint64_t answered = st->checks_answered;
	struct rejected_wait w = {e->mux, st->checks_rejected, &p};
	peer_start(&p, &s, "srvW-password-0123456780");
	assert_true(run_until(e->ctx, rejected_and_failed, &w, DEADLINE_MS));
	assert_false(p.connected);
	assert_false(s.connected);
	assert_int_equal(st->checks_answered, answered);
	assert_int_equal(s.received, 0);
	const uint8_t x[] = {0x80, 'x'};
	assert_int_equal(pl_ice_send(s.ice, x, sizeof x), PL_ESTATE);
	peer_free(&p);
	srv_free(&s);
}

static int udp_socket(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(*port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	socklen_t len = sizeof a;
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void send_to(int fd, uint16_t port, const void *buf, size_t len)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)len);
}

struct counter_wait {
	const uint64_t *counter;
	uint64_t above;
};

static bool counter_above(const void *arg)
{
	const struct counter_wait *w = arg;
	return *w->counter > w->above;
}

/* Sends a check from the plain socket; waits until the mux counted it in *counter. */
static void send_check(struct env *e, int fd, const char *username, const char *key,
                       bool use_candidate, const uint64_t *counter)
{
	uint8_t req[256], tid[12];
	for (size_t i = 0; i < sizeof tid; i++)
		tid[i] = (uint8_t)(0x40 + i + *counter);
	int n = pl_stun_write_request(req, sizeof req, tid, username, 0x6e0001ff, 42, use_candidate,
	                              (const uint8_t *)key, strlen(key));
	assert_true(n > 0);
	struct counter_wait w = {counter, *counter};
	send_to(fd, e->port, req, (size_t)n);
	assert_true(run_until(e->ctx, counter_above, &w, DEADLINE_MS));
}

/* Whether a datagram is waiting on fd. The mux answers a check inside its dispatch and loopback
 * delivers at once, so once the mux counted a check its answer, if any, is already here; and
 * what pl_ice_send queued went out with the same flush as a later datagram that arrived. */
static bool pending(int fd)
{
	uint8_t b[1];
	ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT | MSG_PEEK);
	return n >= 0;
}

static bool readable(const void *fd)
{
	return pending(*(const int *)fd);
}

/* A plain UDP socket nobody validated: its media reaches nobody, its checks with an unknown
 * ufrag, a wrong password or a wrong remote ufrag are counted and not answered. With the right
 * credentials of another PeerConnection it is answered (the control that shows the negative
 * checks would see an answer), validated without USE-CANDIDATE, and selected with it. */
static void test_unknown_source(void **state)
{
	struct env *e = *state;
	struct srv s;
	struct peer p;
	srv_new(e, &s, "srvU", "srvU-password-0123456789");
	peer_new(e, &p, "brwU");
	connect_pair(e, &s, &p);
	const struct pl_ice_stats *st = pl_ice_mux_stats(e->mux);
	uint16_t port = 0;
	int fd = udp_socket(&port);
	assert_true(fd >= 0);

	const uint8_t media[] = {0x80, 'm', 'e', 'd', 'i', 'a'};
	struct counter_wait w = {&st->unknown_source, st->unknown_source};
	send_to(fd, e->port, media, sizeof media);
	assert_true(run_until(e->ctx, counter_above, &w, DEADLINE_MS));
	assert_int_equal(st->unknown_source, w.above + 1);
	assert_int_equal(s.received, 0);

	uint64_t rejected = st->checks_rejected, answered = st->checks_answered;
	send_check(e, fd, "nobody:brwU", s.pwd, true, &st->checks_rejected);
	assert_false(pending(fd));
	send_check(e, fd, "srvU:brwU", "srvU-password-0123456780", true, &st->checks_rejected);
	assert_false(pending(fd));
	send_check(e, fd, "srvU:other", s.pwd, true, &st->checks_rejected);
	assert_false(pending(fd));
	assert_int_equal(st->checks_rejected, rejected + 3);
	assert_int_equal(st->checks_answered, answered);
	send_to(fd, e->port, media, sizeof media);
	w.above = st->unknown_source;
	assert_true(run_until(e->ctx, counter_above, &w, DEADLINE_MS));
	assert_int_equal(s.received, 0);

	/* The control, the plain socket as a controlling agent of another PeerConnection s2: a
	 * check with the right credentials and no USE-CANDIDATE is answered with the socket's own
	 * address and validates it, without connecting s2. */
	struct srv s2;
	srv_new(e, &s2, "srvV", "srvV-password-0123456789");
	assert_int_equal(pl_ice_set_remote_credentials(s2.ice, "plain", "plain-password-0123456"),
	                 0);
	send_check(e, fd, "srvV:plain", s2.pwd, false, &st->checks_answered);
	assert_true(pending(fd));
	uint8_t resp[512];
	ssize_t n = recv(fd, resp, sizeof resp, MSG_DONTWAIT);
	assert_true(n > 0);
	struct pl_stun_msg m;
	assert_int_equal(pl_stun_parse(resp, (size_t)n, &m), 0);
	assert_int_equal(m.type, PL_STUN_BINDING_SUCCESS);
	assert_int_equal(
	    pl_stun_check_integrity(resp, (size_t)n, &m, (const uint8_t *)s2.pwd, strlen(s2.pwd)),
	    0);
	const struct sockaddr_in *mapped = (const void *)&m.mapped;
	assert_int_equal(mapped->sin_family, AF_INET);
	assert_int_equal(ntohs(mapped->sin_port), port);
	assert_int_equal(ntohl(mapped->sin_addr.s_addr), INADDR_LOOPBACK);
	assert_false(s2.connected);
	const uint8_t x[] = {0x80, 'x'};
	assert_int_equal(pl_ice_send(s2.ice, x, sizeof x), PL_ESTATE);
	/* Validated: its media now reaches s2, and not s. */
	uint64_t unknown = st->unknown_source;
	send_to(fd, e->port, media, sizeof media);
	assert_true(run_until(e->ctx, srv_has_received, &s2, DEADLINE_MS));
	assert_int_equal(s2.received, 1);
	assert_int_equal(s2.last_len, sizeof media);
	assert_memory_equal(s2.last, media, sizeof media);
	assert_int_equal(s.received, 0);
	assert_int_equal(st->unknown_source, unknown);
	/* Nominated: s2 connects and sends to the socket; s still sends to libnice. */
	send_check(e, fd, "srvV:plain", s2.pwd, true, &st->checks_answered);
	assert_true(s2.connected);
	assert_true(recv(fd, resp, sizeof resp, MSG_DONTWAIT) > 0); /* the answer */
	const uint8_t y[] = {0x80, 'y', 'y'};
	assert_int_equal(pl_ice_send(s2.ice, y, sizeof y), 0);
	assert_true(run_until(e->ctx, readable, &fd, DEADLINE_MS));
	uint8_t got[16];
	assert_int_equal(recv(fd, got, sizeof got, MSG_DONTWAIT), sizeof y);
	assert_memory_equal(got, y, sizeof y);
	assert_int_equal(pl_ice_send(s.ice, x, sizeof x), 0);
	assert_true(run_until(e->ctx, peer_has_received, &p, DEADLINE_MS));
	assert_int_equal(p.last_len, sizeof x);
	assert_false(pending(fd));
	srv_free(&s2);

	close(fd);
	peer_free(&p);
	srv_free(&s);
}

static void test_ufrag_in_use(void **state)
{
	struct env *e = *state;
	struct srv a, b, c;
	srv_new(e, &a, "dupU", "dupU-password-0123456789");
	assert_null(pl_ice_new(e->mux, "dupU", "another-password-0123456", &srv_ops, &b));
	srv_new(e, &b, "dupV", "dupV-password-0123456789");
	srv_free(&a);
	srv_new(e, &c, "dupU", "dupU-password-0123456789"); /* free again after pl_ice_free */
	srv_free(&b);
	srv_free(&c);
}

/* A range of one port that is taken: no mux, and the message names the range. */
static void test_port_taken(void **state)
{
	(void)state;
	uint16_t port = 0;
	int fd = udp_socket(&port);
	assert_true(fd >= 0);
	char err[256] = "";
	struct pl_ice_settings set = {.addresses = addresses, .port_min = port, .port_max = port};
	GMainContext *ctx = g_main_context_new();
	assert_null(pl_ice_mux_new(ctx, &set, err, sizeof err));
	char range[32];
	snprintf(range, sizeof range, "(%u-%u)", port, port);
	assert_non_null(strstr(err, range));
	assert_non_null(strstr(err, "udp_port_min..udp_port_max"));
	assert_non_null(strstr(err, "127.0.0.1"));

	/* [port, port + 1] with port + 1 free: the next port of the range is taken. */
	uint16_t next = (uint16_t)(port + 1);
	int probe = next ? udp_socket(&next) : -1;
	if (probe >= 0) {
		close(probe);
		set.port_max = (unsigned)port + 1;
		err[0] = '\0';
		struct pl_ice_mux *mux = pl_ice_mux_new(ctx, &set, err, sizeof err);
		assert_non_null(mux);
		char desc[64], want[64];
		pl_ice_mux_describe(mux, desc, sizeof desc);
		snprintf(want, sizeof want, "udp 127.0.0.1:%u", port + 1u);
		assert_string_equal(desc, want);
		pl_ice_mux_free(mux);
	}
	/* Not an address at all. */
	char bad[] = "not-an-address";
	char *bads[] = {bad, NULL};
	struct pl_ice_settings set2 = {.addresses = bads};
	assert_null(pl_ice_mux_new(ctx, &set2, err, sizeof err));
	assert_non_null(strstr(err, "not-an-address"));
	close(fd);
	g_main_context_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_connect_and_exchange, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_demultiplexing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_password, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_source, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ufrag_in_use, setup, teardown),
	    cmocka_unit_test(test_port_taken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
