/* SDP (RFC 8866) as the SFU needs it: parse a browser's offer or answer into a bounded model,
 * answer a publish offer, write the offer of a subscriber's PeerConnection. Pure functions; every
 * size and count is bounded. */
#ifndef PL_SDP_H
#define PL_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PL_SDP_MAX_MEDIA 128 /* a subscriber sees 2-3 m-lines per other participant */
/* The answer a browser writes to our largest subscribe offer (PL_SDP_MAX_MEDIA m-lines) must fit:
 * per m-line Chromium writes 13-21 lines and 330-660 bytes, Firefox 12-20 lines and 280-610 bytes
 * (tests/fixtures/sdp). Budget: 32 lines and 1 KiB per m-line, plus the session part. */
#define PL_SDP_MAX_LINES  (64 + 32 * PL_SDP_MAX_MEDIA)          /* 4160 */
#define PL_SDP_MAX_BYTES  (32 * 1024 + 1024 * PL_SDP_MAX_MEDIA) /* 160 KiB */
#define PL_SDP_MAX_LINE   4096
#define PL_SDP_MAX_CODECS 32
#define PL_SDP_MAX_EXTS   16
#define PL_SDP_MAX_SSRCS  16
#define PL_SDP_MID_LEN    33
#define PL_SDP_FMTP_LEN   256
#define PL_SDP_ICE_LEN    257 /* RFC 8839 §5.4: ufrag and pwd up to 256 ice-chars */
#define PL_SDP_FP_MAX     64  /* sha-512, the longest hash RFC 8122 §5 lists, in bytes */
#define PL_SDP_MAX_FIDS   8   /* a=ssrc-group:FID pairs per m-line (simulcast: one per layer) */
#define PL_SDP_MAX_RIDS   8
#define PL_SDP_RID_LEN    33 /* RFC 8851 rid-id; WebRTC limits it to 16 characters */
#define PL_SDP_MAX_FMTS   PL_SDP_MAX_CODECS
#define PL_SDP_NAME_LEN   65 /* cname, msid stream/track ids: up to 64 characters */

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
	enum pl_sdp_dir dir; /* the optional /direction of RFC 8285 §5; SENDRECV when absent */
	char uri[128];
};

/* a=ssrc:<ssrc> cname:<x> / msid:<stream> <track> (RFC 5576 §4.1, RFC 8830 §2) */
struct pl_sdp_ssrc {
	uint32_t ssrc;
	char cname[PL_SDP_NAME_LEN];
	char msid_stream[PL_SDP_NAME_LEN], msid_track[PL_SDP_NAME_LEN];
};

/* a=ssrc-group:FID <primary> <rtx> (RFC 5576 §4.2, RFC 4588 §8.3) */
struct pl_sdp_fid {
	uint32_t primary, rtx;
};

/* a=rid:<id> send|recv (RFC 8851 §4); restrictions are not kept */
struct pl_sdp_rid {
	char id[PL_SDP_RID_LEN];
	bool send;
};

struct pl_sdp_media {
	enum pl_sdp_kind kind;
	unsigned port;
	char proto[32];
	char mid[PL_SDP_MID_LEN];
	enum pl_sdp_dir dir;
	bool rtcp_mux;
	char ice_ufrag[PL_SDP_ICE_LEN], ice_pwd[PL_SDP_ICE_LEN];
	uint8_t
	    fingerprint[PL_SDP_FP_MAX]; /* has_fingerprint: the first PL_SDP_FP_LEN are sha-256 */
	bool has_fingerprint;           /* a sha-256 fingerprint (the one Plenum checks) */
	enum pl_sdp_setup setup;
	struct pl_sdp_codec codecs[PL_SDP_MAX_CODECS];
	size_t n_codecs;
	struct pl_sdp_ext exts[PL_SDP_MAX_EXTS];
	size_t n_exts;
	uint32_t ssrcs[PL_SDP_MAX_SSRCS]; /* distinct a=ssrc ids in order */
	size_t n_ssrcs;
	uint32_t fid_primary, fid_rtx; /* the first a=ssrc-group:FID, 0 when absent */
	bool has_rids;                 /* a=rid / a=simulcast present (not used in v1) */

	/* Added for the sdp_answer/sdp_offer modules; the fields above keep their meaning. */
	char media_type[16];           /* the m= token as written ("audio", "application") */
	char first_fmt[32];            /* the first <fmt> token (for non-RTP m-lines) */
	uint8_t fmts[PL_SDP_MAX_FMTS]; /* RTP payload types of the m= line, in order */
	size_t n_fmts;
	bool dir_set;                      /* the m-line has its own direction attribute */
	bool bundle_only;                  /* a=bundle-only (RFC 8843 §6): port 0 yet bundled */
	bool extmap_allow_mixed;           /* RFC 8285 §6 (media or session level) */
	bool ice_trickle;                  /* a=ice-options:trickle (media or session level) */
	char fingerprint_alg[16];          /* of the fingerprint below, "" when none */
	size_t fingerprint_len;            /* bytes in fingerprint[] */
	char msid_stream[PL_SDP_NAME_LEN]; /* a=msid:<stream> <track> (RFC 8830 §2) */
	char msid_track[PL_SDP_NAME_LEN];
	struct pl_sdp_ssrc ssrc_attrs[PL_SDP_MAX_SSRCS]; /* ssrc_attrs[i].ssrc == ssrcs[i] */
	struct pl_sdp_fid fids[PL_SDP_MAX_FIDS];
	size_t n_fids;
	struct pl_sdp_rid rids[PL_SDP_MAX_RIDS];
	size_t n_rids;
	char simulcast[128]; /* the a=simulcast value as written, "" when absent */
};

struct pl_sdp {
	char ice_ufrag[PL_SDP_ICE_LEN], ice_pwd[PL_SDP_ICE_LEN]; /* session level */
	uint8_t fingerprint[PL_SDP_FP_MAX];
	bool has_fingerprint;
	enum pl_sdp_setup setup;
	bool has_bundle;
	char bundle[PL_SDP_MAX_MEDIA][PL_SDP_MID_LEN];
	size_t n_bundle;
	/* n_media used of cap_media allocated (grown as m-lines are parsed or written, up to
	 * PL_SDP_MAX_MEDIA): a typical offer needs 2-3 of these 16 KB entries, not 128. */
	struct pl_sdp_media *media;
	size_t n_media, cap_media;

	/* o=<username> <sess-id> <sess-version> ... (RFC 8866 §5.2) */
	uint64_t sess_id, sess_version;
	char fingerprint_alg[16];
	size_t fingerprint_len;
	enum pl_sdp_dir dir; /* session-level direction, the default of every m-line */
	bool extmap_allow_mixed;
	bool ice_trickle;
};

#define PL_SDP_FP_LEN 32 /* sha-256 */

/* The transport parameters of one m-line (media level, else session level). */
struct pl_sdp_transport {
	char ice_ufrag[PL_SDP_ICE_LEN], ice_pwd[PL_SDP_ICE_LEN];
	uint8_t fingerprint[PL_SDP_FP_LEN]; /* sha-256 */
	enum pl_sdp_setup setup;
};

/* The model is large (sizeof(struct pl_sdp), about 1.1 MiB): allocate it with these. */
struct pl_sdp *pl_sdp_new(void);
void pl_sdp_free(struct pl_sdp *sdp);
/* Makes room for n m-lines: 0, or PL_ELIMIT above PL_SDP_MAX_MEDIA. New entries are not
 * initialised (the parser zeroes each m-line it starts, so untouched storage is never written). */
int pl_sdp_reserve_media(struct pl_sdp *sdp, size_t n);

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
/* Fills out with m-line i's effective ICE credentials, sha-256 fingerprint and setup; PL_EPROTO
 * with a reason when one of them is missing. */
int pl_sdp_transport_of(const struct pl_sdp *s, size_t i, struct pl_sdp_transport *out, char *err,
                        size_t errlen);
/* The attributes of a=ssrc ssrc on m, NULL when not listed. */
const struct pl_sdp_ssrc *pl_sdp_ssrc_find(const struct pl_sdp_media *m, uint32_t ssrc);
/* The m-line with this mid, NULL when none. */
const struct pl_sdp_media *pl_sdp_media_by_mid(const struct pl_sdp *s, const char *mid);
/* Parses "<hash-func> <XX:XX:...>" (an a=fingerprint value, RFC 8122 §5): alg lower-cased,
 * up to PL_SDP_FP_MAX bytes; a sha-256 one must have 32. PL_EINVAL when malformed. */
int pl_sdp_fingerprint_parse(const char *text, char alg[16], uint8_t fp[PL_SDP_FP_MAX],
                             size_t *len);
/* RFC 8839 §5.4: true when s is min_len..256 ice-chars (ALPHA / DIGIT / "+" / "/"). */
bool pl_sdp_ice_chars_ok(const char *s, size_t min_len);
/* true when mid is in the first BUNDLE group. */
bool pl_sdp_in_bundle(const struct pl_sdp *s, const char *mid);

#define PL_EXT_URI_MID         "urn:ietf:params:rtp-hdrext:sdes:mid"
#define PL_EXT_URI_RID         "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
#define PL_EXT_URI_RRID        "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
#define PL_EXT_URI_ABS_SEND    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
#define PL_EXT_URI_TWCC        "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define PL_EXT_URI_AUDIO_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

#endif
