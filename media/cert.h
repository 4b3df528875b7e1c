/* The DTLS identity of this server: an ECDSA P-256 key and a self-signed X.509 certificate,
 * generated in memory at start-up and never written to disk (DESIGN: privacy by
 * construction). WebRTC authenticates it by the SHA-256 fingerprint carried in SDP
 * (RFC 8122 §5, RFC 5763 §5), not by a CA, so nothing else in it matters.
 *
 * A pl_cert also owns the OpenSSL SSL_CTX every pl_dtls of this identity uses. It is fully
 * configured inside pl_cert_new and never changed afterwards, so worker threads may create
 * SSL objects from it concurrently. Free it after the last pl_dtls (or earlier: each SSL keeps
 * its own reference to the context). */
#ifndef PL_CERT_H
#define PL_CERT_H

#include <stddef.h>
#include <stdint.h>

#define PL_FINGERPRINT_LEN 32 /* SHA-256 */

struct pl_cert;
struct ssl_ctx_st; /* OpenSSL's SSL_CTX, for media/dtls.c only */

/* NULL on failure with a reason in err. */
struct pl_cert *pl_cert_new(char *err, size_t errlen);
void pl_cert_free(struct pl_cert *c);

/* SDP a=fingerprint value: "sha-256 AB:CD:...", upper-case hex (RFC 8122 §5). Owned by c. */
const char *pl_cert_fingerprint(const struct pl_cert *c);
/* The same 32 bytes, raw. Owned by c. */
const uint8_t *pl_cert_fingerprint_raw(const struct pl_cert *c);

/* For media/dtls.c: the shared, read-only DTLS context of this identity. */
struct ssl_ctx_st *pl_cert_ssl_ctx(const struct pl_cert *c);

/* Parse exactly 32 colon-separated hex pairs ("ab:CD:..."; either case, nothing before or
 * after: strip the "sha-256 " hash name first). 0 or PL_EINVAL. */
int pl_fingerprint_parse(const char *hex_colon, uint8_t out[PL_FINGERPRINT_LEN]);

/* 1 if equal, 0 if not; constant time. */
int pl_fingerprint_equal(const uint8_t a[PL_FINGERPRINT_LEN], const uint8_t b[PL_FINGERPRINT_LEN]);

#endif
