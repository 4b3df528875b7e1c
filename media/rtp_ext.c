/* RFC 8285 §4.2 one-byte form: ID(4)|L(4) then L+1 bytes; ID 0 is a padding byte (its length is
 * ignored, as libwebrtc does), ID 15 ends processing. §4.3 two-byte form: ID(8), L(8), then L
 * bytes (0..255); an ID byte of 0 is a padding byte. */
#include "media/rtp_ext.h"

#include <string.h>

#include "media/bytes.h"
#include "media/error.h"

static const struct {
	const char *uri;
	uint8_t id;
} ext_table[PL_EXT_TYPE_COUNT] = {
    [PL_EXT_UNKNOWN] = {NULL, 0},
    [PL_EXT_AUDIO_LEVEL] = {PL_EXT_URI_AUDIO_LEVEL, PL_EXT_ID_AUDIO_LEVEL},
    [PL_EXT_ABS_SEND_TIME] = {PL_EXT_URI_ABS_SEND_TIME, PL_EXT_ID_ABS_SEND_TIME},
    [PL_EXT_TWCC] = {PL_EXT_URI_TWCC, PL_EXT_ID_TWCC},
    [PL_EXT_MID] = {PL_EXT_URI_MID, PL_EXT_ID_MID},
    [PL_EXT_RID] = {PL_EXT_URI_RID, PL_EXT_ID_RID},
    [PL_EXT_REPAIRED_RID] = {PL_EXT_URI_REPAIRED_RID, PL_EXT_ID_REPAIRED_RID},
};

enum pl_rtp_ext_type pl_rtp_ext_uri_to_type(const char *uri)
{
	if (!uri)
		return PL_EXT_UNKNOWN;
	for (int t = PL_EXT_UNKNOWN + 1; t < PL_EXT_TYPE_COUNT; t++)
		if (strcmp(uri, ext_table[t].uri) == 0)
			return (enum pl_rtp_ext_type)t;
	return PL_EXT_UNKNOWN;
}

const char *pl_rtp_ext_type_uri(enum pl_rtp_ext_type type)
{
	if ((int)type <= PL_EXT_UNKNOWN || (int)type >= PL_EXT_TYPE_COUNT)
		return NULL;
	return ext_table[type].uri;
}

uint8_t pl_rtp_ext_type_id(enum pl_rtp_ext_type type)
{
	if ((int)type <= PL_EXT_UNKNOWN || (int)type >= PL_EXT_TYPE_COUNT)
		return 0;
	return ext_table[type].id;
}

static bool is_one_byte(uint16_t profile)
{
	return profile == PL_RTP_EXT_PROFILE_ONE_BYTE;
}

static bool is_two_byte(uint16_t profile)
{
	return (profile & 0xFFF0) == PL_RTP_EXT_PROFILE_TWO_BYTE;
}

void pl_rtp_ext_iter_init(struct pl_rtp_ext_iter *it, const struct pl_rtp *r)
{
	it->p = it->end = NULL;
	it->two_byte = false;
	if (!r->extension || !r->ext ||
	    !(is_one_byte(r->ext_profile) || is_two_byte(r->ext_profile)))
		return;
	it->p = r->ext;
	it->end = r->ext + r->ext_len;
	it->two_byte = is_two_byte(r->ext_profile);
}

int pl_rtp_ext_next(struct pl_rtp_ext_iter *it, struct pl_rtp_ext_elem *out)
{
	while (it->p && it->p < it->end) {
		const uint8_t *p = it->p;
		uint8_t id;
		size_t len;
		if (*p == 0 || (!it->two_byte && (*p >> 4) == 0)) { /* padding */
			it->p++;
			continue;
		}
		if (!it->two_byte) {
			id = *p >> 4;
			len = (size_t)(*p & 0x0F) + 1;
			if (id == 15)
				break;
			p++;
		} else {
			if (it->end - p < 2)
				goto trunc;
			id = p[0];
			len = p[1];
			p += 2;
		}
		if ((size_t)(it->end - p) < len)
			goto trunc;
		out->id = id;
		out->data = p;
		out->len = len;
		it->p = p + len;
		return 0;
	}
	it->p = it->end;
	return PL_ENOTFOUND;
trunc:
	it->p = it->end;
	return PL_ETRUNC;
}

int pl_rtp_ext_find(const struct pl_rtp *r, uint8_t id, const uint8_t **data, size_t *len)
{
	if (id == 0)
		return PL_ENOTFOUND;
	struct pl_rtp_ext_iter it;
	struct pl_rtp_ext_elem e;
	int rc;
	pl_rtp_ext_iter_init(&it, r);
	while ((rc = pl_rtp_ext_next(&it, &e)) == 0)
		if (e.id == id) {
			*data = e.data;
			*len = e.len;
			return 0;
		}
	return rc;
}

int pl_rtp_ext_remap(uint8_t *buf, const struct pl_rtp *r, const uint8_t map[256])
{
	if (!r->extension || !r->ext)
		return 0;
	if (!is_one_byte(r->ext_profile) && !is_two_byte(r->ext_profile))
		return PL_EUNSUPPORTED;
	bool two = is_two_byte(r->ext_profile);
	struct pl_rtp_ext_iter it;
	struct pl_rtp_ext_elem e;
	int rc;
	/* Pass 1: validate, so that a failure leaves the packet untouched. */
	pl_rtp_ext_iter_init(&it, r);
	while ((rc = pl_rtp_ext_next(&it, &e)) == 0)
		if (!two && map[e.id] > 14)
			return PL_EINVAL;
	if (rc != PL_ENOTFOUND)
		return rc;
	/* Pass 2: rewrite. The element header sits 1 (one-byte) or 2 (two-byte) bytes before its
	 * value; offsets are taken from r->ext, which views buf. */
	uint8_t *ext = buf + (r->ext - buf);
	pl_rtp_ext_iter_init(&it, r);
	while (pl_rtp_ext_next(&it, &e) == 0) {
		size_t hdr = two ? 2 : 1;
		uint8_t *h = ext + (size_t)(e.data - r->ext) - hdr;
		uint8_t nid = map[e.id];
		if (nid == 0)
			memset(h, 0, hdr + e.len);
		else if (two)
			h[0] = nid;
		else
			h[0] = (uint8_t)(nid << 4 | (h[0] & 0x0F));
	}
	return 0;
}

int pl_rtp_ext_set_u16(uint8_t *buf, const struct pl_rtp *r, uint8_t id, uint16_t v)
{
	const uint8_t *data;
	size_t len;
	int rc = pl_rtp_ext_find(r, id, &data, &len);
	if (rc)
		return rc;
	if (len != 2)
		return PL_EINVAL;
	pl_put_u16(buf + (data - buf), v);
	return 0;
}

int pl_rtp_ext_get_u16(const uint8_t *data, size_t len, uint16_t *v)
{
	if (!data || len != 2)
		return PL_EINVAL;
	*v = pl_read_u16(data);
	return 0;
}

static int get_string(const uint8_t *data, size_t len, char *out, size_t cap, bool rid)
{
	if (!data || len == 0)
		return PL_EINVAL;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];
		bool ok = rid ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		                 (c >= 'A' && c <= 'Z') || c == '-' || c == '_')
		              : (c >= 0x21 && c <= 0x7E);
		if (!ok)
			return PL_EINVAL;
	}
	if (!out || cap < len + 1)
		return PL_ESPACE;
	memcpy(out, data, len);
	out[len] = '\0';
	return 0;
}

int pl_rtp_ext_get_mid(const uint8_t *data, size_t len, char *out, size_t cap)
{
	return get_string(data, len, out, cap, false);
}

int pl_rtp_ext_get_rid(const uint8_t *data, size_t len, char *out, size_t cap)
{
	return get_string(data, len, out, cap, true);
}

int pl_rtp_ext_get_abs_send_time(const uint8_t *data, size_t len, uint32_t *v)
{
	if (!data || len != 3)
		return PL_EINVAL;
	*v = (uint32_t)data[0] << 16 | (uint32_t)data[1] << 8 | data[2];
	return 0;
}

uint32_t pl_rtp_ext_abs_send_time_from_us(int64_t us)
{
	/* 6.18 fixed point seconds: value = us * 2^18 / 10^6, keeping the low 24 bits. Split into
	 * whole seconds and the rest so nothing overflows for any int64 input. */
	uint64_t u = (uint64_t)us; /* two's complement: negative times wrap like the field does */
	uint64_t secs = u / 1000000u, rem = u % 1000000u;
	uint64_t v = (secs << 18) + (rem << 18) / 1000000u;
	return (uint32_t)(v & 0xFFFFFF);
}

int pl_rtp_ext_get_audio_level(const uint8_t *data, size_t len, bool *voice, uint8_t *level_dbov)
{
	if (!data || len != 1)
		return PL_EINVAL;
	*voice = (data[0] & 0x80) != 0;
	*level_dbov = data[0] & 0x7F;
	return 0;
}
