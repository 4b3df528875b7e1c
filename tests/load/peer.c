/* One PeerConnection of a simulated participant: a libnice agent (controlling for the publish
 * PC, controlled for the subscribe PC, as a browser would be on the offering / answering side,
 * unless the server is ICE-lite, as Plenum is: then controlling for both)
 * and a media/transport (RFC 7983 demultiplexing, DTLS-SRTP). Non-decrypting subscribers look
 * at the cleartext SRTP header of RTP packets and never unprotect them, so the generator does
 * not spend more CPU per packet than the server. */
#include <nice/agent.h>
#include <stdio.h>
#include <string.h>

#include "media/alloc.h"
#include "media/demux.h"
#include "media/srtp_session.h"
#include "media/transport.h"
#include "tests/load/load.h"

static void random_token(char *out, size_t n)
{
	static const char chars[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	for (size_t i = 0; i + 1 < n; i++)
		out[i] = chars[g_random_int_range(0, (int)sizeof chars - 1)];
	out[n - 1] = 0;
}

static void on_recv(NiceAgent *agent, guint stream, guint component, guint len, gchar *buf,
                    gpointer data)
{
	struct pl_peer *p = data;
	int64_t now = pl_now_us();
	if (p->part->hostile == PL_HOSTILE_DTLS_STALL &&
	    pl_demux((const uint8_t *)buf, len) == PL_PKT_DTLS)
		return; /* never answer the handshake */
	if (!p->publish && !p->decrypt && pl_demux((const uint8_t *)buf, len) == PL_PKT_RTP) {
		if (p->dtls_up)
			pl_submedia_rtp(p->part, (const uint8_t *)buf, len, false, now);
		return;
	}
	if (p->t)
		pl_transport_receive(p->t, (uint8_t *)buf, len, now);
}

static void t_send(void *user, const uint8_t *buf, size_t len)
{
	struct pl_peer *p = user;
	nice_agent_send(p->agent, p->stream, 1, (guint)len, (const gchar *)buf);
	if (p->part->hostile == PL_HOSTILE_SRTP_REPLAY && p->publish &&
	    pl_demux(buf, len) == PL_PKT_RTP && len <= sizeof p->replay[0]) {
		unsigned i = p->replay_next++ % 4;
		memcpy(p->replay[i], buf, len);
		p->replay_len[i] = (uint16_t)len;
	}
}

void pl_peer_send_raw(struct pl_peer *p, const uint8_t *buf, size_t len)
{
	if (p && p->ice_connected)
		nice_agent_send(p->agent, p->stream, 1, (guint)len, (const gchar *)buf);
}

unsigned pl_peer_replay(struct pl_peer *p, unsigned times)
{
	unsigned sent = 0;
	for (unsigned t = 0; p && t < times; t++)
		for (unsigned i = 0; i < 4; i++)
			if (p->replay_len[i]) {
				pl_peer_send_raw(p, p->replay[i], p->replay_len[i]);
				sent++;
			}
	return sent;
}

static void t_rtp(void *user, uint8_t *buf, size_t len, int64_t now_us)
{
	struct pl_peer *p = user;
	if (!p->publish)
		pl_submedia_rtp(p->part, buf, len, true, now_us);
}

static void t_rtcp(void *user, uint8_t *buf, size_t len, int64_t now_us)
{
	struct pl_peer *p = user;
	if (p->publish)
		pl_pubmedia_rtcp(p->part, buf, len);
	else
		pl_submedia_rtcp(p->part, buf, len, now_us);
}

static void t_state(void *user, enum pl_transport_state state, const char *reason)
{
	struct pl_peer *p = user;
	if (state == PL_TRANSPORT_CONNECTED && !p->dtls_up) {
		p->dtls_up = true;
		p->srtp_profile = pl_transport_srtp_profile(p->t);
		pl_part_mark(p->part, p->publish ? PL_T_PUB_DTLS : PL_T_SUB_DTLS);
		pl_part_on_dtls(p->part, p);
	} else if (state == PL_TRANSPORT_FAILED && !p->failed) {
		p->failed = true;
		pl_part_fail(p->part, "%s DTLS failed: %s", p->publish ? "publish" : "subscribe",
		             reason ? reason : "?");
	}
}

static const struct pl_transport_ops t_ops = {t_send, t_rtp, t_rtcp, t_state};

static void on_candidate(NiceAgent *agent, NiceCandidate *cand, gpointer data)
{
	struct pl_peer *p = data;
	gchar *sdp = nice_agent_generate_local_candidate_sdp(agent, cand);
	if (!sdp)
		return;
	pl_part_send_candidate(p->part, p->publish, strncmp(sdp, "a=", 2) == 0 ? sdp + 2 : sdp);
	g_free(sdp);
}

static void on_gathering_done(NiceAgent *agent, guint stream, gpointer data)
{
	struct pl_peer *p = data;
	pl_part_send_candidate(p->part, p->publish, NULL);
}

static void on_state(NiceAgent *agent, guint stream, guint component, guint state, gpointer data)
{
	struct pl_peer *p = data;
	if ((state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY) &&
	    !p->ice_connected) {
		p->ice_connected = true;
		pl_part_mark(p->part, p->publish ? PL_T_PUB_ICE : PL_T_SUB_ICE);
		if (p->t && p->part->hostile != PL_HOSTILE_DTLS_STALL)
			pl_transport_start(p->t, pl_now_us());
	} else if (state == NICE_COMPONENT_STATE_FAILED && !p->failed) {
		p->failed = true;
		pl_part_fail(p->part, "%s ICE failed", p->publish ? "publish" : "subscribe");
	}
}

struct pl_peer *pl_peer_new(struct pl_part *part, bool publish)
{
	struct pl_peer *p = pl_xcalloc(1, sizeof *p);
	p->part = part;
	p->publish = publish;
	p->decrypt = publish || part->decrypt;
	p->pending_cands = g_ptr_array_new_with_free_func(g_free);
	/* Consent freshness (RFC 7675) as browsers do it: a check every 5 s or so, which is also
	 * what keeps an ICE-lite server's pair alive. */
	NiceAgent *a = nice_agent_new_full(g_main_context_default(), NICE_COMPATIBILITY_RFC5245,
	                                   NICE_AGENT_OPTION_ICE_TRICKLE |
	                                       NICE_AGENT_OPTION_CONSENT_FRESHNESS);
	p->agent = a;
	g_object_set(a, "controlling-mode", publish, "ice-tcp", FALSE, "upnp", FALSE, NULL);
	if (part->L->o.ice_pacing_ms)
		g_object_set(a, "stun-pacing-timer", (guint)part->L->o.ice_pacing_ms, NULL);
	/* libnice skips loopback interfaces when it enumerates them itself; an explicit address
	 * is used as it is (and disables the enumeration). */
	NiceAddress addr;
	nice_address_init(&addr);
	nice_address_set_from_string(&addr, part->L->o.local_addr);
	nice_agent_add_local_address(a, &addr);
	p->stream = nice_agent_add_stream(a, 1);
	random_token(p->ufrag, 9);
	random_token(p->pwd, 25);
	nice_agent_set_local_credentials(a, p->stream, p->ufrag, p->pwd);
	g_signal_connect(a, "new-candidate-full", G_CALLBACK(on_candidate), p);
	g_signal_connect(a, "candidate-gathering-done", G_CALLBACK(on_gathering_done), p);
	g_signal_connect(a, "component-state-changed", G_CALLBACK(on_state), p);
	nice_agent_attach_recv(a, p->stream, 1, g_main_context_default(), on_recv, p);
	return p;
}

void pl_peer_free(struct pl_peer *p)
{
	if (!p)
		return;
	NiceAgent *a = p->agent;
	nice_agent_attach_recv(a, p->stream, 1, NULL, NULL, NULL);
	g_signal_handlers_disconnect_by_data(a, p);
	nice_agent_remove_stream(a, p->stream);
	g_object_unref(a);
	pl_transport_free(p->t);
	g_ptr_array_free(p->pending_cands, TRUE);
	free(p);
}

void pl_peer_set_controlling(struct pl_peer *p, bool controlling)
{
	g_object_set(p->agent, "controlling-mode", controlling, NULL);
}

void pl_peer_gather(struct pl_peer *p)
{
	if (!nice_agent_gather_candidates(p->agent, p->stream))
		pl_part_fail(p->part, "libnice could not gather candidates on %s",
		             p->part->L->o.local_addr);
}

static void add_candidate_now(struct pl_peer *p, const char *cand)
{
	char *line = strncmp(cand, "a=", 2) == 0 ? g_strdup(cand) : g_strconcat("a=", cand, NULL);
	NiceCandidate *c = nice_agent_parse_remote_candidate_sdp(p->agent, p->stream, line);
	g_free(line);
	if (!c)
		return;
	GSList one = {.data = c, .next = NULL};
	nice_agent_set_remote_candidates(p->agent, p->stream, 1, &one);
	nice_candidate_free(c);
}

int pl_peer_set_remote(struct pl_peer *p, const char *ufrag, const char *pwd, const uint8_t fp[32],
                       bool we_are_dtls_client, char *err, size_t errlen)
{
	if (p->remote_set)
		return 0; /* a re-offer on the same transport: nothing changes */
	if (!nice_agent_set_remote_credentials(p->agent, p->stream, ufrag, pwd)) {
		snprintf(err, errlen, "libnice refused the remote ICE credentials");
		return -1;
	}
	/* --srtp-profile: only the profile under test, so either DTLS role ends up with it */
	const int *profiles = p->part->L->o.srtp_profiles;
	p->t =
	    pl_transport_new(p->part->L->cert, we_are_dtls_client ? PL_DTLS_CLIENT : PL_DTLS_SERVER,
	                     fp, profiles, PL_SRTP_MAX_SSRCS_LIMIT, 10 * 1000000LL, &t_ops, p);
	if (!p->t) {
		snprintf(err, errlen, "cannot create the DTLS/SRTP transport");
		return -1;
	}
	p->remote_set = true;
	for (guint i = 0; i < p->pending_cands->len; i++)
		add_candidate_now(p, g_ptr_array_index(p->pending_cands, i));
	g_ptr_array_set_size(p->pending_cands, 0);
	if (p->remote_end_pending)
		nice_agent_peer_candidate_gathering_done(p->agent, p->stream);
	if (p->ice_connected && p->part->hostile != PL_HOSTILE_DTLS_STALL)
		pl_transport_start(p->t, pl_now_us());
	return 0;
}

void pl_peer_add_candidate(struct pl_peer *p, const char *cand)
{
	if (!p->remote_set) {
		if (p->pending_cands->len < 64)
			g_ptr_array_add(p->pending_cands, g_strdup(cand));
		return;
	}
	add_candidate_now(p, cand);
}

void pl_peer_add_sdp_candidates(struct pl_peer *p, const struct pl_lsdp *s)
{
	for (guint i = 0; s->cands && i < s->cands->len; i++)
		pl_peer_add_candidate(p, g_ptr_array_index(s->cands, i));
	if (s->end_of_cands)
		pl_peer_end_of_candidates(p);
}

void pl_peer_end_of_candidates(struct pl_peer *p)
{
	if (!p->remote_set) {
		p->remote_end_pending = true;
		return;
	}
	nice_agent_peer_candidate_gathering_done(p->agent, p->stream);
}

void pl_peer_send_rtp(struct pl_peer *p, uint8_t *buf, size_t len, size_t cap)
{
	if (p->dtls_up)
		pl_transport_send_rtp(p->t, buf, len, cap);
}

void pl_peer_send_rtcp(struct pl_peer *p, uint8_t *buf, size_t len, size_t cap)
{
	if (p->dtls_up)
		pl_transport_send_rtcp(p->t, buf, len, cap);
}

void pl_peer_tick(struct pl_peer *p, int64_t now_us)
{
	if (p->t && !p->dtls_up && !p->failed && pl_transport_next_timeout(p->t) <= now_us)
		pl_transport_handle_timeout(p->t, now_us);
}
