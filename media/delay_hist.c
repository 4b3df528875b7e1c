/* See delay_hist.h. */
#include "media/delay_hist.h"

/* Fine below 2 ms, where the server's own delay lives (the issue-5 target is p99 < 2 ms), coarse
 * above it: a stall of a second still lands in a finite bucket. */
const int64_t pl_delay_bucket_le_us[PL_DELAY_BUCKETS - 1] = {
    10,   25,   50,   100,  150,   200,   300,   500,    750,     1000,
    1500, 2000, 3000, 5000, 10000, 20000, 50000, 100000, 1000000,
};

static unsigned bucket_of(int64_t us)
{
	unsigned lo = 0, hi = PL_DELAY_BUCKETS - 1; /* the answer is in [lo, hi] */
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (us <= pl_delay_bucket_le_us[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void pl_delay_hist_add(struct pl_delay_hist *h, int64_t delay_us)
{
	if (delay_us < 0)
		delay_us = 0;
	h->count[bucket_of(delay_us)]++;
	h->total++;
	h->sum_us += (uint64_t)delay_us;
}

void pl_delay_hist_merge(struct pl_delay_hist *to, const struct pl_delay_hist *from)
{
	for (unsigned i = 0; i < PL_DELAY_BUCKETS; i++)
		to->count[i] += from->count[i];
	to->total += from->total;
	to->sum_us += from->sum_us;
}

void pl_delay_hist_diff(const struct pl_delay_hist *a, const struct pl_delay_hist *b,
                        struct pl_delay_hist *to)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < PL_DELAY_BUCKETS; i++) {
		to->count[i] = a->count[i] >= b->count[i] ? a->count[i] - b->count[i] : 0;
		total += to->count[i];
	}
	to->total = total;
	to->sum_us = a->sum_us >= b->sum_us ? a->sum_us - b->sum_us : 0;
}

double pl_delay_hist_quantile(const struct pl_delay_hist *h, double q)
{
	if (h->total == 0 || !(q > 0) || q > 1)
		return -1;
	double rank = q * (double)h->total, below = 0;
	for (unsigned i = 0; i < PL_DELAY_BUCKETS; i++) {
		double n = (double)h->count[i];
		if (below + n >= rank && n > 0) {
			if (i == PL_DELAY_BUCKETS - 1)
				return (double)pl_delay_bucket_le_us[PL_DELAY_BUCKETS - 2];
			double lo = i ? (double)pl_delay_bucket_le_us[i - 1] : 0;
			double hi = (double)pl_delay_bucket_le_us[i];
			return lo + (hi - lo) * (rank - below) / n;
		}
		below += n;
	}
	return (double)pl_delay_bucket_le_us[PL_DELAY_BUCKETS - 2];
}

double pl_delay_hist_share_le(const struct pl_delay_hist *h, int64_t bound_us)
{
	if (h->total == 0)
		return -1;
	uint64_t le = 0;
	for (unsigned i = 0; i < PL_DELAY_BUCKETS - 1; i++) {
		le += h->count[i];
		if (pl_delay_bucket_le_us[i] == bound_us)
			return (double)le / (double)h->total;
	}
	return -1;
}
