/* SRTP index estimation and replay list: see srtp_replay.h. */
#include "media/srtp_replay.h"

#include <string.h>

#include "media/error.h"

uint64_t pl_srtp_index_guess(uint64_t top, uint16_t seq)
{
	/* RFC 3711 Appendix A, with s_l and ROC taken from the highest index: a sequence number
	 * more than 2^15 ahead of s_l belongs to the previous roll-over, one more than 2^15
	 * behind it to the next. */
	uint32_t roc = (uint32_t)(top >> 16);
	uint16_t s_l = (uint16_t)top;
	uint32_t v = roc;

	if (s_l < 32768) {
		/* with ROC 0 there is no previous roll-over: a jump ahead instead */
		if (seq > s_l && seq - s_l > 32768 && roc > 0)
			v = roc - 1;
	} else if (s_l - 32768 > seq) {
		if (roc == UINT32_MAX)
			return PL_SRTP_INDEX_INVALID;
		v = roc + 1;
	}
	return (uint64_t)v << 16 | seq;
}

static bool bit_get(const struct pl_srtp_replay *r, uint64_t index)
{
	unsigned pos = (unsigned)(index % PL_SRTP_REPLAY_WINDOW);
	return (r->bits[pos / 64] >> (pos % 64)) & 1;
}

static void bit_set(struct pl_srtp_replay *r, uint64_t index, bool on)
{
	unsigned pos = (unsigned)(index % PL_SRTP_REPLAY_WINDOW);
	uint64_t m = (uint64_t)1 << (pos % 64);

	if (on)
		r->bits[pos / 64] |= m;
	else
		r->bits[pos / 64] &= ~m;
}

int pl_srtp_replay_check(const struct pl_srtp_replay *r, uint64_t index)
{
	if (index == PL_SRTP_INDEX_INVALID)
		return PL_EPROTO;
	if (!r->started || index > r->top)
		return 0;
	if (r->top - index >= PL_SRTP_REPLAY_WINDOW)
		return PL_EPROTO; /* too old to tell: §3.3.2 says drop */
	return bit_get(r, index) ? PL_EPROTO : 0;
}

void pl_srtp_replay_add(struct pl_srtp_replay *r, uint64_t index)
{
	if (!r->started || (index > r->top && index - r->top >= PL_SRTP_REPLAY_WINDOW)) {
		/* first packet, or a jump past the whole window: nothing in it was seen */
		memset(r->bits, 0, sizeof(r->bits));
		r->started = true;
		r->top = index;
	} else if (index > r->top) {
		/* the slots of the indices the window moves over are reused: clear them */
		for (uint64_t i = r->top + 1; i < index; i++)
			bit_set(r, i, false);
		r->top = index;
	}
	bit_set(r, index, true);
}
