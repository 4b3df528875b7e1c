#include "media/seq_rewrite.h"

#include <string.h>

#include "media/error.h"

void pl_seq_rewrite_init(struct pl_seq_rewrite *r, uint16_t first_out_seq, uint32_t first_out_ts)
{
	memset(r, 0, sizeof *r);
	r->next_out_seq = first_out_seq;
	r->next_out_ts = first_out_ts;
}

/* Wall time in clock units, modulo 2^32 (RTP timestamps wrap anyway). Whole seconds and the
 * rest are scaled apart so no product overflows 64 bits for any elapsed time. */
static uint32_t elapsed_ticks(int64_t elapsed_us, uint32_t clock_rate)
{
	if (elapsed_us <= 0)
		return 0;
	uint64_t us = (uint64_t)elapsed_us;
	uint64_t t = (us / 1000000u) * clock_rate + (us % 1000000u) * clock_rate / 1000000u;
	return (uint32_t)t;
}

static void start_source(struct pl_seq_rewrite *r, uint32_t ssrc, uint16_t in_seq, uint32_t in_ts,
                         uint32_t clock_rate, int64_t now_us)
{
	uint16_t out_seq;
	uint32_t out_ts;
	if (r->have_out) {
		uint32_t ticks = elapsed_ticks(now_us - r->max_out_us, clock_rate);
		out_seq = (uint16_t)(r->max_out_seq + 1);
		out_ts = r->max_out_ts + (ticks ? ticks : 1);
	} else {
		out_seq = r->next_out_seq;
		out_ts = r->next_out_ts;
	}
	r->have_src = true;
	r->ssrc = ssrc;
	r->seq_off = (uint16_t)(out_seq - in_seq);
	r->ts_off = out_ts - in_ts;
	r->max_in_seq = in_seq;
	r->advanced = 0;
	r->misses = 0;
}

int pl_seq_rewrite_apply(struct pl_seq_rewrite *r, uint32_t src_ssrc, uint16_t in_seq,
                         uint32_t in_ts, uint32_t clock_rate, int64_t now_us, uint16_t *out_seq,
                         uint32_t *out_ts)
{
	if (clock_rate == 0)
		return PL_EINVAL;
	bool newest;
	if (!r->have_src || src_ssrc != r->ssrc || r->misses >= PL_SEQ_REWRITE_RESYNC) {
		start_source(r, src_ssrc, in_seq, in_ts, clock_rate, now_us);
		newest = true;
	} else {
		uint16_t ahead = (uint16_t)(in_seq - r->max_in_seq);
		if (ahead != 0 && ahead < 0x8000) { /* newer: gaps are losses, offsets stay */
			r->advanced += ahead;
			if (r->advanced > PL_SEQ_REWRITE_MAX_LATE)
				r->advanced = PL_SEQ_REWRITE_MAX_LATE;
			r->max_in_seq = in_seq;
			newest = true;
		} else {
			uint16_t behind = (uint16_t)(r->max_in_seq - in_seq);
			if (behind > r->advanced) { /* advanced ≤ MAX_LATE < 2^15 */
				r->misses++;
				return PL_EINVAL;
			}
			newest = false; /* late, reordered or a duplicate */
		}
	}
	r->misses = 0;
	uint16_t s = (uint16_t)(in_seq + r->seq_off);
	uint32_t t = in_ts + r->ts_off;
	/* Only a new highest packet moves the point the next source continues from. */
	if (newest) {
		r->have_out = true;
		r->max_out_seq = s;
		r->max_out_ts = t;
		r->max_out_us = now_us;
	}
	*out_seq = s;
	*out_ts = t;
	return 0;
}
