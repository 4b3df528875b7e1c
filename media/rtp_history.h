/* Retransmission history of one producer (for NACK, RFC 4585 §6.2.1), shared by all its
 * consumers: the plaintext RTP packets of at least the last keep_us, by sequence number.
 *
 * Packets are stored back to back in a byte ring (a 4-byte record header, then the packet), in
 * arrival order, so a 1,100-byte packet costs 1,104 bytes and not a 1,500-byte slot. An index
 * of a power of two entries, slot seq % slots, gives each packet's offset, length and arrival
 * time. A new packet overwrites the oldest records of the ring and takes the index entry of its
 * sequence number; when that would drop a packet younger than keep_us, the ring grows by half
 * (or the index doubles) instead, up to the limits given at creation. So a slow stream keeps a
 * small history and a key frame burst grows it once. Storing a packet is a memcpy; the rare
 * growth is the only allocation after creation. */
#ifndef PL_RTP_HISTORY_H
#define PL_RTP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

/* Index entries: at most half the sequence space, so the newer of two sequence numbers that
 * share an entry is unambiguous. */
#define PL_RTP_HISTORY_MAX_SLOTS  32768
#define PL_RTP_HISTORY_MAX_BYTES  (64u << 20) /* byte ring */
#define PL_RTP_HISTORY_MAX_PACKET 65535
#define PL_RTP_HISTORY_RECORD     4 /* ring bytes per packet besides the packet: seq, length */

struct pl_rtp_history_limits {
	int64_t keep_us;  /* a packet younger than this is kept unless a limit forbids (> 0) */
	size_t min_slots; /* index entries at creation (rounded up to a power of two) */
	size_t max_slots; /* the most the index grows to (rounded up to a power of two) */
	size_t min_bytes; /* byte ring at creation */
	size_t max_bytes; /* the most the ring grows to; a packet must fit it with its record */
};

struct pl_rtp_history;

/* NULL when a limit is out of range (0, min above max, above the maxima above). */
struct pl_rtp_history *pl_rtp_history_new(const struct pl_rtp_history_limits *lim);
void pl_rtp_history_free(struct pl_rtp_history *h);

/* Stores a copy of pkt[0..len) under seq, arrived at now_us (non-decreasing from call to call).
 * A packet already stored under seq (a duplicate, or a restarted source reusing the number) is
 * replaced. Returns 0; PL_ELIMIT (nothing stored) when len is 0, above
 * PL_RTP_HISTORY_MAX_PACKET, or len + PL_RTP_HISTORY_RECORD is above max_bytes; PL_EEXIST
 * (nothing stored) for a late packet whose index entry holds a newer packet younger than keep_us
 * and the index is at max_slots: a late packet never evicts a newer one. */
int pl_rtp_history_put(struct pl_rtp_history *h, const uint8_t *pkt, size_t len, uint16_t seq,
                       int64_t now_us);
/* A view of the packet stored under seq, valid until the next put or clear. PL_ENOTFOUND when
 * it was never stored, was overwritten, or arrived more than keep_us before now_us (a NACK for it
 * comes too late to help). received_us (may be NULL) gets its arrival time. */
int pl_rtp_history_get(const struct pl_rtp_history *h, uint16_t seq, int64_t now_us,
                       const uint8_t **pkt, size_t *len, int64_t *received_us);
/* Forgets every packet (e.g. the producer's source changed); keeps the memory. */
void pl_rtp_history_clear(struct pl_rtp_history *h);

/* Bytes allocated: the ring, the index and the handle. */
size_t pl_rtp_history_bytes(const struct pl_rtp_history *h);
/* Current index entries and ring size. */
size_t pl_rtp_history_slots(const struct pl_rtp_history *h);
size_t pl_rtp_history_ring_bytes(const struct pl_rtp_history *h);

#endif
