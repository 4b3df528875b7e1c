/* Which queued datagrams can leave as one UDP GSO send (Linux UDP_SEGMENT): a run of datagrams to
 * the same destination, all of one size except a shorter last one, is one call through the
 * kernel's output path instead of one per datagram; the kernel (or the NIC) cuts it back into
 * the same datagrams. An SFU sends these runs all the time: the packets of one video frame,
 * cut to equal sizes by the sender, go to every subscriber back to back.
 *
 * Pure planning, no I/O: server/ice.c sends the plan with sendmmsg. */
#ifndef PL_UDP_GSO_H
#define PL_UDP_GSO_H

#include <stddef.h>
#include <stdint.h>

/* At most this many datagrams in one send (the kernel allows 64). */
#define PL_GSO_MAX_SEGMENTS 16
/* Queues longer than this are planned one datagram per message beyond it. */
#define PL_GSO_MAX_QUEUE 256

struct pl_gso_item {
	uint64_t key;     /* equal for equal destinations (a hash of dest), compared first */
	const void *dest; /* the destination address, compared bytewise when the keys match */
	size_t dest_len;
	size_t len; /* the datagram's length */
};

struct pl_gso_msg {
	unsigned first; /* the message's datagrams are order[first] .. order[first + n - 1] */
	unsigned n;
	size_t seg_size; /* the size of all but the last (the first datagram's length) */
};

/* Plans the sends of n datagrams, queued in this order. Writes the order in which they go out
 * (a permutation of 0..n-1) to order[n] and the messages, in send order, to msgs[n]; returns
 * the number of messages. Datagrams to one destination keep their order; a datagram joins the
 * message of an earlier one to the same destination only if no other datagram to that
 * destination lies between them, the message is not full and every datagram in it so far has
 * the size of the first and this one is not larger (nor empty). A message of one datagram is an
 * ordinary send. max_segments is clamped to 1..PL_GSO_MAX_SEGMENTS; 1 plans one message per
 * datagram in queue order. */
unsigned pl_gso_plan(const struct pl_gso_item *items, unsigned n, unsigned max_segments,
                     unsigned *order, struct pl_gso_msg *msgs);

#endif
