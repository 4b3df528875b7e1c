/* Shared by the router's unit tests (test_router_fanout.c, test_router_rtcp.c): a router on a
 * fake clock with fake ops that record every packet sent and the transport it went to, and
 * helpers that feed it RTP and RTCP. */
#ifndef PL_TEST_ROUTER_FIXTURE_H
#define PL_TEST_ROUTER_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/router.h"
#include "media/rtcp.h"
#include "media/rtcp_fir.h"
#include "media/rtcp_nack.h"
#include "media/rtcp_pli.h"
#include "media/rtcp_remb.h"
#include "media/rtcp_rr.h"
#include "media/rtcp_sr.h"
#include "media/rtcp_twcc.h"
#include "media/rtp.h"
#include "media/rtp_ext.h"

#define MAX_SENT 2048
#define PUB      1u /* publisher's transport */
#define SUB_A    10u
#define SUB_B    11u
#define SUB_C    12u
#define PROD_V   100u
#define PROD_A   101u
#define SSRC_V   0x11110000u
#define SSRC_V2  0x22220000u
#define SSRC_A   0x33330000u
#define PUB_PT_V 120 /* the publisher's VP8 payload type */
#define PUB_PT_A 109 /* the publisher's Opus payload type (Firefox's) */
#define TWCC_ID  5
#define T0       1000000000 /* fake clock start, us */
#define WALL     1700000000000000LL

struct sent {
	uint64_t tid;
	bool rtcp;
	size_t len;
	uint8_t data[1600];
};

struct fx {
	struct pl_router *r;
	struct sent *sent;
	size_t n;
	int64_t now;
};

static inline int record(struct fx *f, uint64_t tid, bool rtcp, const uint8_t *buf, size_t len,
                         size_t cap)
{
	assert_true(len <= cap);
	assert_true(cap >= len + 64); /* room for the SRTP tag, as router.h promises */
	assert_true(f->n < MAX_SENT);
	assert_true(len <= sizeof f->sent[0].data);
	struct sent *s = &f->sent[f->n++];
	s->tid = tid;
	s->rtcp = rtcp;
	s->len = len;
	memcpy(s->data, buf, len);
	return 0;
}

static inline int send_rtp(void *ctx, uint64_t tid, uint8_t *buf, size_t len, size_t cap)
{
	return record(ctx, tid, false, buf, len, cap);
}

static inline int send_rtcp(void *ctx, uint64_t tid, uint8_t *buf, size_t len, size_t cap)
{
	return record(ctx, tid, true, buf, len, cap);
}

static const struct pl_router_ops ops = {.send_rtp = send_rtp, .send_rtcp = send_rtcp};

static inline int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	f->sent = calloc(MAX_SENT, sizeof *f->sent);
	f->r = pl_router_new(&ops, f);
	f->now = T0;
	*state = f;
	return 0;
}

static inline int teardown(void **state)
{
	struct fx *f = *state;
	pl_router_free(f->r);
	free(f->sent);
	free(f);
	return 0;
}

static inline void add_video_producer(struct fx *f, uint32_t ssrc, uint8_t twcc_id)
{
	struct pl_producer_desc d = {.id = PROD_V,
	                             .transport = PUB,
	                             .kind = PL_MEDIA_VIDEO,
	                             .video_codec = PL_VCODEC_VP8,
	                             .ssrc = ssrc,
	                             .clock_rate = 90000,
	                             .twcc_ext_id = twcc_id};
	strcpy(d.mid, "1");
	d.pt_map[PUB_PT_V] = 96;
	assert_int_equal(pl_router_set_producer(f->r, &d), 0);
}

static inline void add_audio_producer(struct fx *f)
{
	struct pl_producer_desc d = {.id = PROD_A,
	                             .transport = PUB,
	                             .kind = PL_MEDIA_AUDIO,
	                             .ssrc = SSRC_A,
	                             .clock_rate = 48000};
	strcpy(d.mid, "0");
	d.pt_map[PUB_PT_A] = 111;
	assert_int_equal(pl_router_set_producer(f->r, &d), 0);
}

static inline void add_consumer(struct fx *f, uint64_t id, uint64_t producer, uint64_t tid,
                                uint32_t ssrc)
{
	struct pl_consumer_desc d = {
	    .id = id, .producer = producer, .transport = tid, .ssrc = ssrc};
	assert_int_equal(pl_router_add_consumer(f->r, &d, f->now), 0);
}

/* Builds an RTP packet; twcc_seq >= 0 adds a one-byte extension element TWCC_ID. */
static inline size_t make_rtp(uint8_t *b, uint32_t ssrc, uint8_t pt, uint16_t seq, uint32_t ts,
                              const uint8_t *payload, size_t plen, int twcc_seq)
{
	size_t n = 12;
	b[0] = 0x80;
	b[1] = pt;
	pl_rtp_set_seq(b, seq);
	pl_rtp_set_ts(b, ts);
	pl_rtp_set_ssrc(b, ssrc);
	if (twcc_seq >= 0) {
		b[0] |= 0x10;
		static const uint8_t hdr[] = {0xBE, 0xDE, 0x00, 0x01};
		memcpy(b + 12, hdr, 4);
		b[16] = (uint8_t)(TWCC_ID << 4 | 1);
		b[17] = (uint8_t)(twcc_seq >> 8);
		b[18] = (uint8_t)twcc_seq;
		b[19] = 0;
		n = 20;
	}
	memcpy(b + n, payload, plen);
	return n + plen;
}

/* VP8 payloads (RFC 7741): descriptor S=1 PID=0, then the payload header's P bit; the tag byte
 * makes each packet recognisable after forwarding. */
static inline void send_vp8(struct fx *f, uint32_t ssrc, uint16_t seq, uint32_t ts, bool key,
                            uint8_t tag, int twcc_seq)
{
	uint8_t pl[4] = {0x10, key ? 0x00 : 0x01, tag, 0x42};
	uint8_t b[64];
	size_t n = make_rtp(b, ssrc, PUB_PT_V, seq, ts, pl, sizeof pl, twcc_seq);
	pl_router_receive_rtp(f->r, PUB, b, n, f->now);
}

static inline void send_opus(struct fx *f, uint16_t seq, uint32_t ts, uint8_t tag)
{
	uint8_t pl[3] = {0xFC, tag, 0xFF};
	uint8_t b[64];
	size_t n = make_rtp(b, SSRC_A, PUB_PT_A, seq, ts, pl, sizeof pl, -1);
	pl_router_receive_rtp(f->r, PUB, b, n, f->now);
}

static inline size_t count(const struct fx *f, uint64_t tid, bool rtcp)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += f->sent[i].tid == tid && f->sent[i].rtcp == rtcp;
	return n;
}

/* The k-th (0-based) packet sent to tid of the given kind, or fails. */
static const struct sent *nth(const struct fx *f, uint64_t tid, bool rtcp, size_t k)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->sent[i].tid == tid && f->sent[i].rtcp == rtcp && k-- == 0)
			return &f->sent[i];
	fail_msg("no packet %zu to transport %u", k, (unsigned)tid);
	return NULL;
}

/* Number of RTCP packets to tid with packet type pt and FMT fmt (-1: any), looking inside
 * compound packets. */
static inline size_t count_rtcp(const struct fx *f, uint64_t tid, uint8_t pt, int fmt)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++) {
		const struct sent *s = &f->sent[i];
		if (s->tid != tid || !s->rtcp)
			continue;
		struct pl_rtcp_iter it;
		struct pl_rtcp_hdr h;
		const uint8_t *p;
		size_t l;
		pl_rtcp_iter_init(&it, s->data, s->len);
		while (pl_rtcp_iter_next(&it, &h, &p, &l) == 1)
			n += h.pt == pt && (fmt < 0 || h.count == fmt);
	}
	return n;
}

/* Finds the last RTCP packet of type pt/fmt sent to tid. */
static inline bool last_rtcp(const struct fx *f, uint64_t tid, uint8_t pt, int fmt,
                             const uint8_t **pkt, size_t *len)
{
	bool found = false;
	*pkt = NULL;
	*len = 0;
	for (size_t i = 0; i < f->n; i++) {
		const struct sent *s = &f->sent[i];
		if (s->tid != tid || !s->rtcp)
			continue;
		struct pl_rtcp_iter it;
		struct pl_rtcp_hdr h;
		const uint8_t *p;
		size_t l;
		pl_rtcp_iter_init(&it, s->data, s->len);
		while (pl_rtcp_iter_next(&it, &h, &p, &l) == 1)
			if (h.pt == pt && (fmt < 0 || h.count == fmt)) {
				*pkt = p;
				*len = l;
				found = true;
			}
	}
	return found;
}

static inline struct pl_rtp parse_sent(const struct sent *s)
{
	struct pl_rtp r;
	assert_false(s->rtcp);
	assert_int_equal(pl_rtp_parse(s->data, s->len, &r), 0);
	return r;
}

static inline void rtcp_in(struct fx *f, uint64_t tid, const uint8_t *b, size_t n)
{
	uint8_t c[1600];
	memcpy(c, b, n);
	pl_router_receive_rtcp(f->r, tid, c, n, f->now);
}

static inline void send_pli_from(struct fx *f, uint64_t tid, uint32_t media_ssrc)
{
	struct pl_rtcp_pli pli = {.sender_ssrc = 0x5EED, .media_ssrc = media_ssrc};
	uint8_t b[64];
	size_t n;
	assert_int_equal(pl_rtcp_pli_write(&pli, b, sizeof b, &n), 0);
	rtcp_in(f, tid, b, n);
}

static inline void send_nack_from(struct fx *f, uint64_t tid, uint32_t media_ssrc,
                                  const uint16_t *seqs, size_t n_seqs)
{
	struct pl_rtcp_nack *nack = calloc(1, sizeof *nack);
	nack->sender_ssrc = 0x5EED;
	nack->media_ssrc = media_ssrc;
	nack->n_seqs = n_seqs;
	memcpy(nack->seqs, seqs, n_seqs * sizeof *seqs);
	uint8_t b[512];
	size_t n;
	assert_int_equal(pl_rtcp_nack_write(nack, b, sizeof b, &n), 0);
	free(nack);
	rtcp_in(f, tid, b, n);
}

/* ---- tests ----------------------------------------------------------------------------------- */

/* Audio: no key frame gating; each of 3 subscribers gets every packet with its own SSRC and the
 * canonical payload type; payload untouched. */

#endif
