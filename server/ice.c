/* ICE-lite sockets of one media worker. See ice.h; the protocol decisions are in
 * media/ice_lite.c, this file owns the sockets and the two lookup tables. */
#include "server/ice.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "media/alloc.h"
#include "media/error.h"
#include "media/ice_lite.h"
#include "media/stun.h"
#include "media/udp_gso.h"

#define PL_ICE_MAX_SOCKETS 16
#define PL_ICE_BATCH       32   /* datagrams per recvmmsg */
#define PL_ICE_BATCHES     8    /* recvmmsg calls per socket per wake-up, then timers get a turn */
#define PL_ICE_BUF         2048 /* a datagram longer than this is not WebRTC media: dropped */
#define PL_ICE_SOCKBUF     (4 << 20)
#define PL_ICE_OUT         64 /* datagrams queued for one sendmmsg */

struct mux_socket {
	int fd;
	int family;
	gpointer tag;
	char candidate_ip[INET6_ADDRSTRLEN];
	unsigned port;
	bool gso; /* UDP GSO (UDP_SEGMENT) until the kernel refuses it once */
};

/* A source address as a hash key: family, port, address; zero-padded. */
struct addr_key {
	uint16_t family, port;
	uint8_t ip[16];
};

struct pl_ice_mux {
	GMainContext *ctx;
	GSource *source; /* polls every socket */
	GSource *tick;   /* consent and connect timeouts, once a second */
	struct mux_socket socks[PL_ICE_MAX_SOCKETS];
	unsigned n_socks;
	char *public_ip;
	char **candidates;    /* NULL-terminated, built once the sockets are open */
	GHashTable *by_ufrag; /* local ufrag (borrowed from the pl_ice) -> struct pl_ice* */
	GHashTable *by_addr;  /* struct addr_key* (owned) -> struct pl_ice* */
	struct pl_ice_stats stats;
	/* Send queue: pl_ice_send copies here, pl_ice_mux_flush hands it to the kernel with
	 * sendmmsg. Flushed after each receive batch and before the worker's loop sleeps (the
	 * source's prepare), so nothing waits across a poll. */
	struct out_slot {
		struct sockaddr_storage to;
		socklen_t to_len;
		unsigned sock;
		int64_t rx_us; /* arrival of the datagram that caused it (CLOCK_REALTIME), or 0 */
		uint64_t key;  /* of the destination, for media/udp_gso.c */
		size_t len;
		uint8_t buf[PL_ICE_BUF];
	} out[PL_ICE_OUT];
	unsigned n_out;
	int64_t cur_rx_us; /* arrival of the datagram being handled, 0 outside read_socket */
	/* One flush's plan (media/udp_gso.h): the datagrams of one socket in send order, as
	 * iovecs and their arrival times, and the messages, each a GSO send when it holds more
	 * than one datagram (its control message then says the segment size). */
	struct pl_gso_item gso_items[PL_ICE_OUT];
	unsigned gso_order[PL_ICE_OUT];
	struct pl_gso_msg gso_msgs[PL_ICE_OUT];
	struct iovec out_iov[PL_ICE_OUT];
	int64_t out_rx[PL_ICE_OUT];
	struct mmsghdr out_msgs[PL_ICE_OUT];
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(uint16_t))];
	} out_ctl[PL_ICE_OUT];
	/* Receive batch. */
	uint8_t bufs[PL_ICE_BATCH][PL_ICE_BUF];
	struct sockaddr_storage from[PL_ICE_BATCH];
	struct iovec iov[PL_ICE_BATCH];
	struct mmsghdr msgs[PL_ICE_BATCH];
	/* SO_TIMESTAMP's control message per received datagram (a struct timeval). */
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct timeval))];
	} ctl[PL_ICE_BATCH];
};

struct pl_ice {
	struct pl_ice_mux *mux;
	struct pl_ice_lite lite;
	struct pl_ice_ops ops;
	void *user;
	bool failed_reported;
};

/* ---- address keys ------------------------------------------------------------------------- */

static bool make_key(const struct sockaddr *sa, struct addr_key *k)
{
	memset(k, 0, sizeof *k);
	k->family = sa->sa_family;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		k->port = in->sin_port;
		memcpy(k->ip, &in->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		k->port = in6->sin6_port;
		memcpy(k->ip, &in6->sin6_addr, 16);
		return true;
	}
	return false;
}

static guint key_hash(gconstpointer p)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < sizeof(struct addr_key); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct addr_key)) == 0;
}

static void map_address(struct pl_ice_mux *mux, const struct sockaddr *sa, struct pl_ice *ice)
{
	struct addr_key k;
	if (make_key(sa, &k))
		g_hash_table_replace(mux->by_addr, g_memdup2(&k, sizeof k), ice);
}

static void unmap_address(struct pl_ice_mux *mux, const struct sockaddr *sa, struct pl_ice *ice)
{
	struct addr_key k;
	if (make_key(sa, &k) && g_hash_table_lookup(mux->by_addr, &k) == ice)
		g_hash_table_remove(mux->by_addr, &k);
}

/* ---- receiving ---------------------------------------------------------------------------- */

static void set_failed(struct pl_ice *ice)
{
	if (ice->failed_reported)
		return;
	ice->failed_reported = true;
	ice->ops.state(ice->user, PL_ICE_FAILED);
}

static void on_stun(struct pl_ice_mux *mux, unsigned sock, uint8_t *buf, size_t len,
                    const struct sockaddr *from, socklen_t from_len, int64_t now)
{
	struct pl_stun_msg m;
	char ufrag[PL_ICE_LITE_UFRAG_MAX];
	if (pl_stun_parse(buf, len, &m) != 0) {
		mux->stats.checks_rejected++;
		return;
	}
	/* Only requests are answered; indications (keepalives) and responses need nothing. */
	if (m.type != PL_STUN_BINDING_REQUEST)
		return;
	struct pl_ice *ice = NULL;
	if (pl_ice_lite_username_local(&m, ufrag) == 0)
		ice = g_hash_table_lookup(mux->by_ufrag, ufrag);
	if (!ice) {
		mux->stats.checks_rejected++;
		return;
	}
	uint8_t out[256];
	enum pl_ice_lite_event ev;
	int n = pl_ice_lite_on_request(&ice->lite, buf, len, &m, from, from_len, sock, now, out,
	                               sizeof out, &ev);
	if (n <= 0) {
		mux->stats.checks_rejected++;
		return;
	}
	mux->stats.checks_answered++;
	if (pl_ice_lite_find(&ice->lite, from, from_len))
		map_address(mux, from, ice);
	if (sendto(mux->socks[sock].fd, out, (size_t)n, MSG_DONTWAIT, from, from_len) != n)
		mux->stats.send_dropped++;
	if (ev == PL_ICE_LITE_EV_CONNECTED)
		ice->ops.state(ice->user, PL_ICE_CONNECTED);
}

static void on_datagram(struct pl_ice_mux *mux, unsigned sock, uint8_t *buf, size_t len,
                        const struct sockaddr *from, socklen_t from_len, int64_t now)
{
	if (pl_stun_is_stun(buf, len)) {
		on_stun(mux, sock, buf, len, from, from_len, now);
		return;
	}
	struct addr_key k;
	struct pl_ice *ice = make_key(from, &k) ? g_hash_table_lookup(mux->by_addr, &k) : NULL;
	if (ice && !pl_ice_lite_find(&ice->lite, from, from_len)) {
		/* The tuple was dropped to make room or expired: forget it. */
		g_hash_table_remove(mux->by_addr, &k);
		ice = NULL;
	}
	if (!ice) {
		mux->stats.unknown_source++;
		return;
	}
	ice->ops.recv(ice->user, buf, len);
}

static int64_t realtime_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The forwarding delay of the datagrams of n messages one sendmmsg took between t0 and t1, the
 * messages from gso_msgs[first] on (see pl_ice_stats.forward_delay). The kernel sends them in
 * order, each through the whole UDP output path (on loopback the receiver's input path too), so
 * the k-th of n is taken to leave at t0 + (t1 - t0) (k + 1) / n, all datagrams of one GSO send
 * together: the call's return for all would overstate the first ones by the duration of the
 * batch. */
static void record_delays(struct pl_ice_mux *mux, unsigned first, unsigned n, int64_t t0,
                          int64_t t1)
{
	for (unsigned k = 0; k < n; k++) {
		const struct pl_gso_msg *g = &mux->gso_msgs[first + k];
		int64_t left = t0 + (t1 - t0) * (int64_t)(k + 1) / (int64_t)n;
		for (unsigned d = g->first; d < g->first + g->n; d++)
			if (mux->out_rx[d])
				pl_delay_hist_add(&mux->stats.forward_delay, left - mux->out_rx[d]);
		if (g->n > 1) {
			mux->stats.gso_sends++;
			mux->stats.gso_datagrams += g->n;
		}
	}
}

/* The kernel's receive timestamp of a datagram (SO_TIMESTAMP), or 0 when it brought none. */
static int64_t rx_timestamp(struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timeval))) {
			struct timeval tv;
			memcpy(&tv, CMSG_DATA(c), sizeof tv);
			return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
		}
	}
	return 0;
}

static uint64_t dest_key(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)a;
		return (uint64_t)in->sin_addr.s_addr << 16 | in->sin_port;
	}
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
	uint64_t h[2];
	memcpy(h, &in6->sin6_addr, sizeof h);
	return (h[0] ^ h[1] * 0x9e3779b97f4a7c15ull) ^ in6->sin6_port;
}

/* The datagrams of a GSO send the kernel refused, one sendmsg each. */
static void send_separately(struct pl_ice_mux *mux, int fd, unsigned msg)
{
	const struct pl_gso_msg *g = &mux->gso_msgs[msg];
	struct msghdr h = mux->out_msgs[msg].msg_hdr;
	h.msg_control = NULL;
	h.msg_controllen = 0;
	h.msg_iovlen = 1;
	for (unsigned d = g->first; d < g->first + g->n; d++) {
		h.msg_iov = &mux->out_iov[d];
		if (sendmsg(fd, &h, MSG_DONTWAIT) < 0)
			mux->stats.send_dropped++;
		else if (mux->out_rx[d])
			pl_delay_hist_add(&mux->stats.forward_delay,
			                  realtime_us() - mux->out_rx[d]);
	}
}

/* The kernel refused a GSO send: its datagrams go one by one, and the socket sends without GSO
 * from now on (the rest of this flush, planned with GSO, comes here too). Logged once. */
static void gso_refused(struct pl_ice_mux *mux, unsigned sock, unsigned msg, int err)
{
	struct mux_socket *ms = &mux->socks[sock];
	if (ms->gso)
		g_message("udp port %u: the kernel refused UDP segmentation offload (%s); sending "
		          "every datagram on its own from now on",
		          ms->port, g_strerror(err));
	ms->gso = false;
	send_separately(mux, ms->fd, msg);
}

/* Hands n planned messages of one socket to the kernel. A datagram the kernel refuses (a full
 * buffer, an unreachable address) is dropped and counted; the rest go on. A GSO send refused as
 * such (a device or path without UDP segmentation: EIO, or a kernel without it: EINVAL or
 * ENOPROTOOPT) goes out datagram by datagram, and the socket sends without GSO from then on. */
static void send_messages(struct pl_ice_mux *mux, unsigned sock, unsigned n)
{
	struct mux_socket *ms = &mux->socks[sock];
	unsigned done = 0;
	while (done < n) {
		int64_t t0 = realtime_us();
		int r = sendmmsg(ms->fd, mux->out_msgs + done, n - done, MSG_DONTWAIT);
		if (r >= 0) {
			record_delays(mux, done, (unsigned)r, t0, realtime_us());
			done += (unsigned)r;
			continue;
		}
		if (errno == EINTR)
			continue;
		const struct pl_gso_msg *g = &mux->gso_msgs[done];
		if (g->n > 1 && (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT ||
		                 errno == EOPNOTSUPP)) {
			gso_refused(mux, sock, done, errno);
		} else {
			mux->stats.send_dropped += g->n;
		}
		done++; /* skip the one that failed */
	}
}

/* Sends the queue: per run of datagrams for the same socket, a plan of GSO sends
 * (media/udp_gso.h), then one sendmmsg for all of them. */
static void flush(struct pl_ice_mux *mux)
{
	unsigned i = 0;
	while (i < mux->n_out) {
		unsigned sock = mux->out[i].sock, n = 0;
		while (i + n < mux->n_out && mux->out[i + n].sock == sock) {
			const struct out_slot *o = &mux->out[i + n];
			mux->gso_items[n] = (struct pl_gso_item){
			    .key = o->key, .dest = &o->to, .dest_len = o->to_len, .len = o->len};
			n++;
		}
		unsigned n_msgs =
		    pl_gso_plan(mux->gso_items, n, mux->socks[sock].gso ? PL_GSO_MAX_SEGMENTS : 1,
		                mux->gso_order, mux->gso_msgs);
		for (unsigned d = 0; d < n; d++) {
			struct out_slot *o = &mux->out[i + mux->gso_order[d]];
			mux->out_iov[d] = (struct iovec){.iov_base = o->buf, .iov_len = o->len};
			mux->out_rx[d] = o->rx_us;
		}
		for (unsigned m = 0; m < n_msgs; m++) {
			const struct pl_gso_msg *g = &mux->gso_msgs[m];
			struct out_slot *o = &mux->out[i + mux->gso_order[g->first]];
			struct msghdr *h = &mux->out_msgs[m].msg_hdr;
			*h = (struct msghdr){.msg_name = &o->to,
			                     .msg_namelen = o->to_len,
			                     .msg_iov = &mux->out_iov[g->first],
			                     .msg_iovlen = g->n};
			if (g->n > 1) {
				h->msg_control = mux->out_ctl[m].buf;
				h->msg_controllen = sizeof mux->out_ctl[m].buf;
				struct cmsghdr *c = CMSG_FIRSTHDR(h);
				c->cmsg_level = SOL_UDP;
				c->cmsg_type = UDP_SEGMENT;
				c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
				uint16_t size = (uint16_t)g->seg_size;
				memcpy(CMSG_DATA(c), &size, sizeof size);
			}
		}
		send_messages(mux, sock, n_msgs);
		i += n;
	}
	mux->n_out = 0;
}

static gboolean mux_prepare(GSource *source, gint *timeout)
{
	struct pl_ice_mux *mux = *(struct pl_ice_mux **)(source + 1);
	if (mux->n_out)
		flush(mux);
	*timeout = -1;
	return FALSE;
}

static void read_socket(struct pl_ice_mux *mux, unsigned sock)
{
	int fd = mux->socks[sock].fd;
	for (int batch = 0; batch < PL_ICE_BATCHES; batch++) {
		for (unsigned i = 0; i < PL_ICE_BATCH; i++) {
			mux->iov[i] =
			    (struct iovec){.iov_base = mux->bufs[i], .iov_len = PL_ICE_BUF};
			mux->msgs[i].msg_hdr =
			    (struct msghdr){.msg_name = &mux->from[i],
			                    .msg_namelen = sizeof mux->from[i],
			                    .msg_iov = &mux->iov[i],
			                    .msg_iovlen = 1,
			                    .msg_control = mux->ctl[i].buf,
			                    .msg_controllen = sizeof mux->ctl[i]};
			mux->msgs[i].msg_len = 0;
		}
		int n = recvmmsg(fd, mux->msgs, PL_ICE_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		int64_t now = g_get_monotonic_time();
		for (int i = 0; i < n; i++) {
			struct msghdr *h = &mux->msgs[i].msg_hdr;
			if (h->msg_flags & MSG_TRUNC) {
				mux->stats.oversized++;
				continue;
			}
			mux->cur_rx_us = rx_timestamp(h);
			on_datagram(mux, sock, mux->bufs[i], mux->msgs[i].msg_len,
			            (const struct sockaddr *)&mux->from[i], h->msg_namelen, now);
		}
		mux->cur_rx_us = 0;
		flush(mux);
		if (n < PL_ICE_BATCH)
			return;
	}
}

static gboolean mux_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
	(void)callback;
	(void)data;
	struct pl_ice_mux *mux = *(struct pl_ice_mux **)(source + 1);
	for (unsigned i = 0; i < mux->n_socks; i++)
		if (g_source_query_unix_fd(source, mux->socks[i].tag) & (G_IO_IN | G_IO_ERR))
			read_socket(mux, i);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs mux_funcs = {.prepare = mux_prepare, .dispatch = mux_dispatch};

static void forget_tuple(void *ctx, const struct pl_ice_lite_tuple *t)
{
	struct pl_ice *ice = ctx;
	unmap_address(ice->mux, (const struct sockaddr *)&t->addr, ice);
}

static gboolean mux_tick(gpointer data)
{
	struct pl_ice_mux *mux = data;
	int64_t now = g_get_monotonic_time();
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, mux->by_ufrag);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct pl_ice *ice = v;
		if (pl_ice_lite_tick(&ice->lite, now, forget_tuple, ice) == PL_ICE_LITE_FAILED)
			set_failed(ice);
	}
	return G_SOURCE_CONTINUE;
}

/* ---- sockets ------------------------------------------------------------------------------ */

static void set_buffer(int fd, int force, int plain)
{
	int size = PL_ICE_SOCKBUF;
	/* The FORCE options need CAP_NET_ADMIN; without it the kernel caps at net.core.*mem_max. */
	if (setsockopt(fd, SOL_SOCKET, force, &size, sizeof size) != 0)
		setsockopt(fd, SOL_SOCKET, plain, &size, sizeof size);
}

static int open_socket(struct pl_ice_mux *mux, const char *addr, const struct pl_ice_settings *s,
                       char *err, size_t err_len)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *in = (void *)&ss;
	struct sockaddr_in6 *in6 = (void *)&ss;
	socklen_t len;
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		len = sizeof *in;
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		len = sizeof *in6;
	} else {
		snprintf(err, err_len, "\"%s\" is not an IP address", addr);
		return PL_EINVAL;
	}
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, err_len, "UDP socket for %s: %s", addr, strerror(errno));
		return PL_EIO;
	}
	int one = 1;
	if (ss.ss_family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	} else {
		/* Don't-fragment on every datagram, without the kernel's path-MTU bookkeeping:
		 * WebRTC keeps packets under ~1,200 bytes. Besides, an IPv4 datagram that may be
		 * fragmented needs a unique IP ID, which the kernel takes from a shared hashed
		 * table (6 % of the server's CPU in a 200-subscriber fan-out); with DF set the ID
		 * is simply 0. */
		int probe = IP_PMTUDISC_PROBE;
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof probe);
	}
	/* Receive timestamps for the forwarding delay in /metrics (pl_ice_stats.forward_delay). */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof one);
	set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF);
	set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF);
	unsigned lo = s->port_min, hi = s->port_max;
	if (!lo || !hi)
		lo = hi = 0;
	int e = 0;
	for (unsigned port = lo;; port++) {
		if (ss.ss_family == AF_INET)
			in->sin_port = htons((uint16_t)port);
		else
			in6->sin6_port = htons((uint16_t)port);
		if (bind(fd, (struct sockaddr *)&ss, len) == 0) {
			e = 0;
			break;
		}
		e = errno;
		if (e != EADDRINUSE || port >= hi)
			break;
	}
	if (e) {
		if (e == EADDRINUSE)
			snprintf(err, err_len,
			         "no free UDP port for %s in [media] udp_port_min..udp_port_max "
			         "(%u-%u): each media worker needs one port per address",
			         addr, lo, hi);
		else
			snprintf(err, err_len, "UDP bind to %s: %s", addr, strerror(e));
		close(fd);
		return PL_EIO;
	}
	getsockname(fd, (struct sockaddr *)&ss, &len);
	struct mux_socket *ms = &mux->socks[mux->n_socks++];
	ms->fd = fd;
	ms->gso = true;
	ms->family = ss.ss_family;
	ms->port = ntohs(ss.ss_family == AF_INET ? in->sin_port : in6->sin6_port);
	const char *shown = addr;
	/* A public address replaces the local one of its family in the candidates (1:1 NAT). */
	if (mux->public_ip && (strchr(mux->public_ip, ':') != NULL) == (ss.ss_family == AF_INET6))
		shown = mux->public_ip;
	g_strlcpy(ms->candidate_ip, shown, sizeof ms->candidate_ip);
	ms->tag = g_source_add_unix_fd(mux->source, fd, G_IO_IN | G_IO_ERR);
	return 0;
}

/* The addresses of the interfaces that are up; loopback only when there is nothing else. */
static char **interface_addresses(void)
{
	GPtrArray *out = g_ptr_array_new();
	GPtrArray *loop = g_ptr_array_new();
	struct ifaddrs *ifs = NULL;
	if (getifaddrs(&ifs) == 0) {
		for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
			if (!i->ifa_addr || !(i->ifa_flags & IFF_UP))
				continue;
			char buf[INET6_ADDRSTRLEN];
			int fam = i->ifa_addr->sa_family;
			if (fam == AF_INET) {
				inet_ntop(AF_INET,
				          &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr,
				          buf, sizeof buf);
			} else if (fam == AF_INET6) {
				const struct in6_addr *a =
				    &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
				/* Link-local addresses need a scope and browsers do not offer them.
				 */
				if (IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_V4MAPPED(a))
					continue;
				inet_ntop(AF_INET6, a, buf, sizeof buf);
			} else {
				continue;
			}
			g_ptr_array_add((i->ifa_flags & IFF_LOOPBACK) ? loop : out, g_strdup(buf));
		}
		freeifaddrs(ifs);
	}
	GPtrArray *use = out->len ? out : loop;
	GPtrArray *other = out->len ? loop : out;
	g_ptr_array_set_free_func(other, g_free);
	g_ptr_array_free(other, TRUE);
	if (use->len == 0)
		g_ptr_array_add(use, g_strdup("127.0.0.1"));
	g_ptr_array_add(use, NULL);
	return (char **)g_ptr_array_free(use, FALSE);
}

struct pl_ice_mux *pl_ice_mux_new(GMainContext *ctx, const struct pl_ice_settings *s, char *err,
                                  size_t err_len)
{
	struct pl_ice_mux *mux = pl_xcalloc(1, sizeof *mux);
	mux->ctx = ctx;
	mux->public_ip = s->public_ip && *s->public_ip ? g_strdup(s->public_ip) : NULL;
	mux->source = g_source_new(&mux_funcs, sizeof(GSource) + sizeof(mux));
	*(struct pl_ice_mux **)(mux->source + 1) = mux;
	mux->by_ufrag = g_hash_table_new(g_str_hash, g_str_equal);
	mux->by_addr = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
	char **found = NULL;
	char **addrs =
	    s->addresses && s->addresses[0] ? s->addresses : (found = interface_addresses());
	for (size_t i = 0; addrs[i] && mux->n_socks < PL_ICE_MAX_SOCKETS; i++) {
		if (open_socket(mux, addrs[i], s, err, err_len) != 0) {
			g_strfreev(found);
			pl_ice_mux_free(mux);
			return NULL;
		}
	}
	g_strfreev(found);
	mux->candidates = pl_xcalloc(mux->n_socks + 1, sizeof *mux->candidates);
	for (unsigned i = 0; i < mux->n_socks; i++) {
		/* RFC 8445 5.1.2.1: type preference 126 for host; earlier addresses first. */
		uint32_t prio = (126u << 24) | ((65535u - i) << 8) | 255u;
		mux->candidates[i] =
		    g_strdup_printf("candidate:%u 1 udp %u %s %u typ host", i + 1, prio,
		                    mux->socks[i].candidate_ip, mux->socks[i].port);
	}
	/* GLib blocks a source that cannot recurse while it dispatches, and blocking takes its
	 * descriptors out of the poll set and puts them back, each time signalling the context's
	 * wake-up eventfd: two writes, a read and an extra main-loop iteration on every wake-up
	 * that receives media (seen with strace). Nothing here iterates the context from inside
	 * its dispatch, so recursion cannot happen and the blocking buys nothing. */
	g_source_set_can_recurse(mux->source, TRUE);
	g_source_attach(mux->source, ctx);
	mux->tick = g_timeout_source_new_seconds(1);
	g_source_set_callback(mux->tick, mux_tick, mux, NULL);
	g_source_attach(mux->tick, ctx);
	return mux;
}

void pl_ice_mux_free(struct pl_ice_mux *mux)
{
	if (!mux)
		return;
	flush(mux);
	if (mux->tick) {
		g_source_destroy(mux->tick);
		g_source_unref(mux->tick);
	}
	g_source_destroy(mux->source);
	g_source_unref(mux->source);
	for (unsigned i = 0; i < mux->n_socks; i++)
		close(mux->socks[i].fd);
	g_hash_table_destroy(mux->by_ufrag);
	g_hash_table_destroy(mux->by_addr);
	g_strfreev(mux->candidates);
	g_free(mux->public_ip);
	free(mux);
}

const char *const *pl_ice_mux_candidates(const struct pl_ice_mux *mux)
{
	return (const char *const *)mux->candidates;
}

const struct pl_ice_stats *pl_ice_mux_stats(const struct pl_ice_mux *mux)
{
	return &mux->stats;
}

void pl_ice_mux_describe(const struct pl_ice_mux *mux, char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "udp");
	for (unsigned i = 0; i < mux->n_socks && n < cap; i++) {
		const struct mux_socket *s = &mux->socks[i];
		n += (size_t)snprintf(out + n, cap - n,
		                      s->family == AF_INET6 ? "%s [%s]:%u" : "%s %s:%u",
		                      i ? "," : "", s->candidate_ip, s->port);
	}
}

unsigned pl_ice_mux_socket_count(const struct pl_ice_mux *mux)
{
	return mux->n_socks;
}

/* ---- one PeerConnection ------------------------------------------------------------------- */

struct pl_ice *pl_ice_new(struct pl_ice_mux *mux, const char *local_ufrag, const char *local_pwd,
                          const struct pl_ice_ops *ops, void *user)
{
	if (g_hash_table_contains(mux->by_ufrag, local_ufrag))
		return NULL;
	struct pl_ice *ice = pl_xcalloc(1, sizeof *ice);
	ice->mux = mux;
	ice->ops = *ops;
	ice->user = user;
	pl_ice_lite_init(&ice->lite, local_ufrag, local_pwd, g_get_monotonic_time());
	g_hash_table_insert(mux->by_ufrag, ice->lite.ufrag, ice);
	return ice;
}

int pl_ice_set_remote_credentials(struct pl_ice *ice, const char *ufrag, const char *pwd)
{
	(void)pwd; /* a lite agent sends no checks, so it never signs with the peer's password */
	if (!ufrag || !*ufrag)
		return PL_EINVAL;
	pl_ice_lite_set_remote_ufrag(&ice->lite, ufrag);
	return 0;
}

int pl_ice_send(struct pl_ice *ice, const uint8_t *buf, size_t len)
{
	const struct pl_ice_lite_tuple *t = pl_ice_lite_selected(&ice->lite);
	if (!t)
		return PL_ESTATE;
	struct pl_ice_mux *mux = ice->mux;
	if (len > PL_ICE_BUF)
		return PL_ELIMIT;
	if (mux->n_out == PL_ICE_OUT)
		flush(mux);
	struct out_slot *o = &mux->out[mux->n_out++];
	memcpy(&o->to, &t->addr, t->addr_len);
	o->to_len = t->addr_len;
	o->sock = t->sock;
	o->rx_us = mux->cur_rx_us;
	o->key = dest_key(&o->to);
	o->len = len;
	memcpy(o->buf, buf, len);
	return 0;
}

static gboolean maps_to(gpointer key, gpointer value, gpointer ice)
{
	(void)key;
	return value == ice;
}

void pl_ice_free(struct pl_ice *ice)
{
	if (!ice)
		return;
	/* Every address that leads to it, including tuples it dropped to make room for newer ones
	 * (those stay in the table until a packet from them finds them gone). */
	g_hash_table_foreach_remove(ice->mux->by_addr, maps_to, ice);
	g_hash_table_remove(ice->mux->by_ufrag, ice->lite.ufrag);
	free(ice);
}
