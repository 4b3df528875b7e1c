/* See media_counters.h. */
#include "server/media_counters.h"

#include <inttypes.h>
#include <stdio.h>

#define ADD(f) to->f += from->f

static void add_transport_stats(struct pl_transport_stats *to,
                                const struct pl_transport_stats *from)
{
	ADD(dtls_in);
	ADD(srtp_in);
	ADD(srtcp_in);
	ADD(srtp_out);
	ADD(srtcp_out);
	ADD(unprotect_fail);
	ADD(protect_fail);
	ADD(unknown);
}

static void add_srtp_stats(struct pl_srtp_stats *to, const struct pl_srtp_stats *from)
{
	ADD(protected_pkts);
	ADD(unprotected_pkts);
	ADD(auth_fail);
	ADD(replay);
	ADD(ssrc_cap_hits);
}

static void add_router_stats(struct pl_router_stats *to, const struct pl_router_stats *from)
{
	ADD(rtp_in);
	ADD(rtp_out);
	ADD(rtp_dropped);
	ADD(rtcp_in);
	ADD(rtcp_out);
	ADD(nack_in);
	ADD(retransmits);
	ADD(pli_in);
	ADD(pli_out);
	ADD(twcc_out);
	ADD(bad_rtp);
	ADD(bad_rtcp);
	ADD(unknown_ssrc);
	ADD(nack_out);
	ADD(rtx_repaired);
	ADD(retransmits_capped);
	ADD(pli_suppressed);
}

void pl_media_counters_add(struct pl_media_counters *to, const struct pl_media_counters *from)
{
	ADD(transports_created);
	ADD(transports_connected);
	ADD(ice_failed);
	ADD(dtls_failed);
	add_transport_stats(&to->transport, &from->transport);
	add_srtp_stats(&to->srtp, &from->srtp);
	add_router_stats(&to->router, &from->router);
	pl_media_counters_add_ice(to, &from->ice);
}

void pl_media_counters_add_ice(struct pl_media_counters *to, const struct pl_ice_stats *s)
{
	to->ice.checks_answered += s->checks_answered;
	to->ice.checks_rejected += s->checks_rejected;
	to->ice.unknown_source += s->unknown_source;
	to->ice.oversized += s->oversized;
	to->ice.send_dropped += s->send_dropped;
	to->ice.gso_sends += s->gso_sends;
	to->ice.gso_datagrams += s->gso_datagrams;
	pl_delay_hist_merge(&to->ice.forward_delay, &s->forward_delay);
}

void pl_media_counters_add_transport(struct pl_media_counters *to, const struct pl_transport *t)
{
	if (!t)
		return;
	add_transport_stats(&to->transport, pl_transport_stats(t));
	const struct pl_srtp_stats *s = pl_transport_srtp_stats(t);
	if (s)
		add_srtp_stats(&to->srtp, s);
}

void pl_media_counters_add_router(struct pl_media_counters *to, const struct pl_router *r)
{
	if (r)
		add_router_stats(&to->router, pl_router_stats(r));
}

/* snprintf at buf + len (buf, cap and len are the caller's locals); len grows by what was
 * needed even when it did not fit, so the function returns the full length like snprintf. */
#define APPEND(...)                                                                                \
	do {                                                                                       \
		int n_ = snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0,         \
		                  __VA_ARGS__);                                                    \
		if (n_ > 0)                                                                        \
			len += (size_t)n_;                                                         \
	} while (0)

/* The forwarding delay as a Prometheus histogram: cumulative buckets in seconds. */
static size_t format_delay(const struct pl_delay_hist *h, char *buf, size_t cap)
{
	static const char name[] = "plenum_media_forward_delay_seconds";
	size_t len = 0;
	APPEND("# HELP %s Time from a datagram's arrival at a media worker's socket to the sending "
	       "of each datagram it caused (forwarded RTP, retransmissions, RTCP answers).\n"
	       "# TYPE %s histogram\n",
	       name, name);
	uint64_t cum = 0;
	for (unsigned i = 0; i < PL_DELAY_BUCKETS; i++) {
		cum += h->count[i];
		if (i < PL_DELAY_BUCKETS - 1) {
			int64_t us = pl_delay_bucket_le_us[i];
			APPEND("%s_bucket{le=\"%" PRId64 ".%06" PRId64 "\"} %" PRIu64 "\n", name,
			       us / 1000000, us % 1000000, cum);
		} else {
			APPEND("%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, cum);
		}
	}
	APPEND("%s_sum %" PRIu64 ".%06" PRIu64 "\n%s_count %" PRIu64 "\n", name,
	       h->sum_us / 1000000, h->sum_us % 1000000, name, h->total);
	return len;
}

/* One metric: name, help text, value. */
struct metric {
	const char *name, *help;
	uint64_t v;
};

size_t pl_media_counters_format(const struct pl_media_counters *c, char *buf, size_t cap)
{
	const struct pl_router_stats *r = &c->router;
	const struct metric m[] = {
	    {"transports_created", "PeerConnections (ICE+DTLS+SRTP) set up", c->transports_created},
	    {"transports_connected", "PeerConnections whose DTLS handshake completed",
	     c->transports_connected},
	    {"ice_failed", "PeerConnections whose ICE failed or lost consent", c->ice_failed},
	    {"dtls_failed",
	     "PeerConnections whose DTLS failed (timeout, fingerprint mismatch, no SRTP profile)",
	     c->dtls_failed},
	    {"ice_checks_answered", "ICE connectivity checks answered", c->ice.checks_answered},
	    {"ice_checks_rejected",
	     "STUN requests not answered: malformed, unknown ufrag or wrong MESSAGE-INTEGRITY",
	     c->ice.checks_rejected},
	    {"udp_unknown_source",
	     "datagrams from an address no connectivity check validated, dropped",
	     c->ice.unknown_source},
	    {"udp_oversized", "datagrams over 2048 bytes, dropped", c->ice.oversized},
	    {"udp_send_dropped", "datagrams not sent: the UDP send buffer was full",
	     c->ice.send_dropped},
	    {"udp_gso_sends",
	     "sends of several datagrams to one address at once (UDP segmentation offload)",
	     c->ice.gso_sends},
	    {"udp_gso_datagrams", "datagrams sent in them", c->ice.gso_datagrams},
	    {"dtls_packets_in", "DTLS datagrams received", c->transport.dtls_in},
	    {"srtp_packets_in", "SRTP packets received and decrypted", c->transport.srtp_in},
	    {"srtcp_packets_in", "SRTCP packets received and decrypted", c->transport.srtcp_in},
	    {"srtp_packets_out", "SRTP packets sent", c->transport.srtp_out},
	    {"srtcp_packets_out", "SRTCP packets sent", c->transport.srtcp_out},
	    {"unprotect_failed", "received packets dropped by SRTP/SRTCP",
	     c->transport.unprotect_fail},
	    {"protect_failed", "packets not sent because SRTP protection failed",
	     c->transport.protect_fail},
	    {"unknown_packets", "datagrams that are neither DTLS, RTP nor RTCP",
	     c->transport.unknown},
	    {"srtp_auth_failed", "SRTP/SRTCP packets whose authentication tag did not verify",
	     c->srtp.auth_fail},
	    {"srtp_replayed", "SRTP/SRTCP packets dropped as replays or too old", c->srtp.replay},
	    {"srtp_ssrc_cap_hits", "authentic packets dropped: a new SSRC beyond [media] max_ssrcs",
	     c->srtp.ssrc_cap_hits},
	    {"rtp_in", "RTP packets given to the router", r->rtp_in},
	    {"rtp_out", "RTP packets forwarded to subscribers", r->rtp_out},
	    {"rtp_dropped",
	     "RTP packets dropped by the router (waiting for a key frame, duplicates)",
	     r->rtp_dropped},
	    {"rtp_malformed", "RTP packets that did not parse", r->bad_rtp},
	    {"rtp_unknown_ssrc", "RTP packets of an SSRC nobody published", r->unknown_ssrc},
	    {"rtcp_in", "RTCP compound packets given to the router", r->rtcp_in},
	    {"rtcp_out", "RTCP packets sent", r->rtcp_out},
	    {"rtcp_malformed", "RTCP compound packets with a malformed part", r->bad_rtcp},
	    {"nack_in", "NACKs received from subscribers", r->nack_in},
	    {"retransmits", "packets resent from the history on a NACK", r->retransmits},
	    {"retransmits_capped", "NACKed packets not resent: over the subscriber's budget",
	     r->retransmits_capped},
	    {"nack_out", "NACKs sent to publishers", r->nack_out},
	    {"rtx_repaired", "lost packets repaired by a publisher's retransmission",
	     r->rtx_repaired},
	    {"pli_in", "key frame requests (PLI, FIR) received from subscribers", r->pli_in},
	    {"pli_out", "key frame requests sent to publishers", r->pli_out},
	    {"pli_suppressed", "key frame requests dropped by the 500 ms limit", r->pli_suppressed},
	    {"twcc_feedback_out", "transport-wide congestion control feedback packets sent",
	     r->twcc_out},
	};
	size_t len = 0;
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		APPEND("# HELP plenum_media_%s_total %s.\n# TYPE plenum_media_%s_total "
		       "counter\nplenum_media_%s_total %" PRIu64 "\n",
		       m[i].name, m[i].help, m[i].name, m[i].name, m[i].v);
	return len + format_delay(&c->ice.forward_delay, len < cap ? buf + len : NULL,
	                          len < cap ? cap - len : 0);
}
