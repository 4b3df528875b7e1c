/* The forwarding-delay histogram (media/delay_hist.c) and its Prometheus exposition
 * (server/media_counters.c): bucket edges (a bound is inclusive), negative samples, merging,
 * window differences, quantiles against a sorted array of the same samples, and the text a
 * scraper parses (cumulative buckets, +Inf equal to _count, _sum in seconds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/delay_hist.h"
#include "server/media_counters.h"

static unsigned bucket_with(const struct pl_delay_hist *h)
{
	for (unsigned i = 0; i < PL_DELAY_BUCKETS; i++)
		if (h->count[i])
			return i;
	return PL_DELAY_BUCKETS;
}

static void test_edges(void **state)
{
	(void)state;
	/* The bounds rise strictly: the search depends on it. */
	for (unsigned i = 1; i < PL_DELAY_BUCKETS - 1; i++)
		assert_true(pl_delay_bucket_le_us[i] > pl_delay_bucket_le_us[i - 1]);
	for (unsigned i = 0; i < PL_DELAY_BUCKETS - 1; i++) {
		int64_t b = pl_delay_bucket_le_us[i];
		struct pl_delay_hist at = {0}, above = {0};
		pl_delay_hist_add(&at, b);
		pl_delay_hist_add(&above, b + 1);
		assert_int_equal(bucket_with(&at), i);        /* "le": the bound itself is inside */
		assert_int_equal(bucket_with(&above), i + 1); /* one more is the next bucket */
	}
	struct pl_delay_hist h = {0};
	pl_delay_hist_add(&h, 0);
	assert_int_equal(bucket_with(&h), 0);
	struct pl_delay_hist huge = {0};
	pl_delay_hist_add(&huge, INT64_MAX / 4);
	assert_int_equal(bucket_with(&huge), PL_DELAY_BUCKETS - 1);
}

static void test_negative_counts_as_zero(void **state)
{
	(void)state;
	struct pl_delay_hist h = {0};
	pl_delay_hist_add(&h, -5000); /* CLOCK_REALTIME stepped back between receive and send */
	assert_int_equal(h.total, 1);
	assert_int_equal(h.count[0], 1);
	assert_int_equal(h.sum_us, 0);
}

static void test_merge_and_diff(void **state)
{
	(void)state;
	struct pl_delay_hist a = {0}, b = {0}, m = {0}, d;
	for (int64_t us = 0; us < 5000; us += 7)
		pl_delay_hist_add(&a, us);
	for (int64_t us = 0; us < 300000; us += 911)
		pl_delay_hist_add(&b, us);
	pl_delay_hist_merge(&m, &a);
	pl_delay_hist_merge(&m, &b);
	assert_int_equal(m.total, a.total + b.total);
	assert_int_equal(m.sum_us, a.sum_us + b.sum_us);
	pl_delay_hist_diff(&m, &a, &d); /* the window between two snapshots */
	assert_memory_equal(d.count, b.count, sizeof b.count);
	assert_int_equal(d.total, b.total);
	assert_int_equal(d.sum_us, b.sum_us);
	/* Not a later copy of the same histogram: no wrapped-around counts. */
	pl_delay_hist_diff(&a, &m, &d);
	assert_int_equal(d.total, 0);
	assert_int_equal(d.sum_us, 0);
}

static int cmp64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/* The bucket bounds around v: the quantile must fall inside the bucket of the exact one. */
static void bucket_range(int64_t v, double *lo, double *hi)
{
	*lo = 0;
	for (unsigned i = 0; i < PL_DELAY_BUCKETS - 1; i++) {
		if (v <= pl_delay_bucket_le_us[i]) {
			*hi = (double)pl_delay_bucket_le_us[i];
			return;
		}
		*lo = (double)pl_delay_bucket_le_us[i];
	}
	*hi = *lo;
}

static void test_quantiles(void **state)
{
	(void)state;
	struct pl_delay_hist h = {0};
	assert_true(pl_delay_hist_quantile(&h, 0.5) < 0);
	assert_true(pl_delay_hist_share_le(&h, 2000) < 0);
	enum { N = 20000 };
	static int64_t v[N];
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* mostly 20-400 us, a tail up to 30 ms */
		v[i] = (i % 50 == 0) ? (int64_t)(x % 30000) : 20 + (int64_t)(x % 380);
		pl_delay_hist_add(&h, v[i]);
	}
	qsort(v, N, sizeof v[0], cmp64);
	const double qs[] = {0.5, 0.9, 0.95, 0.99, 0.999};
	for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
		int64_t exact = v[(size_t)(qs[k] * N) - 1];
		double lo, hi, got = pl_delay_hist_quantile(&h, qs[k]);
		bucket_range(exact, &lo, &hi);
		assert_true(got >= lo && got <= hi);
	}
	size_t le2ms = 0;
	while (le2ms < N && v[le2ms] <= 2000)
		le2ms++;
	assert_true(pl_delay_hist_share_le(&h, 2000) == (double)le2ms / N);
	assert_true(pl_delay_hist_share_le(&h, 1999) < 0); /* not a bound */
	/* Everything in +Inf: reported as the last finite bound, not infinity. */
	struct pl_delay_hist inf = {0};
	pl_delay_hist_add(&inf, 5000000);
	assert_true(pl_delay_hist_quantile(&inf, 0.99) ==
	            (double)pl_delay_bucket_le_us[PL_DELAY_BUCKETS - 2]);
}

/* The value on the line that starts with key (a metric name with its labels), or -1. */
static double metric(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

static void test_exposition(void **state)
{
	(void)state;
	struct pl_media_counters c = {0};
	struct pl_ice_stats s = {0};
	pl_delay_hist_add(&s.forward_delay, 40);      /* le 0.000050 */
	pl_delay_hist_add(&s.forward_delay, 2000);    /* le 0.002000 */
	pl_delay_hist_add(&s.forward_delay, 2001);    /* le 0.003000 */
	pl_delay_hist_add(&s.forward_delay, 7000000); /* +Inf */
	pl_media_counters_add_ice(&c, &s);
	pl_media_counters_add_ice(&c, &s); /* two workers */
	size_t need = pl_media_counters_format(&c, NULL, 0);
	char *buf = malloc(need + 1);
	assert_int_equal(pl_media_counters_format(&c, buf, need + 1), need);
	assert_int_equal(strlen(buf), need);
	const struct {
		const char *le;
		double cum;
	} want[] = {{"0.000025", 0}, {"0.000050", 2}, {"0.002000", 4},
	            {"0.003000", 6}, {"1.000000", 6}, {"+Inf", 8}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char key[128];
		snprintf(key, sizeof key, "plenum_media_forward_delay_seconds_bucket{le=\"%s\"}",
		         want[i].le);
		assert_true(metric(buf, key) == want[i].cum);
	}
	assert_true(metric(buf, "plenum_media_forward_delay_seconds_count") == 8);
	/* 2 x (40 + 2000 + 2001 + 7,000,000) us */
	assert_true(metric(buf, "plenum_media_forward_delay_seconds_sum") == 14.008082);
	assert_non_null(strstr(buf, "# TYPE plenum_media_forward_delay_seconds histogram\n"));
	/* Cut short, it still reports the whole length and writes within the buffer. */
	char small[64];
	memset(small, 'x', sizeof small);
	assert_int_equal(pl_media_counters_format(&c, small, 40), need);
	assert_int_equal(small[39], 0);
	assert_int_equal(small[40], 'x');
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_edges),          cmocka_unit_test(test_negative_counts_as_zero),
	    cmocka_unit_test(test_merge_and_diff), cmocka_unit_test(test_quantiles),
	    cmocka_unit_test(test_exposition),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
