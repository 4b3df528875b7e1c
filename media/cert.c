/* Self-signed DTLS identity and its shared SSL_CTX: see cert.h. */
#include "media/cert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "media/alloc.h"
#include "media/error.h"

#define PL_CERT_VALID_BEFORE_S (24L * 3600)      /* tolerate peers whose clock is a day behind */
#define PL_CERT_VALID_AFTER_S  (30L * 24 * 3600) /* restart at least monthly; nobody checks it */

/* AEAD suites with forward secrecy only. Our certificate is ECDSA, but when we are the DTLS
 * client the browser's certificate decides, and it may be RSA: keep both. */
#define PL_DTLS_CIPHERS                                                                            \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                               \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                               \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

struct pl_cert {
	EVP_PKEY *key;
	X509 *x509;
	SSL_CTX *ctx;
	uint8_t fp[PL_FINGERPRINT_LEN];
	char fp_text[sizeof("sha-256 ") + 3 * PL_FINGERPRINT_LEN]; /* 8 + 95 + NUL */
};

static void set_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[160] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	if (err && errlen)
		snprintf(err, errlen, "%s%s%s", what, e ? ": " : "", buf);
	ERR_clear_error();
}

/* The peer's certificate is self-signed and authenticated only by its SDP fingerprint, which
 * media/dtls.c compares once the handshake is done (RFC 5763 §5, RFC 8827 §6.5). So accept any
 * chain error here (self-signed, expired, not yet valid, unknown CA): checking validity dates
 * would only make calls fail between machines whose clocks disagree. */
static int verify_any(int preverify_ok, X509_STORE_CTX *store)
{
	(void)preverify_ok;
	(void)store;
	return 1;
}

static int make_ctx(struct pl_cert *c, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(DTLS_method());

	if (!ctx) {
		set_err(err, errlen, "SSL_CTX_new");
		return PL_EIO;
	}
	c->ctx = ctx;
	/* DTLS 1.2 only: 1.0 lacks AEAD suites; WebRTC has no DTLS 1.3 yet in Plenum. */
	if (!SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION)) {
		set_err(err, errlen, "DTLS version");
		return PL_EIO;
	}
	if (!SSL_CTX_set_cipher_list(ctx, PL_DTLS_CIPHERS)) {
		set_err(err, errlen, "cipher list");
		return PL_EIO;
	}
	if (!SSL_CTX_set1_groups_list(ctx, "X25519:P-256")) {
		set_err(err, errlen, "groups");
		return PL_EIO;
	}
	if (SSL_CTX_use_certificate(ctx, c->x509) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, c->key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		set_err(err, errlen, "certificate/key");
		return PL_EIO;
	}
	/* Both sides must present a certificate: it is the only proof of the fingerprint. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_any);
	/* No resumption (every PeerConnection is a full handshake; a session cache would be
	 * shared mutable state between workers), no renegotiation (a CPU DoS vector WebRTC never
	 * uses), and the MTU is set by us, not probed from a socket we do not have. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_QUERY_MTU |
	                             SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_read_ahead(ctx, 1);
	return 0;
}

struct pl_cert *pl_cert_new(char *err, size_t errlen)
{
	struct pl_cert *c = pl_xcalloc(1, sizeof(*c));
	X509_NAME *name = NULL;
	BIGNUM *bn = NULL;
	unsigned char serial[16];
	unsigned int mdlen = 0;
	char *t;

	ERR_clear_error();
	c->key = EVP_EC_gen("P-256");
	if (!c->key) {
		set_err(err, errlen, "EC key generation");
		goto fail;
	}
	c->x509 = X509_new();
	if (!c->x509 || !X509_set_version(c->x509, X509_VERSION_3)) {
		set_err(err, errlen, "X509_new");
		goto fail;
	}
	/* Random 127-bit serial (RFC 5280 §4.1.2.2: positive, at most 20 octets). */
	if (RAND_bytes(serial, sizeof(serial)) != 1) {
		set_err(err, errlen, "RAND_bytes");
		goto fail;
	}
	serial[0] &= 0x7f;
	serial[0] |= 0x01; /* never zero */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c->x509))) {
		set_err(err, errlen, "serial");
		goto fail;
	}
	/* The one clock read in media/: X509_gmtime_adj reads the wall clock because validity
	 * dates are absolute UTC times (RFC 5280 §4.1.2.5) that the sans-IO now_us (monotonic)
	 * cannot express. It happens once per process start, and peers do not enforce them. */
	if (!X509_gmtime_adj(X509_getm_notBefore(c->x509), -PL_CERT_VALID_BEFORE_S) ||
	    !X509_gmtime_adj(X509_getm_notAfter(c->x509), PL_CERT_VALID_AFTER_S)) {
		set_err(err, errlen, "validity");
		goto fail;
	}
	name = X509_get_subject_name(c->x509);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"plenum",
	                                -1, -1, 0) ||
	    !X509_set_issuer_name(c->x509, name) || !X509_set_pubkey(c->x509, c->key) ||
	    !X509_sign(c->x509, c->key, EVP_sha256())) {
		set_err(err, errlen, "certificate signing");
		goto fail;
	}
	if (!X509_digest(c->x509, EVP_sha256(), c->fp, &mdlen) || mdlen != PL_FINGERPRINT_LEN) {
		set_err(err, errlen, "fingerprint");
		goto fail;
	}
	t = c->fp_text;
	memcpy(t, "sha-256 ", 8);
	t += 8;
	for (size_t i = 0; i < PL_FINGERPRINT_LEN; i++) {
		static const char hex[] = "0123456789ABCDEF";
		*t++ = hex[c->fp[i] >> 4];
		*t++ = hex[c->fp[i] & 15];
		*t++ = i + 1 < PL_FINGERPRINT_LEN ? ':' : '\0';
	}
	if (make_ctx(c, err, errlen) < 0)
		goto fail;
	BN_free(bn);
	return c;
fail:
	BN_free(bn);
	pl_cert_free(c);
	return NULL;
}

void pl_cert_free(struct pl_cert *c)
{
	if (!c)
		return;
	SSL_CTX_free(c->ctx);
	X509_free(c->x509);
	EVP_PKEY_free(c->key);
	free(c);
}

const char *pl_cert_fingerprint(const struct pl_cert *c)
{
	return c->fp_text;
}

const uint8_t *pl_cert_fingerprint_raw(const struct pl_cert *c)
{
	return c->fp;
}

struct ssl_ctx_st *pl_cert_ssl_ctx(const struct pl_cert *c)
{
	return c->ctx;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int pl_fingerprint_parse(const char *hex_colon, uint8_t out[PL_FINGERPRINT_LEN])
{
	const char *p = hex_colon;

	if (!p)
		return PL_EINVAL;
	/* RFC 8122 §5: fingerprint = 2UHEX *(":" 2UHEX); SHA-256 gives 32 pairs. Browsers send
	 * upper case; accept lower case too. */
	for (size_t i = 0; i < PL_FINGERPRINT_LEN; i++) {
		int hi, lo;

		if (p[0] == '\0' || p[1] == '\0')
			return PL_EINVAL;
		hi = hexval(p[0]);
		lo = hexval(p[1]);
		if (hi < 0 || lo < 0)
			return PL_EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (i + 1 < PL_FINGERPRINT_LEN) {
			if (*p != ':')
				return PL_EINVAL;
			p++;
		}
	}
	return *p == '\0' ? 0 : PL_EINVAL;
}

int pl_fingerprint_equal(const uint8_t a[PL_FINGERPRINT_LEN], const uint8_t b[PL_FINGERPRINT_LEN])
{
	return CRYPTO_memcmp(a, b, PL_FINGERPRINT_LEN) == 0;
}
