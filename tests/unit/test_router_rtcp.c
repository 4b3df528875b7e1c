/* The router (SFU) on a fake clock (tests/unit/router_fixture.h): NACK answered from the
 * history and its budget, the history's time bound, the timer deadline, PLI forwarding, TWCC
 * feedback, RR and SR translation, REMB. */
#include "router_fixture.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_nack_from_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nack_flood_capped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_history_by_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wake_at, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pli_forwarding, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_twcc_feedback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rr_and_sr, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remb, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
