/* libFuzzer target: hostile datagrams against a DTLS server endpoint (what a browser-facing
 * transport sees before and after the handshake), and the SRTP unprotect path of an established
 * session. Never crashes, never leaks; the state machine must end in a defined state. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/cert.h"
#include "media/dtls.h"
#include "media/srtp_session.h"

static struct pl_cert *cert;

static void sink(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cert) {
		char err[128];
		pl_srtp_global_init();
		cert = pl_cert_new(err, sizeof err);
		if (!cert)
			abort();
	}
	static const struct pl_dtls_ops ops = {.send = sink};
	const int profiles[] = {PL_SRTP_AEAD_AES_128_GCM, PL_SRTP_AES128_CM_SHA1_80, 0};
	uint8_t fp[PL_FINGERPRINT_LEN] = {0};
	struct pl_dtls *d = pl_dtls_new(cert, PL_DTLS_SERVER, fp, profiles, &ops, NULL);
	if (!d)
		abort();
	/* The input is a sequence of datagrams: 2-byte big-endian length, then the bytes. */
	int64_t now = 1000000;
	const uint8_t *p = data, *end = data + size;
	while (end - p >= 2) {
		size_t n = (size_t)(p[0] << 8 | p[1]);
		p += 2;
		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, p, n);
		pl_dtls_receive(d, copy, n, now);
		free(copy);
		p += n;
		now += 100000;
		if (pl_dtls_next_timeout(d) <= now)
			pl_dtls_handle_timeout(d, now);
	}
	pl_dtls_free(d);

	/* SRTP unprotect of arbitrary bytes with a fixed key, both profiles. */
	uint8_t key[PL_SRTP_MAX_KEY_SALT_LEN] = {1, 2, 3};
	for (int i = 0; profiles[i]; i++) {
		size_t kl, sl;
		pl_srtp_profile_lengths(profiles[i], &kl, &sl);
		char err[128];
		struct pl_srtp *s =
		    pl_srtp_new(profiles[i], key, kl + sl, key, kl + sl, 4, err, sizeof err);
		if (!s)
			abort();
		uint8_t *buf = malloc(size ? size : 1);
		memcpy(buf, data, size);
		size_t len = size;
		pl_srtp_unprotect_rtp(s, buf, &len);
		memcpy(buf, data, size);
		len = size;
		pl_srtp_unprotect_rtcp(s, buf, &len);
		free(buf);
		pl_srtp_free(s);
	}
	return 0;
}
