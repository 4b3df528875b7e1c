/* A histogram of delays in microseconds with fixed bucket bounds, for the media workers' forwarding
 * delay (server/ice.c) and its /metrics exposition (server/media_counters.c). Pure data: adding a
 * sample is a short search over a constant table, no allocation, no clock. */
#ifndef PL_DELAY_HIST_H
#define PL_DELAY_HIST_H

#include <stddef.h>
#include <stdint.h>

/* Buckets: the upper bounds in microseconds (inclusive, as Prometheus' "le"); the last is +Inf. */
#define PL_DELAY_BUCKETS 20
extern const int64_t pl_delay_bucket_le_us[PL_DELAY_BUCKETS - 1];

struct pl_delay_hist {
	uint64_t count[PL_DELAY_BUCKETS]; /* per bucket, not cumulative */
	uint64_t total;                   /* samples */
	uint64_t sum_us;                  /* sum of the samples (negative ones count as 0) */
};

/* Adds one sample; a negative delay (a clock that stepped back) counts as 0. */
void pl_delay_hist_add(struct pl_delay_hist *h, int64_t delay_us);
void pl_delay_hist_merge(struct pl_delay_hist *to, const struct pl_delay_hist *from);
/* to = a - b, bucket by bucket (the samples added between two copies of one histogram); a bucket
 * where b exceeds a (not the same histogram) becomes 0. */
void pl_delay_hist_diff(const struct pl_delay_hist *a, const struct pl_delay_hist *b,
                        struct pl_delay_hist *to);
/* The q-quantile (0 < q <= 1) in microseconds, interpolated linearly inside its bucket as
 * Prometheus' histogram_quantile does; a quantile in the +Inf bucket is reported as the last
 * finite bound. -1 when the histogram is empty. */
double pl_delay_hist_quantile(const struct pl_delay_hist *h, double q);
/* The share (0..1) of samples at or below bound_us, which must be one of the bucket bounds;
 * -1 when empty or bound_us is not a bound. */
double pl_delay_hist_share_le(const struct pl_delay_hist *h, int64_t bound_us);

#endif
