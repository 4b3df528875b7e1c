/* Histograms, sample lists and /proc readers for plenum-load. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "media/alloc.h"
#include "tests/load/load.h"

int64_t pl_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void pl_hist_add(struct pl_hist *h, int64_t v)
{
	if (v < 0)
		v = 0; /* cannot happen on one clock; keep it counted */
	size_t i;
	if (v < PL_HIST_FINE)
		i = (size_t)v;
	else if (v < PL_HIST_FINE + (int64_t)PL_HIST_COARSE * 100)
		i = PL_HIST_FINE + (size_t)((v - PL_HIST_FINE) / 100);
	else
		i = PL_HIST_BUCKETS - 1;
	h->b[i]++;
	h->n++;
	h->sum += (double)v;
	if (v > h->max)
		h->max = v;
}

int64_t pl_hist_quantile(const struct pl_hist *h, double q)
{
	if (!h->n)
		return 0;
	uint64_t want = (uint64_t)ceil(q * (double)h->n);
	if (want == 0)
		want = 1;
	uint64_t acc = 0;
	for (size_t i = 0; i < PL_HIST_BUCKETS; i++) {
		acc += h->b[i];
		if (acc >= want) {
			if (i < PL_HIST_FINE)
				return (int64_t)i;
			if (i < PL_HIST_BUCKETS - 1)
				return PL_HIST_FINE + (int64_t)(i - PL_HIST_FINE) * 100;
			return h->max;
		}
	}
	return h->max;
}

void pl_samples_add(struct pl_samples *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = pl_xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double pl_samples_quantile(struct pl_samples *s, double q)
{
	if (!s->n)
		return NAN;
	qsort(s->v, s->n, sizeof *s->v, cmp_double);
	size_t i = (size_t)ceil(q * (double)s->n);
	if (i > 0)
		i--;
	if (i >= s->n)
		i = s->n - 1;
	return s->v[i];
}

void pl_samples_free(struct pl_samples *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

int64_t pl_proc_cpu_us(int pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	/* The command name may hold spaces: fields count from after the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	unsigned long long ut = 0, st = 0;
	/* after ')': state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
	 * utime(14) stime(15) */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	long hz = sysconf(_SC_CLK_TCK);
	return (int64_t)((ut + st) * 1000000ULL / (unsigned long long)(hz > 0 ? hz : 100));
}

int64_t pl_proc_rss_kib(int pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int64_t kib = -1;
	while (fgets(line, sizeof line, f)) {
		long long v;
		if (sscanf(line, "VmRSS: %lld kB", &v) == 1) {
			kib = v;
			break;
		}
	}
	fclose(f);
	return kib;
}
