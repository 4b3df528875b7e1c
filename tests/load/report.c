/* The result of a run: a human summary or one JSON object (for tests/load/bench.sh). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "media/srtp_session.h"
#include "tests/load/load.h"

struct pl_totals {
	int parts, joined, failed, publishers;
	double window_s;
	uint64_t tx_audio, tx_video, rx_window, keyframes, nacks_in, rtx_sent, rtx_miss, plis;
	uint64_t streams, nacks_sent;
	int64_t expected_audio, lost_audio, expected_video, lost_video;
	uint64_t freezes_audio, freezes_video;
	uint64_t missed_audio, missed_video, late, dups; /* in the window (struct pl_rx_stream) */
	double jitter_ms_sum, jitter_ms_max;
	int64_t longest_gap_us;
	int gcm, aescm;
	struct pl_samples stage[PL_T_N]; /* ms after the join request */
	/* ms from the moment media for the participant could first exist (its join request, or
	 * when another participant's publish DTLS completed, whichever was later) to its first
	 * packet: first-media without the wait for somebody to publish, which in a meeting that
	 * ramps up is the join interval, not the server. */
	struct pl_samples ready;
};

/* The earliest publish-DTLS time of a participant other than `self`, or 0 when none. */
static int64_t first_other_publisher(const struct pl_load *L, const struct pl_part *self)
{
	int64_t first = 0;
	for (int i = 0; i < L->n_parts; i++) {
		const struct pl_part *q = L->parts[i];
		if (q != self && q->publisher && q->t[PL_T_PUB_DTLS] &&
		    (!first || q->t[PL_T_PUB_DTLS] < first))
			first = q->t[PL_T_PUB_DTLS];
	}
	return first;
}

static void totals(struct pl_load *L, struct pl_totals *t)
{
	memset(t, 0, sizeof *t);
	t->parts = L->n_parts;
	t->window_s = L->win_end > L->win_start ? (double)(L->win_end - L->win_start) / 1e6 : 0;
	for (int i = 0; i < L->n_parts; i++) {
		struct pl_part *p = L->parts[i];
		t->joined += p->joined;
		t->failed += p->failed;
		t->publishers += p->publisher;
		t->tx_audio += p->pm.audio.sent_pkts;
		t->tx_video += p->pm.video.sent_pkts;
		t->keyframes += p->pm.keyframes;
		t->nacks_in += p->pm.nacks_in;
		t->rtx_sent += p->pm.rtx_sent;
		t->rtx_miss += p->pm.rtx_miss;
		t->plis += p->pm.plis_in;
		struct pl_peer *peers[2] = {p->pub, p->sub};
		for (int k = 0; k < 2; k++) {
			if (!peers[k] || !peers[k]->dtls_up)
				continue;
			t->gcm += peers[k]->srtp_profile == PL_SRTP_AEAD_AES_128_GCM;
			t->aescm += peers[k]->srtp_profile == PL_SRTP_AES128_CM_SHA1_80;
		}
		if (p->t[PL_T_JOIN])
			for (int m = PL_T_JOINED; m < PL_T_N; m++)
				if (p->t[m])
					pl_samples_add(&t->stage[m],
					               (double)(p->t[m] - p->t[PL_T_JOIN]) /
					                   1000.0);
		if (p->t[PL_T_JOIN] && p->t[PL_T_FIRST_MEDIA]) {
			int64_t from = first_other_publisher(L, p);
			if (from < p->t[PL_T_JOIN])
				from = p->t[PL_T_JOIN];
			pl_samples_add(&t->ready, (double)(p->t[PL_T_FIRST_MEDIA] - from) / 1000.0);
		}
		GHashTableIter it;
		gpointer v;
		/* What a --hostile participant receives (its own flood's answers) says nothing
		 * about the server: the loss, freeze and jitter figures are the victims'. */
		if (!p->sm.streams || p->hostile)
			continue;
		g_hash_table_iter_init(&it, p->sm.streams);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			struct pl_rx_stream *st = v;
			if (!st->pkts)
				continue;
			t->streams++;
			t->nacks_sent += st->nacks_sent;
			if (st->video) {
				t->expected_video += st->expected_w;
				t->lost_video += st->lost_w;
				t->freezes_video += st->freezes_w;
				t->missed_video += st->missed_w;
			} else {
				t->expected_audio += st->expected_w;
				t->lost_audio += st->lost_w;
				t->freezes_audio += st->freezes_w;
				t->missed_audio += st->missed_w;
			}
			t->late += st->late_w;
			t->dups += st->dups_w;
			double j = (double)(st->rx.jitter_q4 >> 4) * 1000.0 / st->clock_rate;
			t->jitter_ms_sum += j;
			t->jitter_ms_max = fmax(t->jitter_ms_max, j);
			if (st->longest_gap_us > t->longest_gap_us)
				t->longest_gap_us = st->longest_gap_us;
		}
	}
	t->rx_window = L->rx_pkts_window;
}

static void free_totals(struct pl_totals *t)
{
	for (int m = 0; m < PL_T_N; m++)
		pl_samples_free(&t->stage[m]);
	pl_samples_free(&t->ready);
}

static const char *const stage_names[PL_T_N] = {
    "connect",        "join",         "joined",          "publish-answer",
    "publish-ice",    "publish-dtls", "subscribe-offer", "subscribe-ice",
    "subscribe-dtls", "first-media",
};

static double pct(int64_t lost, int64_t expected)
{
	return expected > 0 ? 100.0 * (double)lost / (double)expected : 0.0;
}

static double srv_cpu_us(const struct pl_load *L)
{
	return L->srv_cpu0 >= 0 && L->srv_cpu1 >= 0 && L->o.server_pid
	           ? (double)(L->srv_cpu1 - L->srv_cpu0)
	           : NAN;
}

void pl_report_print(struct pl_load *L)
{
	struct pl_totals t;
	totals(L, &t);
	printf("plenum-load: %d publishers + %d subscribers, %s, room %s\n", L->o.publishers,
	       L->o.subscribers, L->o.audio_only ? "audio only" : "audio+video", L->o.room);
	if (!L->o.audio_only)
		printf("  video %d kbit/s at %d fps per publisher\n", L->o.video_kbps, L->o.fps);
	printf("joins: %d joined, %d failed\n", t.joined, t.failed);
	printf("join timing, ms after the join request (p50 / p95 / max, n):\n");
	for (int m = PL_T_JOINED; m < PL_T_N; m++) {
		struct pl_samples *s = &t.stage[m];
		if (!s->n)
			continue;
		printf("  %-16s %8.1f %8.1f %8.1f  (%zu)\n", stage_names[m],
		       pl_samples_quantile(s, 0.5), pl_samples_quantile(s, 0.95),
		       pl_samples_quantile(s, 1.0), s->n);
	}
	if (t.ready.n)
		printf(
		    "  first media, ms after it could exist (the join, or another participant's\n"
		    "  publish if later): %.1f / %.1f / %.1f  (%zu)\n",
		    pl_samples_quantile(&t.ready, 0.5), pl_samples_quantile(&t.ready, 0.95),
		    pl_samples_quantile(&t.ready, 1.0), t.ready.n);
	printf("SRTP profiles negotiated: %d AEAD_AES_128_GCM, %d AES_CM_128_HMAC_SHA1_80\n", t.gcm,
	       t.aescm);
	if (t.window_s > 0) {
		printf("measured window: %.1f s\n", t.window_s);
		printf("  received (forwarded) RTP: %llu packets, %.0f pkt/s; decrypted %llu\n",
		       (unsigned long long)t.rx_window, (double)t.rx_window / t.window_s,
		       (unsigned long long)L->rx_decrypted_window);
		printf("  sent by publishers: %.0f pkt/s\n",
		       (double)L->tx_pkts_window / t.window_s);
		printf("  loss: audio %.3f%% (%lld of %lld), video %.3f%% (%lld of %lld)\n",
		       pct(t.lost_audio, t.expected_audio), (long long)t.lost_audio,
		       (long long)t.expected_audio, pct(t.lost_video, t.expected_video),
		       (long long)t.lost_video, (long long)t.expected_video);
		printf("  missing on arrival (before retransmission): audio %.3f%%, video %.3f%%; "
		       "late arrivals (gaps filled) %llu, duplicates %llu\n",
		       pct((int64_t)t.missed_audio, t.expected_audio),
		       pct((int64_t)t.missed_video, t.expected_video), (unsigned long long)t.late,
		       (unsigned long long)t.dups);
		printf(
		    "  freezes (>200 ms without packets): audio %llu, video %llu; longest gap %.0f "
		    "ms\n",
		    (unsigned long long)t.freezes_audio, (unsigned long long)t.freezes_video,
		    (double)t.longest_gap_us / 1000.0);
		printf("  jitter over %llu streams: mean %.2f ms, max %.2f ms\n",
		       (unsigned long long)t.streams, t.streams ? t.jitter_ms_sum / t.streams : 0,
		       t.jitter_ms_max);
		const struct pl_hist *hs[2] = {&L->lat_audio, &L->lat_video};
		const char *hn[2] = {"audio", "video"};
		for (int k = 0; k < 2; k++)
			if (hs[k]->n)
				printf("  latency %s (us, %llu samples): p50 %lld  p95 %lld  p99 "
				       "%lld  max "
				       "%lld\n",
				       hn[k], (unsigned long long)hs[k]->n,
				       (long long)pl_hist_quantile(hs[k], 0.5),
				       (long long)pl_hist_quantile(hs[k], 0.95),
				       (long long)pl_hist_quantile(hs[k], 0.99),
				       (long long)hs[k]->max);
		printf(
		    "  NACKs: %llu sent by subscribers, %llu received by publishers, %llu "
		    "retransmitted, %llu not in history; PLI/FIR at publishers: %llu; key frames "
		    "%llu\n",
		    (unsigned long long)t.nacks_sent, (unsigned long long)t.nacks_in,
		    (unsigned long long)t.rtx_sent, (unsigned long long)t.rtx_miss,
		    (unsigned long long)t.plis, (unsigned long long)t.keyframes);
		if (L->srv_delay_ok && L->srv_delay_window.total) {
			const struct pl_delay_hist *h = &L->srv_delay_window;
			printf(
			    "  server's forwarding delay (its /metrics, %llu datagrams): p50 %.0f  "
			    "p99 %.0f  p99.9 %.0f us; %.3f%% within 2 ms\n",
			    (unsigned long long)h->total, pl_delay_hist_quantile(h, 0.5),
			    pl_delay_hist_quantile(h, 0.99), pl_delay_hist_quantile(h, 0.999),
			    100.0 * pl_delay_hist_share_le(h, 2000));
		}
		double cpu = srv_cpu_us(L);
		if (!isnan(cpu)) {
			printf("server: CPU %.1f%% of one core", 100.0 * cpu / (t.window_s * 1e6));
			if (t.rx_window)
				printf(", %.2f us per forwarded packet", cpu / (double)t.rx_window);
			printf(
			    "\n  RSS baseline %.1f MiB, end %.1f MiB, peak %.1f MiB, %.3f MiB per "
			    "participant\n",
			    L->srv_rss_base / 1024.0, L->srv_rss_end / 1024.0,
			    L->srv_rss_peak / 1024.0,
			    (L->srv_rss_end - L->srv_rss_base) / 1024.0 / (t.parts ? t.parts : 1));
		}
		printf("generator: CPU %.1f%% of one core\n",
		       100.0 * (double)(L->gen_cpu1 - L->gen_cpu0) / (t.window_s * 1e6));
	} else {
		printf("no measured window (the run ended before media flowed everywhere)\n");
	}
	if (L->errors->len)
		printf("errors:\n%s", L->errors->str);
	free_totals(&t);
}

static json_t *hist_json(const struct pl_hist *h)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "n", (json_int_t)h->n, "p50",
	                 (json_int_t)pl_hist_quantile(h, 0.5), "p95",
	                 (json_int_t)pl_hist_quantile(h, 0.95), "p99",
	                 (json_int_t)pl_hist_quantile(h, 0.99), "max", (json_int_t)h->max);
}

static json_t *num_or_null(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

void pl_report_json(struct pl_load *L)
{
	struct pl_totals t;
	totals(L, &t);
	json_t *stages = json_object();
	for (int m = PL_T_JOINED; m < PL_T_N; m++) {
		struct pl_samples *s = &t.stage[m];
		if (!s->n)
			continue;
		json_object_set_new(stages, stage_names[m],
		                    json_pack("{s:I, s:o, s:o, s:o}", "n", (json_int_t)s->n, "p50",
		                              num_or_null(pl_samples_quantile(s, 0.5)), "p95",
		                              num_or_null(pl_samples_quantile(s, 0.95)), "max",
		                              num_or_null(pl_samples_quantile(s, 1.0))));
	}
	if (t.ready.n)
		json_object_set_new(
		    stages, "first-media-ready",
		    json_pack("{s:I, s:o, s:o, s:o}", "n", (json_int_t)t.ready.n, "p50",
		              num_or_null(pl_samples_quantile(&t.ready, 0.5)), "p95",
		              num_or_null(pl_samples_quantile(&t.ready, 0.95)), "max",
		              num_or_null(pl_samples_quantile(&t.ready, 1.0))));
	double cpu = srv_cpu_us(L);
	double w = t.window_s > 0 ? t.window_s : NAN;
	json_t *o = json_pack("{s:i, s:i, s:b, s:i, s:i, s:i, s:i, s:i, s:o, s:o}", "publishers",
	                      L->o.publishers, "subscribers", L->o.subscribers, "audio_only",
	                      L->o.audio_only, "video_kbps", L->o.video_kbps, "fps", L->o.fps,
	                      "joined", t.joined, "failed", t.failed, "join_failures",
	                      (int)L->join_failures, "join_ms", stages, "window_s", num_or_null(w));
	json_object_set_new(o, "srtp", json_pack("{s:i, s:i}", "gcm", t.gcm, "aes_cm", t.aescm));
	json_object_set_new(o, "tick_ms", json_integer(L->o.tick_ms));
	json_object_set_new(o, "rx_packets", json_integer((json_int_t)t.rx_window));
	json_object_set_new(o, "rx_pps", num_or_null((double)t.rx_window / w));
	json_object_set_new(o, "tx_pps", num_or_null((double)L->tx_pkts_window / w));
	json_object_set_new(o, "loss_audio_pct", json_real(pct(t.lost_audio, t.expected_audio)));
	json_object_set_new(o, "loss_video_pct", json_real(pct(t.lost_video, t.expected_video)));
	json_object_set_new(o, "lost_audio", json_integer(t.lost_audio));
	json_object_set_new(o, "lost_video", json_integer(t.lost_video));
	json_object_set_new(o, "missing_audio_pct",
	                    json_real(pct((int64_t)t.missed_audio, t.expected_audio)));
	json_object_set_new(o, "missing_video_pct",
	                    json_real(pct((int64_t)t.missed_video, t.expected_video)));
	json_object_set_new(o, "late_packets", json_integer((json_int_t)t.late));
	json_object_set_new(o, "duplicates", json_integer((json_int_t)t.dups));
	json_object_set_new(o, "freezes_audio", json_integer((json_int_t)t.freezes_audio));
	json_object_set_new(o, "freezes_video", json_integer((json_int_t)t.freezes_video));
	json_object_set_new(o, "jitter_ms_mean",
	                    json_real(t.streams ? t.jitter_ms_sum / (double)t.streams : 0));
	json_object_set_new(o, "jitter_ms_max", json_real(t.jitter_ms_max));
	json_object_set_new(o, "latency_audio_us", hist_json(&L->lat_audio));
	json_object_set_new(o, "latency_video_us", hist_json(&L->lat_video));
	if (L->srv_delay_ok && L->srv_delay_window.total) {
		const struct pl_delay_hist *h = &L->srv_delay_window;
		json_object_set_new(
		    o, "server_forward_delay_us",
		    json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "n", (json_int_t)h->total,
		              "p50", num_or_null(pl_delay_hist_quantile(h, 0.5)), "p95",
		              num_or_null(pl_delay_hist_quantile(h, 0.95)), "p99",
		              num_or_null(pl_delay_hist_quantile(h, 0.99)), "p999",
		              num_or_null(pl_delay_hist_quantile(h, 0.999)), "mean",
		              num_or_null((double)h->sum_us / (double)h->total), "share_le_2ms",
		              num_or_null(pl_delay_hist_share_le(h, 2000))));
	} else {
		json_object_set_new(o, "server_forward_delay_us", json_null());
	}
	json_object_set_new(o, "nacks_sent", json_integer((json_int_t)t.nacks_sent));
	json_object_set_new(o, "retransmitted", json_integer((json_int_t)t.rtx_sent));
	json_object_set_new(o, "plis", json_integer((json_int_t)t.plis));
	json_object_set_new(o, "server_cpu_pct", num_or_null(100.0 * cpu / (w * 1e6)));
	json_object_set_new(o, "server_us_per_packet",
	                    num_or_null(t.rx_window ? cpu / (double)t.rx_window : NAN));
	json_object_set_new(o, "server_rss_base_kib", json_integer(L->srv_rss_base));
	json_object_set_new(o, "server_rss_end_kib",
	                    L->win_end && L->o.server_pid ? json_integer(L->srv_rss_end)
	                                                  : json_null());
	json_object_set_new(o, "server_rss_peak_kib", json_integer(L->srv_rss_peak));
	json_object_set_new(o, "server_mib_per_participant",
	                    L->o.server_pid && L->win_end
	                        ? num_or_null((L->srv_rss_end - L->srv_rss_base) / 1024.0 / t.parts)
	                        : json_null());
	json_object_set_new(o, "generator_cpu_pct",
	                    num_or_null(100.0 * (double)(L->gen_cpu1 - L->gen_cpu0) / (w * 1e6)));
	json_object_set_new(o, "errors", json_string(L->errors->str));
	if (L->o.hostile)
		json_object_set_new(o, "hostile",
		                    json_pack("{s:s, s:I, s:b}", "mode",
		                              pl_hostile_name(L->o.hostile), "sent",
		                              (json_int_t)L->parts[0]->hostile_sent, "failed",
		                              L->parts[0]->failed));
	char *s = json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (s)
		puts(s);
	free(s);
	json_decref(o);
	free_totals(&t);
}
