/* libnice glue. libnice does connectivity checks, consent freshness and the UDP sockets; this file
 * only translates between its GObject signals and struct pl_ice_ops. */
#include "server/ice.h"

#include <errno.h>
#include <nice/agent.h>
#include <nice/interfaces.h>
#include <nice/nice.h>
#include <string.h>
#include <sys/socket.h>

#include "media/alloc.h"
#include "media/error.h"

struct pl_ice {
	NiceAgent *agent;
	guint stream;
	struct pl_ice_ops ops;
	void *user;
	char *public_ip;
	bool connected;
	bool failed;
	/* The selected pair's own UDP socket and remote address: media is sent with one sendto()
	 * on it instead of through nice_agent_send (agent lock, stream lookup, GSocket and GError
	 * layers per packet). libnice keeps owning the socket, receiving and its checks. */
	GSocket *direct;
	struct sockaddr_storage direct_to;
	socklen_t direct_len;
};

static void on_recv(NiceAgent *agent, guint stream, guint component, guint len, gchar *buf,
                    gpointer data)
{
	struct pl_ice *ice = data;
	ice->ops.recv(ice->user, (uint8_t *)buf, len);
}

/* Replaces the connection address (5th field) of a candidate line with public_ip. */
static char *with_public_ip(const char *cand, const char *public_ip)
{
	gchar **f = g_strsplit(cand, " ", 0);
	if (g_strv_length(f) < 8) {
		g_strfreev(f);
		return g_strdup(cand);
	}
	g_free(f[4]);
	f[4] = g_strdup(public_ip);
	char *s = g_strjoinv(" ", f);
	g_strfreev(f);
	return s;
}

static void on_selected_pair(NiceAgent *agent, guint stream, guint component, NiceCandidate *local,
                             NiceCandidate *remote, gpointer data)
{
	struct pl_ice *ice = data;
	g_clear_object(&ice->direct);
	/* Only a plain host/srflx/prflx UDP pair: a relayed or TCP one needs libnice's framing. */
	if (local->transport != NICE_CANDIDATE_TRANSPORT_UDP ||
	    local->type == NICE_CANDIDATE_TYPE_RELAYED ||
	    remote->type == NICE_CANDIDATE_TYPE_RELAYED)
		return;
	GSocket *sock = nice_agent_get_selected_socket(agent, stream, component);
	if (!sock)
		return;
	memset(&ice->direct_to, 0, sizeof ice->direct_to);
	nice_address_copy_to_sockaddr(&remote->addr, (struct sockaddr *)&ice->direct_to);
	sa_family_t fam = ((struct sockaddr *)&ice->direct_to)->sa_family;
	ice->direct_len = fam == AF_INET    ? sizeof(struct sockaddr_in)
	                  : fam == AF_INET6 ? sizeof(struct sockaddr_in6)
	                                    : 0;
	if (ice->direct_len)
		ice->direct = sock;
	else
		g_object_unref(sock);
}

static void on_new_candidate(NiceAgent *agent, NiceCandidate *cand, gpointer data)
{
	struct pl_ice *ice = data;
	gchar *sdp = nice_agent_generate_local_candidate_sdp(agent, cand);
	if (!sdp)
		return;
	const char *line = strncmp(sdp, "a=", 2) == 0 ? sdp + 2 : sdp;
	if (ice->public_ip && cand->type == NICE_CANDIDATE_TYPE_HOST) {
		char *pub = with_public_ip(line, ice->public_ip);
		ice->ops.candidate(ice->user, pub);
		g_free(pub);
	} else {
		ice->ops.candidate(ice->user, line);
	}
	g_free(sdp);
}

static void on_gathering_done(NiceAgent *agent, guint stream, gpointer data)
{
	struct pl_ice *ice = data;
	ice->ops.candidate(ice->user, NULL);
}

static void on_state(NiceAgent *agent, guint stream, guint component, guint state, gpointer data)
{
	struct pl_ice *ice = data;
	if ((state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY) &&
	    !ice->connected) {
		ice->connected = true;
		ice->ops.state(ice->user, PL_ICE_CONNECTED);
	} else if (state == NICE_COMPONENT_STATE_FAILED && !ice->failed) {
		/* Also reached when RFC 7675 consent expires on a connected pair. */
		ice->failed = true;
		ice->ops.state(ice->user, PL_ICE_FAILED);
	}
}

/* RFC 7675 consent freshness. libnice before 0.1.22 lets consent expire 10 s after the last
 * answered check (the RFC says 30 s) and sends one check every 4 to 6 s, never retransmitted: one
 * lost check or answer could end a healthy connection, and did at 5 % random loss
 * (tests/e2e/loss), as did a 5 s outage. With such a libnice the same checks run as keepalives
 * instead ("keepalive-conncheck"), and the pair fails after 50 s without an answer. */
#if NICE_CHECK_VERSION(0, 1, 22)
#define LIBNICE_CONSENT_OK true
#else
#define LIBNICE_CONSENT_OK false
#endif

struct pl_ice *pl_ice_new(GMainContext *ctx, const struct pl_ice_settings *s, bool controlling,
                          const char *local_ufrag, const char *local_pwd,
                          const struct pl_ice_ops *ops, void *user)
{
	NiceAgentOption flags = NICE_AGENT_OPTION_ICE_TRICKLE;
	if (s->consent_freshness && LIBNICE_CONSENT_OK)
		flags |= NICE_AGENT_OPTION_CONSENT_FRESHNESS;
	struct pl_ice *ice = pl_xcalloc(1, sizeof *ice);
	ice->ops = *ops;
	ice->user = user;
	ice->public_ip = s->public_ip && *s->public_ip ? pl_xstrdup(s->public_ip) : NULL;
	ice->agent = nice_agent_new_full(ctx, NICE_COMPATIBILITY_RFC5245, flags);
	g_object_set(ice->agent, "controlling-mode", controlling, "ice-tcp", FALSE, "upnp", FALSE,
	             "keepalive-conncheck", (gboolean)s->consent_freshness, NULL);
	for (size_t i = 0; s->addresses && s->addresses[i]; i++) {
		NiceAddress a;
		nice_address_init(&a);
		if (nice_address_set_from_string(&a, s->addresses[i]))
			nice_agent_add_local_address(ice->agent, &a);
	}
	ice->stream = nice_agent_add_stream(ice->agent, 1);
	if (s->port_min && s->port_max)
		nice_agent_set_port_range(ice->agent, ice->stream, 1, s->port_min, s->port_max);
	nice_agent_set_local_credentials(ice->agent, ice->stream, local_ufrag, local_pwd);
	g_signal_connect(ice->agent, "new-candidate-full", G_CALLBACK(on_new_candidate), ice);
	g_signal_connect(ice->agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done),
	                 ice);
	g_signal_connect(ice->agent, "component-state-changed", G_CALLBACK(on_state), ice);
	g_signal_connect(ice->agent, "new-selected-pair-full", G_CALLBACK(on_selected_pair), ice);
	nice_agent_attach_recv(ice->agent, ice->stream, 1, ctx, on_recv, ice);
	return ice;
}

int pl_ice_gather(struct pl_ice *ice)
{
	return nice_agent_gather_candidates(ice->agent, ice->stream) ? 0 : PL_EIO;
}

int pl_ice_set_remote_credentials(struct pl_ice *ice, const char *ufrag, const char *pwd)
{
	return nice_agent_set_remote_credentials(ice->agent, ice->stream, ufrag, pwd) ? 0
	                                                                              : PL_EINVAL;
}

int pl_ice_add_remote_candidate(struct pl_ice *ice, const char *candidate)
{
	if (strstr(candidate, ".local "))
		return PL_EUNSUPPORTED;
	char *line = strncmp(candidate, "a=", 2) == 0 ? g_strdup(candidate)
	                                              : g_strconcat("a=", candidate, NULL);
	NiceCandidate *c = nice_agent_parse_remote_candidate_sdp(ice->agent, ice->stream, line);
	g_free(line);
	if (!c)
		return PL_EINVAL;
	/* Only UDP: BUNDLE over one UDP component is all Plenum serves. */
	if (c->transport != NICE_CANDIDATE_TRANSPORT_UDP) {
		nice_candidate_free(c);
		return PL_EUNSUPPORTED;
	}
	GSList one = {.data = c, .next = NULL};
	int n = nice_agent_set_remote_candidates(ice->agent, ice->stream, 1, &one);
	nice_candidate_free(c);
	return n == 1 ? 0 : PL_EINVAL;
}

void pl_ice_remote_gathering_done(struct pl_ice *ice)
{
	nice_agent_peer_candidate_gathering_done(ice->agent, ice->stream);
}

int pl_ice_send(struct pl_ice *ice, const uint8_t *buf, size_t len)
{
	if (!ice->connected || ice->failed)
		return PL_ESTATE;
	if (ice->direct) {
		ssize_t n = sendto(g_socket_get_fd(ice->direct), buf, len, MSG_DONTWAIT,
		                   (struct sockaddr *)&ice->direct_to, ice->direct_len);
		/* A full socket buffer drops the datagram, as it would through libnice. */
		return n == (ssize_t)len ? 0 : errno == EAGAIN ? PL_EFULL : PL_EIO;
	}
	int n = nice_agent_send(ice->agent, ice->stream, 1, (guint)len, (const gchar *)buf);
	return n == (int)len ? 0 : PL_EIO;
}

void pl_ice_free(struct pl_ice *ice)
{
	if (!ice)
		return;
	nice_agent_attach_recv(ice->agent, ice->stream, 1, NULL, NULL, NULL);
	g_signal_handlers_disconnect_by_data(ice->agent, ice);
	g_clear_object(&ice->direct);
	nice_agent_remove_stream(ice->agent, ice->stream);
	g_object_unref(ice->agent);
	free(ice->public_ip);
	free(ice);
}

unsigned pl_ice_sockets_per_agent(char **addresses)
{
	unsigned n = 0;
	if (addresses && addresses[0]) {
		while (addresses[n])
			n++;
		return n;
	}
	/* What libnice gathers on when no address was added (pl_ice_new adds none then). */
	GList *ips = nice_interfaces_get_local_ips(FALSE);
	n = g_list_length(ips);
	g_list_free_full(ips, g_free);
	return n ? n : 1;
}
