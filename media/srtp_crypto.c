/* SRTP/SRTCP packet transforms on OpenSSL EVP: see srtp_crypto.h. */
#include "media/srtp_crypto.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "media/bytes.h"
#include "media/error.h"
#include "media/srtp_kdf.h"

#define SHA1_BLOCK 64
#define SHA1_LEN   20
#define AUTH_KEY   20 /* RFC 3711 §5.2: n_a = 160 bits */

void pl_srtp_crypto_cleanup(struct pl_srtp_crypto *c)
{
	EVP_CIPHER_CTX_free(c->cipher);
	EVP_MD_CTX_free(c->inner);
	EVP_MD_CTX_free(c->outer);
	EVP_MD_CTX_free(c->work);
	OPENSSL_cleanse(c, sizeof(*c));
}

/* RFC 2104: the SHA-1 states after one block of key XOR ipad (0x36) and key XOR opad (0x5c). */
static int hmac_prepare(struct pl_srtp_crypto *c, const uint8_t *auth_key)
{
	uint8_t pad[SHA1_BLOCK];
	int ok;

	c->inner = EVP_MD_CTX_new();
	c->outer = EVP_MD_CTX_new();
	c->work = EVP_MD_CTX_new();
	if (!c->inner || !c->outer || !c->work)
		return PL_EIO;
	memset(pad, 0x36, sizeof(pad));
	for (size_t i = 0; i < AUTH_KEY; i++)
		pad[i] ^= auth_key[i];
	ok = EVP_DigestInit_ex2(c->inner, EVP_sha1(), NULL) &&
	     EVP_DigestUpdate(c->inner, pad, sizeof(pad));
	memset(pad, 0x5c, sizeof(pad));
	for (size_t i = 0; i < AUTH_KEY; i++)
		pad[i] ^= auth_key[i];
	ok = ok && EVP_DigestInit_ex2(c->outer, EVP_sha1(), NULL) &&
	     EVP_DigestUpdate(c->outer, pad, sizeof(pad));
	OPENSSL_cleanse(pad, sizeof(pad));
	return ok ? 0 : PL_EIO;
}

int pl_srtp_crypto_init(struct pl_srtp_crypto *c, bool gcm, const uint8_t *key, const uint8_t *salt,
                        const uint8_t *auth_key)
{
	memset(c, 0, sizeof(*c));
	c->gcm = gcm;
	c->tag_len = gcm ? PL_SRTP_GCM_TAG_LEN : PL_SRTP_HMAC_TAG_LEN;
	memcpy(c->salt, salt, gcm ? 12 : 14);
	c->cipher = EVP_CIPHER_CTX_new();
	if (!c->cipher ||
	    !EVP_CipherInit_ex2(c->cipher, gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr(), key, NULL,
	                        1, NULL))
		goto fail;
	if (!gcm && (!auth_key || hmac_prepare(c, auth_key) < 0))
		goto fail;
	return 0;
fail:
	pl_srtp_crypto_cleanup(c);
	return PL_EIO;
}

int pl_srtp_crypto_derive(struct pl_srtp_crypto *c, bool gcm, const uint8_t *master_key_salt,
                          size_t len, bool rtcp)
{
	size_t salt_len = gcm ? 12 : 14;
	uint8_t key[16], salt[14], auth[AUTH_KEY];
	int rc = PL_EINVAL;

	memset(c, 0, sizeof(*c));
	if (!master_key_salt || len != 16 + salt_len)
		return PL_EINVAL;
	if (pl_srtp_kdf(master_key_salt, master_key_salt + 16, salt_len,
	                rtcp ? PL_SRTP_LABEL_RTCP_ENC : PL_SRTP_LABEL_RTP_ENC, key, sizeof(key)) ||
	    pl_srtp_kdf(master_key_salt, master_key_salt + 16, salt_len,
	                rtcp ? PL_SRTP_LABEL_RTCP_SALT : PL_SRTP_LABEL_RTP_SALT, salt, salt_len) ||
	    (!gcm && pl_srtp_kdf(master_key_salt, master_key_salt + 16, salt_len,
	                         rtcp ? PL_SRTP_LABEL_RTCP_AUTH : PL_SRTP_LABEL_RTP_AUTH, auth,
	                         sizeof(auth)))) {
		rc = PL_EIO;
		goto out;
	}
	rc = pl_srtp_crypto_init(c, gcm, key, salt, gcm ? NULL : auth);
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(salt, sizeof(salt));
	OPENSSL_cleanse(auth, sizeof(auth));
	return rc;
}

/* RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), 16 octets; the last two
 * count the blocks of the packet. For SRTCP i is the 31-bit SRTCP index. */
static void cm_iv(const struct pl_srtp_crypto *c, uint32_t ssrc, uint64_t index, uint8_t iv[16])
{
	memcpy(iv, c->salt, 14);
	iv[14] = iv[15] = 0;
	for (int k = 0; k < 4; k++)
		iv[4 + k] ^= (uint8_t)(ssrc >> (24 - 8 * k));
	for (int k = 0; k < 6; k++)
		iv[8 + k] ^= (uint8_t)(index >> (40 - 8 * k));
}

/* RFC 7714 §8.1 (SRTP): 00 00 | SSRC | ROC | SEQ, XOR the 12-octet salt; that is SSRC at octet 2
 * and the 48-bit index at octets 6..11. §9.1 (SRTCP): 00 00 | SSRC | 00 00 | 0 | index(31),
 * which is the same layout with the SRTCP index as a 48-bit number. */
static void gcm_iv(const struct pl_srtp_crypto *c, uint32_t ssrc, uint64_t index, uint8_t iv[12])
{
	memcpy(iv, c->salt, 12);
	for (int k = 0; k < 4; k++)
		iv[2 + k] ^= (uint8_t)(ssrc >> (24 - 8 * k));
	for (int k = 0; k < 6; k++)
		iv[6 + k] ^= (uint8_t)(index >> (40 - 8 * k));
}

static int ctr_xor(struct pl_srtp_crypto *c, const uint8_t iv[16], uint8_t *p, size_t n)
{
	int out;

	if (!EVP_CipherInit_ex2(c->cipher, NULL, NULL, iv, 1, NULL))
		return PL_EIO;
	if (n && (!EVP_CipherUpdate(c->cipher, p, &out, p, (int)n) || (size_t)out != n))
		return PL_EIO;
	return 0;
}

/* HMAC-SHA1(auth key, m || m2) into tag[SHA1_LEN]. */
static int hmac(struct pl_srtp_crypto *c, const uint8_t *m, size_t n, const uint8_t *m2, size_t n2,
                uint8_t tag[SHA1_LEN])
{
	unsigned int dl;

	if (!EVP_MD_CTX_copy_ex(c->work, c->inner) || !EVP_DigestUpdate(c->work, m, n) ||
	    !EVP_DigestUpdate(c->work, m2, n2) || !EVP_DigestFinal_ex(c->work, tag, &dl) ||
	    !EVP_MD_CTX_copy_ex(c->work, c->outer) || !EVP_DigestUpdate(c->work, tag, SHA1_LEN) ||
	    !EVP_DigestFinal_ex(c->work, tag, &dl))
		return PL_EIO;
	return 0;
}

/* One GCM operation: AAD aad[0, aad_len) || aad2[0, 4) (aad2 may be NULL), data in place, tag
 * written (encrypt) or checked (decrypt). */
static int gcm_run(struct pl_srtp_crypto *c, const uint8_t iv[12], bool enc, const uint8_t *aad,
                   size_t aad_len, const uint8_t *aad2, uint8_t *data, size_t n, uint8_t *tag)
{
	uint8_t scratch[16];
	int out;

	if (!EVP_CipherInit_ex2(c->cipher, NULL, NULL, iv, enc, NULL) ||
	    !EVP_CipherUpdate(c->cipher, NULL, &out, aad, (int)aad_len) ||
	    (aad2 && !EVP_CipherUpdate(c->cipher, NULL, &out, aad2, 4)))
		return PL_EIO;
	if (n && (!EVP_CipherUpdate(c->cipher, data, &out, data, (int)n) || (size_t)out != n))
		return PL_EIO;
	if (!enc &&
	    !EVP_CIPHER_CTX_ctrl(c->cipher, EVP_CTRL_AEAD_SET_TAG, PL_SRTP_GCM_TAG_LEN, tag))
		return PL_EIO;
	if (EVP_CipherFinal_ex(c->cipher, scratch, &out) <= 0)
		return enc ? PL_EIO : PL_EAUTH; /* decrypt: the tag did not verify */
	if (enc && !EVP_CIPHER_CTX_ctrl(c->cipher, EVP_CTRL_AEAD_GET_TAG, PL_SRTP_GCM_TAG_LEN, tag))
		return PL_EIO;
	return 0;
}

static int rtp(struct pl_srtp_crypto *c, uint8_t *buf, size_t hdr_len, size_t len, uint64_t index,
               bool seal)
{
	/* len: without the tag. RFC 3711 §3.1: the tag covers header and encrypted payload, then
	 * the ROC (§4.2); it is computed after encrypting and checked before decrypting. */
	uint32_t ssrc = pl_read_u32(buf + 8);
	uint8_t iv[16], roc[4], tag[SHA1_LEN];
	int rc;

	if (len > INT_MAX || hdr_len > len)
		return PL_EINVAL;
	if (c->gcm) {
		gcm_iv(c, ssrc, index, iv);
		return gcm_run(c, iv, seal, buf, hdr_len, NULL, buf + hdr_len, len - hdr_len,
		               buf + len);
	}
	cm_iv(c, ssrc, index, iv);
	pl_put_u32(roc, (uint32_t)(index >> 16));
	if (seal) {
		if ((rc = ctr_xor(c, iv, buf + hdr_len, len - hdr_len)) < 0 ||
		    (rc = hmac(c, buf, len, roc, sizeof(roc), tag)) < 0)
			return rc;
		memcpy(buf + len, tag, PL_SRTP_HMAC_TAG_LEN);
		return 0;
	}
	if ((rc = hmac(c, buf, len, roc, sizeof(roc), tag)) < 0)
		return rc;
	if (CRYPTO_memcmp(tag, buf + len, PL_SRTP_HMAC_TAG_LEN) != 0)
		return PL_EAUTH;
	return ctr_xor(c, iv, buf + hdr_len, len - hdr_len);
}

int pl_srtp_crypto_seal_rtp(struct pl_srtp_crypto *c, uint8_t *buf, size_t hdr_len, size_t len,
                            uint64_t index)
{
	if (hdr_len < 12)
		return PL_EINVAL;
	return rtp(c, buf, hdr_len, len, index, true);
}

int pl_srtp_crypto_open_rtp(struct pl_srtp_crypto *c, uint8_t *buf, size_t hdr_len, size_t len,
                            uint64_t index)
{
	if (hdr_len < 12 || len < c->tag_len)
		return PL_EINVAL;
	return rtp(c, buf, hdr_len, len - c->tag_len, index, false);
}

int pl_srtp_crypto_seal_rtcp(struct pl_srtp_crypto *c, uint8_t *buf, size_t len, uint32_t index,
                             bool encrypt, size_t *out_len)
{
	uint32_t ssrc, word = (index & ~PL_SRTCP_E_FLAG) | (encrypt ? PL_SRTCP_E_FLAG : 0);
	uint8_t iv[16], tag[SHA1_LEN], w[4];
	int rc;

	if (len < 8 || len > INT_MAX - 4)
		return PL_EINVAL;
	ssrc = pl_read_u32(buf + 4);
	pl_put_u32(w, word);
	if (c->gcm) {
		/* RFC 7714 §9: encrypted, the AAD is the first 8 octets and the E|index word;
		 * not encrypted, the whole packet and the word. The tag precedes the word. */
		gcm_iv(c, ssrc, index & ~PL_SRTCP_E_FLAG, iv);
		if (encrypt)
			rc = gcm_run(c, iv, true, buf, 8, w, buf + 8, len - 8, buf + len);
		else
			rc = gcm_run(c, iv, true, buf, len, w, NULL, 0, buf + len);
		if (rc < 0)
			return rc;
		memcpy(buf + len + PL_SRTP_GCM_TAG_LEN, w, 4);
	} else {
		/* RFC 3711 §3.4: E|index follows the packet, the tag covers both. */
		cm_iv(c, ssrc, index & ~PL_SRTCP_E_FLAG, iv);
		if (encrypt && (rc = ctr_xor(c, iv, buf + 8, len - 8)) < 0)
			return rc;
		memcpy(buf + len, w, 4);
		if ((rc = hmac(c, buf, len + 4, NULL, 0, tag)) < 0)
			return rc;
		memcpy(buf + len + 4, tag, PL_SRTP_HMAC_TAG_LEN);
	}
	*out_len = len + 4 + c->tag_len;
	return 0;
}

int pl_srtp_crypto_rtcp_word(const struct pl_srtp_crypto *c, const uint8_t *buf, size_t len,
                             uint32_t *word)
{
	if (len < 8 + 4 + c->tag_len)
		return PL_EINVAL;
	*word = pl_read_u32(buf + (c->gcm ? len - 4 : len - 4 - c->tag_len));
	return 0;
}

int pl_srtp_crypto_open_rtcp(struct pl_srtp_crypto *c, uint8_t *buf, size_t len, size_t *out_len)
{
	size_t plain = len - 4 - c->tag_len; /* the RTCP compound without the trailer */
	uint8_t iv[16], tag[SHA1_LEN];
	uint32_t ssrc, word;
	bool enc;
	int rc;

	if (len > INT_MAX || pl_srtp_crypto_rtcp_word(c, buf, len, &word) < 0)
		return PL_EINVAL;
	ssrc = pl_read_u32(buf + 4);
	enc = (word & PL_SRTCP_E_FLAG) != 0;
	if (c->gcm) {
		uint8_t *t = buf + plain, *w = buf + len - 4;

		gcm_iv(c, ssrc, word & ~PL_SRTCP_E_FLAG, iv);
		if (enc)
			rc = gcm_run(c, iv, false, buf, 8, w, buf + 8, plain - 8, t);
		else
			rc = gcm_run(c, iv, false, buf, plain, w, NULL, 0, t);
		if (rc < 0)
			return rc;
	} else {
		if ((rc = hmac(c, buf, plain + 4, NULL, 0, tag)) < 0)
			return rc;
		if (CRYPTO_memcmp(tag, buf + plain + 4, PL_SRTP_HMAC_TAG_LEN) != 0)
			return PL_EAUTH;
		cm_iv(c, ssrc, word & ~PL_SRTCP_E_FLAG, iv);
		if (enc && (rc = ctr_xor(c, iv, buf + 8, plain - 8)) < 0)
			return rc;
	}
	*out_len = plain;
	return 0;
}
