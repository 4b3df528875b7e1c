/* SDP (RFC 8866) as the SFU needs it: parse a browser's offer or answer into a bounded model,
 * answer a publish offer, write the offer of a subscriber's PeerConnection. Pure functions; every
 * size and count is bounded. */
#ifndef PL_SDP_H
#define PL_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PL_SDP_MAX_BYTES  (64 * 1024)
#define PL_SDP_MAX_LINES  1000
#define PL_SDP_MAX_LINE   4096
#define PL_SDP_MAX_MEDIA  64
#define PL_SDP_MAX_CODECS 32
#define PL_SDP_MAX_EXTS   16
#define PL_SDP_MAX_SSRCS  16
#define PL_SDP_MID_LEN    33
#define PL_SDP_FMTP_LEN   256
#define PL_SDP_ICE_LEN    257 /* RFC 8839: ufrag up to 32, pwd up to 256 ice-chars */

enum pl_sdp_setup { PL_SETUP_NONE, PL_SETUP_ACTPASS, PL_SETUP_ACTIVE, PL_SETUP_PASSIVE };
enum pl_sdp_dir { PL_DIR_SENDRECV, PL_DIR_SENDONLY, PL_DIR_RECVONLY, PL_DIR_INACTIVE };
enum pl_sdp_kind { PL_KIND_OTHER, PL_KIND_AUDIO, PL_KIND_VIDEO };

/* rtcp-fb flags */
#define PL_FB_NACK 0x01
#define PL_FB_PLI  0x02
#define PL_FB_FIR  0x04
#define PL_FB_TWCC 0x08
#define PL_FB_REMB 0x10

struct pl_sdp_codec {
	uint8_t pt;
	char name[16]; /* as written: "opus", "VP8", "rtx" */
	uint32_t clock_rate;
	uint8_t channels;
	char fmtp[PL_SDP_FMTP_LEN];
	unsigned fb;
	int apt; /* for rtx: the associated payload type, else -1 */
};

struct pl_sdp_ext {
	uint8_t id;
	char uri[128];
};

struct pl_sdp_media {
	enum pl_sdp_kind kind;
	unsigned port;
	char proto[32];
	char mid[PL_SDP_MID_LEN];
	enum pl_sdp_dir dir;
	bool rtcp_mux;
	char ice_ufrag[PL_SDP_ICE_LEN], ice_pwd[PL_SDP_ICE_LEN];
	uint8_t fingerprint[32];
	bool has_fingerprint;
	enum pl_sdp_setup setup;
	struct pl_sdp_codec codecs[PL_SDP_MAX_CODECS];
	size_t n_codecs;
	struct pl_sdp_ext exts[PL_SDP_MAX_EXTS];
	size_t n_exts;
	uint32_t ssrcs[PL_SDP_MAX_SSRCS]; /* distinct a=ssrc ids in order */
	size_t n_ssrcs;
	uint32_t fid_primary, fid_rtx; /* a=ssrc-group:FID, 0 when absent */
	bool has_rids;                 /* a=rid / a=simulcast present (not used in v1) */
};

struct pl_sdp {
	char ice_ufrag[PL_SDP_ICE_LEN], ice_pwd[PL_SDP_ICE_LEN]; /* session level */
	uint8_t fingerprint[32];
	bool has_fingerprint;
	enum pl_sdp_setup setup;
	bool has_bundle;
	char bundle[PL_SDP_MAX_MEDIA][PL_SDP_MID_LEN];
	size_t n_bundle;
	struct pl_sdp_media media[PL_SDP_MAX_MEDIA];
	size_t n_media;
};

/* The model is large (about 400 KiB): allocate it with these. */
struct pl_sdp *pl_sdp_new(void);
void pl_sdp_free(struct pl_sdp *sdp);

/* Parses text (not NUL-terminated necessarily). On failure returns PL_EINVAL or PL_ELIMIT and
 * writes a reason naming the line into err. */
int pl_sdp_parse(const char *text, size_t len, struct pl_sdp *out, char *err, size_t errlen);

/* Effective ICE credentials / fingerprint / setup of m-line i (media level, else session). */
const char *pl_sdp_ufrag(const struct pl_sdp *s, size_t i);
const char *pl_sdp_pwd(const struct pl_sdp *s, size_t i);
const uint8_t *pl_sdp_fingerprint(const struct pl_sdp *s, size_t i);
enum pl_sdp_setup pl_sdp_setup_of(const struct pl_sdp *s, size_t i);
/* The id the m-line gives the extension uri, 0 when absent. */
uint8_t pl_sdp_ext_id(const struct pl_sdp_media *m, const char *uri);

#define PL_EXT_URI_MID         "urn:ietf:params:rtp-hdrext:sdes:mid"
#define PL_EXT_URI_RID         "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
#define PL_EXT_URI_RRID        "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
#define PL_EXT_URI_ABS_SEND    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
#define PL_EXT_URI_TWCC        "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define PL_EXT_URI_AUDIO_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

#endif
