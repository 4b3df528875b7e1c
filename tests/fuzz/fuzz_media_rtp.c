/* libFuzzer target: RTP parsing, every extension id, key frame detection (VP8, VP9, H.264) and
 * demux on the input; then the same bytes through a router as RTP from the publisher (first byte
 * even) or as RTCP from a subscriber (odd), with a tick. */
#include <stdlib.h>
#include <string.h>

#include "media/demux.h"
#include "media/router.h"
#include "media/rtp.h"

static int f_send(void *ctx, uint64_t tid, uint8_t *buf, size_t len, size_t cap)
{
	(void)ctx;
	(void)tid;
	(void)buf;
	(void)len;
	(void)cap;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)pl_demux(data, size);
	struct pl_rtp r;
	if (pl_rtp_parse(data, size, &r) == 0) {
		for (unsigned id = 1; id < 256; id++) {
			const uint8_t *v;
			size_t n;
			(void)pl_rtp_ext_find(&r, (uint8_t)id, &v, &n);
		}
		(void)pl_vp8_is_keyframe(r.payload, r.payload_len);
		(void)pl_vp9_is_keyframe(r.payload, r.payload_len);
		(void)pl_h264_is_keyframe(r.payload, r.payload_len);
	}
	static const struct pl_router_ops ops = {.send_rtp = f_send, .send_rtcp = f_send};
	struct pl_router *rt = pl_router_new(&ops, NULL);
	struct pl_producer_desc d = {.id = 1,
	                             .transport = 1,
	                             .kind = PL_MEDIA_VIDEO,
	                             .ssrc = 0,
	                             .clock_rate = 90000,
	                             .twcc_ext_id = 3,
	                             .mid_ext_id = 4};
	strcpy(d.mid, "0");
	for (int pt = 0; pt < 128; pt++)
		d.pt_map[pt] = 96;
	pl_router_set_producer(rt, &d);
	struct pl_consumer_desc c = {.id = 2, .producer = 1, .transport = 2, .ssrc = 0x1001};
	pl_router_add_consumer(rt, &c, 0);
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	if (size && (data[0] & 1))
		pl_router_receive_rtcp(rt, 2, copy, size, 1000);
	else
		pl_router_receive_rtp(rt, 1, copy, size, 1000);
	pl_router_tick(rt, 2000000, 0);
	free(copy);
	pl_router_free(rt);
	return 0;
}
