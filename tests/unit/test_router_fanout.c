/* The router (SFU) on a fake clock with fake ops that record every packet sent, with the
 * transport it went to: fan-out and rewriting, key frame gating and PLI, source replacement and
 * wrap-around continuity, NACK from history, PLI forwarding, TWCC feedback, RR, SR translation,
 * REMB, teardown, malformed input. */
#include <setjmp.h>
#include <stdarg.h>
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

static int record(struct fx *f, uint64_t tid, bool rtcp, const uint8_t *buf, size_t len, size_t cap)
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

static int send_rtp(void *ctx, uint64_t tid, uint8_t *buf, size_t len, size_t cap)
{
	return record(ctx, tid, false, buf, len, cap);
}

static int send_rtcp(void *ctx, uint64_t tid, uint8_t *buf, size_t len, size_t cap)
{
	return record(ctx, tid, true, buf, len, cap);
}

static const struct pl_router_ops ops = {.send_rtp = send_rtp, .send_rtcp = send_rtcp};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	f->sent = calloc(MAX_SENT, sizeof *f->sent);
	f->r = pl_router_new(&ops, f);
	f->now = T0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	pl_router_free(f->r);
	free(f->sent);
	free(f);
	return 0;
}

static void add_video_producer(struct fx *f, uint32_t ssrc, uint8_t twcc_id)
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

static void add_audio_producer(struct fx *f)
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

static void add_consumer(struct fx *f, uint64_t id, uint64_t producer, uint64_t tid, uint32_t ssrc)
{
	struct pl_consumer_desc d = {
	    .id = id, .producer = producer, .transport = tid, .ssrc = ssrc};
	assert_int_equal(pl_router_add_consumer(f->r, &d, f->now), 0);
}

/* Builds an RTP packet; twcc_seq >= 0 adds a one-byte extension element TWCC_ID. */
static size_t make_rtp(uint8_t *b, uint32_t ssrc, uint8_t pt, uint16_t seq, uint32_t ts,
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
static void send_vp8(struct fx *f, uint32_t ssrc, uint16_t seq, uint32_t ts, bool key, uint8_t tag,
                     int twcc_seq)
{
	uint8_t pl[4] = {0x10, key ? 0x00 : 0x01, tag, 0x42};
	uint8_t b[64];
	size_t n = make_rtp(b, ssrc, PUB_PT_V, seq, ts, pl, sizeof pl, twcc_seq);
	pl_router_receive_rtp(f->r, PUB, b, n, f->now);
}

static void send_opus(struct fx *f, uint16_t seq, uint32_t ts, uint8_t tag)
{
	uint8_t pl[3] = {0xFC, tag, 0xFF};
	uint8_t b[64];
	size_t n = make_rtp(b, SSRC_A, PUB_PT_A, seq, ts, pl, sizeof pl, -1);
	pl_router_receive_rtp(f->r, PUB, b, n, f->now);
}

static size_t count(const struct fx *f, uint64_t tid, bool rtcp)
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
static size_t count_rtcp(const struct fx *f, uint64_t tid, uint8_t pt, int fmt)
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
static bool last_rtcp(const struct fx *f, uint64_t tid, uint8_t pt, int fmt, const uint8_t **pkt,
                      size_t *len)
{
	bool found = false;
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

static struct pl_rtp parse_sent(const struct sent *s)
{
	struct pl_rtp r;
	assert_false(s->rtcp);
	assert_int_equal(pl_rtp_parse(s->data, s->len, &r), 0);
	return r;
}

static void rtcp_in(struct fx *f, uint64_t tid, const uint8_t *b, size_t n)
{
	uint8_t c[1600];
	memcpy(c, b, n);
	pl_router_receive_rtcp(f->r, tid, c, n, f->now);
}

static void send_pli_from(struct fx *f, uint64_t tid, uint32_t media_ssrc)
{
	struct pl_rtcp_pli pli = {.sender_ssrc = 0x5EED, .media_ssrc = media_ssrc};
	uint8_t b[64];
	size_t n;
	assert_int_equal(pl_rtcp_pli_write(&pli, b, sizeof b, &n), 0);
	rtcp_in(f, tid, b, n);
}

static void send_nack_from(struct fx *f, uint64_t tid, uint32_t media_ssrc, const uint16_t *seqs,
                           size_t n_seqs)
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
static void test_fanout_audio(void **state)
{
	struct fx *f = *state;
	add_audio_producer(f);
	add_consumer(f, 1, PROD_A, SUB_A, 0xA1);
	add_consumer(f, 2, PROD_A, SUB_B, 0xB1);
	add_consumer(f, 3, PROD_A, SUB_C, 0xC1);
	assert_int_equal(f->n, 0); /* no PLI for audio */
	assert_int_equal(pl_router_consumer_count(f->r), 3);
	for (uint16_t i = 0; i < 5; i++) {
		send_opus(f, (uint16_t)(500 + i), 96000 + 960u * i, (uint8_t)i);
		f->now += 20000;
	}
	const uint64_t tids[3] = {SUB_A, SUB_B, SUB_C};
	const uint32_t ssrcs[3] = {0xA1, 0xB1, 0xC1};
	for (int k = 0; k < 3; k++) {
		assert_int_equal(count(f, tids[k], false), 5);
		for (uint16_t i = 0; i < 5; i++) {
			struct pl_rtp r = parse_sent(nth(f, tids[k], false, i));
			assert_int_equal(r.ssrc, ssrcs[k]);
			assert_int_equal(r.pt, 111);
			assert_int_equal(r.seq, 500 + i);
			assert_int_equal(r.ts, 96000 + 960u * i);
			assert_int_equal(r.payload_len, 3);
			assert_int_equal(r.payload[1], i);
		}
	}
	assert_int_equal(count(f, PUB, false), 0); /* never echoed to the publisher */
	const struct pl_router_stats *st = pl_router_stats(f->r);
	assert_int_equal(st->rtp_in, 5);
	assert_int_equal(st->rtp_out, 15);
}

/* Video: a new consumer waits for a key frame; adding it sends a PLI to the publisher at once,
 * repeated at most every 500 ms while delta frames arrive. */
static void test_keyframe_gating_and_pli(void **state)
{
	struct fx *f = *state;
	add_video_producer(f, SSRC_V, 0);
	add_consumer(f, 1, PROD_V, SUB_A, 0xA2);
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI), 1);
	const uint8_t *p;
	size_t l;
	struct pl_rtcp_pli pli;
	assert_true(last_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI, &p, &l));
	assert_int_equal(pl_rtcp_pli_parse(p, l, &pli), 0);
	assert_int_equal(pli.media_ssrc, SSRC_V);
	assert_int_equal(pli.sender_ssrc, PL_ROUTER_SSRC);

	/* Delta frames for 490 ms: dropped, no further PLI. */
	uint16_t seq = 10;
	uint32_t ts = 9000;
	for (int i = 0; i < 15; i++) {
		send_vp8(f, SSRC_V, seq++, ts += 3000, false, 0, -1);
		f->now += 35000;
	}
	assert_int_equal(count(f, SUB_A, false), 0);
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI), 1);
	/* 500 ms after the first: one more. */
	f->now = T0 + 500000;
	send_vp8(f, SSRC_V, seq++, ts += 3000, false, 0, -1);
	send_vp8(f, SSRC_V, seq++, ts += 3000, false, 0, -1);
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI), 2);
	/* A second subscriber always triggers a fresh request. */
	add_consumer(f, 2, PROD_V, SUB_B, 0xB2);
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI), 3);
	/* The key frame opens both; the next deltas follow. */
	send_vp8(f, SSRC_V, seq++, ts += 3000, true, 0xEE, -1);
	send_vp8(f, SSRC_V, seq++, ts += 3000, false, 0xEF, -1);
	for (uint64_t tid = SUB_A; tid <= SUB_B; tid++) {
		assert_int_equal(count(f, tid, false), 2);
		struct pl_rtp r = parse_sent(nth(f, tid, false, 0));
		assert_int_equal(r.pt, 96);
		assert_int_equal(r.ssrc, tid == SUB_A ? 0xA2 : 0xB2);
		assert_int_equal(r.payload[2], 0xEE);
		assert_true(pl_vp8_is_keyframe(r.payload, r.payload_len));
		struct pl_rtp r2 = parse_sent(nth(f, tid, false, 1));
		assert_int_equal((uint16_t)(r2.seq - r.seq), 1);
		assert_int_equal(r2.ts - r.ts, 3000);
	}
	/* A key frame later does not ask again; the PLI count stays. */
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI), 3);
	assert_int_equal(pl_router_stats(f->r)->pli_out, 3);
}

/* The producer restarts with another SSRC (same producer id, pl_router_set_producer): the
 * subscriber's sequence continues at last + 1, its timestamp advances by the elapsed time. */
static void test_producer_replaced(void **state)
{
	struct fx *f = *state;
	add_video_producer(f, SSRC_V, 0);
	add_consumer(f, 1, PROD_V, SUB_A, 0xA3);
	for (int i = 0; i < 3; i++) {
		send_vp8(f, SSRC_V, (uint16_t)(1000 + i), 50000 + 3000u * (unsigned)i, i == 0, 0,
		         -1);
		f->now += 33333;
	}
	struct pl_rtp last = parse_sent(nth(f, SUB_A, false, 2));
	assert_int_equal(last.seq, 1002);
	assert_int_equal(last.ts, 56000);
	int64_t t_last = f->now - 33333;

	add_video_producer(f, SSRC_V2, 0);
	assert_int_equal(pl_router_producer_count(f->r), 1);
	f->now += 100000; /* 133.333 ms after the last packet */
	send_vp8(f, SSRC_V2, 40000, 7777777, true, 1, -1);
	send_vp8(f, SSRC_V2, 40001, 7777777 + 3000, false, 2, -1);
	assert_int_equal(count(f, SUB_A, false), 5);
	struct pl_rtp a = parse_sent(nth(f, SUB_A, false, 3));
	struct pl_rtp b = parse_sent(nth(f, SUB_A, false, 4));
	assert_int_equal(a.ssrc, 0xA3);
	assert_int_equal(a.seq, 1003);
	assert_int_equal(b.seq, 1004);
	uint32_t expect = 56000 + (uint32_t)((f->now - t_last) * 90000 / 1000000);
	assert_int_equal(a.ts, expect);
	assert_int_equal(b.ts, expect + 3000);
	/* The old SSRC is no longer forwarded. */
	send_vp8(f, SSRC_V, 1003, 59000, false, 3, -1);
	assert_int_equal(count(f, SUB_A, false), 5);
	assert_int_equal(pl_router_stats(f->r)->unknown_ssrc, 1);
}

/* 16-bit sequence and 32-bit timestamp wrap, both on input and on output (via a replacement). */
static void test_wraparound(void **state)
{
	struct fx *f = *state;
	add_audio_producer(f);
	add_consumer(f, 1, PROD_A, SUB_A, 0xA4);
	/* Input wraps: seq 65532..65535,0..3; ts 0xFFFFF000 + 960 steps. */
	uint16_t seq = 65532;
	uint32_t ts = 0xFFFFF000u;
	for (int i = 0; i < 8; i++) {
		send_opus(f, seq++, ts, (uint8_t)i);
		ts += 960;
		f->now += 20000;
	}
	/* Replace with a source whose seq/ts are far away: output must keep going and wraps. */
	struct pl_producer_desc d = {.id = PROD_A,
	                             .transport = PUB,
	                             .kind = PL_MEDIA_AUDIO,
	                             .ssrc = SSRC_A + 1,
	                             .clock_rate = 48000};
	d.pt_map[PUB_PT_A] = 111;
	assert_int_equal(pl_router_set_producer(f->r, &d), 0);
	uint8_t pl[3] = {0xFC, 0, 0};
	uint16_t s2 = 30000;
	uint32_t t2 = 0x7FFFFFFFu;
	for (int i = 0; i < 4; i++) {
		uint8_t b[64];
		size_t n = make_rtp(b, SSRC_A + 1, PUB_PT_A, s2++, t2, pl, sizeof pl, -1);
		t2 += 960;
		pl_router_receive_rtp(f->r, PUB, b, n, f->now);
		f->now += 20000;
	}
	assert_int_equal(count(f, SUB_A, false), 12);
	struct pl_rtp prev = parse_sent(nth(f, SUB_A, false, 0));
	assert_int_equal(prev.seq, 65532);
	for (size_t i = 1; i < 12; i++) {
		struct pl_rtp r = parse_sent(nth(f, SUB_A, false, i));
		assert_int_equal((uint16_t)(r.seq - prev.seq), 1);
		/* 20 ms at 48 kHz: exactly 960 ticks apart, across both wraps and the switch. */
		assert_int_equal((uint32_t)(r.ts - prev.ts), 960);
		prev = r;
	}
	assert_int_equal(prev.seq, 7);
	assert_int_equal(prev.ts, 0xFFFFF000u + 11u * 960u);
}

/* A subscriber NACKs its own (rewritten) sequence numbers; the router answers from the
 * producer's history with that sequence, its SSRC and timestamp, and the original payload. */
static void test_nack_from_history(void **state)
{
	struct fx *f = *state;
	add_video_producer(f, SSRC_V, 0);
	add_consumer(f, 1, PROD_V, SUB_A, 0xA5);
	for (int i = 0; i < 3; i++) /* old source, seq 100.. */
		send_vp8(f, SSRC_V, (uint16_t)(100 + i), 3000u * (unsigned)i, i == 0, 0, -1);
	add_video_producer(f, SSRC_V2, 0);
	f->now += 40000;
	for (int i = 0; i < 10; i++) { /* new source, seq 60000.., out 103.. */
		send_vp8(f, SSRC_V2, (uint16_t)(60000 + i), 90000u + 3000u * (unsigned)i, false,
		         (uint8_t)(0x30 + i), -1);
		f->now += 33000;
	}
	size_t before = count(f, SUB_A, false);
	assert_int_equal(before, 13);
	struct pl_rtp orig = parse_sent(nth(f, SUB_A, false, 7)); /* out seq 107, tag 0x34 */
	assert_int_equal(orig.seq, 107);

	uint16_t want[2] = {107, 110};
	send_nack_from(f, SUB_A, 0xA5, want, 2);
	assert_int_equal(count(f, SUB_A, false), before + 2);
	struct pl_rtp r1 = parse_sent(nth(f, SUB_A, false, before));
	struct pl_rtp r2 = parse_sent(nth(f, SUB_A, false, before + 1));
	assert_int_equal(r1.seq, 107);
	assert_int_equal(r1.ssrc, 0xA5);
	assert_int_equal(r1.pt, 96);
	assert_int_equal(r1.ts, orig.ts);
	assert_int_equal(r1.payload[2], 0x34);
	assert_int_equal(r2.seq, 110);
	assert_int_equal(r2.payload[2], 0x37);
	assert_int_equal(pl_router_stats(f->r)->retransmits, 2);

	/* Ignored: an output seq from the replaced source (no history slot maps to it), one
	 * not sent yet, and a NACK for an SSRC this subscriber does not receive. */
	uint16_t old[3] = {101, 200, 113};
	send_nack_from(f, SUB_A, 0xA5, old, 3);
	send_nack_from(f, SUB_A, 0xDEAD, want, 2);
	send_nack_from(f, SUB_B, 0xA5, want, 2); /* right SSRC, wrong transport */
	assert_int_equal(count(f, SUB_A, false), before + 2);
	assert_int_equal(count(f, SUB_B, false), 0);

	/* Overwritten: after PL_ROUTER_HISTORY_PACKETS more packets, out seq 107 is gone. */
	for (int i = 10; i < 10 + PL_ROUTER_HISTORY_PACKETS; i++)
		send_vp8(f, SSRC_V2, (uint16_t)(60000 + i), 90000u + 3000u * (unsigned)i, false, 0,
		         -1);
	before = count(f, SUB_A, false);
	uint16_t gone[1] = {107};
	send_nack_from(f, SUB_A, 0xA5, gone, 1);
	assert_int_equal(count(f, SUB_A, false), before);
	/* ...but the newest is there. */
	uint16_t newest[1] = {(uint16_t)(103 + 9 + PL_ROUTER_HISTORY_PACKETS)};
	send_nack_from(f, SUB_A, 0xA5, newest, 1);
	assert_int_equal(count(f, SUB_A, false), before + 1);
	assert_int_equal(parse_sent(nth(f, SUB_A, false, before)).seq, newest[0]);
	assert_int_equal(pl_router_stats(f->r)->retransmits, 3);
}

/* A NACK flood (the same 64 packets asked for again and again) is answered up to the
 * consumer's budget of 100 retransmissions per 100 ms; the rest is counted, not sent. The next
 * window has a fresh budget. */
static void test_nack_flood_capped(void **state)
{
	struct fx *f = *state;
	add_video_producer(f, SSRC_V, 0);
	add_consumer(f, 1, PROD_V, SUB_A, 0xA5);
	for (int i = 0; i < 64; i++)
		send_vp8(f, SSRC_V, (uint16_t)(500 + i), 3000u * (unsigned)i, i == 0, 0, -1);
	size_t before = count(f, SUB_A, false);
	assert_int_equal(before, 64);
	struct pl_rtp first = parse_sent(nth(f, SUB_A, false, 0));
	uint16_t want[64];
	for (int i = 0; i < 64; i++)
		want[i] = (uint16_t)(first.seq + i);
	for (int k = 0; k < 5; k++)
		send_nack_from(f, SUB_A, 0xA5, want, 64);
	assert_int_equal(count(f, SUB_A, false), before + 100);
	assert_int_equal(pl_router_stats(f->r)->retransmits, 100);
	assert_int_equal(pl_router_stats(f->r)->retransmits_capped, 5 * 64 - 100);
	f->now += 99000; /* still the same window */
	send_nack_from(f, SUB_A, 0xA5, want, 1);
	assert_int_equal(count(f, SUB_A, false), before + 100);
	f->now += 1000;
	send_nack_from(f, SUB_A, 0xA5, want, 64);
	assert_int_equal(count(f, SUB_A, false), before + 164);
	assert_int_equal(pl_router_stats(f->r)->retransmits, 164);
}

/* The history holds a second: a slow stream (40 ms apart, for 4 s) does not grow it, a burst (a
 * key frame of 200 packets at once) grows it so the burst can be resent. */
static void test_history_by_time(void **state)
{
	struct fx *f = *state;
	add_video_producer(f, SSRC_V, 0);
	add_consumer(f, 1, PROD_V, SUB_A, 0xA5);
	size_t bytes = pl_router_history_bytes(f->r);
	for (int i = 0; i < 100; i++, f->now += 40000)
		send_vp8(f, SSRC_V, (uint16_t)(1000 + i), 3600u * (unsigned)i, i == 0, 0, -1);
	assert_int_equal(pl_router_history_bytes(f->r), bytes);
	struct pl_rtp first = parse_sent(nth(f, SUB_A, false, 0));
	size_t before = count(f, SUB_A, false);
	uint16_t old[1] = {(uint16_t)(first.seq + 74)}, recent[1] = {(uint16_t)(first.seq + 99)};
	send_nack_from(f, SUB_A, 0xA5, old, 1); /* 1.04 s old: expired */
	assert_int_equal(count(f, SUB_A, false), before);
	send_nack_from(f, SUB_A, 0xA5, recent, 1);
	assert_int_equal(count(f, SUB_A, false), before + 1);

	f->now += 200000;
	for (int i = 100; i < 300; i++) /* a burst: all within the same millisecond */
		send_vp8(f, SSRC_V, (uint16_t)(1000 + i), 3600u * 100u, false, (uint8_t)i, -1);
	assert_true(pl_router_history_bytes(f->r) > bytes);
	before = count(f, SUB_A, false);
	uint16_t burst[64];
	for (int i = 0; i < 64; i++)
		burst[i] = (uint16_t)(first.seq + 100 + i); /* the first 64 of the burst */
	send_nack_from(f, SUB_A, 0xA5, burst, 64);
	assert_int_equal(count(f, SUB_A, false), before + 64);
	assert_int_equal(parse_sent(nth(f, SUB_A, false, before)).payload[2], 100);
}

/* The shell ticks the router when it has work: the tick returns the next deadline (reports,
 * TWCC); a packet that reveals a gap moves pl_router_wake_at to now, the tick then NACKs and
 * returns the retry time. */
static void test_wake_at(void **state)
{
	struct fx *f = *state;
	add_video_producer(f, SSRC_V, 0);
	add_consumer(f, 1, PROD_V, SUB_A, 0xA5);
	send_vp8(f, SSRC_V, 10, 0, true, 0, -1);
	int64_t next = pl_router_tick(f->r, f->now, WALL);
	assert_true(next > f->now);
	assert_int_equal(pl_router_wake_at(f->r), next);
	f->now += 1000;
	send_vp8(f, SSRC_V, 11, 3000, false, 0, -1);
	assert_int_equal(pl_router_wake_at(f->r), next); /* no gap, nothing new to do */
	send_vp8(f, SSRC_V, 13, 6000, false, 0, -1);     /* 12 is missing */
	assert_true(pl_router_wake_at(f->r) <= f->now);
	size_t nacks = count_rtcp(f, PUB, PL_RTCP_PT_RTPFB, PL_RTCP_RTPFB_NACK);
	next = pl_router_tick(f->r, f->now, WALL);
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_RTPFB, PL_RTCP_RTPFB_NACK), nacks + 1);
	assert_true(next > f->now && next <= f->now + 100000); /* the retry, or TWCC before it */
}

/* PLI from a subscriber goes to the publisher as a PLI for the producer's SSRC, at most one per
 * 500 ms; FIR is treated the same. */
static void test_pli_forwarding(void **state)
{
	struct fx *f = *state;
	add_video_producer(f, SSRC_V, 0);
	add_consumer(f, 1, PROD_V, SUB_A, 0xA6);
	send_vp8(f, SSRC_V, 1, 0, true, 0, -1);
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI), 1);
	f->now += 100000;
	send_pli_from(f, SUB_A, 0xA6); /* 100 ms after the add_consumer PLI: limited */
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI), 1);
	f->now += 400000;
	send_pli_from(f, SUB_A, 0xA6);
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI), 2);
	const uint8_t *p;
	size_t l;
	struct pl_rtcp_pli pli;
	assert_true(last_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI, &p, &l));
	assert_int_equal(pl_rtcp_pli_parse(p, l, &pli), 0);
	assert_int_equal(pli.media_ssrc, SSRC_V);
	for (int i = 0; i < 10; i++) {
		f->now += 10000;
		send_pli_from(f, SUB_A, 0xA6);
	}
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI), 2);
	/* The limited requests are counted (the one at +100 ms and these ten). */
	assert_int_equal(pl_router_stats(f->r)->pli_suppressed, 11);
	/* FIR (RFC 5104) 500 ms later. */
	f->now += 500000;
	struct pl_rtcp_fir fir = {.sender_ssrc = 0x5EED, .n_entries = 1};
	fir.entries[0].ssrc = 0xA6;
	fir.entries[0].seq_nr = 1;
	uint8_t b[64];
	size_t n;
	assert_int_equal(pl_rtcp_fir_write(&fir, b, sizeof b, &n), 0);
	rtcp_in(f, SUB_A, b, n);
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI), 3);
	/* A PLI about an unknown SSRC or from another transport asks nothing. */
	f->now += 600000;
	send_pli_from(f, SUB_A, 0xBAD);
	send_pli_from(f, SUB_B, 0xA6);
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_PLI), 3);
	assert_int_equal(pl_router_stats(f->r)->pli_in, 15);
	/* Nothing RTCP went to the subscriber. */
	assert_int_equal(count(f, SUB_A, true), 0);
}

/* Packets with the transport-wide-cc extension produce feedback on tick that lists them. */
static void test_twcc_feedback(void **state)
{
	struct fx *f = *state;
	add_video_producer(f, SSRC_V, TWCC_ID);
	for (int i = 0; i < 20; i++) {
		if (i != 7) /* 7 is lost on the way; the sender's clock still runs */
			send_vp8(f, SSRC_V, (uint16_t)(300 + i), 3000u * (unsigned)i, i == 0, 0,
			         65530 + i);
		f->now += 5000;
	}
	size_t n0 = f->n;
	pl_router_tick(f->r, f->now, WALL);
	const uint8_t *p;
	size_t l;
	assert_true(last_rtcp(f, PUB, PL_RTCP_PT_RTPFB, PL_RTCP_RTPFB_TWCC, &p, &l));
	struct pl_rtcp_twcc *fb = calloc(1, sizeof *fb);
	assert_int_equal(pl_rtcp_twcc_parse(p, l, fb), 0);
	assert_int_equal(fb->sender_ssrc, PL_ROUTER_SSRC);
	assert_int_equal(fb->media_ssrc, SSRC_V);
	assert_int_equal(fb->base_seq, 65530);
	assert_int_equal(fb->status_count, 20);
	assert_int_equal(fb->n_recv, 19);
	for (size_t i = 0, k = 0; i < 20; i++) {
		if (i == 7)
			continue;
		assert_int_equal(fb->recv[k].seq, (uint16_t)(65530 + i));
		if (k > 0) /* 5 ms apart, or 10 ms across the lost one: in 250 us ticks */
			assert_int_equal(fb->recv[k].delta, i == 8 ? 40 : 20);
		k++;
	}
	assert_true(pl_router_stats(f->r)->twcc_out >= 1);
	assert_true(f->n > n0);
	/* Only to the publisher. */
	for (size_t i = n0; i < f->n; i++)
		assert_int_equal(f->sent[i].tid, PUB);
	/* The next tick 50 ms later has nothing new to report. */
	size_t twcc = count_rtcp(f, PUB, PL_RTCP_PT_RTPFB, PL_RTCP_RTPFB_TWCC);
	f->now += 50000;
	pl_router_tick(f->r, f->now, WALL);
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_RTPFB, PL_RTCP_RTPFB_TWCC), twcc);
	/* New packets: feedback starts after the last reported one. */
	send_vp8(f, SSRC_V, 320, 60000, false, 0, 14);
	f->now += 50000;
	pl_router_tick(f->r, f->now, WALL);
	assert_true(last_rtcp(f, PUB, PL_RTCP_PT_RTPFB, PL_RTCP_RTPFB_TWCC, &p, &l));
	assert_int_equal(pl_rtcp_twcc_parse(p, l, fb), 0);
	assert_int_equal(fb->recv[fb->n_recv - 1].seq, 14);
	free(fb);
}

/* RR about the producer after a tick, with the extended highest sequence across a wrap; an SR
 * from the publisher is translated for each consumer (SSRC, RTP timestamp + its offset). */
static void test_rr_and_sr(void **state)
{
	struct fx *f = *state;
	add_audio_producer(f);
	add_consumer(f, 1, PROD_A, SUB_A, 0xA7);
	uint16_t seq = 65530;
	uint32_t ts = 1000;
	for (int i = 0; i < 10; i++) { /* 65530..65535, 0..3 */
		send_opus(f, seq++, ts, 0);
		ts += 960;
		f->now += 20000;
	}
	pl_router_tick(f->r, f->now, WALL);
	const uint8_t *p;
	size_t l;
	assert_true(last_rtcp(f, PUB, PL_RTCP_PT_RR, -1, &p, &l));
	struct pl_rtcp_rr rr;
	assert_int_equal(pl_rtcp_rr_parse(p, l, &rr), 0);
	assert_int_equal(rr.sender_ssrc, PL_ROUTER_SSRC);
	assert_int_equal(rr.n_blocks, 1);
	assert_int_equal(rr.blocks[0].ssrc, SSRC_A);
	assert_int_equal(rr.blocks[0].ext_highest_seq, 0x10003u);
	assert_int_equal(rr.blocks[0].cumulative_lost, 0);
	assert_int_equal(rr.blocks[0].lsr, 0);
	assert_int_equal(count_rtcp(f, SUB_A, PL_RTCP_PT_RR, -1), 0);

	/* Replace the source so consumer A gets a timestamp offset; B joins after (offset 0). */
	struct pl_producer_desc d = {.id = PROD_A,
	                             .transport = PUB,
	                             .kind = PL_MEDIA_AUDIO,
	                             .ssrc = SSRC_A + 9,
	                             .clock_rate = 48000};
	d.pt_map[PUB_PT_A] = 111;
	assert_int_equal(pl_router_set_producer(f->r, &d), 0);
	uint8_t pl[3] = {0xFC, 0, 0}, b[64];
	size_t n = make_rtp(b, SSRC_A + 9, PUB_PT_A, 7, 500000, pl, sizeof pl, -1);
	pl_router_receive_rtp(f->r, PUB, b, n, f->now);
	add_consumer(f, 2, PROD_A, SUB_B, 0xB7);
	f->now += 20000;
	n = make_rtp(b, SSRC_A + 9, PUB_PT_A, 8, 500960, pl, sizeof pl, -1);
	pl_router_receive_rtp(f->r, PUB, b, n, f->now);
	struct pl_rtp a_last = parse_sent(nth(f, SUB_A, false, count(f, SUB_A, false) - 1));
	uint32_t a_off = a_last.ts - 500960;
	assert_int_equal(a_off, ts - 500000u); /* continued 20 ms (960 ticks) after the last */

	struct pl_rtcp_sr sr = {.sender_ssrc = SSRC_A + 9,
	                        .ntp = 0xE1234567ABCD0000ull,
	                        .rtp_ts = 501000,
	                        .packet_count = 2,
	                        .octet_count = 6};
	uint8_t sb[128];
	assert_int_equal(pl_rtcp_sr_write(&sr, sb, sizeof sb, &n), 0);
	rtcp_in(f, PUB, sb, n);
	struct pl_rtcp_sr out;
	assert_true(last_rtcp(f, SUB_A, PL_RTCP_PT_SR, -1, &p, &l));
	assert_int_equal(pl_rtcp_sr_parse(p, l, &out), 0);
	assert_int_equal(out.sender_ssrc, 0xA7);
	assert_true(out.ntp == sr.ntp);
	assert_int_equal(out.rtp_ts, 501000 + a_off);
	assert_int_equal(out.packet_count, 12);
	assert_true(last_rtcp(f, SUB_B, PL_RTCP_PT_SR, -1, &p, &l));
	assert_int_equal(pl_rtcp_sr_parse(p, l, &out), 0);
	assert_int_equal(out.sender_ssrc, 0xB7);
	assert_int_equal(out.rtp_ts, 501000);
	assert_int_equal(out.packet_count, 1);
	/* An SR for another SSRC is not translated. */
	size_t before = f->n;
	sr.sender_ssrc = SSRC_A; /* the replaced one */
	assert_int_equal(pl_rtcp_sr_write(&sr, sb, sizeof sb, &n), 0);
	rtcp_in(f, PUB, sb, n);
	assert_int_equal(f->n, before);

	/* The next RR carries LSR = middle 32 bits of that SR's NTP time. */
	f->now += 1000000;
	pl_router_tick(f->r, f->now, WALL);
	assert_true(last_rtcp(f, PUB, PL_RTCP_PT_RR, -1, &p, &l));
	assert_int_equal(pl_rtcp_rr_parse(p, l, &rr), 0);
	assert_int_equal(rr.blocks[0].ssrc, SSRC_A + 9);
	assert_int_equal(rr.blocks[0].lsr, 0x4567ABCDu);
}

/* REMB to the publisher with the configured bitrate and its video SSRC. */
static void test_remb(void **state)
{
	struct fx *f = *state;
	add_video_producer(f, SSRC_V, 0);
	add_audio_producer(f);
	pl_router_set_max_bitrate(f->r, 1500000);
	pl_router_tick(f->r, f->now, WALL);
	const uint8_t *p;
	size_t l;
	assert_true(last_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_AFB, &p, &l));
	struct pl_rtcp_remb remb;
	assert_int_equal(pl_rtcp_remb_parse(p, l, &remb), 0);
	assert_true(remb.bitrate_bps == 1500000);
	assert_int_equal(remb.n_ssrcs, 1);
	assert_int_equal(remb.ssrcs[0], SSRC_V);
	/* 0 keeps the previous value. */
	pl_router_set_max_bitrate(f->r, 0);
	f->now += 1000000;
	pl_router_tick(f->r, f->now, WALL);
	assert_true(last_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_AFB, &p, &l));
	assert_int_equal(pl_rtcp_remb_parse(p, l, &remb), 0);
	assert_true(remb.bitrate_bps == 1500000);
	assert_int_equal(count_rtcp(f, PUB, PL_RTCP_PT_PSFB, PL_RTCP_PSFB_AFB), 2);
}

/* Removing a subscriber's transport removes its consumers; removing the publisher's removes
 * its producers and their consumers; afterwards nothing is sent anywhere. */
static void test_remove_transport(void **state)
{
	struct fx *f = *state;
	add_video_producer(f, SSRC_V, TWCC_ID);
	add_audio_producer(f);
	add_consumer(f, 1, PROD_V, SUB_A, 0xA8);
	add_consumer(f, 2, PROD_A, SUB_A, 0xA9);
	add_consumer(f, 3, PROD_V, SUB_B, 0xB8);
	add_consumer(f, 4, PROD_A, SUB_B, 0xB9);
	assert_int_equal(pl_router_producer_count(f->r), 2);
	assert_int_equal(pl_router_consumer_count(f->r), 4);
	pl_router_remove_transport(f->r, SUB_A);
	assert_int_equal(pl_router_consumer_count(f->r), 2);
	send_opus(f, 1, 960, 0);
	assert_int_equal(count(f, SUB_A, false), 0);
	assert_int_equal(count(f, SUB_B, false), 1);

	pl_router_remove_transport(f->r, PUB);
	assert_int_equal(pl_router_producer_count(f->r), 0);
	assert_int_equal(pl_router_consumer_count(f->r), 0);
	size_t before = f->n;
	send_opus(f, 2, 1920, 0);
	send_vp8(f, SSRC_V, 5, 0, true, 0, 1);
	send_pli_from(f, SUB_B, 0xB8);
	f->now += 2000000;
	pl_router_tick(f->r, f->now, WALL);
	assert_int_equal(f->n, before);
	assert_int_equal(pl_router_stats(f->r)->unknown_ssrc, 2);
	/* Unknown transports and consumer ids are harmless. */
	pl_router_remove_transport(f->r, 999);
	pl_router_remove_consumer(f->r, 999);
	pl_router_remove_producer(f->r, 999);
	struct pl_consumer_desc d = {.id = 5, .producer = PROD_V, .transport = SUB_B, .ssrc = 1};
	assert_int_equal(pl_router_add_consumer(f->r, &d, f->now), PL_ENOTFOUND);
}

/* Malformed RTP and RTCP are counted and never forwarded. */
static void test_malformed(void **state)
{
	struct fx *f = *state;
	add_audio_producer(f);
	add_consumer(f, 1, PROD_A, SUB_A, 0xAA);
	uint8_t b[2000];
	memset(b, 0, sizeof b);
	/* Too short, wrong version, CSRC count past the end, over 1500 bytes. */
	static const uint8_t short_rtp[] = {0x80, 0x6D, 0x00};
	memcpy(b, short_rtp, sizeof short_rtp);
	pl_router_receive_rtp(f->r, PUB, b, sizeof short_rtp, f->now);
	uint8_t pl[3] = {1, 2, 3};
	size_t n = make_rtp(b, SSRC_A, PUB_PT_A, 1, 1, pl, 3, -1);
	b[0] = 0x40;
	pl_router_receive_rtp(f->r, PUB, b, n, f->now);
	b[0] = 0x8F;
	pl_router_receive_rtp(f->r, PUB, b, n, f->now);
	b[0] = 0x80;
	pl_router_receive_rtp(f->r, PUB, b, 1501, f->now);
	/* A payload type that was not negotiated is dropped. */
	n = make_rtp(b, SSRC_A, 0, 2, 1, pl, 3, -1);
	pl_router_receive_rtp(f->r, PUB, b, n, f->now);
	const struct pl_router_stats *st = pl_router_stats(f->r);
	assert_int_equal(st->bad_rtp, 4);
	assert_int_equal(st->rtp_dropped, 1);
	assert_int_equal(count(f, SUB_A, false), 0);

	/* RTCP: a length field past the end, a header only, garbage. */
	uint8_t c[64];
	struct pl_rtcp_pli pli = {.sender_ssrc = 1, .media_ssrc = 0xAA};
	assert_int_equal(pl_rtcp_pli_write(&pli, c, sizeof c, &n), 0);
	c[3] = 40; /* 41 words announced, 3 there */
	pl_router_receive_rtcp(f->r, SUB_A, c, n, f->now);
	pl_router_receive_rtcp(f->r, SUB_A, c, 3, f->now);
	memset(c, 0xFF, sizeof c);
	pl_router_receive_rtcp(f->r, SUB_A, c, sizeof c, f->now);
	assert_int_equal(st->bad_rtcp, 3);
	assert_int_equal(st->rtcp_in, 3);
	/* A NACK with no FCI is counted as a NACK and answered with nothing. */
	static const uint8_t empty_nack[] = {0x81, 205, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0xAA};
	rtcp_in(f, SUB_A, empty_nack, sizeof empty_nack);
	assert_int_equal(st->nack_in, 1);
	assert_int_equal(st->retransmits, 0);
	assert_int_equal(f->n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_fanout_audio, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keyframe_gating_and_pli, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_producer_replaced, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nack_from_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nack_flood_capped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_history_by_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wake_at, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pli_forwarding, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_twcc_feedback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rr_and_sr, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remb, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remove_transport, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
