/* SRTP/SRTCP protection for one transport (one PeerConnection): Plenum's own implementation of
 * RFC 3711 and RFC 7714 on OpenSSL EVP (srtp_crypto.h, srtp_kdf.h, srtp_replay.h), checked
 * against libsrtp2 in tests/unit/test_srtp_libsrtp.c.
 *
 * A pl_srtp holds the session keys of both directions, derived from the DTLS-SRTP exporter
 * (RFC 5764 §4.2), and a small table of per-SSRC state for each: outbound (every SSRC we send:
 * highest index sent, SRTCP index; the 256 most recently used are kept) and inbound (every SSRC
 * the peer sends: ROC and replay list for RTP and for RTCP). An inbound SSRC gets its entry only
 * after a packet for it authenticated, so forged packets cost no memory; an authentic packet for
 * a new SSRC beyond `max_ssrcs` is rejected, so a peer cannot grow the table without bound.
 *
 * Threading: a pl_srtp belongs to one worker thread. Nothing is process-global;
 * pl_srtp_global_init() is kept for callers and does nothing. */
#ifndef PL_SRTP_SESSION_H
#define PL_SRTP_SESSION_H

#include <stddef.h>
#include <stdint.h>

/* DTLS-SRTP protection profile ids (IANA registry; RFC 5764 §4.1.2, RFC 7714 §14.2). */
#define PL_SRTP_AES128_CM_SHA1_80 0x0001
#define PL_SRTP_AEAD_AES_128_GCM  0x0007

/* Longest master key + master salt of any supported profile, in bytes (AES-CM: 16 + 14). */
#define PL_SRTP_MAX_KEY_SALT_LEN 30

/* Room that protect needs after the packet, in bytes: RTP adds the auth tag (10 for
 * AES-CM/HMAC-SHA1-80, 16 for GCM); RTCP also adds the 4-byte E flag + SRTCP index
 * (RFC 3711 §3.4). */
#define PL_SRTP_RTP_OVERHEAD  16
#define PL_SRTP_RTCP_OVERHEAD 20

/* Upper bound for max_ssrcs (simulcast 3 layers + RTX + audio + FEC fits easily). */
#define PL_SRTP_MAX_SSRCS_LIMIT 256

struct pl_srtp;

struct pl_srtp_stats {
	uint64_t protected_pkts;   /* RTP + RTCP packets protected */
	uint64_t unprotected_pkts; /* RTP + RTCP packets that authenticated and were accepted */
	uint64_t auth_fail;        /* dropped: authentication tag did not verify */
	uint64_t replay;           /* dropped: replayed or too old for the replay window */
	uint64_t ssrc_cap_hits;    /* dropped: authentic, but a new SSRC beyond max_ssrcs */
};

/* Once per process, before any pl_srtp_new (kept for callers: today it has nothing to do and
 * returns 0). pl_srtp_global_shutdown() is optional, at exit, after every pl_srtp has been
 * freed. */
int pl_srtp_global_init(void);
void pl_srtp_global_shutdown(void);

/* Static name of a profile id ("SRTP_AEAD_AES_128_GCM"), or "unknown". These are also the
 * names OpenSSL's use_srtp configuration expects. */
const char *pl_srtp_profile_name(int profile);

/* Master key and master salt length in bytes of a profile; PL_EUNSUPPORTED if unknown. */
int pl_srtp_profile_lengths(int profile, size_t *key_len, size_t *salt_len);

/* Keys are master key || master salt, exactly key_len + salt_len bytes of `profile`; they are
 * copied (the caller may wipe its copy). max_ssrcs: 1..PL_SRTP_MAX_SSRCS_LIMIT distinct
 * inbound SSRCs (RTP and RTCP sender SSRCs share the budget). On failure returns NULL and a
 * reason in err. */
struct pl_srtp *pl_srtp_new(int profile, const uint8_t *local_key_salt, size_t llen,
                            const uint8_t *remote_key_salt, size_t rlen, unsigned max_ssrcs,
                            char *err, size_t errlen);
void pl_srtp_free(struct pl_srtp *s);

/* In place. *len is the packet length in and out; cap is the size of buf and must be at
 * least *len + PL_SRTP_RTP_OVERHEAD (RTCP: PL_SRTP_RTCP_OVERHEAD), else PL_ESPACE.
 * Repeating a sequence number outbound is allowed (retransmissions): it is sent with the ROC
 * it had. PL_EINVAL for a packet that is not RTP/RTCP version 2 or whose RTP header (CSRCs,
 * extension) is longer than the packet. */
int pl_srtp_protect_rtp(struct pl_srtp *s, uint8_t *buf, size_t *len, size_t cap);
int pl_srtp_protect_rtcp(struct pl_srtp *s, uint8_t *buf, size_t *len, size_t cap);

/* In place; on success *len shrinks to the plain packet. Errors: PL_EINVAL (not RTP/RTCP or
 * too short), PL_EAUTH (tag did not verify), PL_EPROTO (replay, or older than the 1024-packet
 * window), PL_ELIMIT (authentic packet of a new SSRC beyond max_ssrcs). After an error the
 * packet is to be dropped: its payload may have been decrypted in place or left garbled. SRTCP
 * packets with the E flag clear (authenticated, not encrypted: RFC 3711 §3.4) are accepted. */
int pl_srtp_unprotect_rtp(struct pl_srtp *s, uint8_t *buf, size_t *len);
int pl_srtp_unprotect_rtcp(struct pl_srtp *s, uint8_t *buf, size_t *len);

/* Number of distinct inbound SSRCs accepted so far. */
unsigned pl_srtp_inbound_ssrc_count(const struct pl_srtp *s);

const struct pl_srtp_stats *pl_srtp_stats(const struct pl_srtp *s);

#endif
