/* Codec names, clock rates, fmtp helpers and acceptance rules; see codec.h. */
#include "media/codec.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "media/error.h"

static const struct {
	enum pl_codec_id id;
	const char *name;
	uint32_t clock;
} codecs[] = {
    {PL_CODEC_OPUS, "opus", 48000}, {PL_CODEC_VP8, "VP8", 90000},
    {PL_CODEC_VP9, "VP9", 90000},   {PL_CODEC_H264, "H264", 90000},
    {PL_CODEC_AV1, "AV1", 90000},   {PL_CODEC_RTX, "rtx", 0},
    {PL_CODEC_RED, "red", 0},       {PL_CODEC_ULPFEC, "ulpfec", 90000},
};

enum pl_codec_id pl_codec_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
		if (strcasecmp(name, codecs[i].name) == 0)
			return codecs[i].id;
	if (strncasecmp(name, "flexfec", 7) == 0)
		return PL_CODEC_FLEXFEC;
	return PL_CODEC_UNKNOWN;
}

const char *pl_codec_name(enum pl_codec_id id)
{
	for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
		if (codecs[i].id == id)
			return codecs[i].name;
	return id == PL_CODEC_FLEXFEC ? "flexfec-03" : "";
}

uint32_t pl_codec_clock_rate(enum pl_codec_id id)
{
	for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
		if (codecs[i].id == id)
			return codecs[i].clock;
	return 0;
}

bool pl_codec_fmtp_get(const char *fmtp, const char *key, char *val, size_t cap)
{
	size_t kl = strlen(key);
	const char *p = fmtp;
	while (*p) {
		while (*p == ' ' || *p == ';')
			p++;
		size_t pl = strcspn(p, ";");
		if (pl > kl && p[kl] == '=' && strncasecmp(p, key, kl) == 0) {
			size_t vl = pl - kl - 1;
			if (vl >= cap)
				return false;
			memcpy(val, p + kl + 1, vl);
			val[vl] = '\0';
			return true;
		}
		p += pl;
	}
	return false;
}

bool pl_codec_fmtp_get_uint(const char *fmtp, const char *key, unsigned long max,
                            unsigned long *out)
{
	char v[12];
	if (!pl_codec_fmtp_get(fmtp, key, v, sizeof v) || !v[0])
		return false;
	unsigned long x = 0;
	for (const char *c = v; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		x = x * 10 + (unsigned long)(*c - '0');
		if (x > max)
			return false;
	}
	*out = x;
	return true;
}

static int hex2(const char *s)
{
	int v = 0;
	for (int i = 0; i < 2; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* RFC 6184 §8.1: profile-level-id is 3 hex bytes profile_idc, profile-iop, level_idc; absent
 * means 420010 (baseline). Browsers offer constrained baseline as 42e01f and as 42001f and decode
 * both alike; Main/High (4d, 64) are not decoded by every browser and are refused. */
static bool h264_ok(const char *fmtp)
{
	unsigned long mode;
	if (!pl_codec_fmtp_get_uint(fmtp, "packetization-mode", 2, &mode) || mode != 1)
		return false;
	char pli[8];
	if (!pl_codec_fmtp_get(fmtp, "profile-level-id", pli, sizeof pli))
		return true;
	if (strlen(pli) != 6 || hex2(pli) != 0x42)
		return false;
	return hex2(pli + 2) >= 0 && hex2(pli + 4) >= 0;
}

bool pl_codec_acceptable(const struct pl_sdp_codec *c)
{
	unsigned long prof;
	switch (pl_codec_from_name(c->name)) {
	case PL_CODEC_OPUS:
		/* RFC 7587 §7: always opus/48000/2 */
		return c->clock_rate == 48000 && c->channels == 2;
	case PL_CODEC_VP8:
		return c->clock_rate == 90000;
	case PL_CODEC_VP9:
		if (c->clock_rate != 90000)
			return false;
		if (!strstr(c->fmtp, "profile-id"))
			return true;
		return pl_codec_fmtp_get_uint(c->fmtp, "profile-id", 3, &prof) && prof == 0;
	case PL_CODEC_H264:
		return c->clock_rate == 90000 && h264_ok(c->fmtp);
	default:
		return false;
	}
}

void pl_codec_prefs_default(struct pl_codec_prefs *p)
{
	memset(p, 0, sizeof *p);
	p->video[0] = PL_CODEC_VP8;
	p->n_video = 1;
}

int pl_codec_prefs_parse(const char *list, struct pl_codec_prefs *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	const char *p = list;
	while (*p) {
		p += strspn(p, ", ");
		size_t n = strcspn(p, ", ");
		if (!n)
			break;
		char name[8] = "";
		enum pl_codec_id id = PL_CODEC_UNKNOWN;
		if (n < sizeof name) {
			memcpy(name, p, n);
			id = pl_codec_from_name(name);
		}
		if (id != PL_CODEC_VP8 && id != PL_CODEC_VP9 && id != PL_CODEC_H264) {
			snprintf(err, errlen, "unknown video codec \"%.*s\" (vp8, vp9, h264)",
			         (int)(n > 16 ? 16 : n), p);
			return PL_EINVAL;
		}
		if (pl_codec_prefs_rank(out, id) >= 0) {
			snprintf(err, errlen, "video codec %s listed twice", pl_codec_name(id));
			return PL_EINVAL;
		}
		out->video[out->n_video++] = id; /* at most 3 distinct: fits */
		p += n;
	}
	if (!out->n_video) {
		snprintf(err, errlen, "empty video codec list");
		return PL_EINVAL;
	}
	return 0;
}

int pl_codec_prefs_rank(const struct pl_codec_prefs *p, enum pl_codec_id id)
{
	for (size_t i = 0; i < p->n_video; i++)
		if (p->video[i] == id)
			return (int)i;
	return -1;
}
