/* UDP GSO planning: see udp_gso.h. */
#include "media/udp_gso.h"

#include <stdbool.h>
#include <string.h>

static bool same_dest(const struct pl_gso_item *a, const struct pl_gso_item *b)
{
	return a->key == b->key && a->dest_len == b->dest_len &&
	       memcmp(a->dest, b->dest, a->dest_len) == 0;
}

unsigned pl_gso_plan(const struct pl_gso_item *items, unsigned n, unsigned max_segments,
                     unsigned *order, struct pl_gso_msg *msgs)
{
	if (max_segments < 1)
		max_segments = 1;
	if (max_segments > PL_GSO_MAX_SEGMENTS)
		max_segments = PL_GSO_MAX_SEGMENTS;
	bool taken[PL_GSO_MAX_QUEUE] = {false};
	unsigned planned = n < PL_GSO_MAX_QUEUE ? n : PL_GSO_MAX_QUEUE;
	unsigned n_order = 0, n_msgs = 0;
	for (unsigned i = 0; i < n; i++) {
		if (i < planned && taken[i])
			continue;
		struct pl_gso_msg *m = &msgs[n_msgs++];
		m->first = n_order;
		m->n = 1;
		m->seg_size = items[i].len;
		order[n_order++] = i;
		if (i >= planned || m->seg_size == 0)
			continue;
		/* Extend while the message can still take a datagram: it is not full and its last
		 * datagram has the full segment size (a shorter one ends a GSO send). */
		for (unsigned j = i + 1; j < planned && m->n < max_segments; j++) {
			if (taken[j] || !same_dest(&items[i], &items[j]))
				continue;
			/* The next one to this destination cannot join: stop, so that nothing
			 * after it to the same place overtakes it. */
			if (items[j].len > m->seg_size || items[j].len == 0)
				break;
			taken[j] = true;
			order[n_order++] = j;
			m->n++;
			if (items[j].len < m->seg_size)
				break;
		}
	}
	return n_msgs;
}
