/* SRTP key derivation: see srtp_kdf.h. */
#include "media/srtp_kdf.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "media/error.h"

int pl_srtp_kdf(const uint8_t *master_key, const uint8_t *master_salt, size_t salt_len,
                enum pl_srtp_label label, uint8_t *out, size_t out_len)
{
	/* §4.3.1: key_id = label || (index DIV kdr), 56 bits; with kdr 0 the second part is 0.
	 * x = key_id XOR master_salt, both aligned to the right of 112 bits, so the label lands
	 * on octet 7 of the salt. §4.3.3: the PRF is AES-CM keyed with the master key, IV
	 * x * 2^16, run over zeros. A 96-bit salt is the 112-bit one with two zero octets at the
	 * end. */
	uint8_t iv[16] = {0};
	EVP_CIPHER_CTX *c = NULL;
	int n, rc = PL_EIO;

	if (!master_key || !master_salt || (salt_len != 12 && salt_len != 14) || !out ||
	    out_len == 0 || out_len > INT_MAX)
		return PL_EINVAL;
	memcpy(iv, master_salt, salt_len);
	iv[7] ^= (uint8_t)label;
	memset(out, 0, out_len);
	c = EVP_CIPHER_CTX_new();
	if (!c || !EVP_EncryptInit_ex2(c, EVP_aes_128_ctr(), master_key, iv, NULL) ||
	    !EVP_EncryptUpdate(c, out, &n, out, (int)out_len) || (size_t)n != out_len)
		goto fail;
	rc = 0;
fail:
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(iv, sizeof(iv));
	if (rc)
		OPENSSL_cleanse(out, out_len);
	return rc;
}
