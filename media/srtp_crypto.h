/* The SRTP and SRTCP packet transforms of one key set (one direction, one of RTP or RTCP), on
 * OpenSSL's EVP API:
 * - AES_CM_128_HMAC_SHA1_80 (RFC 3711): AES-128 in counter mode (§4.1.1) over the payload,
 *   HMAC-SHA1 truncated to 80 bits (§4.2.1) over header, payload and ROC (§4.2).
 * - AEAD_AES_128_GCM (RFC 7714): AES-128-GCM with a 16-byte tag; IV from salt, SSRC and index
 *   (§8.1, §9.1); the RTP header (or the first 8 RTCP octets and the E|index word) as AAD.
 * The cipher context is keyed once; a packet only sets the IV. HMAC keeps the SHA-1 states after
 * the ipad and opad blocks (RFC 2104) and starts each packet from copies of them. No state
 * between packets: indices, ROC and replay lists are the caller's (srtp_session.c). */
#ifndef PL_SRTP_CRYPTO_H
#define PL_SRTP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#define PL_SRTP_GCM_TAG_LEN  16
#define PL_SRTP_HMAC_TAG_LEN 10
#define PL_SRTCP_E_FLAG      0x80000000u

struct pl_srtp_crypto {
	bool gcm;
	size_t tag_len;         /* 16 (GCM) or 10 (HMAC-SHA1-80) */
	EVP_CIPHER_CTX *cipher; /* AES-128-GCM or AES-128-CTR, keyed */
	EVP_MD_CTX *inner;      /* AES-CM: SHA-1 after (auth key XOR ipad) */
	EVP_MD_CTX *outer;      /* AES-CM: SHA-1 after (auth key XOR opad) */
	EVP_MD_CTX *work;       /* AES-CM: per packet */
	uint8_t salt[14];       /* session salt: 12 bytes (GCM) or 14 */
};

/* From session keys: a 16-byte cipher key, the session salt (12 bytes for GCM, 14 for AES-CM)
 * and, for AES-CM only, the 20-byte authentication key (NULL for GCM). 0 or PL_EIO; on
 * failure c is cleaned up. */
int pl_srtp_crypto_init(struct pl_srtp_crypto *c, bool gcm, const uint8_t *key, const uint8_t *salt,
                        const uint8_t *auth_key);

/* From the DTLS-SRTP master key || master salt (16 + 12 bytes for GCM, 16 + 14 for AES-CM): the
 * session keys of SRTP (rtcp false) or SRTCP (rtcp true) through the KDF (srtp_kdf.h). */
int pl_srtp_crypto_derive(struct pl_srtp_crypto *c, bool gcm, const uint8_t *master_key_salt,
                          size_t len, bool rtcp);

/* Frees the contexts and wipes the salt; c may be zeroed or already cleaned. */
void pl_srtp_crypto_cleanup(struct pl_srtp_crypto *c);

/* SRTP. buf[0, hdr_len) is the RTP header (SSRC at octet 8), authenticated and left in clear;
 * buf[hdr_len, len) the payload. index: the 48-bit packet index (ROC * 2^16 + SEQ).
 * seal: encrypts the payload in place and writes tag_len bytes at buf + len (the caller has the
 * room). open: len includes the tag; checks it (PL_EAUTH) and decrypts the payload. 0, PL_EAUTH
 * or PL_EIO; after a failed open the payload is undefined. */
int pl_srtp_crypto_seal_rtp(struct pl_srtp_crypto *c, uint8_t *buf, size_t hdr_len, size_t len,
                            uint64_t index);
int pl_srtp_crypto_open_rtp(struct pl_srtp_crypto *c, uint8_t *buf, size_t hdr_len, size_t len,
                            uint64_t index);

/* SRTCP (RFC 3711 §3.4; RFC 7714 §9). buf[0, len) is an RTCP compound, len >= 8, sender SSRC
 * at octet 4. seal appends the E flag with the 31-bit index and the tag (AES-CM: E|index, then
 * tag; GCM: tag, then E|index), 4 + tag_len bytes, and encrypts from octet 8 on when `encrypt`.
 * *out_len gets the new length. */
int pl_srtp_crypto_seal_rtcp(struct pl_srtp_crypto *c, uint8_t *buf, size_t len, uint32_t index,
                             bool encrypt, size_t *out_len);

/* The E|index word of an SRTCP packet of len bytes (before open, for the replay check):
 * PL_EINVAL when len < 8 + 4 + tag_len. */
int pl_srtp_crypto_rtcp_word(const struct pl_srtp_crypto *c, const uint8_t *buf, size_t len,
                             uint32_t *word);

/* Checks and, if the E flag says so, decrypts; *out_len gets the RTCP length without the
 * trailer. 0, PL_EINVAL (too short), PL_EAUTH or PL_EIO. */
int pl_srtp_crypto_open_rtcp(struct pl_srtp_crypto *c, uint8_t *buf, size_t len, size_t *out_len);

#endif
