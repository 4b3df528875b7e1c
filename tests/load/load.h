/* plenum-load: a load generator whose simulated participants are real WebRTC endpoints (libnice
 * ICE, DTLS over media/dtls via media/transport, SRTP of media/srtp_session) joining through the
 * signaling protocol of docs/protocol.md. One thread, one GLib main loop: libwebsockets runs on it
 * through its glib event library, libnice agents on its default context, and one tick timer sends
 * media.
 *
 * Files: main.c (options, run), wsclient.c (websocket + protocol), peer.c (one PeerConnection),
 * offer.c (SDP written by the participant), pubmedia.c (what publishers send), submedia.c (what
 * subscribers receive and report), stats.c (histograms, /proc), report.c (summary, JSON). */
#ifndef PL_LOAD_H
#define PL_LOAD_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/cert.h"
#include "media/delay_hist.h"
#include "media/rtcp_rr.h"

struct pl_transport;
struct lws;
struct lws_context;
struct pl_load;
struct pl_part;

/* ---- options ---------------------------------------------------------------------------- */

/* --hostile: what participant 0 does wrong (hostile.c) */
enum pl_hostile {
	PL_HOSTILE_NONE,
	PL_HOSTILE_NACK_FLOOD,
	PL_HOSTILE_PLI_FLOOD,
	PL_HOSTILE_SSRC_FLOOD,
	PL_HOSTILE_RTCP_LIES,
	PL_HOSTILE_RTP_PADDING,
	PL_HOSTILE_SRTP_REPLAY,
	PL_HOSTILE_GARBAGE,
	PL_HOSTILE_SEQ_WRAP,
	PL_HOSTILE_DTLS_STALL,
	PL_HOSTILE_BAD_FINGERPRINT,
	PL_HOSTILE_N,
};

struct pl_load_opts {
	char url[256];  /* ws://host:port/path */
	char host[128]; /* parsed from url */
	int port;
	char path[128];
	char origin[256]; /* Origin header; default http://host:port */
	char room[65];
	int publishers;  /* participants that publish (and subscribe to the others) */
	int subscribers; /* pure receivers */
	bool audio_only;
	int video_kbps; /* per publisher */
	int fps;
	double duration_s;    /* measured window, after everyone connected */
	double ramp;          /* joins per second */
	int server_pid;       /* 0: no server CPU/RSS figures */
	double decrypt_share; /* 0..1 of the receiving participants that decrypt every packet */
	int keyframe_s;       /* periodic keyframe interval */
	double settle_s;      /* max wait for media to flow after the last join */
	bool json;
	bool quiet;
	enum pl_hostile hostile;
	bool janus;            /* --janus: Janus VideoRoom signaling (janus.c) */
	int srtp_profiles[3];  /* offered to the DTLS peer: PL_SRTP_* preference, 0-terminated */
	char local_addr[64];   /* the one ICE host candidate address (default 127.0.0.1) */
	int ice_pacing_ms;     /* libnice's Ta between connectivity checks; 0 = its default (20) */
	char metrics_url[256]; /* Plenum's /metrics (default: next to --url); "none": not read */
	int tick_ms;           /* media send tick (ms) */
};

/* ---- srvmetrics.c: the server's forwarding delay from Plenum's /metrics ----------------- */

struct pl_srvmetrics {
	char host[128], path[256];
	int port;
	GThread *thread; /* the read in flight */
	bool ok;         /* the histogram was read */
	char err[160];
	struct pl_delay_hist hist;
};

/* Where to read: --metrics-url, or next to the websocket URL. -1 when the URL is unusable. */
int pl_srvmetrics_url(const struct pl_load_opts *o, struct pl_srvmetrics *m);
void pl_srvmetrics_start(struct pl_srvmetrics *m); /* reads on a thread of its own */
int pl_srvmetrics_join(struct pl_srvmetrics *m);   /* waits for it: 0 when read */

/* ---- latency histogram (us) ------------------------------------------------------------ */

#define PL_HIST_FINE    10000 /* 1 us buckets below 10 ms */
#define PL_HIST_COARSE  9900  /* 100 us buckets from 10 ms to 1 s */
#define PL_HIST_BUCKETS (PL_HIST_FINE + PL_HIST_COARSE + 1)

struct pl_hist {
	uint64_t n;
	int64_t max;
	double sum;
	uint32_t b[PL_HIST_BUCKETS];
};

void pl_hist_add(struct pl_hist *h, int64_t v_us);
/* q in 0..1; the bucket's lower bound in us; 0 when empty. */
int64_t pl_hist_quantile(const struct pl_hist *h, double q);

/* Plain sample list for join timings (few thousand values at most). */
struct pl_samples {
	double *v;
	size_t n, cap;
};
void pl_samples_add(struct pl_samples *s, double v);
double pl_samples_quantile(struct pl_samples *s, double q); /* sorts in place; NAN if empty */
void pl_samples_free(struct pl_samples *s);

/* /proc readers: CPU time of a process in us (utime+stime), VmRSS in KiB; -1 on error. */
int64_t pl_proc_cpu_us(int pid);
int64_t pl_proc_rss_kib(int pid);
int64_t pl_now_us(void); /* CLOCK_MONOTONIC */

#define PL_MAX_PKT    1400 /* largest RTP packet the generator sends or keeps */
#define PL_SEEN_SLOTS 512  /* per received stream: the recent sequence numbers, for duplicates */

/* ---- one PeerConnection ---------------------------------------------------------------- */

struct pl_peer {
	struct pl_part *part;
	bool publish; /* the publish PC (else subscribe) */
	void *agent;  /* NiceAgent */
	unsigned stream;
	char ufrag[16], pwd[32];
	bool remote_set;
	bool remote_end_pending;  /* end-of-candidates came before the remote description */
	GPtrArray *pending_cands; /* remote candidates received before the remote description */
	bool ice_connected, failed;
	struct pl_transport *t;
	bool dtls_up;
	bool decrypt; /* false: count RTP headers only, never unprotect RTP */
	int srtp_profile;
	/* --hostile srtp-replay: the last protected RTP packets sent, to send again */
	uint8_t replay[4][PL_MAX_PKT + 64];
	uint16_t replay_len[4];
	unsigned replay_next;
};

struct pl_peer *pl_peer_new(struct pl_part *part, bool publish);
void pl_peer_free(struct pl_peer *p);
/* Takes the controlling ICE role (before the remote description): for a subscribe offer from an
 * ICE-lite server, which never controls. */
void pl_peer_set_controlling(struct pl_peer *p, bool controlling);
/* Starts gathering; candidates are trickled through the participant's websocket. */
void pl_peer_gather(struct pl_peer *p);
/* The remote description: credentials, fingerprint and our DTLS role. 0 or -1 (err set). */
int pl_peer_set_remote(struct pl_peer *p, const char *ufrag, const char *pwd, const uint8_t fp[32],
                       bool we_are_dtls_client, char *err, size_t errlen);
void pl_peer_add_candidate(struct pl_peer *p, const char *cand);
void pl_peer_end_of_candidates(struct pl_peer *p);
struct pl_lsdp;
/* The a=candidate lines (and a=end-of-candidates) of a remote SDP (sdp_lite.c). */
void pl_peer_add_sdp_candidates(struct pl_peer *p, const struct pl_lsdp *s);
/* Protect and send; silently drops before DTLS is up. buf needs 32 bytes of room after len. */
void pl_peer_send_rtp(struct pl_peer *p, uint8_t *buf, size_t len, size_t cap);
void pl_peer_send_rtcp(struct pl_peer *p, uint8_t *buf, size_t len, size_t cap);
void pl_peer_tick(struct pl_peer *p, int64_t now_us);
/* A datagram as it is, without DTLS or SRTP (--hostile garbage). */
void pl_peer_send_raw(struct pl_peer *p, const uint8_t *buf, size_t len);
/* Sends each kept protected RTP packet `times` more times; returns the datagrams sent. */
unsigned pl_peer_replay(struct pl_peer *p, unsigned times);

/* ---- media: publisher side ------------------------------------------------------------- */

#define PL_HISTORY 1024 /* video packets kept for NACK, per publisher */

struct pl_hist_pkt {
	uint16_t seq;
	uint16_t len;
	bool used;
	uint8_t buf[PL_MAX_PKT];
};

struct pl_pub_stream {
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts_base;
	uint8_t pt;
	uint32_t pkt_counter; /* the sequence number embedded in payloads */
	uint64_t sent_pkts, sent_bytes;
	int64_t next_us; /* next frame due */
};

struct pl_pubmedia {
	struct pl_pub_stream audio, video;
	uint16_t twcc_seq;
	size_t opus_idx;
	bool want_key;
	int64_t last_key_us;
	uint64_t frames, keyframes, nacks_in, rtx_sent, rtx_miss, plis_in;
	struct pl_hist_pkt *history; /* PL_HISTORY entries, video only */
};

/* Pre-encoded Opus frames (a 440 Hz tone encoded once with libopus and replayed in a loop,
 * so the generator spends its CPU on packets, not on encoding the same tone 50 times a second
 * per publisher). */
struct pl_opus_frames {
	size_t n;
	uint16_t len[50];
	uint8_t data[50][400];
};
int pl_opus_frames_init(struct pl_opus_frames *f, char *err, size_t errlen);

void pl_pubmedia_init(struct pl_pubmedia *m, bool video);
void pl_pubmedia_cleanup(struct pl_pubmedia *m);
void pl_pubmedia_tick(struct pl_part *part, int64_t now_us);
void pl_pubmedia_rtcp(struct pl_part *part, const uint8_t *buf, size_t len);

/* ---- media: subscriber side ------------------------------------------------------------ */

struct pl_rx_stream {
	uint32_t ssrc;
	bool video;
	uint32_t clock_rate;
	uint64_t pkts, pkts_window_start;
	uint64_t bytes;
	uint64_t nacks_sent, gaps;
	int64_t last_arrival_us;
	uint64_t freezes;
	int64_t longest_gap_us;
	struct pl_rtp_rx_stats rx;
	bool have_max;
	uint16_t max_seq;             /* for gap detection (NACK) */
	int64_t expected_w0, lost_w0; /* at the start of the measured window */
	int64_t expected_w, lost_w;   /* over the measured window, set at its end */
	uint64_t freezes_w;
	/* Counted in the measured window: sequence numbers skipped when a packet arrived (the
	 * loss before any retransmission), packets that arrived after a later one (on loopback:
	 * a retransmission filling a gap), and duplicates of packets already received (not
	 * counted as received, so they cannot hide loss as RFC 3550 A.1 lets them). */
	uint64_t missed_w, late_w, dups_w;
	uint32_t seen[PL_SEEN_SLOTS]; /* 0x10000 | seq of the last packet in each slot */
	/* The sender's last SR, echoed in our receiver reports as LSR/DLSR (RFC 3550 §6.4.1):
	 * Janus keeps no retransmission buffer for a subscriber until it has an RTT from them. */
	uint32_t sr_lsr; /* middle 32 bits of its NTP timestamp; 0: none yet */
	int64_t sr_arrival_us;
};

struct pl_submedia {
	GHashTable *streams; /* ssrc -> struct pl_rx_stream */
	uint32_t rr_ssrc;
	int64_t next_rr_us;
};

void pl_submedia_init(struct pl_submedia *s);
void pl_submedia_cleanup(struct pl_submedia *s);
void pl_submedia_expect(struct pl_submedia *s, uint32_t ssrc, bool video, uint32_t clock_rate);
/* Every SSRC of the active audio and video m-lines of a subscribe offer. */
void pl_submedia_expect_sdp(struct pl_submedia *s, const struct pl_lsdp *sdp);
/* An RTP packet on the subscribe PC: plain when decrypted, else still SRTP (header only). */
void pl_submedia_rtp(struct pl_part *part, const uint8_t *buf, size_t len, bool decrypted,
                     int64_t now_us);
void pl_submedia_tick(struct pl_part *part, int64_t now_us);
/* RTCP on the subscribe PC: notes sender reports. */
void pl_submedia_rtcp(struct pl_part *part, const uint8_t *buf, size_t len, int64_t now_us);
/* Window edges: snapshot expected/lost at the start, compute the window's figures at the end. */
void pl_submedia_window(struct pl_submedia *s, bool start);

/* ---- a participant --------------------------------------------------------------------- */

enum pl_tmark {
	PL_T_CONNECT,    /* websocket connect started */
	PL_T_JOIN,       /* join sent */
	PL_T_JOINED,     /* joined received */
	PL_T_PUB_ANSWER, /* publish-answer received */
	PL_T_PUB_ICE,    /* publish ICE connected */
	PL_T_PUB_DTLS,   /* publish DTLS done (SRTP keys) */
	PL_T_SUB_OFFER,  /* first subscribe offer received */
	PL_T_SUB_ICE,
	PL_T_SUB_DTLS,
	PL_T_FIRST_MEDIA, /* first RTP packet received on the subscribe PC */
	PL_T_N,
};

struct pl_part {
	struct pl_load *L;
	int idx;
	bool publisher;
	bool decrypt;
	struct lws *wsi;
	GQueue outq; /* char * JSON texts waiting for LWS_CALLBACK_CLIENT_WRITEABLE */
	GString *inbuf;
	bool joined, closed, failed, leaving;
	char id[32];
	int64_t t[PL_T_N]; /* 0 = not reached */
	struct pl_peer *pub, *sub;
	struct pl_pubmedia pm;
	struct pl_submedia sm;
	int64_t sub_revision;
	char pub_mid_audio[8], pub_mid_video[8];
	char err[256];
	enum pl_hostile hostile; /* participant 0 with --hostile, else PL_HOSTILE_NONE */
	uint32_t hostile_ssrc;   /* first SSRC of the packets it makes up */
	uint64_t hostile_sent;   /* datagrams or RTCP packets of the attack sent */
	struct pl_janus *janus;  /* --janus: session and handles (janus.c) */
};

/* wsclient.c */
int pl_ws_init(struct pl_load *L, GMainLoop *loop, char *err, size_t errlen);
void pl_ws_cleanup(struct pl_load *L);
int pl_ws_connect(struct pl_part *part);
/* Queues one JSON text (takes ownership of the string). */
void pl_ws_send(struct pl_part *part, char *text);
void pl_ws_close(struct pl_part *part);

/* part.c: protocol handling of one participant */
void pl_part_on_open(struct pl_part *part);
void pl_part_on_message(struct pl_part *part, const char *text, size_t len);
void pl_part_on_closed(struct pl_part *part, const char *why);
void pl_part_fail(struct pl_part *part, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void pl_part_mark(struct pl_part *part, enum pl_tmark m);
void pl_part_send_candidate(struct pl_part *part, bool publish, const char *cand);
void pl_part_on_dtls(struct pl_part *part, struct pl_peer *p);
void pl_part_on_publish_answer(struct pl_part *part, const char *sdp);
void pl_part_free(struct pl_part *part);

/* sdp_lite.c: the server's SDP as an answerer needs it, without media/sdp.c's limits */
struct pl_lsdp_m {
	char kind[16], proto[40], fmt[32], mid[33];
	unsigned port;
	int pt;          /* first payload type of the m-line */
	char dir;        /* 's' sendrecv, 'S' sendonly, 'R' recvonly, 'i' inactive */
	char rtpmap[64]; /* of pt: "opus/48000/2" */
	char fmtp[256];  /* of pt */
	uint32_t clock_rate;
	uint32_t ssrcs[4];
	size_t n_ssrcs;
	char ufrag[257], pwd[257];
	uint8_t fp[32];
	bool has_fp;
	char setup; /* 'x' actpass, 'a' active, 'p' passive, 0 none */
};

struct pl_lsdp {
	char ufrag[257], pwd[257];
	uint8_t fp[32];
	bool has_fp;
	char setup;
	char bundle[4096]; /* the a=group:BUNDLE mids, " 0 1 2" */
	struct pl_lsdp_m *m;
	size_t n, cap;
	GPtrArray *cands;  /* a=candidate values (Janus puts them in its SDP); NULL if none */
	bool end_of_cands; /* a=end-of-candidates */
	bool ice_lite;     /* a=ice-lite: the other side only answers, so we must control */
};

int pl_lsdp_parse(const char *text, struct pl_lsdp *out, char *err, size_t errlen);
void pl_lsdp_free(struct pl_lsdp *s);
/* The effective transport of the first bundled m-line: 0, or -1 when incomplete. */
int pl_lsdp_transport(const struct pl_lsdp *s, const char **ufrag, const char **pwd,
                      const uint8_t **fp, char *setup);

/* offer.c */
char *pl_offer_publish(const struct pl_part *part, const char *ufrag, const char *pwd,
                       const char *fingerprint);
char *pl_offer_subscribe_answer(const struct pl_lsdp *offer, const char *ufrag, const char *pwd,
                                const char *fingerprint);

/* hostile.c */
int pl_hostile_parse(const char *name); /* -1 when unknown */
const char *pl_hostile_name(enum pl_hostile mode);
/* The mode's participant cannot finish DTLS: its failure is the expected outcome. */
bool pl_hostile_fails_itself(enum pl_hostile mode);
void pl_hostile_setup(struct pl_part *part); /* after the publisher's streams are set up */
/* The fingerprint the publish offer announces (a wrong one for bad-fingerprint). */
const char *pl_hostile_fingerprint(struct pl_part *part, const char *real, char *buf, size_t cap);
void pl_hostile_tick(struct pl_part *part, int64_t now_us);

/* janus.c: the --janus signaling adapter (Janus 1.1 VideoRoom over its websocket transport) */
struct pl_janus;
void pl_janus_on_open(struct pl_part *part);
void pl_janus_on_message(struct pl_part *part, const char *text, size_t len);
void pl_janus_send_candidate(struct pl_part *part, bool publish, const char *cand);
void pl_janus_leave(struct pl_part *part); /* destroys the session; the caller closes */
void pl_janus_free(struct pl_part *part);
int64_t pl_janus_room_id(const struct pl_load *L); /* --room as a Janus room number */

/* ---- the run --------------------------------------------------------------------------- */

struct pl_load {
	struct pl_load_opts o;
	struct pl_cert *cert;
	struct pl_opus_frames opus;
	GMainLoop *loop;
	struct lws_context *lws;
	struct pl_part **parts;
	int n_parts, n_started;
	int64_t t_start;
	int64_t t_all_joined; /* every participant started and every join answered */
	int64_t win_start, win_end;
	bool in_window, done;
	int64_t next_hostile_us; /* the next attack tick (--hostile) */
	int exit_code;
	uint32_t next_ssrc;
	/* results */
	struct pl_hist lat_audio, lat_video;
	uint64_t rx_pkts;        /* RTP packets received by every subscriber, whole run */
	uint64_t rx_pkts_window; /* ... inside the measured window */
	uint64_t rx_decrypted_window;
	uint64_t tx_pkts_window;
	uint64_t join_failures;
	int64_t srv_cpu0, srv_cpu1, srv_rss_base, srv_rss_peak, srv_rss_end;
	int64_t gen_cpu0, gen_cpu1;
	/* The server's forwarding delay at the window's edges (Plenum only) and their difference.
	 */
	bool srv_delay_on;
	struct pl_srvmetrics srv_delay[2];
	bool srv_delay_ok;
	struct pl_delay_hist srv_delay_window;
	GString *errors;
};

void pl_load_maybe_window(struct pl_load *L);
void pl_report_print(struct pl_load *L);
void pl_report_json(struct pl_load *L);

#endif
