/* The router (SFU) on a fake clock (tests/unit/router_fixture.h): fan-out and rewriting, key
 * frame gating and PLI, source replacement and wrap-around continuity, teardown, malformed
 * input. Retransmission, RTCP and timers are in test_router_rtcp.c. */
#include "router_fixture.h"

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

/* A large audio room: LARGE publishers, each on a transport of its own, all received by SUB_A.
 * Every publisher's packet reaches the subscriber with its consumer's SSRC (the router once held
 * 64 producers and silently dropped the 65th publisher's media). Then the producer cap. */
#define LARGE 150
static void test_large_room(void **state)
{
	struct fx *f = *state;
	for (uint32_t i = 0; i < LARGE; i++) {
		struct pl_producer_desc d = {.id = 1000 + i,
		                             .transport = 5000 + i,
		                             .kind = PL_MEDIA_AUDIO,
		                             .ssrc = 0x50000000u + i,
		                             .clock_rate = 48000};
		strcpy(d.mid, "0");
		d.pt_map[PUB_PT_A] = 111;
		assert_int_equal(pl_router_set_producer(f->r, &d), 0);
		add_consumer(f, 20000 + i, 1000 + i, SUB_A, 0xC0000000u + i);
	}
	assert_int_equal(pl_router_producer_count(f->r), LARGE);
	for (uint32_t i = 0; i < LARGE; i++) {
		uint8_t pl[3] = {0xFC, (uint8_t)i, 0xFF}, b[64];
		size_t n = make_rtp(b, 0x50000000u + i, PUB_PT_A, (uint16_t)(100 + i), 960, pl,
		                    sizeof pl, -1);
		pl_router_receive_rtp(f->r, 5000 + i, b, n, f->now);
	}
	assert_int_equal(count(f, SUB_A, false), LARGE);
	for (uint32_t i = 0; i < LARGE; i++) {
		struct pl_rtp r = parse_sent(nth(f, SUB_A, false, i));
		assert_int_equal(r.ssrc, 0xC0000000u + i);
		assert_int_equal(r.seq, 100 + i);
		assert_int_equal(r.payload[1], (uint8_t)i);
	}
	assert_int_equal(pl_router_stats(f->r)->unknown_ssrc, 0);
	for (uint32_t i = 0; i < LARGE; i += 2)
		pl_router_remove_transport(f->r, 5000 + i);
	assert_int_equal(pl_router_producer_count(f->r), LARGE / 2);
	assert_int_equal(pl_router_consumer_count(f->r), LARGE / 2);
	/* Up to PL_ROUTER_MAX_PRODUCERS, then PL_ELIMIT. */
	for (uint32_t i = LARGE / 2; i < PL_ROUTER_MAX_PRODUCERS; i++) {
		struct pl_producer_desc d = {.id = 100000 + i,
		                             .transport = 5001,
		                             .kind = PL_MEDIA_AUDIO,
		                             .clock_rate = 48000};
		assert_int_equal(pl_router_set_producer(f->r, &d), 0);
	}
	struct pl_producer_desc extra = {
	    .id = 1, .transport = 5001, .kind = PL_MEDIA_AUDIO, .clock_rate = 48000};
	assert_int_equal(pl_router_set_producer(f->r, &extra), PL_ELIMIT);
	assert_int_equal(pl_router_producer_count(f->r), PL_ROUTER_MAX_PRODUCERS);
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
/* A NACK flood (the same 64 packets asked for again and again) is answered up to the
 * consumer's budget of 100 retransmissions per 100 ms; the rest is counted, not sent. The next
 * window has a fresh budget. */
/* The history holds a second: a slow stream (40 ms apart, for 4 s) does not grow it, a burst (a
 * key frame of 200 packets at once) grows it so the burst can be resent. */
/* The shell ticks the router when it has work: the tick returns the next deadline (reports,
 * TWCC); a packet that reveals a gap moves pl_router_wake_at to now, the tick then NACKs and
 * returns the retry time. */
/* PLI from a subscriber goes to the publisher as a PLI for the producer's SSRC, at most one per
 * 500 ms; FIR is treated the same. */
/* Packets with the transport-wide-cc extension produce feedback on tick that lists them. */
/* RR about the producer after a tick, with the extended highest sequence across a wrap; an SR
 * from the publisher is translated for each consumer (SSRC, RTP timestamp + its offset). */
/* REMB to the publisher with the configured bitrate and its video SSRC. */
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
	    cmocka_unit_test_setup_teardown(test_large_room, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keyframe_gating_and_pli, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_producer_replaced, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remove_transport, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
