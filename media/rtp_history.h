/* Retransmission history of one producer (for NACK, RFC 4585 §6.2.1): the last plaintext RTP
 * packets by sequence number, in a fixed ring allocated once at creation; storing a packet is a
 * memcpy, never a malloc. Shared by all consumers of the producer. */
#ifndef PL_RTP_HISTORY_H
#define PL_RTP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

/* Limits on the ring: slots are rounded up to a power of two, at most half the sequence space so
 * a stored packet is always unambiguous; a packet is at most 64 KiB. */
#define PL_RTP_HISTORY_MAX_SLOTS  32768
#define PL_RTP_HISTORY_MAX_PACKET 65535

struct pl_rtp_history;

/* slots: packets kept (1..PL_RTP_HISTORY_MAX_SLOTS, rounded up to a power of two); max_packet:
 * bytes per packet (1..PL_RTP_HISTORY_MAX_PACKET). NULL when out of range. slots * max_packet
 * bytes are allocated here, once. */
struct pl_rtp_history *pl_rtp_history_new(size_t slots, size_t max_packet);
void pl_rtp_history_free(struct pl_rtp_history *h);
/* Number of slots after rounding. */
size_t pl_rtp_history_slots(const struct pl_rtp_history *h);

/* Stores a copy of pkt[0..len) under seq (slot seq % slots), replacing the older packet there.
 * PL_ELIMIT (nothing stored) when len is 0 or above max_packet; PL_EEXIST (nothing stored) when
 * the slot holds a newer packet, i.e. pkt arrived late by a full ring or more. */
int pl_rtp_history_put(struct pl_rtp_history *h, const uint8_t *pkt, size_t len, uint16_t seq,
                       int64_t now_us);
/* A view of the packet stored under seq, valid until the next put or expire. PL_ENOTFOUND when
 * it was never stored, was overwritten or expired. received_us (may be NULL) gets its put time. */
int pl_rtp_history_get(const struct pl_rtp_history *h, uint16_t seq, const uint8_t **pkt,
                       size_t *len, int64_t *received_us);
/* Forgets packets stored before now_us - max_age_us (a NACK for them would come too late to
 * help). Returns how many were dropped. */
size_t pl_rtp_history_expire(struct pl_rtp_history *h, int64_t now_us, int64_t max_age_us);
/* Forgets everything (e.g. the producer's source changed). */
void pl_rtp_history_clear(struct pl_rtp_history *h);

#endif
