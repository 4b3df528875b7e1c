/* UDP GSO planning (media/udp_gso.c): which queued datagrams leave as one send. Fixed cases
 * (interleaved subscribers, a shorter last segment, a larger one that must wait, the segment
 * limit, equal keys for different addresses), then a property check over random queues: the
 * order is a permutation, every destination keeps its order, and every message is one
 * destination with all segments of the first one's size but a shorter last. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/udp_gso.h"

struct queue {
	struct pl_gso_item items[PL_GSO_MAX_QUEUE];
	uint32_t dest[PL_GSO_MAX_QUEUE];
	unsigned order[PL_GSO_MAX_QUEUE];
	struct pl_gso_msg msgs[PL_GSO_MAX_QUEUE];
	unsigned n;
};

/* Appends a datagram of len bytes for destination d; the key is d unless given. */
static void push_keyed(struct queue *q, uint32_t d, size_t len, uint64_t key)
{
	q->dest[q->n] = d;
	q->items[q->n] = (struct pl_gso_item){
	    .key = key, .dest = &q->dest[q->n], .dest_len = sizeof q->dest[0], .len = len};
	q->n++;
}

static void push(struct queue *q, uint32_t d, size_t len)
{
	push_keyed(q, d, len, d);
}

/* The plan as text: "0,2|1,3" (messages separated by |). */
static const char *plan(struct queue *q, unsigned max_segments)
{
	static char out[1024];
	unsigned n = pl_gso_plan(q->items, q->n, max_segments, q->order, q->msgs);
	size_t at = 0;
	out[0] = 0;
	for (unsigned m = 0; m < n; m++)
		for (unsigned k = 0; k < q->msgs[m].n; k++)
			at += (size_t)snprintf(out + at, sizeof out - at, "%s%u",
			                       k ? "," : (m ? "|" : ""),
			                       q->order[q->msgs[m].first + k]);
	return out;
}

static void test_frames_to_subscribers(void **state)
{
	(void)state;
	/* Two packets of one frame, forwarded to three subscribers each: A B C A B C. */
	struct queue q = {0};
	for (int p = 0; p < 2; p++)
		for (uint32_t s = 1; s <= 3; s++)
			push(&q, s, 1081);
	assert_string_equal(plan(&q, PL_GSO_MAX_SEGMENTS), "0,3|1,4|2,5");
	assert_int_equal(q.msgs[0].seg_size, 1081);
	/* max_segments 1 (GSO off): queue order, one datagram each. */
	assert_string_equal(plan(&q, 1), "0|1|2|3|4|5");
	assert_string_equal(plan(&q, 0), "0|1|2|3|4|5");
}

static void test_sizes(void **state)
{
	(void)state;
	struct queue q = {0};
	/* A shorter datagram ends the send; the next one starts a new one. */
	push(&q, 1, 100);
	push(&q, 1, 100);
	push(&q, 1, 60);
	push(&q, 1, 100);
	assert_string_equal(plan(&q, 16), "0,1,2|3");
	/* A larger one cannot join, and nothing after it may overtake it. */
	q.n = 0;
	push(&q, 1, 60);
	push(&q, 1, 100);
	push(&q, 1, 60);
	assert_string_equal(plan(&q, 16), "0|1,2");
	q.n = 0;
	push(&q, 1, 100);
	push(&q, 1, 120);
	push(&q, 1, 100);
	assert_string_equal(plan(&q, 16), "0|1,2");
	/* Empty datagrams are never grouped. */
	q.n = 0;
	push(&q, 1, 0);
	push(&q, 1, 0);
	push(&q, 1, 50);
	push(&q, 1, 0);
	assert_string_equal(plan(&q, 16), "0|1|2|3");
	/* A different destination between two that can join does not stop them. */
	q.n = 0;
	push(&q, 1, 100);
	push(&q, 2, 300);
	push(&q, 1, 100);
	assert_string_equal(plan(&q, 16), "0,2|1");
}

static void test_segment_limit(void **state)
{
	(void)state;
	struct queue q = {0};
	for (int i = 0; i < 20; i++)
		push(&q, 7, 500);
	assert_string_equal(plan(&q, 64), "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15|16,17,18,19");
	assert_string_equal(plan(&q, 3), "0,1,2|3,4,5|6,7,8|9,10,11|12,13,14|15,16,17|18,19");
}

static void test_equal_keys_different_addresses(void **state)
{
	(void)state;
	struct queue q = {0};
	push_keyed(&q, 1, 100, 42);
	push_keyed(&q, 2, 100, 42);
	push_keyed(&q, 1, 100, 42);
	assert_string_equal(plan(&q, 16), "0,2|1");
}

static void test_longer_than_planned(void **state)
{
	(void)state;
	static struct pl_gso_item items[PL_GSO_MAX_QUEUE + 4];
	static unsigned order[PL_GSO_MAX_QUEUE + 4];
	static struct pl_gso_msg msgs[PL_GSO_MAX_QUEUE + 4];
	uint32_t d = 1;
	for (unsigned i = 0; i < PL_GSO_MAX_QUEUE + 4; i++)
		items[i] =
		    (struct pl_gso_item){.key = 1, .dest = &d, .dest_len = sizeof d, .len = 10};
	unsigned n = pl_gso_plan(items, PL_GSO_MAX_QUEUE + 4, 16, order, msgs);
	assert_int_equal(n, PL_GSO_MAX_QUEUE / 16 + 4);
	for (unsigned i = 0; i < PL_GSO_MAX_QUEUE + 4; i++)
		assert_int_equal(order[i], i);
}

static void test_random_queues(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 60, 100, 100, 100, 120, 1081, 1081};
	srand(7);
	for (int round = 0; round < 5000; round++) {
		struct queue q = {0};
		unsigned n = 1 + (unsigned)rand() % 64, dests = 1 + (unsigned)rand() % 4;
		unsigned max = (unsigned)rand() % 20;
		for (unsigned i = 0; i < n; i++)
			push(&q, (uint32_t)rand() % dests, sizes[rand() % 8]);
		unsigned n_msgs = pl_gso_plan(q.items, n, max, q.order, q.msgs);
		unsigned limit = max < 1                     ? 1
		                 : max > PL_GSO_MAX_SEGMENTS ? PL_GSO_MAX_SEGMENTS
		                                             : max;
		bool seen[64] = {false};
		unsigned total = 0;
		int last_of[4] = {-1, -1, -1, -1};
		for (unsigned m = 0; m < n_msgs; m++) {
			const struct pl_gso_msg *g = &q.msgs[m];
			assert_int_equal(g->first, total);
			assert_true(g->n >= 1 && g->n <= limit);
			uint32_t d = q.dest[q.order[g->first]];
			assert_int_equal(g->seg_size, q.items[q.order[g->first]].len);
			for (unsigned k = 0; k < g->n; k++) {
				unsigned i = q.order[g->first + k];
				assert_true(i < n && !seen[i]);
				seen[i] = true;
				assert_int_equal(q.dest[i], d);
				if (g->n > 1) {
					assert_true(q.items[i].len > 0);
					if (k + 1 < g->n)
						assert_int_equal(q.items[i].len, g->seg_size);
					else
						assert_true(q.items[i].len <= g->seg_size);
				}
				assert_true((int)i >
				            last_of[d]); /* a destination keeps its order */
				last_of[d] = (int)i;
			}
			total += g->n;
		}
		assert_int_equal(total, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_frames_to_subscribers),
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_segment_limit),
	    cmocka_unit_test(test_equal_keys_different_addresses),
	    cmocka_unit_test(test_longer_than_planned),
	    cmocka_unit_test(test_random_queues),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
