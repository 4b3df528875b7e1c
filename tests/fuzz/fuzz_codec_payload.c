/* libFuzzer target: codec payload descriptors. The first byte selects the codec (VP8, VP9,
 * H.264); the rest is the RTP payload, parsed from an exact-size copy. The convenience key frame
 * checks must agree with the full parsers. */
#include <stdlib.h>
#include <string.h>

#include "media/h264.h"
#include "media/vp8.h"
#include "media/vp9.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t len = size - 1;
	uint8_t *p = malloc(len ? len : 1);
	memcpy(p, data + 1, len);
	switch (data[0] % 3) {
	case 0: {
		struct pl_vp8_desc d;
		int rc = pl_vp8_parse(p, len, &d);
		if (rc == 0 && (d.desc_len >= len || d.part_id > 7 || d.tid > 3 || d.keyidx > 31))
			abort();
		if (pl_vp8_is_keyframe(p, len) != (rc == 0 && d.keyframe))
			abort();
		break;
	}
	case 1: {
		struct pl_vp9_desc d;
		int rc = pl_vp9_parse(p, len, &d);
		if (rc == 0 && (d.desc_len > len || d.n_pdiff > 3 || d.sid > 7 ||
		                d.ss_spatial_layers > PL_VP9_MAX_SPATIAL))
			abort();
		if (pl_vp9_is_keyframe(p, len) != (rc == 0 && d.keyframe))
			abort();
		break;
	}
	default: {
		struct pl_h264_info h;
		int rc = pl_h264_parse(p, len, &h);
		if (rc == 0 && (h.nal_count == 0 || h.keyframe != (h.has_idr || h.has_sps)))
			abort();
		if (pl_h264_is_keyframe(p, len) != (rc == 0 && h.keyframe))
			abort();
		break;
	}
	}
	free(p);
	return 0;
}
