/* plenum-load: options, the run's timers (ramp, media tick, control), the measured window. */
#include <getopt.h>
#include <glib-unix.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media/alloc.h"
#include "media/srtp_session.h"
#include "tests/load/load.h"

#define PL_CONTROL_MS      100  /* window and deadline checks */
#define PL_HOSTILE_TICK_US 5000 /* a hostile participant's attack tick */
#define PL_WARMUP_US       1000000
#define PL_JOIN_GRACE_S    20 /* after the ramp, joins that take longer than this have failed */

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: plenum-load [options]\n"
	    "  --url URL            websocket (default ws://127.0.0.1:8080/ws)\n"
	    "  --origin ORIGIN      Origin header (default http://HOST:PORT of the url)\n"
	    "  --room NAME          room (default load-<pid>)\n"
	    "  --publishers N       participants that publish and subscribe (default 1)\n"
	    "  --subscribers M      participants that only receive (default 0)\n"
	    "  --meeting N          N x N meeting: N publishers, 0 subscribers\n"
	    "  --audio-only         publish Opus only\n"
	    "  --video-kbps K       video bitrate per publisher (default 500)\n"
	    "  --fps F              video frame rate (default 30)\n"
	    "  --keyframe-s S       periodic key frame interval (default 5)\n"
	    "  --duration S         measured window in seconds (default 10; SIGTERM or SIGINT\n"
	    "                       end it early and print the report)\n"
	    "  --ramp R             joins per second (default 20; 0 = all at once)\n"
	    "  --settle S           max seconds to wait for media after the last join (10)\n"
	    "  --server-pid PID     read the server's CPU time and RSS from /proc\n"
	    "  --decrypt-share X    share 0..1 of receivers that decrypt every packet (0.1)\n"
	    "  --json               print the result as JSON instead of the summary\n"
	    "  --quiet              no progress lines on stderr\n"
	    "  --janus              the server is Janus 1.1 (VideoRoom plugin, websocket\n"
	    "                       transport, --url ws://HOST:8188/); --room: its room number\n"
	    "  --srtp-profile P     gcm, aes-cm or both (default): the DTLS-SRTP profiles we\n"
	    "                       offer or accept\n"
	    "  --local-address IP   our ICE host candidates (default 127.0.0.1; Janus never\n"
	    "                       gathers on loopback: give it and us the same local address)\n"
	    "  --ice-pacing-ms N    our agents' pacing of connectivity checks (libnice's Ta,\n"
	    "                       default 20 ms): how much of the ICE time is the client's\n"
	    "  --tick-ms N          media send tick (default 1): each publisher sends what is due\n"
	    "                       at every tick, so with 5 ms a quarter of the publishers' "
	    "audio\n"
	    "                       arrives at once (browsers' 20 ms frames have phases of their "
	    "own)\n"
	    "  --metrics-url URL    Plenum's /metrics, read at both edges of the window for the\n"
	    "                       server's own forwarding delay (default: next to --url;\n"
	    "                       none: not read; never read with --janus)\n"
	    "  --hostile MODE       participant 0 misbehaves (see tests/load/hostile.c): "
	    "nack-flood,\n"
	    "                       pli-flood, ssrc-flood, rtcp-lies, rtp-padding, srtp-replay,\n"
	    "                       garbage, seq-wrap, dtls-stall, bad-fingerprint\n");
}

static int parse_url(struct pl_load_opts *o)
{
	const char *u = o->url;
	if (strncmp(u, "ws://", 5) != 0) {
		fprintf(stderr, "plenum-load: only ws:// URLs are supported (got %s)\n", u);
		return -1;
	}
	u += 5;
	const char *slash = strchr(u, '/');
	const char *colon = strchr(u, ':');
	size_t hostlen = slash ? (size_t)(slash - u) : strlen(u);
	if (colon && (!slash || colon < slash))
		hostlen = (size_t)(colon - u);
	if (hostlen == 0 || hostlen >= sizeof o->host) {
		fprintf(stderr, "plenum-load: bad host in %s\n", o->url);
		return -1;
	}
	memcpy(o->host, u, hostlen);
	o->host[hostlen] = 0;
	o->port = colon && (!slash || colon < slash) ? atoi(colon + 1) : 80;
	g_strlcpy(o->path, slash ? slash : "/", sizeof o->path);
	if (o->port <= 0 || o->port > 65535) {
		fprintf(stderr, "plenum-load: bad port in %s\n", o->url);
		return -1;
	}
	if (!o->origin[0])
		snprintf(o->origin, sizeof o->origin, "http://%s:%d", o->host, o->port);
	return 0;
}

static int parse_opts(int argc, char **argv, struct pl_load_opts *o)
{
	static const struct option lo[] = {{"url", required_argument, 0, 'u'},
	                                   {"origin", required_argument, 0, 'o'},
	                                   {"room", required_argument, 0, 'r'},
	                                   {"publishers", required_argument, 0, 'p'},
	                                   {"subscribers", required_argument, 0, 's'},
	                                   {"meeting", required_argument, 0, 'm'},
	                                   {"audio-only", no_argument, 0, 'a'},
	                                   {"video-kbps", required_argument, 0, 'k'},
	                                   {"fps", required_argument, 0, 'f'},
	                                   {"duration", required_argument, 0, 'd'},
	                                   {"ramp", required_argument, 0, 'R'},
	                                   {"server-pid", required_argument, 0, 'P'},
	                                   {"decrypt-share", required_argument, 0, 'D'},
	                                   {"json", no_argument, 0, 'j'},
	                                   {"keyframe-s", required_argument, 0, 'K'},
	                                   {"settle", required_argument, 0, 'S'},
	                                   {"quiet", no_argument, 0, 'q'},
	                                   {"hostile", required_argument, 0, 'H'},
	                                   {"janus", no_argument, 0, 'J'},
	                                   {"srtp-profile", required_argument, 0, 'T'},
	                                   {"local-address", required_argument, 0, 'A'},
	                                   {"ice-pacing-ms", required_argument, 0, 'I'},
	                                   {"metrics-url", required_argument, 0, 'M'},
	                                   {"tick-ms", required_argument, 0, 't'},
	                                   {"help", no_argument, 0, 'h'},
	                                   {0, 0, 0, 0}};
	g_strlcpy(o->url, "ws://127.0.0.1:8080/ws", sizeof o->url);
	snprintf(o->room, sizeof o->room, "load-%d", (int)getpid());
	o->publishers = 1;
	o->video_kbps = 500;
	o->fps = 30;
	o->duration_s = 10;
	o->ramp = 20;
	o->decrypt_share = 0.1;
	o->keyframe_s = 5;
	o->tick_ms = 1;
	o->settle_s = 10;
	o->srtp_profiles[0] = PL_SRTP_AEAD_AES_128_GCM;
	o->srtp_profiles[1] = PL_SRTP_AES128_CM_SHA1_80;
	g_strlcpy(o->local_addr, "127.0.0.1", sizeof o->local_addr);
	int c;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'u':
			g_strlcpy(o->url, optarg, sizeof o->url);
			break;
		case 'o':
			g_strlcpy(o->origin, optarg, sizeof o->origin);
			break;
		case 'r':
			g_strlcpy(o->room, optarg, sizeof o->room);
			break;
		case 'p':
			o->publishers = atoi(optarg);
			break;
		case 's':
			o->subscribers = atoi(optarg);
			break;
		case 'm':
			o->publishers = atoi(optarg);
			o->subscribers = 0;
			break;
		case 'a':
			o->audio_only = true;
			break;
		case 'k':
			o->video_kbps = atoi(optarg);
			break;
		case 'f':
			o->fps = atoi(optarg);
			break;
		case 'd':
			o->duration_s = atof(optarg);
			break;
		case 'R':
			o->ramp = atof(optarg);
			break;
		case 'P':
			o->server_pid = atoi(optarg);
			break;
		case 'D':
			o->decrypt_share = atof(optarg);
			break;
		case 'I':
			o->ice_pacing_ms = atoi(optarg);
			break;
		case 't':
			o->tick_ms = atoi(optarg);
			break;
		case 'M':
			g_strlcpy(o->metrics_url, optarg, sizeof o->metrics_url);
			break;
		case 'j':
			o->json = true;
			break;
		case 'K':
			o->keyframe_s = atoi(optarg);
			break;
		case 'S':
			o->settle_s = atof(optarg);
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'H': {
			int m = pl_hostile_parse(optarg);
			if (m <= 0) {
				fprintf(stderr, "plenum-load: unknown --hostile mode %s\n", optarg);
				return -1;
			}
			o->hostile = (enum pl_hostile)m;
			break;
		}
		case 'J':
			o->janus = true;
			break;
		case 'A':
			g_strlcpy(o->local_addr, optarg, sizeof o->local_addr);
			break;
		case 'T':
			if (strcmp(optarg, "gcm") == 0 || strcmp(optarg, "aes-cm") == 0) {
				o->srtp_profiles[0] = strcmp(optarg, "gcm") == 0
				                          ? PL_SRTP_AEAD_AES_128_GCM
				                          : PL_SRTP_AES128_CM_SHA1_80;
				o->srtp_profiles[1] = 0;
			} else if (strcmp(optarg, "both") != 0) {
				fprintf(stderr, "plenum-load: --srtp-profile: gcm, aes-cm, both\n");
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc || o->publishers < 0 || o->subscribers < 0 ||
	    o->publishers + o->subscribers < 1 || o->publishers + o->subscribers > 5000 ||
	    o->video_kbps < 10 || o->video_kbps > 20000 || o->fps < 1 || o->fps > 120 ||
	    o->duration_s <= 0 || o->ramp < 0 || o->decrypt_share < 0 || o->decrypt_share > 1 ||
	    o->ice_pacing_ms < 0 || o->ice_pacing_ms > 1000 || o->tick_ms < 1 || o->tick_ms > 20) {
		fprintf(stderr, "plenum-load: bad or out-of-range option\n");
		usage(stderr);
		return -1;
	}
	return parse_url(o);
}

static struct pl_part *part_new(struct pl_load *L, int idx)
{
	struct pl_part *p = pl_xcalloc(1, sizeof *p);
	p->L = L;
	p->idx = idx;
	p->publisher = idx < L->o.publishers;
	/* Spread the decrypting receivers evenly over those that receive anything (with a single
	 * publisher, the subscribers): receiver r decrypts when the running share crosses an
	 * integer, so the first receiver always does when the share is above 0. */
	int r = L->o.publishers > 1 ? idx : idx - L->o.publishers;
	p->decrypt = r >= 0 && ceil((r + 1) * L->o.decrypt_share) > ceil(r * L->o.decrypt_share);
	g_queue_init(&p->outq);
	p->inbuf = g_string_new(NULL);
	pl_pubmedia_init(&p->pm, !L->o.audio_only);
	p->pm.audio.ssrc = L->next_ssrc++;
	p->pm.video.ssrc = L->next_ssrc++;
	pl_submedia_init(&p->sm);
	if (idx == 0 && L->o.hostile) {
		p->hostile = L->o.hostile;
		p->hostile_ssrc = L->next_ssrc + 0x100000u;
		pl_hostile_setup(p);
	}
	return p;
}

static gboolean on_ramp(gpointer data)
{
	struct pl_load *L = data;
	if (L->done || L->n_started >= L->n_parts)
		return G_SOURCE_REMOVE;
	int batch = L->o.ramp > 0 ? 1 : L->n_parts;
	for (int i = 0; i < batch && L->n_started < L->n_parts; i++) {
		struct pl_part *p = L->parts[L->n_started++];
		pl_ws_connect(p);
	}
	return L->n_started < L->n_parts ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean on_tick(gpointer data)
{
	struct pl_load *L = data;
	int64_t now = pl_now_us();
	/* The attacks keep their rate (tests/load/hostile.c: "every tick" means every 5 ms). */
	bool hostile_due = now >= L->next_hostile_us;
	if (hostile_due)
		L->next_hostile_us = now + PL_HOSTILE_TICK_US;
	for (int i = 0; i < L->n_started; i++) {
		struct pl_part *p = L->parts[i];
		if (p->failed || p->closed)
			continue;
		if (p->pub)
			pl_peer_tick(p->pub, now);
		if (p->sub)
			pl_peer_tick(p->sub, now);
		pl_pubmedia_tick(p, now);
		pl_submedia_tick(p, now);
		if (p->hostile && hostile_due)
			pl_hostile_tick(p, now);
	}
	return G_SOURCE_CONTINUE;
}

static bool all_answered(struct pl_load *L)
{
	if (L->n_started < L->n_parts)
		return false;
	for (int i = 0; i < L->n_parts; i++)
		if (!L->parts[i]->joined && !L->parts[i]->failed)
			return false;
	return true;
}

/* Media is flowing everywhere it should: every publisher's DTLS is up and every participant
 * that has someone to receive from got its first packet. */
static bool media_ready(struct pl_load *L)
{
	int live_pubs = 0;
	for (int i = 0; i < L->n_parts; i++)
		live_pubs += L->parts[i]->publisher && !L->parts[i]->failed;
	for (int i = 0; i < L->n_parts; i++) {
		struct pl_part *p = L->parts[i];
		if (p->failed || pl_hostile_fails_itself(p->hostile))
			continue;
		if (p->publisher && !p->t[PL_T_PUB_DTLS])
			return false;
		int senders = live_pubs - (p->publisher ? 1 : 0);
		if (senders > 0 && !p->t[PL_T_FIRST_MEDIA])
			return false;
	}
	return true;
}

void pl_load_maybe_window(struct pl_load *L)
{
	if (!L->t_all_joined && all_answered(L))
		L->t_all_joined = pl_now_us();
}

static void window_edge(struct pl_load *L, bool start)
{
	int64_t now = pl_now_us();
	for (int i = 0; i < L->n_parts; i++)
		pl_submedia_window(&L->parts[i]->sm, start);
	int srv = L->o.server_pid;
	if (start) {
		L->win_start = now;
		L->in_window = true;
		L->srv_cpu0 = srv ? pl_proc_cpu_us(srv) : -1;
		L->gen_cpu0 = pl_proc_cpu_us((int)getpid());
		if (L->srv_delay_on)
			pl_srvmetrics_start(&L->srv_delay[0]);
		if (!L->o.quiet)
			fprintf(stderr, "plenum-load: measuring for %.0f s\n", L->o.duration_s);
	} else {
		L->win_end = now;
		L->in_window = false;
		L->srv_cpu1 = srv ? pl_proc_cpu_us(srv) : -1;
		L->srv_rss_end = srv ? pl_proc_rss_kib(srv) : -1;
		L->gen_cpu1 = pl_proc_cpu_us((int)getpid());
		if (L->srv_delay_on)
			pl_srvmetrics_start(&L->srv_delay[1]);
	}
}

/* After the run: the forwarding delay inside the window, from the two reads. */
static void srv_delay_finish(struct pl_load *L)
{
	if (!L->srv_delay_on)
		return;
	int a = pl_srvmetrics_join(&L->srv_delay[0]), b = pl_srvmetrics_join(&L->srv_delay[1]);
	if (a == 0 && b == 0) {
		pl_delay_hist_diff(&L->srv_delay[1].hist, &L->srv_delay[0].hist,
		                   &L->srv_delay_window);
		L->srv_delay_ok = true;
	} else if (L->win_end) {
		const struct pl_srvmetrics *m = a ? &L->srv_delay[0] : &L->srv_delay[1];
		g_string_append_printf(L->errors, "server forwarding delay not read: %s\n",
		                       m->err[0] ? m->err : "no read");
	}
}

static gboolean on_quit(gpointer data)
{
	g_main_loop_quit(((struct pl_load *)data)->loop);
	return G_SOURCE_REMOVE;
}

static void finish(struct pl_load *L)
{
	if (L->done)
		return;
	L->done = true;
	for (int i = 0; i < L->n_started; i++) {
		struct pl_part *p = L->parts[i];
		if (p->wsi && !p->closed) {
			if (L->o.janus)
				pl_janus_leave(p);
			else
				pl_ws_send(p, g_strdup("{\"type\":\"leave\",\"id\":9}"));
			pl_ws_close(p);
		}
	}
	g_timeout_add(500, on_quit, L); /* let the leaves go out */
}

/* SIGTERM or SIGINT: end the measured window now (if it is open) and report. */
static gboolean on_stop_signal(gpointer data)
{
	struct pl_load *L = data;
	if (L->in_window)
		window_edge(L, false);
	else if (!L->win_end)
		g_string_append(L->errors, "stopped by a signal before the measured window\n");
	finish(L);
	return G_SOURCE_REMOVE;
}

static gboolean on_control(gpointer data)
{
	struct pl_load *L = data;
	if (L->done)
		return G_SOURCE_REMOVE;
	int64_t now = pl_now_us();
	if (L->o.server_pid) {
		int64_t rss = pl_proc_rss_kib(L->o.server_pid);
		if (rss < 0) {
			g_string_append(L->errors, "the server process is gone\n");
			L->exit_code = 2;
			finish(L);
			return G_SOURCE_REMOVE;
		}
		if (rss > L->srv_rss_peak)
			L->srv_rss_peak = rss;
	}
	int failed = 0;
	for (int i = 0; i < L->n_started; i++)
		failed += L->parts[i]->failed;
	if (L->n_started == L->n_parts && failed == L->n_parts) {
		g_string_append(L->errors, "every participant failed\n");
		L->exit_code = 2;
		finish(L);
		return G_SOURCE_REMOVE;
	}
	pl_load_maybe_window(L);
	if (!L->t_all_joined) {
		double ramp_s = L->o.ramp > 0 ? L->n_parts / L->o.ramp : 0;
		if (now - L->t_start > (int64_t)((ramp_s + PL_JOIN_GRACE_S) * 1e6)) {
			for (int i = 0; i < L->n_parts; i++)
				if (!L->parts[i]->joined)
					pl_part_fail(L->parts[i], "no joined answer within %d s",
					             PL_JOIN_GRACE_S);
			L->t_all_joined = now;
		}
		return G_SOURCE_CONTINUE;
	}
	if (!L->win_start) {
		static const int64_t never = INT64_MAX;
		int64_t ready_at = never;
		if (media_ready(L) || now - L->t_all_joined > (int64_t)(L->o.settle_s * 1e6)) {
			if (!media_ready(L) && !L->o.quiet)
				fprintf(stderr,
				        "plenum-load: media not flowing everywhere after %.0f s; "
				        "measuring anyway\n",
				        L->o.settle_s);
			ready_at = now;
		}
		if (ready_at != never)
			L->win_start = ready_at + PL_WARMUP_US; /* provisional: window opens then */
		return G_SOURCE_CONTINUE;
	}
	if (!L->in_window && !L->win_end && now >= L->win_start) {
		window_edge(L, true);
		return G_SOURCE_CONTINUE;
	}
	if (L->in_window && now - L->win_start >= (int64_t)(L->o.duration_s * 1e6)) {
		window_edge(L, false);
		finish(L);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
	struct pl_load *L = pl_xcalloc(1, sizeof *L);
	if (parse_opts(argc, argv, &L->o) != 0)
		return 64;
	char err[256] = "";
	L->errors = g_string_new(NULL);
	L->next_ssrc = g_random_int() | 1;
	if (pl_srtp_global_init() != 0) {
		fprintf(stderr, "plenum-load: SRTP init failed\n");
		return 2;
	}
	L->cert = pl_cert_new(err, sizeof err);
	if (!L->cert || pl_opus_frames_init(&L->opus, err, sizeof err) != 0) {
		fprintf(stderr, "plenum-load: %s\n", err);
		return 2;
	}
	L->loop = g_main_loop_new(NULL, FALSE);
	if (pl_ws_init(L, L->loop, err, sizeof err) != 0) {
		fprintf(stderr, "plenum-load: %s\n", err);
		return 2;
	}
	if (L->o.server_pid) {
		L->srv_rss_base = pl_proc_rss_kib(L->o.server_pid);
		if (L->srv_rss_base < 0) {
			fprintf(stderr, "plenum-load: no process %d (--server-pid)\n",
			        L->o.server_pid);
			return 2;
		}
		L->srv_rss_peak = L->srv_rss_base;
	}
	if (!L->o.janus && strcmp(L->o.metrics_url, "none") != 0) {
		for (int i = 0; i < 2; i++) {
			if (pl_srvmetrics_url(&L->o, &L->srv_delay[i]) != 0) {
				fprintf(
				    stderr,
				    "plenum-load: bad --metrics-url %s (http://HOST:PORT/PATH)\n",
				    L->o.metrics_url);
				return 64;
			}
		}
		L->srv_delay_on = true;
	}
	L->n_parts = L->o.publishers + L->o.subscribers;
	L->parts = pl_xcalloc((size_t)L->n_parts, sizeof *L->parts);
	for (int i = 0; i < L->n_parts; i++)
		L->parts[i] = part_new(L, i);
	L->t_start = pl_now_us();
	if (!L->o.quiet)
		fprintf(stderr, "plenum-load: %d publishers, %d subscribers -> %s room %s\n",
		        L->o.publishers, L->o.subscribers, L->o.url, L->o.room);
	on_ramp(L);
	if (L->o.ramp > 0 && L->n_started < L->n_parts)
		g_timeout_add((guint)fmax(1.0, 1000.0 / L->o.ramp), on_ramp, L);
	g_timeout_add((guint)L->o.tick_ms, on_tick, L);
	g_timeout_add(PL_CONTROL_MS, on_control, L);
	g_unix_signal_add(SIGTERM, on_stop_signal, L);
	g_unix_signal_add(SIGINT, on_stop_signal, L);
	g_main_loop_run(L->loop);
	srv_delay_finish(L);

	if (L->o.json)
		pl_report_json(L);
	else
		pl_report_print(L);
	int failed = 0;
	for (int i = 0; i < L->n_parts; i++) /* a hostile peer that could not connect: expected */
		failed += L->parts[i]->failed && !pl_hostile_fails_itself(L->parts[i]->hostile);
	if (L->o.hostile && !pl_hostile_fails_itself(L->o.hostile) &&
	    L->o.hostile != PL_HOSTILE_SEQ_WRAP && !L->parts[0]->hostile_sent) {
		fprintf(stderr,
		        "plenum-load: the hostile participant never got to send its attack\n");
		failed++;
	}
	if (!L->exit_code && (failed || !L->win_end))
		L->exit_code = 1;
	pl_ws_cleanup(L);
	for (int i = 0; i < L->n_parts; i++)
		pl_part_free(L->parts[i]);
	free(L->parts);
	pl_cert_free(L->cert);
	g_main_loop_unref(L->loop);
	g_string_free(L->errors, TRUE);
	int rc = L->exit_code;
	free(L);
	return rc;
}
