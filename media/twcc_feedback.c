/* Transport-wide CC feedback generator. See twcc_feedback.h;
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1 for the packet. */
#include "media/twcc_feedback.h"

#include <stdbool.h>
#include <stdlib.h>

#include "media/alloc.h"
#include "media/error.h"
#include "media/rtcp_twcc.h"

#define EMPTY INT64_MIN /* slot holds no arrival */

struct pl_twcc_feedback {
	bool started;
	int64_t next_seq;  /* unwrapped: first seq not yet reported */
	int64_t max_seq;   /* unwrapped: newest seq recorded; pending iff next_seq <= max_seq */
	int64_t floor_seq; /* unwrapped: everything below was reported; INT64_MIN before that */
	uint8_t fb_count;  /* feedback packet count, wraps at 256 */
	/* Arrival time (us) of seq s lives at slot s mod WINDOW. Invariant: only slots of seqs in
	 * [next_seq, max_seq] may be non-EMPTY, and max_seq - next_seq < WINDOW. */
	int64_t arrival[PL_TWCC_FEEDBACK_WINDOW];
};

static size_t slot_of(int64_t s)
{
	return (size_t)((uint64_t)s % PL_TWCC_FEEDBACK_WINDOW);
}

/* Floor division for possibly negative times. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

struct pl_twcc_feedback *pl_twcc_feedback_new(void)
{
	struct pl_twcc_feedback *g = pl_xcalloc(1, sizeof *g);
	for (size_t i = 0; i < PL_TWCC_FEEDBACK_WINDOW; i++)
		g->arrival[i] = EMPTY;
	g->floor_seq = INT64_MIN;
	return g;
}

void pl_twcc_feedback_free(struct pl_twcc_feedback *g)
{
	free(g);
}

int pl_twcc_feedback_record(struct pl_twcc_feedback *g, uint16_t twcc_seq, int64_t arrival_us)
{
	if (arrival_us == EMPTY)
		arrival_us++; /* keep the sentinel free; 1 us does not matter */
	if (!g->started) {
		g->started = true;
		g->next_seq = g->max_seq = twcc_seq;
		g->arrival[slot_of(twcc_seq)] = arrival_us;
		return 0;
	}
	/* Unwrap relative to the newest seq: the nearest value with these low 16 bits. */
	int64_t u = g->max_seq + (int16_t)(uint16_t)(twcc_seq - (uint16_t)g->max_seq);
	if (u < g->floor_seq)
		return PL_ESTATE; /* already reported */
	if (u > g->max_seq) {
		if (u - g->next_seq >= PL_TWCC_FEEDBACK_WINDOW) {
			/* Window overflow: forget the oldest unreported seqs (at most WINDOW). */
			int64_t new_next = u - PL_TWCC_FEEDBACK_WINDOW + 1;
			for (int64_t s = g->next_seq; s < new_next && s <= g->max_seq; s++)
				g->arrival[slot_of(s)] = EMPTY;
			g->next_seq = new_next;
		}
		/* Slots of (max_seq, u] are distinct from those of [next_seq, max_seq] now, so
		 * they are EMPTY by the invariant. */
		g->max_seq = u;
	} else if (u < g->next_seq) {
		/* Reordered before the pending range but not yet reported: extend backwards. */
		if (g->max_seq - u >= PL_TWCC_FEEDBACK_WINDOW)
			return PL_ELIMIT;
		g->next_seq = u;
	}
	int64_t *a = &g->arrival[slot_of(u)];
	if (*a == EMPTY)
		*a = arrival_us; /* a duplicate keeps its first arrival */
	return 0;
}

/* Adds seqs from g->next_seq to b (stopping before stop_seq) and returns the seq after the last
 * received packet that fit, or next_seq if none did. */
static int64_t fill(const struct pl_twcc_feedback *g, struct pl_twcc_builder *b, int64_t stop_seq,
                    int64_t ref_ticks)
{
	int64_t end = g->next_seq, last_ticks = ref_ticks;
	for (int64_t s = g->next_seq; s <= g->max_seq && s < stop_seq; s++) {
		int64_t t = g->arrival[slot_of(s)];
		if (t == EMPTY) {
			if (pl_twcc_builder_add(b, false, 0) < 0)
				break;
			continue;
		}
		/* Absolute ticks, so each delta's rounding error stays under one tick. */
		int64_t ticks = floor_div(t, PL_TWCC_TICK_US);
		int64_t delta = ticks - last_ticks;
		if (delta < INT16_MIN || delta > INT16_MAX)
			break; /* starts the next feedback, with its own reference time */
		if (pl_twcc_builder_add(b, true, (int32_t)delta) < 0)
			break;
		last_ticks = ticks;
		end = s + 1;
	}
	return end;
}

int pl_twcc_feedback_write(struct pl_twcc_feedback *g, uint32_t sender_ssrc, uint32_t media_ssrc,
                           uint8_t *out, size_t cap, size_t *out_len)
{
	if (!g->started || g->next_seq > g->max_seq)
		return PL_ENOTFOUND;
	int64_t first = EMPTY;
	for (int64_t s = g->next_seq; s <= g->max_seq; s++) {
		if (g->arrival[slot_of(s)] != EMPTY) {
			first = g->arrival[slot_of(s)];
			break;
		}
	}
	if (first == EMPTY)
		return PL_ENOTFOUND; /* cannot happen: max_seq is always received */
	/* §3.1: reference time in 64 ms units (24 bits, wraps); the first delta is relative to
	 * it, so rounding it down keeps that delta small and non-negative. */
	int64_t ref = floor_div(first, PL_TWCC_REF_UNIT_US);
	int64_t ref_ticks = ref * (PL_TWCC_REF_UNIT_US / PL_TWCC_TICK_US);
	size_t max_len = cap < PL_TWCC_FEEDBACK_MAX_LEN ? cap : PL_TWCC_FEEDBACK_MAX_LEN;

	/* Pass 1 finds how far this feedback goes; it must end on a received packet, or we would
	 * report packets still in flight as lost. Pass 2 builds exactly that range. */
	struct pl_twcc_builder b;
	pl_twcc_builder_init(&b, max_len);
	int64_t end = fill(g, &b, INT64_MAX, ref_ticks);
	if (end == g->next_seq)
		return PL_ESPACE;
	pl_twcc_builder_init(&b, max_len);
	if (fill(g, &b, end, ref_ticks) != end)
		return PL_EINVAL; /* deterministic: cannot happen */
	int rc = pl_twcc_builder_finish(&b, sender_ssrc, media_ssrc, (uint16_t)g->next_seq,
	                                (int32_t)(ref & 0xffffff), g->fb_count, out, cap, out_len);
	if (rc < 0)
		return rc;
	for (int64_t s = g->next_seq; s < end; s++)
		g->arrival[slot_of(s)] = EMPTY;
	g->next_seq = end;
	g->floor_seq = end;
	g->fb_count++;
	return 0;
}
