/* Codecs the SFU knows by name: canonical spelling, clock rate, fmtp parameter lookup, the
 * acceptance rules for what a publisher may send (the SFU never transcodes, so only what every
 * browser decodes), and the server's video preference list. Pure functions. */
#ifndef PL_CODEC_H
#define PL_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/sdp.h"

enum pl_codec_id {
	PL_CODEC_UNKNOWN,
	PL_CODEC_OPUS,
	PL_CODEC_VP8,
	PL_CODEC_VP9,
	PL_CODEC_H264,
	PL_CODEC_AV1,
	PL_CODEC_RTX,
	PL_CODEC_RED,
	PL_CODEC_ULPFEC,
	PL_CODEC_FLEXFEC,
};

/* Case-insensitive rtpmap encoding name ("opus", "VP8", "H264", "rtx", "flexfec-03"). */
enum pl_codec_id pl_codec_from_name(const char *name);
/* The spelling Plenum writes ("opus", "VP8", "VP9", "H264", "rtx"), "" for UNKNOWN. */
const char *pl_codec_name(enum pl_codec_id id);
/* RTP clock rate in Hz (48000 for Opus, 90000 for video and rtx of video), 0 when not fixed. */
uint32_t pl_codec_clock_rate(enum pl_codec_id id);

/* The value of key in an fmtp parameter list "k1=v1;k2=v2" (RFC 8866 §6.15; spaces after ';'
 * tolerated), copied into val (NUL-terminated). false when absent or longer than cap - 1. */
bool pl_codec_fmtp_get(const char *fmtp, const char *key, char *val, size_t cap);
/* The same for a decimal value no larger than max. */
bool pl_codec_fmtp_get_uint(const char *fmtp, const char *key, unsigned long max,
                            unsigned long *out);

/* Whether Plenum forwards this offered codec (not rtx): Opus/48000/2; VP8; VP9 profile 0 (no
 * profile-id means 0, RFC 9628 §6); H.264 with packetization-mode=1 and profile_idc 0x42
 * (the constrained baseline family browsers offer as 42e01f / 42001f; RFC 6184 §8.1). */
bool pl_codec_acceptable(const struct pl_sdp_codec *c);

#define PL_CODEC_MAX_PREFS 4

/* The server's video codec preference ([media] video_codecs), most preferred first. */
struct pl_codec_prefs {
	enum pl_codec_id video[PL_CODEC_MAX_PREFS];
	size_t n_video;
};

/* The default: VP8 only (every browser encodes and decodes it). */
void pl_codec_prefs_default(struct pl_codec_prefs *p);
/* Parses "vp8,vp9,h264" (comma or space separated, case-insensitive, no duplicates).
 * PL_EINVAL with a reason for unknown or repeated names or an empty list. */
int pl_codec_prefs_parse(const char *list, struct pl_codec_prefs *out, char *err, size_t errlen);
/* The position of id in p (0 = most preferred), -1 when not listed. */
int pl_codec_prefs_rank(const struct pl_codec_prefs *p, enum pl_codec_id id);

#endif
