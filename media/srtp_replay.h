/* SRTP packet index estimation and replay list (RFC 3711 §3.3.1, Appendix A, §3.3.2).
 *
 * The 48-bit SRTP packet index is ROC * 2^16 + SEQ. A receiver (and a sender that resends old
 * sequence numbers) guesses the ROC of a packet from the highest index seen so far; the replay
 * list remembers which of the last PL_SRTP_REPLAY_WINDOW indices were accepted. SRTCP uses the
 * same list over its explicit 31-bit index. Pure logic, no allocation. */
#ifndef PL_SRTP_REPLAY_H
#define PL_SRTP_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

/* Replay window in packets (RFC 3711 §3.3.2 asks for at least 64). Video bursts with
 * retransmissions reorder by several hundred packets at high bitrates, so 1024 instead of the
 * 128 that libsrtp uses by default. A multiple of 64. */
#define PL_SRTP_REPLAY_WINDOW 1024

/* Returned by pl_srtp_index_guess when the packet cannot have a valid index: past ROC
 * 2^32 - 1 (the session must have been rekeyed long before). */
#define PL_SRTP_INDEX_INVALID UINT64_MAX

/* Appendix A: the index of sequence number `seq` given `top`, the highest index seen. While the
 * ROC is 0 a sequence number more than 2^15 ahead is taken as a jump ahead in ROC 0, not as
 * ROC -1 (as libsrtp does). */
uint64_t pl_srtp_index_guess(uint64_t top, uint16_t seq);

struct pl_srtp_replay {
	bool started;
	uint64_t top; /* highest index accepted */
	/* bit (i % PL_SRTP_REPLAY_WINDOW) set: index i in (top - window, top] was accepted */
	uint64_t bits[PL_SRTP_REPLAY_WINDOW / 64];
};

/* 0 if `index` may be accepted (new, or inside the window and not seen), else PL_EPROTO
 * (replayed, or older than the window). Changes nothing: call before authenticating. */
int pl_srtp_replay_check(const struct pl_srtp_replay *r, uint64_t index);

/* Record `index` as accepted: only after the packet authenticated. */
void pl_srtp_replay_add(struct pl_srtp_replay *r, uint64_t index);

#endif
