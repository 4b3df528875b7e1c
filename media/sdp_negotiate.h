/* Offer/answer for the SFU's two PeerConnections per participant:
 * - publish: the browser offers sendonly m-lines, the server answers recvonly (a=setup:active);
 * - subscribe: the server offers one sendonly m-line per forwarded track (a=setup:actpass) and
 *   checks the browser's answer.
 * BUNDLE and rtcp-mux are required. One codec per m-line is accepted (Opus for audio; VP8 for
 * video, with RTX when offered), so the browser sends exactly what every subscriber decodes. */
#ifndef PL_SDP_NEGOTIATE_H
#define PL_SDP_NEGOTIATE_H

#include "media/sdp.h"

/* Canonical payload types of the server's subscribe offers. */
#define PL_PT_OPUS 111
#define PL_PT_VP8  96
#define PL_PT_VP9  98
#define PL_PT_H264 102

struct pl_sdp_local {
	const char *ufrag, *pwd;
	const char *fingerprint; /* "sha-256 AB:CD:..." */
	uint64_t session_id;
	unsigned version;
	/* Video codecs a publisher may use, in order of preference ("vp8", "vp9", "h264"),
	 * NULL-terminated; NULL means VP8 only. */
	char *const *video_codecs;
	/* The server's ICE candidates ("candidate:1 1 udp ..."), NULL-terminated: written into
	 * every m-line with a=end-of-candidates, so nothing needs trickling. NULL: none. */
	const char *const *candidates;
};

struct pl_sdp_pub_line {
	char mid[PL_SDP_MID_LEN];
	enum pl_sdp_kind kind;
	bool accepted; /* part of the bundle, receiving */
	struct pl_sdp_codec codec;
	int rtx_pt;              /* -1 when none */
	uint32_t ssrc, rtx_ssrc; /* from a=ssrc / FID, 0 when not signalled */
	uint8_t ext_twcc, ext_mid, ext_audio_level, ext_abs_send; /* ids in the answer, 0 = none */
};

struct pl_sdp_publish {
	struct pl_sdp_pub_line lines[PL_SDP_MAX_MEDIA];
	size_t n;
};

/* The canonical payload type subscribers see for a codec name, 0 when not forwarded. */
uint8_t pl_sdp_canonical_pt(const char *codec_name);

/* Checks the offer and writes the answer (*answer: pl_xmalloc'd). PL_EUNSUPPORTED with a reason
 * for offers Plenum cannot serve (no BUNDLE, no rtcp-mux, no fingerprint, no common codec). */
int pl_sdp_answer_publish(const struct pl_sdp *offer, const struct pl_sdp_local *local,
                          struct pl_sdp_publish *neg, char **answer, char *err, size_t errlen);

struct pl_sdp_sub_track {
	char mid[PL_SDP_MID_LEN];
	enum pl_sdp_kind kind;
	bool active;               /* false: the track ended; the m-line stays with port 0 */
	struct pl_sdp_codec codec; /* canonical pt */
	uint32_t ssrc;
	char stream[24]; /* msid stream id: the participant id */
	char track[24];  /* msid track id */
};

int pl_sdp_offer_subscribe(const struct pl_sdp_local *local, const struct pl_sdp_sub_track *t,
                           size_t n, char **offer);
/* Checks the browser's answer to an offer of these n tracks. */
int pl_sdp_check_subscribe_answer(const struct pl_sdp *answer, size_t n, char *err, size_t errlen);

#endif
