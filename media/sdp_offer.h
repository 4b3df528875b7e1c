/* The server's SDP offer for a subscriber's PeerConnection (one sendonly m-line per forwarded
 * track, a=setup:actpass) and the check of the browser's answer. Pure functions. */
#ifndef PL_SDP_OFFER_H
#define PL_SDP_OFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/sdp.h"
#include "media/sdp_answer.h"

struct pl_sdp_offer_codec {
	uint8_t pt; /* the server's payload type for this subscriber */
	char name[16];
	uint32_t clock_rate;
	uint8_t channels;
	char fmtp[PL_SDP_FMTP_LEN];
	int rtx_pt; /* -1 when no RTX (video only) */
};

#define PL_SDP_OFFER_MAX_CODECS 4

struct pl_sdp_offer_track {
	char mid[PL_SDP_MID_LEN];
	enum pl_sdp_kind kind; /* AUDIO or VIDEO */
	/* false: the track ended. The m-line stays a=inactive inside the BUNDLE group (port 9):
	 * rejecting the group's first m-line moves browsers to a new transport (see git 8f48cbe),
	 * and the line is reused for the next track of the same kind. */
	bool active;
	struct pl_sdp_offer_codec codecs[PL_SDP_OFFER_MAX_CODECS];
	size_t n_codecs;
	uint32_t ssrc, rtx_ssrc; /* server SSRCs; rtx_ssrc 0 when no RTX */
	char stream_id[PL_SDP_NAME_LEN], track_id[PL_SDP_NAME_LEN]; /* a=msid */
	char cname[PL_SDP_NAME_LEN];
};

/* Server-chosen header extension ids (1-14), 0 = not offered. */
struct pl_sdp_ext_ids {
	uint8_t mid, abs_send_time, twcc, audio_level;
};

/* Writes the offer for n tracks (n <= PL_SDP_MAX_MEDIA) into *offer_text (pl_xmalloc'd):
 * a=group:BUNDLE over all mids (none when n == 0), per m-line ICE credentials, trickle,
 * fingerprint, a=setup:actpass, a=rtcp-mux, a=sendonly (a=inactive when ended), msid, ssrc
 * cname/msid, FID group for RTX, rtcp-fb nack/pli/fir/transport-cc for video and transport-cc
 * for audio. PL_EINVAL with a reason for a bad identity or track (empty or repeated mid, no
 * codec, payload type > 127, repeated extension id, characters not allowed in SDP). */
int pl_sdp_offer_create(const struct pl_sdp_identity *id, const struct pl_sdp_offer_track *tracks,
                        size_t n, const struct pl_sdp_ext_ids *ext, char **offer_text, char *err,
                        size_t errlen);

/* Checks the browser's answer to that offer: same m-lines and mids in order, kinds equal, a
 * BUNDLE group, rtcp-mux, recvonly/inactive for active tracks, a payload type that was offered,
 * ICE credentials, a sha-256 fingerprint and a=setup active or passive. Fills remote (the
 * transport of the first m-line: setup ACTIVE means the server is the DTLS server). PL_EPROTO
 * with a reason. */
int pl_sdp_offer_check_answer(const struct pl_sdp *answer, const struct pl_sdp_offer_track *tracks,
                              size_t n, struct pl_sdp_transport *remote, char *err, size_t errlen);

#endif
