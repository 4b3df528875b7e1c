/* The SFU's forwarding core; see router.h and docs/architecture.md. */
#include "media/router.h"

#include <stdlib.h>
#include <string.h>

#include "media/alloc.h"
#include "media/bytes.h"
#include "media/error.h"
#include "media/rtcp.h"
#include "media/rtcp_fir.h"
#include "media/rtcp_nack.h"
#include "media/rtcp_pli.h"
#include "media/rtcp_remb.h"
#include "media/rtcp_rr.h"
#include "media/rtcp_sr.h"
#include "media/rtp.h"
#include "media/rtp_history.h"
#include "media/twcc_feedback.h"

#define SCRATCH             (1500 + 64)
#define MAX_PACKET          1500
#define KEY_REQUEST_US      500000 /* at most one PLI per producer per 500 ms */
#define TWCC_INTERVAL_US    50000
#define REPORT_INTERVAL_US  1000000
#define MAX_NACK_RETRANSMIT 64
/* Retransmissions per consumer: at most RTX_BUDGET packets in any RTX_WINDOW_US. A real
 * subscriber at 5% loss of a 2.5 Mbit/s stream asks for about 12 packets a second; a NACK flood
 * (a hostile or broken peer asking for everything, again and again) is cut off here. */
#define RTX_BUDGET       100
#define RTX_WINDOW_US    100000
#define MISSING_MAX      64     /* sequence numbers awaited per producer */
#define MISSING_TRIES    3      /* NACKs per lost packet */
#define MISSING_RETRY_US 100000 /* between NACKs for the same packet */

/* The retransmission history of a video producer keeps at least HIST_KEEP_US of the stream,
 * packed back to back (media/rtp_history.h): it starts small and grows only when a packet that
 * young would otherwise be dropped, so a 500 kbit/s camera keeps ~64 KB and a screen share's key
 * frame burst grows it once, up to PL_ROUTER_HISTORY_PACKETS and PL_ROUTER_HISTORY_BYTES. */
#define HIST_KEEP_US   1000000
#define HIST_MIN_SLOTS 64
#define HIST_MIN_BYTES (32 * 1024)

struct consumer {
	struct pl_consumer_desc d;
	bool init;
	bool waiting_key;
	uint32_t src_ssrc;
	uint16_t seq_off;
	uint32_t ts_off;
	uint16_t last_seq;
	uint32_t last_ts;
	int64_t last_time;
	uint32_t packets, octets;
	int64_t rtx_window; /* start of the current retransmission budget window */
	uint32_t rtx_used;
};

struct producer {
	struct pl_producer_desc d;
	struct consumer *cons;
	size_t n_cons, cap_cons;
	struct pl_rtp_rx_stats rx;
	bool has_sr;
	uint64_t sr_ntp;
	int64_t sr_arrival;
	int64_t last_pli;
	struct pl_rtp_history *hist; /* video only */
	uint32_t hist_ssrc;          /* the source whose packets hist holds */
	/* Loss between the publisher and us (video): sequence numbers we NACK (RFC 4585) until
	 * they arrive, as RTX (RFC 4588) or late, or MISSING_TRIES requests went unanswered. */
	bool seq_init;
	uint16_t max_seq;
	struct missing {
		uint16_t seq;
		uint8_t tries;
		int64_t next;
	} miss[MISSING_MAX];
	size_t n_miss;
};

struct pub_transport {
	uint64_t tid;
	uint8_t twcc_id;
	uint32_t media_ssrc;
	struct pl_twcc_feedback *twcc;
};

struct pl_router {
	struct pl_router_ops ops;
	void *ctx;
	struct producer **prod; /* grown by doubling, up to PL_ROUTER_MAX_PRODUCERS */
	size_t n_prod, cap_prod;
	struct pub_transport *pub; /* publishers' transports: at most one per producer */
	size_t n_pub, cap_pub;
	uint32_t max_bps;
	int64_t next_twcc, next_report;
	int64_t wake_at; /* when pl_router_tick has work next (see pl_router_wake_at) */
	struct pl_router_stats stats;
	uint8_t scratch[SCRATCH];
	uint8_t rtx[SCRATCH]; /* an RTX packet turned back into the original */
};

struct pl_router *pl_router_new(const struct pl_router_ops *ops, void *ctx)
{
	struct pl_router *r = pl_xcalloc(1, sizeof *r);
	r->ops = *ops;
	r->ctx = ctx;
	r->max_bps = 2500000;
	return r;
}

static void producer_free(struct producer *p)
{
	free(p->cons);
	pl_rtp_history_free(p->hist);
	free(p);
}

void pl_router_free(struct pl_router *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_prod; i++)
		producer_free(r->prod[i]);
	for (size_t i = 0; i < r->n_pub; i++)
		pl_twcc_feedback_free(r->pub[i].twcc);
	free(r->prod);
	free(r->pub);
	free(r);
}

void pl_router_set_max_bitrate(struct pl_router *r, uint32_t video_bps)
{
	if (video_bps)
		r->max_bps = video_bps;
}

const struct pl_router_stats *pl_router_stats(const struct pl_router *r)
{
	return &r->stats;
}

size_t pl_router_producer_count(const struct pl_router *r)
{
	return r->n_prod;
}

size_t pl_router_history_bytes(const struct pl_router *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_prod; i++)
		if (r->prod[i]->hist)
			n += pl_rtp_history_bytes(r->prod[i]->hist);
	return n;
}

size_t pl_router_consumer_count(const struct pl_router *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_prod; i++)
		n += r->prod[i]->n_cons;
	return n;
}

/* ---- lookup ---------------------------------------------------------------------------------- */

static struct producer *producer_by_id(struct pl_router *r, uint64_t id)
{
	for (size_t i = 0; i < r->n_prod; i++)
		if (r->prod[i]->d.id == id)
			return r->prod[i];
	return NULL;
}

static struct pub_transport *pub_get(struct pl_router *r, uint64_t tid, bool create)
{
	for (size_t i = 0; i < r->n_pub; i++)
		if (r->pub[i].tid == tid)
			return &r->pub[i];
	if (!create || r->n_pub >= PL_ROUTER_MAX_PRODUCERS)
		return NULL;
	if (r->n_pub == r->cap_pub) {
		r->cap_pub = r->cap_pub ? r->cap_pub * 2 : 8;
		r->pub = pl_xrealloc(r->pub, r->cap_pub * sizeof *r->pub);
	}
	struct pub_transport *t = &r->pub[r->n_pub++];
	memset(t, 0, sizeof *t);
	t->tid = tid;
	return t;
}

static struct consumer *consumer_by_ssrc(struct pl_router *r, uint64_t tid, uint32_t ssrc,
                                         struct producer **owner)
{
	for (size_t i = 0; i < r->n_prod; i++)
		for (size_t j = 0; j < r->prod[i]->n_cons; j++) {
			struct consumer *c = &r->prod[i]->cons[j];
			if (c->d.ssrc == ssrc && c->d.transport == tid) {
				*owner = r->prod[i];
				return c;
			}
		}
	return NULL;
}

/* ---- producers and consumers ----------------------------------------------------------------- */

int pl_router_set_producer(struct pl_router *r, const struct pl_producer_desc *d)
{
	struct producer *p = producer_by_id(r, d->id);
	if (!p) {
		if (r->n_prod >= PL_ROUTER_MAX_PRODUCERS)
			return PL_ELIMIT;
		if (r->n_prod == r->cap_prod) {
			r->cap_prod = r->cap_prod ? r->cap_prod * 2 : 8;
			r->prod = pl_xrealloc(r->prod, r->cap_prod * sizeof *r->prod);
		}
		p = pl_xcalloc(1, sizeof *p);
		pl_rtp_rx_stats_init(&p->rx);
		p->last_pli = INT64_MIN / 2;
		r->prod[r->n_prod++] = p;
	}
	uint32_t old_ssrc = p->d.ssrc;
	p->d = *d;
	if (!d->ssrc)
		p->d.ssrc = old_ssrc; /* keep an SSRC learned from the mid extension */
	if (d->kind == PL_MEDIA_VIDEO && !p->hist) {
		static const struct pl_rtp_history_limits lim = {
		    .keep_us = HIST_KEEP_US,
		    .min_slots = HIST_MIN_SLOTS,
		    .max_slots = PL_ROUTER_HISTORY_PACKETS,
		    .min_bytes = HIST_MIN_BYTES,
		    .max_bytes = PL_ROUTER_HISTORY_BYTES};
		p->hist = pl_rtp_history_new(&lim);
	}
	struct pub_transport *t = pub_get(r, d->transport, true);
	if (t) {
		if (d->twcc_ext_id && !t->twcc)
			t->twcc = pl_twcc_feedback_new();
		if (d->twcc_ext_id)
			t->twcc_id = d->twcc_ext_id;
		if (!t->media_ssrc)
			t->media_ssrc = p->d.ssrc;
	}
	return 0;
}

static void remove_producer_at(struct pl_router *r, size_t i)
{
	producer_free(r->prod[i]);
	r->prod[i] = r->prod[--r->n_prod];
}

void pl_router_remove_producer(struct pl_router *r, uint64_t id)
{
	for (size_t i = 0; i < r->n_prod; i++)
		if (r->prod[i]->d.id == id) {
			remove_producer_at(r, i);
			return;
		}
}

static void request_key(struct pl_router *r, struct producer *p, int64_t now)
{
	if (p->d.kind != PL_MEDIA_VIDEO || !p->d.ssrc)
		return;
	if (now - p->last_pli < KEY_REQUEST_US) {
		r->stats.pli_suppressed++;
		return;
	}
	p->last_pli = now;
	struct pl_rtcp_pli pli = {.sender_ssrc = PL_ROUTER_SSRC, .media_ssrc = p->d.ssrc};
	size_t n;
	if (pl_rtcp_pli_write(&pli, r->scratch, sizeof r->scratch, &n) == 0 &&
	    r->ops.send_rtcp(r->ctx, p->d.transport, r->scratch, n, sizeof r->scratch) == 0) {
		r->stats.pli_out++;
		r->stats.rtcp_out++;
	}
}

int pl_router_add_consumer(struct pl_router *r, const struct pl_consumer_desc *d, int64_t now_us)
{
	struct producer *p = producer_by_id(r, d->producer);
	if (!p)
		return PL_ENOTFOUND;
	if (p->n_cons == p->cap_cons) {
		p->cap_cons = p->cap_cons ? p->cap_cons * 2 : 4;
		p->cons = pl_xrealloc(p->cons, p->cap_cons * sizeof *p->cons);
	}
	struct consumer *c = &p->cons[p->n_cons++];
	memset(c, 0, sizeof *c);
	c->d = *d;
	c->waiting_key = p->d.kind == PL_MEDIA_VIDEO;
	if (c->waiting_key) {
		p->last_pli = INT64_MIN / 2; /* a new subscriber always gets a fresh key frame */
		request_key(r, p, now_us);
	}
	return 0;
}

void pl_router_remove_consumer(struct pl_router *r, uint64_t id)
{
	for (size_t i = 0; i < r->n_prod; i++) {
		struct producer *p = r->prod[i];
		for (size_t j = 0; j < p->n_cons; j++)
			if (p->cons[j].d.id == id) {
				p->cons[j] = p->cons[--p->n_cons];
				return;
			}
	}
}

void pl_router_remove_transport(struct pl_router *r, uint64_t tid)
{
	for (size_t i = 0; i < r->n_prod;) {
		struct producer *p = r->prod[i];
		if (p->d.transport == tid) {
			remove_producer_at(r, i);
			continue;
		}
		for (size_t j = 0; j < p->n_cons;) {
			if (p->cons[j].d.transport == tid)
				p->cons[j] = p->cons[--p->n_cons];
			else
				j++;
		}
		i++;
	}
	for (size_t i = 0; i < r->n_pub; i++)
		if (r->pub[i].tid == tid) {
			pl_twcc_feedback_free(r->pub[i].twcc);
			r->pub[i] = r->pub[--r->n_pub];
			break;
		}
}

/* ---- RTP ------------------------------------------------------------------------------------- */

static bool seq_newer(uint16_t a, uint16_t b)
{
	return a != b && (uint16_t)(a - b) < 0x8000;
}

/* Rewrites the packet in scratch for consumer c and sends it. */
static void send_to(struct pl_router *r, struct producer *p, struct consumer *c, size_t len,
                    uint16_t out_seq, uint32_t out_ts, uint8_t out_pt)
{
	pl_rtp_set_ssrc(r->scratch, c->d.ssrc);
	pl_rtp_set_seq(r->scratch, out_seq);
	pl_rtp_set_ts(r->scratch, out_ts);
	pl_rtp_set_pt(r->scratch, out_pt);
	if (r->ops.send_rtp(r->ctx, c->d.transport, r->scratch, len, sizeof r->scratch) == 0)
		r->stats.rtp_out++;
}

static void forward(struct pl_router *r, struct producer *p, const uint8_t *buf, size_t len,
                    const struct pl_rtp *rtp, uint8_t out_pt, int64_t now)
{
	bool key = false;
	if (p->d.kind == PL_MEDIA_VIDEO) {
		switch (p->d.video_codec) {
		case PL_VCODEC_VP9:
			key = pl_vp9_is_keyframe(rtp->payload, rtp->payload_len);
			break;
		case PL_VCODEC_H264:
			key = pl_h264_is_keyframe(rtp->payload, rtp->payload_len);
			break;
		default:
			key = pl_vp8_is_keyframe(rtp->payload, rtp->payload_len);
			break;
		}
	}
	for (size_t i = 0; i < p->n_cons; i++) {
		struct consumer *c = &p->cons[i];
		if (c->waiting_key) {
			if (!key) {
				request_key(r, p, now);
				continue;
			}
			c->waiting_key = false;
		}
		if (!c->init || c->src_ssrc != rtp->ssrc) {
			/* A new source (first packet, or the producer restarted with another
			 * SSRC): continue the subscriber's sequence and timestamp. */
			if (c->init) {
				int64_t ticks =
				    (now - c->last_time) * (int64_t)p->d.clock_rate / 1000000;
				c->seq_off = (uint16_t)(c->last_seq + 1 - rtp->seq);
				c->ts_off =
				    c->last_ts + (uint32_t)(ticks > 0 ? ticks : 1) - rtp->ts;
			}
			c->init = true;
			c->src_ssrc = rtp->ssrc;
			c->last_seq = (uint16_t)(rtp->seq + c->seq_off - 1);
		}
		uint16_t out_seq = (uint16_t)(rtp->seq + c->seq_off);
		uint32_t out_ts = rtp->ts + c->ts_off;
		memcpy(r->scratch, buf, len);
		send_to(r, p, c, len, out_seq, out_ts, out_pt);
		if (seq_newer(out_seq, c->last_seq)) {
			c->last_seq = out_seq;
			c->last_ts = out_ts;
			c->last_time = now;
		}
		c->packets++;
		c->octets += (uint32_t)rtp->payload_len;
	}
}

static struct producer *producer_for(struct pl_router *r, uint64_t tid, const struct pl_rtp *rtp,
                                     bool *is_rtx)
{
	*is_rtx = false;
	for (size_t i = 0; i < r->n_prod; i++) {
		struct producer *p = r->prod[i];
		if (p->d.transport != tid)
			continue;
		if (p->d.ssrc == rtp->ssrc)
			return p;
		if (p->d.rtx_ssrc && p->d.rtx_ssrc == rtp->ssrc) {
			*is_rtx = true;
			return p;
		}
	}
	/* No a=ssrc in the offer: bind the SSRC through the mid header extension. */
	for (size_t i = 0; i < r->n_prod; i++) {
		struct producer *p = r->prod[i];
		const uint8_t *mid;
		size_t mlen;
		if (p->d.transport != tid || p->d.ssrc || !p->d.mid_ext_id ||
		    pl_rtp_ext_find(rtp, p->d.mid_ext_id, &mid, &mlen) != 0)
			continue;
		if (mlen == strlen(p->d.mid) && memcmp(mid, p->d.mid, mlen) == 0 &&
		    p->d.pt_map[rtp->pt]) {
			p->d.ssrc = rtp->ssrc;
			return p;
		}
	}
	return NULL;
}

/* Removes seq from the awaited list; false when it was not awaited. */
static bool missing_take(struct producer *p, uint16_t seq)
{
	for (size_t i = 0; i < p->n_miss; i++)
		if (p->miss[i].seq == seq) {
			p->miss[i] = p->miss[--p->n_miss];
			return true;
		}
	return false;
}

/* Notes the gaps a new highest sequence number opens; a late packet closes its gap. A jump of
 * more than MISSING_MAX (an outage, or the publisher restarted) is too much to NACK: the frames
 * after it can only be decoded from a key frame, asked for at once rather than when each
 * subscriber notices (Chromium took a second to ask after a 5 s outage, tests/e2e/loss). */
static void track_loss(struct pl_router *r, struct producer *p, uint16_t seq, int64_t now)
{
	if (!p->seq_init) {
		p->seq_init = true;
		p->max_seq = seq;
		return;
	}
	uint16_t diff = (uint16_t)(seq - p->max_seq);
	if (diff == 0)
		return;
	if (diff >= 0x8000) {
		missing_take(p, seq);
		return;
	}
	if (diff > MISSING_MAX) {
		p->n_miss = 0;
		request_key(r, p, now);
	} else {
		for (uint16_t s = (uint16_t)(p->max_seq + 1); s != seq; s++) {
			if (p->n_miss == MISSING_MAX)
				memmove(p->miss, p->miss + 1, --p->n_miss * sizeof *p->miss);
			p->miss[p->n_miss++] = (struct missing){.seq = s, .tries = 0, .next = now};
		}
		if (diff > 1 && now < r->wake_at)
			r->wake_at = now; /* NACK the gap at the next tick */
	}
	p->max_seq = seq;
}

void pl_router_receive_rtp(struct pl_router *r, uint64_t tid, uint8_t *buf, size_t len,
                           int64_t now_us)
{
	struct pl_rtp rtp;
	r->stats.rtp_in++;
	if (len > MAX_PACKET || pl_rtp_parse(buf, len, &rtp) != 0) {
		r->stats.bad_rtp++;
		return;
	}
	struct pub_transport *t = pub_get(r, tid, false);
	if (t && t->twcc && t->twcc_id) {
		const uint8_t *v;
		size_t vl;
		if (pl_rtp_ext_find(&rtp, t->twcc_id, &v, &vl) == 0 && vl == 2)
			pl_twcc_feedback_record(t->twcc, pl_read_u16(v), now_us);
	}
	bool is_rtx;
	struct producer *p = producer_for(r, tid, &rtp, &is_rtx);
	if (!p) {
		r->stats.unknown_ssrc++;
		return;
	}
	if (is_rtx) {
		/* RFC 4588 §4: the original sequence number, then the original payload.
		 * Padding-only RTX (bandwidth probes) carries nothing to repair. */
		uint8_t primary = p->d.rtx_pt_map[rtp.pt];
		if (!primary || rtp.payload_len <= 2 || !p->hist) {
			r->stats.rtp_dropped++;
			return;
		}
		uint16_t osn = pl_read_u16(rtp.payload);
		size_t plen = rtp.payload_len - 2;
		memcpy(r->rtx, buf, rtp.header_len);
		memcpy(r->rtx + rtp.header_len, rtp.payload + 2, plen);
		r->rtx[0] &= (uint8_t)~0x20; /* no padding */
		pl_rtp_set_seq(r->rtx, osn);
		pl_rtp_set_ssrc(r->rtx, p->d.ssrc);
		pl_rtp_set_pt(r->rtx, primary);
		buf = r->rtx;
		len = rtp.header_len + plen;
		if (pl_rtp_parse(buf, len, &rtp) != 0 || !missing_take(p, osn)) {
			r->stats.rtp_dropped++; /* not something we asked for: a duplicate */
			return;
		}
		r->stats.rtx_repaired++;
	} else if (!p->d.pt_map[rtp.pt]) {
		r->stats.rtp_dropped++; /* a codec that was not negotiated */
		return;
	} else if (p->hist) {
		track_loss(r, p, rtp.seq, now_us);
	}
	pl_rtp_rx_stats_update(&p->rx, rtp.seq, rtp.ts, p->d.clock_rate, now_us);
	if (p->hist) {
		/* A new source (the publisher restarted): its sequence numbers are unrelated to
		 * the old ones, whose packets no consumer can ask for any more. */
		if (rtp.ssrc != p->hist_ssrc) {
			pl_rtp_history_clear(p->hist);
			p->hist_ssrc = rtp.ssrc;
		}
		(void)pl_rtp_history_put(p->hist, buf, len, rtp.seq, now_us); /* late: not kept */
	}
	forward(r, p, buf, len, &rtp, p->d.pt_map[rtp.pt], now_us);
}

/* ---- RTCP ------------------------------------------------------------------------------------ */

static void on_nack(struct pl_router *r, uint64_t tid, const uint8_t *pkt, size_t len, int64_t now)
{
	struct pl_rtcp_nack nack;
	struct producer *p;
	r->stats.nack_in++;
	if (pl_rtcp_nack_parse(pkt, len, &nack) != 0)
		return;
	struct consumer *c = consumer_by_ssrc(r, tid, nack.media_ssrc, &p);
	if (!c || !c->init || !p->hist)
		return;
	size_t n = nack.n_seqs < MAX_NACK_RETRANSMIT ? nack.n_seqs : MAX_NACK_RETRANSMIT;
	if (now - c->rtx_window >= RTX_WINDOW_US) {
		c->rtx_window = now;
		c->rtx_used = 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (c->rtx_used >= RTX_BUDGET) {
			r->stats.retransmits_capped += n - i;
			break;
		}
		uint16_t in_seq = (uint16_t)(nack.seqs[i] - c->seq_off);
		const uint8_t *old;
		size_t plen;
		struct pl_rtp rtp;
		if (pl_rtp_history_get(p->hist, in_seq, now, &old, &plen, NULL) != 0 ||
		    pl_rtp_parse(old, plen, &rtp) != 0 || rtp.ssrc != c->src_ssrc)
			continue;
		memcpy(r->scratch, old, plen);
		send_to(r, p, c, plen, nack.seqs[i], rtp.ts + c->ts_off, p->d.pt_map[rtp.pt]);
		c->rtx_used++;
		r->stats.retransmits++;
	}
}

static void on_key_request(struct pl_router *r, uint64_t tid, uint32_t consumer_ssrc, int64_t now)
{
	struct producer *p;
	r->stats.pli_in++;
	if (consumer_by_ssrc(r, tid, consumer_ssrc, &p))
		request_key(r, p, now);
}

static void on_sender_report(struct pl_router *r, uint64_t tid, const uint8_t *pkt, size_t len,
                             int64_t now)
{
	struct pl_rtcp_sr sr;
	if (pl_rtcp_sr_parse(pkt, len, &sr) != 0)
		return;
	for (size_t i = 0; i < r->n_prod; i++) {
		struct producer *p = r->prod[i];
		if (p->d.transport != tid || p->d.ssrc != sr.sender_ssrc)
			continue;
		p->has_sr = true;
		p->sr_ntp = sr.ntp;
		p->sr_arrival = now;
		/* Translate for each consumer so subscribers can synchronise audio and video. */
		for (size_t j = 0; j < p->n_cons; j++) {
			struct consumer *c = &p->cons[j];
			if (!c->init || c->src_ssrc != sr.sender_ssrc)
				continue;
			struct pl_rtcp_sr out = {.sender_ssrc = c->d.ssrc,
			                         .ntp = sr.ntp,
			                         .rtp_ts = sr.rtp_ts + c->ts_off,
			                         .packet_count = c->packets,
			                         .octet_count = c->octets};
			size_t n;
			if (pl_rtcp_sr_write(&out, r->scratch, sizeof r->scratch, &n) == 0 &&
			    r->ops.send_rtcp(r->ctx, c->d.transport, r->scratch, n,
			                     sizeof r->scratch) == 0)
				r->stats.rtcp_out++;
		}
	}
}

void pl_router_receive_rtcp(struct pl_router *r, uint64_t tid, uint8_t *buf, size_t len,
                            int64_t now_us)
{
	struct pl_rtcp_iter it;
	struct pl_rtcp_hdr hdr;
	const uint8_t *pkt;
	size_t plen;
	int rc;
	r->stats.rtcp_in++;
	pl_rtcp_iter_init(&it, buf, len);
	while ((rc = pl_rtcp_iter_next(&it, &hdr, &pkt, &plen)) == 1) {
		if (hdr.pt == PL_RTCP_PT_SR) {
			on_sender_report(r, tid, pkt, plen, now_us);
		} else if (hdr.pt == PL_RTCP_PT_RTPFB && hdr.count == PL_RTCP_RTPFB_NACK) {
			on_nack(r, tid, pkt, plen, now_us);
		} else if (hdr.pt == PL_RTCP_PT_PSFB && hdr.count == PL_RTCP_PSFB_PLI) {
			struct pl_rtcp_pli pli;
			if (pl_rtcp_pli_parse(pkt, plen, &pli) == 0)
				on_key_request(r, tid, pli.media_ssrc, now_us);
		} else if (hdr.pt == PL_RTCP_PT_PSFB && hdr.count == PL_RTCP_PSFB_FIR) {
			struct pl_rtcp_fir fir;
			if (pl_rtcp_fir_parse(pkt, plen, &fir) == 0)
				for (size_t i = 0; i < fir.n_entries; i++)
					on_key_request(r, tid, fir.entries[i].ssrc, now_us);
		}
		/* RR, SDES, BYE, REMB and TWCC from subscribers: no sender-side congestion
		 * control in v1; they are read (bounded) and dropped. */
	}
	if (rc < 0)
		r->stats.bad_rtcp++;
}

/* ---- timers ---------------------------------------------------------------------------------- */

static void send_rtcp(struct pl_router *r, uint64_t tid, size_t n)
{
	if (r->ops.send_rtcp(r->ctx, tid, r->scratch, n, sizeof r->scratch) == 0)
		r->stats.rtcp_out++;
}

static void send_twcc(struct pl_router *r, int64_t now)
{
	for (size_t i = 0; i < r->n_pub; i++) {
		struct pub_transport *t = &r->pub[i];
		size_t n;
		for (int k = 0; t->twcc && k < 8; k++) {
			if (pl_twcc_feedback_write(t->twcc, PL_ROUTER_SSRC, t->media_ssrc,
			                           r->scratch, 1200, &n) != 0)
				break;
			send_rtcp(r, t->tid, n);
			r->stats.twcc_out++;
		}
	}
}

static void send_reports(struct pl_router *r, int64_t now)
{
	for (size_t i = 0; i < r->n_prod; i++) {
		struct producer *p = r->prod[i];
		struct pl_rtcp_rr rr = {.sender_ssrc = PL_ROUTER_SSRC, .n_blocks = 1};
		size_t n;
		uint32_t lsr = p->has_sr ? pl_ntp_middle32(p->sr_ntp) : 0;
		if (p->d.ssrc &&
		    pl_rtp_rx_stats_report_block(&p->rx, p->d.ssrc, lsr, p->sr_arrival, now,
		                                 &rr.blocks[0]) == 0 &&
		    pl_rtcp_rr_write(&rr, r->scratch, sizeof r->scratch, &n) == 0)
			send_rtcp(r, p->d.transport, n);
		bool waiting = false;
		for (size_t j = 0; j < p->n_cons; j++)
			waiting |= p->cons[j].waiting_key;
		if (waiting)
			request_key(r, p, now);
	}
	/* REMB: the highest video bitrate the server lets each publisher reach. */
	for (size_t i = 0; i < r->n_pub; i++) {
		struct pl_rtcp_remb remb = {.sender_ssrc = PL_ROUTER_SSRC,
		                            .bitrate_bps = r->max_bps};
		for (size_t j = 0; j < r->n_prod && remb.n_ssrcs < PL_RTCP_REMB_MAX_SSRCS; j++)
			if (r->prod[j]->d.transport == r->pub[i].tid &&
			    r->prod[j]->d.kind == PL_MEDIA_VIDEO && r->prod[j]->d.ssrc)
				remb.ssrcs[remb.n_ssrcs++] = r->prod[j]->d.ssrc;
		size_t n;
		if (remb.n_ssrcs &&
		    pl_rtcp_remb_write(&remb, r->scratch, sizeof r->scratch, &n) == 0)
			send_rtcp(r, r->pub[i].tid, n);
	}
}

static void send_nacks(struct pl_router *r, int64_t now)
{
	for (size_t i = 0; i < r->n_prod; i++) {
		struct producer *p = r->prod[i];
		struct pl_rtcp_nack nack = {.sender_ssrc = PL_ROUTER_SSRC, .media_ssrc = p->d.ssrc};
		for (size_t j = 0; j < p->n_miss;) {
			struct missing *m = &p->miss[j];
			if (m->tries >= MISSING_TRIES && now >= m->next) {
				/* Given up: only a key frame repairs what depended on it. */
				p->miss[j] = p->miss[--p->n_miss];
				request_key(r, p, now);
				continue;
			}
			if (now >= m->next && m->tries < MISSING_TRIES) {
				nack.seqs[nack.n_seqs++] = m->seq;
				m->tries++;
				m->next = now + MISSING_RETRY_US;
			}
			j++;
		}
		size_t n;
		if (nack.n_seqs && p->d.ssrc &&
		    pl_rtcp_nack_write(&nack, r->scratch, sizeof r->scratch, &n) == 0) {
			send_rtcp(r, p->d.transport, n);
			r->stats.nack_out++;
		}
	}
}

int64_t pl_router_tick(struct pl_router *r, int64_t now_us, int64_t wall_us)
{
	(void)wall_us;
	send_nacks(r, now_us);
	if (now_us >= r->next_twcc) {
		send_twcc(r, now_us);
		r->next_twcc = now_us + TWCC_INTERVAL_US;
	}
	if (now_us >= r->next_report) {
		send_reports(r, now_us);
		r->next_report = now_us + REPORT_INTERVAL_US;
	}
	int64_t next = r->next_twcc < r->next_report ? r->next_twcc : r->next_report;
	for (size_t i = 0; i < r->n_prod; i++)
		for (size_t j = 0; j < r->prod[i]->n_miss; j++)
			if (r->prod[i]->miss[j].next < next)
				next = r->prod[i]->miss[j].next;
	r->wake_at = next;
	return next;
}

int64_t pl_router_wake_at(const struct pl_router *r)
{
	return r->wake_at;
}
