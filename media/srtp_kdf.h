/* SRTP key derivation (RFC 3711 §4.3) with the AES-CM PRF (§4.3.3) and key derivation rate 0,
 * on OpenSSL's AES-128-CTR. AEAD_AES_128_GCM uses the same KDF (RFC 7714 §11) with its 96-bit
 * master salt followed by 16 zero bits (RFC 7714 errata 4938: multiplied by 2^16). */
#ifndef PL_SRTP_KDF_H
#define PL_SRTP_KDF_H

#include <stddef.h>
#include <stdint.h>

/* Key derivation labels, RFC 3711 §4.3.1 and §4.3.2. */
enum pl_srtp_label {
	PL_SRTP_LABEL_RTP_ENC = 0x00,
	PL_SRTP_LABEL_RTP_AUTH = 0x01,
	PL_SRTP_LABEL_RTP_SALT = 0x02,
	PL_SRTP_LABEL_RTCP_ENC = 0x03,
	PL_SRTP_LABEL_RTCP_AUTH = 0x04,
	PL_SRTP_LABEL_RTCP_SALT = 0x05,
};

/* out_len bytes of the session key `label` from a 16-byte master key and a master salt of
 * salt_len (12 or 14) bytes. Returns 0, PL_EINVAL (bad lengths) or PL_EIO (OpenSSL). */
int pl_srtp_kdf(const uint8_t *master_key, const uint8_t *master_salt, size_t salt_len,
                enum pl_srtp_label label, uint8_t *out, size_t out_len);

#endif
