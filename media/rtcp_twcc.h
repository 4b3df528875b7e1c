/* Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1): RTPFB, FMT 15.
 *
 *   base sequence number (16) | packet status count (16)
 *   reference time (24, signed, 64 ms units) | feedback packet count (8)
 *   packet chunks (16 bits each), then one recv delta per received packet, then zero padding.
 *
 * Chunks (§3.1.3, §3.1.4): run length  = 0 | S(2) | run length(13);
 *                          status vector = 1 | 0 | 14 one-bit symbols  (0 lost, 1 small delta)
 *                                        | 1 | 1 | 7 two-bit symbols.
 * Symbols (§3.1.1): 00 not received, 01 received with a small delta (1 byte, unsigned),
 * 10 received with a large or negative delta (2 bytes, signed), 11 reserved.
 * Deltas (§3.1.5) are in 250 us ticks; the first is relative to the reference time, each next
 * one to the previous received packet. */
#ifndef PL_RTCP_TWCC_H
#define PL_RTCP_TWCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	PL_TWCC_NOT_RECEIVED = 0,
	PL_TWCC_SMALL_DELTA = 1,
	PL_TWCC_LARGE_DELTA = 2,
};

#define PL_TWCC_TICK_US     250
#define PL_TWCC_REF_UNIT_US 64000
#define PL_TWCC_FIXED_LEN   20   /* header, two SSRCs, base/count, ref time/fb count */
#define PL_TWCC_MAX_LEN     1500 /* largest packet we build or accept received lists for */
/* Received packets kept by the parser: each costs at least one delta byte. */
#define PL_TWCC_MAX_RECV   1500
#define PL_TWCC_MAX_CHUNKS ((PL_TWCC_MAX_LEN - PL_TWCC_FIXED_LEN) / 2)

struct pl_twcc_recv {
	uint16_t seq;    /* transport-wide sequence number */
	uint8_t status;  /* PL_TWCC_SMALL_DELTA or PL_TWCC_LARGE_DELTA, as on the wire */
	int32_t delta;   /* recv delta in 250 us ticks */
	int64_t recv_us; /* ref_time * 64 ms + sum of deltas so far: the sender's time base */
};

struct pl_rtcp_twcc {
	uint32_t sender_ssrc;
	uint32_t media_ssrc;
	uint16_t base_seq;
	uint16_t status_count; /* packets described, received or not */
	int32_t ref_time;      /* 24-bit signed, in 64 ms units */
	uint8_t fb_count;      /* feedback packet count */
	/* Only received packets are listed, in sequence order; any seq in
	 * [base_seq, base_seq + status_count) not listed was reported lost. */
	size_t n_recv;
	struct pl_twcc_recv recv[PL_TWCC_MAX_RECV];
};

/* Parses one TWCC feedback packet. PL_EINVAL for a reserved symbol, PL_ETRUNC when chunks or
 * deltas run past the packet, PL_ELIMIT beyond PL_TWCC_MAX_RECV received packets. Symbols of the
 * last chunk beyond status_count are ignored. */
int pl_rtcp_twcc_parse(const uint8_t *pkt, size_t len, struct pl_rtcp_twcc *out);

/* Writes fb from its recv list (strictly increasing seq offsets within status_count, deltas
 * fitting int16; otherwise PL_EINVAL). The symbol is chosen from the delta (0..255 small, else
 * large); recv[].status and recv_us are ignored. PL_ESPACE if cap is too small. */
int pl_rtcp_twcc_write(const struct pl_rtcp_twcc *fb, uint8_t *out, size_t cap, size_t *out_len);

/* Incremental builder used by the writer and the feedback generator: add one status per seq in
 * order, each add either fits within max_len (chunks re-packed greedily: run-length for runs,
 * one-bit vectors when there is no large delta, two-bit vectors otherwise) or is refused with
 * PL_ESPACE leaving the builder unchanged. */
struct pl_twcc_builder {
	size_t max_len;
	uint32_t status_count;
	size_t n_chunks;
	uint16_t chunks[PL_TWCC_MAX_CHUNKS];
	size_t n_delta_bytes;
	uint8_t deltas[PL_TWCC_MAX_LEN];
	/* symbols not yet packed into a chunk */
	uint8_t pend[14];
	size_t pend_n; /* can exceed 14 when all pending symbols are equal (a run, max 8191) */
	bool pend_all_same;
	bool pend_has_large;
};

/* max_len: the whole RTCP packet's size bound, clamped to PL_TWCC_MAX_LEN. */
void pl_twcc_builder_init(struct pl_twcc_builder *b, size_t max_len);
/* status: PL_TWCC_NOT_RECEIVED (delta ignored) or received with delta ticks (the symbol follows
 * from the value). PL_EINVAL if the delta does not fit int16, PL_ELIMIT past 65535 statuses,
 * PL_ESPACE if the packet would exceed max_len. */
int pl_twcc_builder_add(struct pl_twcc_builder *b, bool received, int32_t delta);
/* Size of the packet if finished now (padding included). */
size_t pl_twcc_builder_size(const struct pl_twcc_builder *b);
/* Emits the packet; fields other than the chunks and deltas come from the arguments. */
int pl_twcc_builder_finish(struct pl_twcc_builder *b, uint32_t sender_ssrc, uint32_t media_ssrc,
                           uint16_t base_seq, int32_t ref_time, uint8_t fb_count, uint8_t *out,
                           size_t cap, size_t *out_len);

#endif
