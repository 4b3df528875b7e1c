/* A room's router (SFU): producers (incoming tracks), consumers (one subscriber's copy of a
 * producer), the packet fan-out and the RTCP the server answers and generates. Sans-IO and
 * single-threaded: it lives on the room's media worker; decrypted packets come in, plaintext
 * packets go out through ops (which encrypt in place and send synchronously). No allocation on
 * the packet path: one scratch buffer per router. */
#ifndef PL_ROUTER_H
#define PL_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Tracks a room's router forwards: [rooms] max_participants (at most 1000) times the tracks one
 * participant may publish (8, server/media_int.h). The tables grow as producers come. */
#define PL_ROUTER_MAX_PRODUCERS 8192
/* The most a video producer's retransmission history (NACK) grows to: it keeps a second of the
 * stream, and a second at 2.5 Mbit/s is ~310 KB in ~270 packets. */
#define PL_ROUTER_HISTORY_PACKETS 512
#define PL_ROUTER_HISTORY_BYTES   (512 * 1024)
#define PL_ROUTER_SSRC            1u /* sender SSRC of the RTCP the router writes */

struct pl_router;

struct pl_router_ops {
	/* Encrypt in place (cap bytes available, at least len + 64) and send on transport tid. */
	int (*send_rtp)(void *ctx, uint64_t tid, uint8_t *buf, size_t len, size_t cap);
	int (*send_rtcp)(void *ctx, uint64_t tid, uint8_t *buf, size_t len, size_t cap);
};

enum pl_media_kind { PL_MEDIA_AUDIO, PL_MEDIA_VIDEO };
enum pl_video_codec { PL_VCODEC_VP8, PL_VCODEC_VP9, PL_VCODEC_H264 };

struct pl_producer_desc {
	uint64_t id;
	uint64_t transport; /* publisher's transport */
	char mid[33];
	enum pl_media_kind kind;
	enum pl_video_codec video_codec; /* how key frames are recognised */
	uint32_t ssrc, rtx_ssrc;         /* 0 = learn from the mid header extension */
	uint8_t pt_map[128];             /* publisher PT -> PT subscribers see; 0 = drop */
	uint8_t rtx_pt_map[128]; /* publisher RTX PT -> its primary PT (RFC 4588 apt); 0 = none */
	uint32_t clock_rate;
	uint8_t twcc_ext_id; /* publisher's transport-wide-cc id, 0 = none */
	uint8_t mid_ext_id;
};

struct pl_consumer_desc {
	uint64_t id, producer, transport;
	uint32_t ssrc; /* the SSRC the subscriber's offer announced */
};

struct pl_router_stats {
	uint64_t rtp_in, rtp_out, rtp_dropped, rtcp_in, rtcp_out, nack_in, retransmits, pli_in,
	    pli_out, twcc_out, bad_rtp, bad_rtcp, unknown_ssrc, nack_out, rtx_repaired;
	uint64_t retransmits_capped; /* NACKed packets not resent: over the consumer's budget */
	uint64_t pli_suppressed;     /* key frame requests inside the 500 ms limit */
};

struct pl_router *pl_router_new(const struct pl_router_ops *ops, void *ctx);
void pl_router_free(struct pl_router *r);
void pl_router_set_max_bitrate(struct pl_router *r, uint32_t video_bps);
int pl_router_set_producer(struct pl_router *r, const struct pl_producer_desc *d);
void pl_router_remove_producer(struct pl_router *r, uint64_t id);
/* Video consumers wait for a key frame; one is requested at once. */
int pl_router_add_consumer(struct pl_router *r, const struct pl_consumer_desc *d, int64_t now_us);
void pl_router_remove_consumer(struct pl_router *r, uint64_t id);
void pl_router_remove_transport(struct pl_router *r, uint64_t tid);
void pl_router_receive_rtp(struct pl_router *r, uint64_t tid, uint8_t *buf, size_t len,
                           int64_t now_us);
void pl_router_receive_rtcp(struct pl_router *r, uint64_t tid, uint8_t *buf, size_t len,
                            int64_t now_us);
/* RTCP reports, congestion feedback, key frame requests. wall_us: Unix time for NTP. */
/* Returns when the next tick has work: TWCC feedback, reports, NACK retries. */
int64_t pl_router_tick(struct pl_router *r, int64_t now_us, int64_t wall_us);
/* The deadline the last tick returned, moved earlier when a packet since revealed a gap to
 * NACK: the shell checks it after handing in packets to tick sooner. */
int64_t pl_router_wake_at(const struct pl_router *r);
const struct pl_router_stats *pl_router_stats(const struct pl_router *r);
size_t pl_router_producer_count(const struct pl_router *r);
size_t pl_router_consumer_count(const struct pl_router *r);
/* Bytes allocated for the retransmission histories of all producers. */
size_t pl_router_history_bytes(const struct pl_router *r);

#endif
