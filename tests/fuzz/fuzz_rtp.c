/* libFuzzer target: RTP header parsing (RFC 3550), RFC 8285 extension iteration and lookup,
 * in-place id remapping and TWCC rewriting on an exact-size copy (checked to change nothing but
 * the extension block), demux. The router's sequence/timestamp rewriting is fuzzed by
 * fuzz_media_rtp. */
#include <stdlib.h>
#include <string.h>

#include "media/demux.h"
#include "media/rtp.h"
#include "media/rtp_ext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ext(const uint8_t *data, size_t size)
{
	struct pl_rtp r;
	if (pl_rtp_parse(data, size, &r) != 0)
		return;
	if (r.header_len + r.payload_len + r.pad_len != size)
		abort();
	struct pl_rtp_ext_iter it;
	struct pl_rtp_ext_elem e;
	size_t n = 0;
	pl_rtp_ext_iter_init(&it, &r);
	while (pl_rtp_ext_next(&it, &e) == 0) {
		if (e.data < r.ext || e.data + e.len > r.ext + r.ext_len)
			abort();
		const uint8_t *v;
		size_t vl;
		/* find must see the first element with this id, which is this one or earlier */
		if (pl_rtp_ext_find(&r, e.id, &v, &vl) != 0 || v > e.data)
			abort();
		char s[256];
		bool voice;
		uint8_t level;
		uint16_t u16;
		uint32_t u32;
		(void)pl_rtp_ext_get_mid(e.data, e.len, s, sizeof s);
		(void)pl_rtp_ext_get_rid(e.data, e.len, s, sizeof s);
		(void)pl_rtp_ext_get_audio_level(e.data, e.len, &voice, &level);
		(void)pl_rtp_ext_get_u16(e.data, e.len, &u16);
		(void)pl_rtp_ext_get_abs_send_time(e.data, e.len, &u32);
		n++;
	}

	/* Remap on an exact-size copy with a map derived from the input. */
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	struct pl_rtp rc;
	if (pl_rtp_parse(copy, size, &rc) != 0)
		abort();
	uint8_t map[256];
	for (int i = 0; i < 256; i++)
		map[i] = (uint8_t)(data[(size_t)i % size] % 16); /* mostly valid one-byte ids */
	int rrc = pl_rtp_ext_remap(copy, &rc, map);
	size_t ext_off = rc.ext ? (size_t)(rc.ext - copy) : 0;
	for (size_t i = 0; i < size; i++) {
		bool in_ext = rc.ext && i >= ext_off && i < ext_off + rc.ext_len;
		if (copy[i] != data[i] && (rrc != 0 || !in_ext))
			abort(); /* failure changes nothing; success only the extension block */
	}
	if (rrc == 0) {
		struct pl_rtp r2;
		if (pl_rtp_parse(copy, size, &r2) != 0 || r2.payload_len != r.payload_len)
			abort();
		size_t m = 0;
		pl_rtp_ext_iter_init(&it, &r2);
		while (pl_rtp_ext_next(&it, &e) == 0) {
			if (e.id == 0)
				abort();
			m++;
		}
		if (m > n)
			abort(); /* remapping only removes */
		(void)pl_rtp_ext_set_u16(copy, &r2, PL_EXT_ID_TWCC, 0xABCD);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)pl_demux(data, size);
	if (size == 0)
		return 0;
	check_ext(data, size);

	return 0;
}
