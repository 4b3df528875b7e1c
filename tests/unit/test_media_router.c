/* The router on a fake clock: fan-out with SSRC/PT/seq/ts rewriting, continuity across a replaced
 * producer and across wrap-around, key frame gating and PLI, NACK answered from the history,
 * PLI forwarding with a rate limit, TWCC feedback, RR, SR translation, REMB, teardown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/bytes.h"
#include "media/router.h"
#include "media/rtcp.h"
#include "media/rtcp_nack.h"
#include "media/rtcp_pli.h"
#include "media/rtcp_remb.h"
#include "media/rtcp_rr.h"
#include "media/rtcp_sr.h"
#include "media/rtcp_twcc.h"
#include "media/rtp.h"

#define PUB  1 /* publisher transport */
#define SUB1 2
#define SUB2 3
#define SUB3 4
#define MAXP 512

struct sent {
	uint64_t tid;
	bool rtcp;
	size_t len;
	uint8_t data[1600];
};

struct rec {
	struct sent p[MAXP];
	size_t n;
};

static int send_any(struct rec *r, uint64_t tid, const uint8_t *buf, size_t len, bool rtcp)
{
	assert_true(r->n < MAXP);
	struct sent *s = &r->p[r->n++];
	s->tid = tid;
	s->rtcp = rtcp;
	s->len = len;
	memcpy(s->data, buf, len);
	return 0;
}

static int f_rtp(void *ctx, uint64_t tid, uint8_t *buf, size_t len, size_t cap)
{
	assert_true(cap >= len + 64);
	return send_any(ctx, tid, buf, len, false);
}

static int f_rtcp(void *ctx, uint64_t tid, uint8_t *buf, size_t len, size_t cap)
{
	return send_any(ctx, tid, buf, len, true);
}

static const struct pl_router_ops ops = {.send_rtp = f_rtp, .send_rtcp = f_rtcp};

/* An RTP packet with a TWCC extension (id 3) and a VP8 payload (key or delta). */
static size_t make_rtp(uint8_t *b, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
                       uint16_t twcc, bool key)
{
	b[0] = 0x90;
	b[1] = pt;
	pl_put_u16(b + 2, seq);
	pl_put_u32(b + 4, ts);
	pl_put_u32(b + 8, ssrc);
	b[12] = 0xBE;
	b[13] = 0xDE;
	b[14] = 0;
	b[15] = 1;
	b[16] = 0x31;
	pl_put_u16(b + 17, twcc);
	b[19] = 0;
	b[20] = 0x10;              /* VP8 descriptor: S=1, PID 0 */
	b[21] = key ? 0x00 : 0x01; /* P bit */
	memset(b + 22, 0x55, 40);
	return 62;
}

static struct pl_producer_desc video_producer(uint64_t id, uint32_t ssrc)
{
	struct pl_producer_desc d = {.id = id,
	                             .transport = PUB,
	                             .kind = PL_MEDIA_VIDEO,
	                             .ssrc = ssrc,
	                             .clock_rate = 90000,
	                             .twcc_ext_id = 3};
	strcpy(d.mid, "1");
	d.pt_map[120] = 96; /* a Firefox-style publisher PT -> canonical VP8 */
	return d;
}

static void add_consumer(struct pl_router *r, uint64_t id, uint64_t tid, uint32_t ssrc, int64_t now)
{
	struct pl_consumer_desc c = {.id = id, .producer = 10, .transport = tid, .ssrc = ssrc};
	assert_int_equal(pl_router_add_consumer(r, &c, now), 0);
}

static size_t count(struct rec *rec, uint64_t tid, bool rtcp)
{
	size_t n = 0;
	for (size_t i = 0; i < rec->n; i++)
		n += rec->p[i].tid == tid && rec->p[i].rtcp == rtcp;
	return n;
}

static struct sent *last(struct rec *rec, uint64_t tid, bool rtcp)
{
	for (size_t i = rec->n; i-- > 0;)
		if (rec->p[i].tid == tid && rec->p[i].rtcp == rtcp)
			return &rec->p[i];
	return NULL;
}

static bool has_pli(struct rec *rec, uint32_t media_ssrc)
{
	for (size_t i = 0; i < rec->n; i++) {
		struct pl_rtcp_pli pli;
		if (rec->p[i].tid == PUB && rec->p[i].rtcp &&
		    pl_rtcp_pli_parse(rec->p[i].data, rec->p[i].len, &pli) == 0 &&
		    pli.media_ssrc == media_ssrc)
			return true;
	}
	return false;
}

static void feed(struct pl_router *r, uint16_t seq, uint32_t ts, uint32_t ssrc, bool key,
                 int64_t now)
{
	uint8_t b[100];
	size_t n = make_rtp(b, 120, seq, ts, ssrc, seq, key);
	pl_router_receive_rtp(r, PUB, b, n, now);
}

static void test_fanout_and_gating(void **state)
{
	(void)state;
	struct rec *rec = calloc(1, sizeof *rec);
	struct pl_router *r = pl_router_new(&ops, rec);
	struct pl_producer_desc d = video_producer(10, 0xAAAA);
	assert_int_equal(pl_router_set_producer(r, &d), 0);
	int64_t now = 1000000;
	add_consumer(r, 100, SUB1, 0x1001, now);
	assert_true(has_pli(rec, 0xAAAA)); /* a new subscriber asks for a key frame */
	add_consumer(r, 101, SUB2, 0x1002, now);
	add_consumer(r, 102, SUB3, 0x1003, now);
	rec->n = 0;
	feed(r, 500, 9000, 0xAAAA, false, now); /* delta frame: gated */
	assert_int_equal(count(rec, SUB1, false), 0);
	feed(r, 501, 12000, 0xAAAA, true, now + 1000); /* key frame opens the gate */
	feed(r, 502, 12000, 0xAAAA, false, now + 2000);
	for (uint64_t tid = SUB1; tid <= SUB3; tid++) {
		assert_int_equal(count(rec, tid, false), 2);
		struct pl_rtp p;
		struct sent *s = last(rec, tid, false);
		assert_int_equal(pl_rtp_parse(s->data, s->len, &p), 0);
		assert_int_equal(p.ssrc, 0x1000 + (tid - 1));
		assert_int_equal(p.pt, 96);
		assert_int_equal(p.seq, 502);
		assert_int_equal(p.ts, 12000);
	}
	assert_int_equal(pl_router_consumer_count(r), 3);
	pl_router_remove_transport(r, SUB2);
	assert_int_equal(pl_router_consumer_count(r), 2);
	pl_router_remove_transport(r, PUB);
	assert_int_equal(pl_router_producer_count(r), 0);
	assert_int_equal(pl_router_consumer_count(r), 0);
	pl_router_free(r);
	free(rec);
}

static void test_continuity(void **state)
{
	(void)state;
	struct rec *rec = calloc(1, sizeof *rec);
	struct pl_router *r = pl_router_new(&ops, rec);
	struct pl_producer_desc d = video_producer(10, 0xAAAA);
	pl_router_set_producer(r, &d);
	int64_t now = 1000000;
	add_consumer(r, 100, SUB1, 0x1001, now);
	/* Wrap-around of both seq (65534 -> 1) and ts (near 2^32). */
	feed(r, 65534, 0xFFFFFF00u, 0xAAAA, true, now);
	feed(r, 65535, 0xFFFFFF00u + 3000, 0xAAAA, false, now + 33000);
	feed(r, 0, 0xFFFFFF00u + 6000, 0xAAAA, false, now + 66000);
	feed(r, 1, 0xFFFFFF00u + 9000, 0xAAAA, false, now + 100000);
	struct pl_rtp p;
	struct sent *s = last(rec, SUB1, false);
	assert_int_equal(pl_rtp_parse(s->data, s->len, &p), 0);
	assert_int_equal(p.seq, 1);
	assert_int_equal(p.ts, (uint32_t)(0xFFFFFF00u + 9000));
	/* The producer restarts with another SSRC and unrelated numbering: the subscriber sees
	 * seq + 1 and a timestamp advanced by the elapsed time (200 ms = 18000 ticks). */
	d.ssrc = 0xBBBB;
	pl_router_set_producer(r, &d);
	feed(r, 7777, 123456, 0xBBBB, true, now + 300000);
	s = last(rec, SUB1, false);
	assert_int_equal(pl_rtp_parse(s->data, s->len, &p), 0);
	assert_int_equal(p.ssrc, 0x1001);
	assert_int_equal(p.seq, 2);
	assert_int_equal(p.ts, (uint32_t)(0xFFFFFF00u + 9000 + 18000));
	feed(r, 7778, 123456 + 3000, 0xBBBB, false, now + 333000);
	s = last(rec, SUB1, false);
	assert_int_equal(pl_rtp_parse(s->data, s->len, &p), 0);
	assert_int_equal(p.seq, 3);
	assert_int_equal(p.ts, (uint32_t)(0xFFFFFF00u + 9000 + 18000 + 3000));
	pl_router_free(r);
	free(rec);
}

static void test_nack_pli(void **state)
{
	(void)state;
	struct rec *rec = calloc(1, sizeof *rec);
	struct pl_router *r = pl_router_new(&ops, rec);
	struct pl_producer_desc d = video_producer(10, 0xAAAA);
	pl_router_set_producer(r, &d);
	int64_t now = 1000000;
	add_consumer(r, 100, SUB1, 0x1001, now);
	for (uint16_t i = 0; i < 10; i++)
		feed(r, (uint16_t)(100 + i), 3000u * i, 0xAAAA, i == 0, now + i * 1000);
	size_t before = count(rec, SUB1, false);
	/* The subscriber lost output seqs 103 and 105 (same as input here: the first packet
	 * fixed the offset at 0) and asks for 9999 which never existed. */
	struct pl_rtcp_nack nack = {
	    .sender_ssrc = 0x1, .media_ssrc = 0x1001, .n_seqs = 3, .seqs = {103, 105, 9999}};
	uint8_t buf[200];
	size_t n;
	assert_int_equal(pl_rtcp_nack_write(&nack, buf, sizeof buf, &n), 0);
	pl_router_receive_rtcp(r, SUB1, buf, n, now + 20000);
	assert_int_equal(count(rec, SUB1, false), before + 2);
	struct pl_rtp p;
	struct sent *s = last(rec, SUB1, false);
	assert_int_equal(pl_rtp_parse(s->data, s->len, &p), 0);
	assert_int_equal(p.seq, 105);
	assert_int_equal(p.ssrc, 0x1001);
	assert_int_equal(pl_router_stats(r)->retransmits, 2);
	/* A NACK for an unknown consumer SSRC is ignored. */
	nack.media_ssrc = 0x9999;
	assert_int_equal(pl_rtcp_nack_write(&nack, buf, sizeof buf, &n), 0);
	pl_router_receive_rtcp(r, SUB1, buf, n, now + 21000);
	assert_int_equal(pl_router_stats(r)->retransmits, 2);

	/* PLI from the subscriber goes to the publisher, at most once per 500 ms. */
	rec->n = 0;
	struct pl_rtcp_pli pli = {.sender_ssrc = 1, .media_ssrc = 0x1001};
	assert_int_equal(pl_rtcp_pli_write(&pli, buf, sizeof buf, &n), 0);
	pl_router_receive_rtcp(r, SUB1, buf, n, now + 600000);
	pl_router_receive_rtcp(r, SUB1, buf, n, now + 700000);
	assert_int_equal(count(rec, PUB, true), 1);
	assert_true(has_pli(rec, 0xAAAA));
	pl_router_receive_rtcp(r, SUB1, buf, n, now + 1200000);
	assert_int_equal(count(rec, PUB, true), 2);
	/* Garbage RTCP is counted, not fatal. */
	uint8_t junk[] = {0x80, 0xC9, 0xFF, 0xFF, 1, 2, 3, 4};
	pl_router_receive_rtcp(r, SUB1, junk, sizeof junk, now + 1300000);
	assert_int_equal(pl_router_stats(r)->bad_rtcp, 1);
	uint8_t badrtp[] = {0x40, 0x60};
	pl_router_receive_rtp(r, PUB, badrtp, sizeof badrtp, now);
	assert_int_equal(pl_router_stats(r)->bad_rtp, 1);
	pl_router_free(r);
	free(rec);
}

static void test_feedback_reports(void **state)
{
	(void)state;
	struct rec *rec = calloc(1, sizeof *rec);
	struct pl_router *r = pl_router_new(&ops, rec);
	pl_router_set_max_bitrate(r, 1500000);
	struct pl_producer_desc d = video_producer(10, 0xAAAA);
	pl_router_set_producer(r, &d);
	int64_t now = 5000000;
	add_consumer(r, 100, SUB1, 0x1001, now);
	/* Publisher SR before media: remembered for RR and translated once media flows. */
	for (uint16_t i = 0; i < 20; i++)
		feed(r, (uint16_t)(65530 + i), 1000u + 3000u * i, 0xAAAA, i == 0,
		     now + 1000 * (int64_t)i);
	rec->n = 0;
	struct pl_rtcp_sr sr = {.sender_ssrc = 0xAAAA,
	                        .ntp = 0x0102030405060708ull,
	                        .rtp_ts = 5000,
	                        .packet_count = 20,
	                        .octet_count = 800};
	uint8_t buf[200];
	size_t n;
	assert_int_equal(pl_rtcp_sr_write(&sr, buf, sizeof buf, &n), 0);
	pl_router_receive_rtcp(r, PUB, buf, n, now + 30000);
	struct sent *s = last(rec, SUB1, true);
	assert_non_null(s);
	struct pl_rtcp_sr out;
	assert_int_equal(pl_rtcp_sr_parse(s->data, s->len, &out), 0);
	assert_int_equal(out.sender_ssrc, 0x1001);
	assert_int_equal(out.rtp_ts, 5000); /* offset 0 for the first source */
	assert_int_equal(out.packet_count, 20);
	assert_true(out.ntp == sr.ntp);

	rec->n = 0;
	pl_router_tick(r, now + 100000, 0);
	/* TWCC feedback for the 20 packets, RR for the producer, REMB with the bitrate cap. */
	bool twcc = false, rr = false, remb = false;
	for (size_t i = 0; i < rec->n; i++) {
		struct sent *p = &rec->p[i];
		if (p->tid != PUB || !p->rtcp)
			continue;
		struct pl_rtcp_twcc *tw = calloc(1, sizeof *tw);
		if (pl_rtcp_twcc_parse(p->data, p->len, tw) == 0) {
			twcc = true;
			assert_int_equal(tw->base_seq, 65530);
			assert_int_equal(tw->status_count, 20);
			assert_int_equal(tw->n_recv, 20);
		}
		free(tw);
		struct pl_rtcp_rr rrp;
		if (pl_rtcp_rr_parse(p->data, p->len, &rrp) == 0) {
			rr = true;
			assert_int_equal(rrp.blocks[0].ssrc, 0xAAAA);
			/* 65530..65535 then 0..13: one wrap, highest 13. */
			assert_int_equal(rrp.blocks[0].ext_highest_seq, 65536 + 13);
			assert_int_equal(rrp.blocks[0].cumulative_lost, 0);
		}
		struct pl_rtcp_remb rb;
		if (pl_rtcp_remb_parse(p->data, p->len, &rb) == 0) {
			remb = true;
			assert_int_equal(rb.n_ssrcs, 1);
			assert_int_equal(rb.ssrcs[0], 0xAAAA);
			assert_true(rb.bitrate_bps <= 1500000 && rb.bitrate_bps > 1400000);
		}
	}
	assert_true(twcc);
	assert_true(rr);
	assert_true(remb);
	pl_router_free(r);
	free(rec);
}

/* Loss between the publisher and the server: the gap is NACKed (at most 3 times, 100 ms apart),
 * the RTX repair (RFC 4588: OSN first) is forwarded as the original, a duplicate RTX is not. */
static void test_publisher_loss(void **state)
{
	(void)state;
	struct rec *rec = calloc(1, sizeof *rec);
	struct pl_router *r = pl_router_new(&ops, rec);
	struct pl_producer_desc d = video_producer(10, 0xAAAA);
	d.rtx_ssrc = 0xBBBB;
	d.rtx_pt_map[124] = 120;
	pl_router_set_producer(r, &d);
	int64_t now = 1000000;
	add_consumer(r, 100, SUB1, 0x1001, now);
	feed(r, 10, 0, 0xAAAA, true, now);
	feed(r, 11, 0, 0xAAAA, false, now + 1000);
	feed(r, 14, 3000, 0xAAAA, false, now + 2000); /* 12 and 13 lost */
	rec->n = 0;
	pl_router_tick(r, now + 3000, 0);
	struct pl_rtcp_nack nack;
	bool found = false;
	for (size_t i = 0; i < rec->n; i++)
		if (rec->p[i].tid == PUB && rec->p[i].rtcp &&
		    pl_rtcp_nack_parse(rec->p[i].data, rec->p[i].len, &nack) == 0) {
			found = true;
			assert_int_equal(nack.media_ssrc, 0xAAAA);
			assert_int_equal(nack.n_seqs, 2);
			assert_int_equal(nack.seqs[0], 12);
			assert_int_equal(nack.seqs[1], 13);
		}
	assert_true(found);
	/* The repair for 12 arrives as RTX: forwarded with seq 12 on the consumer's SSRC. */
	uint8_t b[100];
	size_t n = make_rtp(b, 124, 500, 0, 0xBBBB, 0, false);
	memmove(b + 22, b + 20, n - 20); /* make room for the OSN before the VP8 payload */
	pl_put_u16(b + 20, 12);
	n += 2;
	rec->n = 0;
	pl_router_receive_rtp(r, PUB, b, n, now + 4000);
	struct sent *s = last(rec, SUB1, false);
	assert_non_null(s);
	struct pl_rtp p;
	assert_int_equal(pl_rtp_parse(s->data, s->len, &p), 0);
	assert_int_equal(p.seq, 12);
	assert_int_equal(p.ssrc, 0x1001);
	assert_int_equal(p.pt, 96);
	assert_int_equal(p.payload_len, 42);
	assert_int_equal(pl_router_stats(r)->rtx_repaired, 1);
	/* The same RTX again is a duplicate: not forwarded. */
	rec->n = 0;
	pl_router_receive_rtp(r, PUB, b, n, now + 5000);
	assert_int_equal(count(rec, SUB1, false), 0);
	/* 13 stays missing: NACKed again after 100 ms, then twice more, then given up. */
	int nacks = 0;
	for (int64_t t = now + 5000; t < now + 1000000; t += 10000) {
		rec->n = 0;
		pl_router_tick(r, t, 0);
		for (size_t i = 0; i < rec->n; i++)
			if (rec->p[i].tid == PUB &&
			    pl_rtcp_nack_parse(rec->p[i].data, rec->p[i].len, &nack) == 0)
				nacks++;
	}
	assert_int_equal(nacks, 2); /* tries 2 and 3 of 3 */
	pl_router_free(r);
	free(rec);
}

/* Loss between the publisher and the server that NACKs cannot repair asks the publisher for a key
 * frame at once: a jump of more than 64 sequence numbers (an outage), and a packet still missing
 * after its three NACKs. Both within the 500 ms limit of key frame requests. */
static void test_publisher_gap_key_request(void **state)
{
	(void)state;
	struct rec *rec = calloc(1, sizeof *rec);
	struct pl_router *r = pl_router_new(&ops, rec);
	struct pl_producer_desc d = video_producer(10, 0xAAAA);
	pl_router_set_producer(r, &d);
	int64_t now = 1000000;
	add_consumer(r, 100, SUB1, 0x1001, now); /* its own request for a key frame */
	feed(r, 10, 0, 0xAAAA, true, now);
	feed(r, 11, 3000, 0xAAAA, false, now + 50000);
	/* 5 s later the publisher's packets come through again, 500 of them lost. */
	now += 5000000;
	rec->n = 0;
	feed(r, 512, 450000, 0xAAAA, false, now);
	assert_true(has_pli(rec, 0xAAAA));
	assert_int_equal(pl_router_stats(r)->pli_out, 2);
	/* The next packets of the broken frame ask nothing more. */
	rec->n = 0;
	feed(r, 513, 450000, 0xAAAA, false, now + 10000);
	assert_false(has_pli(rec, 0xAAAA));
	/* 600 ms on, one packet is lost and its three NACKs go unanswered: given up 100 ms after
	 * the third, with a key frame request. */
	now += 600000;
	feed(r, 515, 453000, 0xAAAA, false, now); /* 514 lost */
	int64_t asked = 0;
	for (int64_t t = now; t < now + 1000000 && !asked; t += 10000) {
		rec->n = 0;
		pl_router_tick(r, t, 0);
		if (has_pli(rec, 0xAAAA))
			asked = t;
	}
	assert_true(asked >= now + 300000 && asked <= now + 310000);
	assert_int_equal(pl_router_stats(r)->pli_out, 3);
	pl_router_free(r);
	free(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fanout_and_gating),
	    cmocka_unit_test(test_continuity),
	    cmocka_unit_test(test_nack_pli),
	    cmocka_unit_test(test_feedback_reports),
	    cmocka_unit_test(test_publisher_loss),
	    cmocka_unit_test(test_publisher_gap_key_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
