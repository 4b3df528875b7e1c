/* Per-consumer rewriting of RTP sequence numbers and timestamps, so a subscriber sees one
 * continuous stream although the source behind it changes (producer restarted or replaced,
 * simulcast layer switched) and across the 16-bit sequence and 32-bit timestamp wrap-around.
 *
 * Mapping is by offsets (out = in + offset, modulo 2^16 and 2^32), set when a source starts, so
 * reordered, late and duplicated packets of the same source map to the same output values as
 * they would have in order. When a new source starts, its first packet gets the sequence number
 * after the highest one sent and a timestamp advanced by the wall time since that packet (in the
 * new clock's units, at least 1), so jitter buffers see neither a gap nor a jump back.
 *
 * Embedded, no allocation: pl_seq_rewrite_init, no cleanup needed. */
#ifndef PL_SEQ_REWRITE_H
#define PL_SEQ_REWRITE_H

#include <stdbool.h>
#include <stdint.h>

/* How far behind the highest packet (in packets) a late one may be and still be mapped: well
 * beyond real reordering and a NACK round trip (the history keeps 512), small enough that a
 * sender that reset its sequence numbers is not taken for a flood of late packets. */
#define PL_SEQ_REWRITE_MAX_LATE 2048

/* Consecutive unmappable packets of the current source after which it is taken as restarted
 * (same SSRC, new sequence space, e.g. a sender that reset its packetizer). */
#define PL_SEQ_REWRITE_RESYNC 16

struct pl_seq_rewrite {
	bool have_src;         /* a source has been seen */
	bool have_out;         /* at least one packet was mapped */
	uint32_t ssrc;         /* current source */
	uint16_t seq_off;      /* out_seq = in_seq + seq_off (mod 2^16) */
	uint32_t ts_off;       /* out_ts = in_ts + ts_off (mod 2^32) */
	uint16_t max_in_seq;   /* highest input seq of the current source */
	uint32_t advanced;     /* seqs from the source's first packet to max_in_seq, saturating */
	uint16_t max_out_seq;  /* highest output seq sent, all sources */
	uint32_t max_out_ts;   /* output ts of that packet */
	int64_t max_out_us;    /* when it was mapped */
	uint16_t next_out_seq; /* first output seq before any packet (from init) */
	uint32_t next_out_ts;  /* first output ts before any packet (from init) */
	unsigned misses;       /* consecutive unmappable packets */
};

/* The first packet ever mapped gets first_out_seq / first_out_ts (pick them at random). */
void pl_seq_rewrite_init(struct pl_seq_rewrite *r, uint16_t first_out_seq, uint32_t first_out_ts);

/* Maps one packet of source src_ssrc with clock_rate (Hz, > 0) received at now_us.
 * - A new src_ssrc (or the first packet) starts a new source: output continues after the highest
 *   output so far. The caller passes only packets of the source it forwards now; a straggler of a
 *   previous source would count as a switch back.
 * - Packets of the current source map by offset; duplicates map identically.
 * - A packet behind the highest one by more than PL_SEQ_REWRITE_MAX_LATE, or by more than the
 *   current source has advanced (it would reuse output numbers of the previous source), is
 *   refused with PL_EINVAL; outputs are untouched. After PL_SEQ_REWRITE_RESYNC such packets in a
 *   row the source is taken as restarted and the next one starts it anew. A jump forward of less
 *   than 2^15 is a loss: the offset stays and the subscriber sees the same gap.
 * Returns 0, PL_EINVAL as above or when clock_rate is 0. */
int pl_seq_rewrite_apply(struct pl_seq_rewrite *r, uint32_t src_ssrc, uint16_t in_seq,
                         uint32_t in_ts, uint32_t clock_rate, int64_t now_us, uint16_t *out_seq,
                         uint32_t *out_ts);

#endif
