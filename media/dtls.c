/* Sans-IO DTLS-SRTP endpoint over OpenSSL memory BIOs: see dtls.h. */
#include "media/dtls.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "media/alloc.h"
#include "media/bytes.h"
#include "media/error.h"
#include "media/srtp_session.h"

#define PL_DTLS_MAX_PROFILES 4
/* DTLS record header: type(1) version(2) epoch(2) sequence_number(6) length(2), RFC 6347 §4.1 */
#define PL_DTLS_RECORD_HEADER 13
/* SSL_read calls per datagram: a datagram of PL_DTLS_MAX_DATAGRAM bytes holds at most this many
 * 2 KiB reads of application data; bounds the work one datagram can cause. */
#define PL_DTLS_MAX_READS 32
/* RFC 5764 §4.2 exporter label */
#define PL_DTLS_SRTP_LABEL "EXTRACTOR-dtls_srtp"

struct pl_dtls {
	SSL *ssl;
	BIO *rbio; /* owned by ssl; incoming datagram, one at a time */
	BIO *wbio; /* owned by ssl; records OpenSSL wants sent, packed into datagrams by flush() */
	enum pl_dtls_role role;
	enum pl_dtls_state state;
	int started;
	int64_t last_now_us;
	int64_t hs_timeout_us;
	int64_t deadline_us; /* handshake deadline, absolute */
	uint8_t remote_fp[PL_FINGERPRINT_LEN];
	int profiles[PL_DTLS_MAX_PROFILES];
	unsigned n_profiles;
	struct pl_dtls_ops ops;
	void *ctx;
	int profile; /* negotiated, after CONNECTED */
	size_t key_salt_len;
	uint8_t local_key_salt[PL_SRTP_MAX_KEY_SALT_LEN];
	uint8_t remote_key_salt[PL_SRTP_MAX_KEY_SALT_LEN];
	char err[200];
};

const char *pl_dtls_state_name(enum pl_dtls_state s)
{
	switch (s) {
	case PL_DTLS_HANDSHAKING:
		return "handshaking";
	case PL_DTLS_CONNECTED:
		return "connected";
	case PL_DTLS_FAILED:
		return "failed";
	case PL_DTLS_CLOSED:
		return "closed";
	}
	return "unknown";
}

struct pl_dtls *pl_dtls_new(const struct pl_cert *cert, enum pl_dtls_role role,
                            const uint8_t remote_fp_sha256[32], const int *srtp_profiles,
                            const struct pl_dtls_ops *ops, void *ctx)
{
	struct pl_dtls *d;
	char names[128] = "";
	size_t used = 0;

	if (!cert || !remote_fp_sha256 || !srtp_profiles || !ops || !ops->send ||
	    (role != PL_DTLS_CLIENT && role != PL_DTLS_SERVER))
		return NULL;
	d = pl_xcalloc(1, sizeof(*d));
	for (const int *p = srtp_profiles; *p; p++) {
		size_t k, s;
		int n;

		if (d->n_profiles == PL_DTLS_MAX_PROFILES ||
		    pl_srtp_profile_lengths(*p, &k, &s) < 0)
			goto fail;
		for (unsigned i = 0; i < d->n_profiles; i++)
			if (d->profiles[i] == *p)
				goto fail;
		d->profiles[d->n_profiles++] = *p;
		/* OpenSSL's syntax: "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80" */
		n = snprintf(names + used, sizeof(names) - used, "%s%s", used ? ":" : "",
		             pl_srtp_profile_name(*p));
		if (n < 0 || (size_t)n >= sizeof(names) - used)
			goto fail;
		used += (size_t)n;
	}
	if (d->n_profiles == 0)
		goto fail;
	d->role = role;
	d->state = PL_DTLS_HANDSHAKING;
	d->hs_timeout_us = PL_DTLS_HANDSHAKE_TIMEOUT_US;
	d->deadline_us = INT64_MAX;
	memcpy(d->remote_fp, remote_fp_sha256, PL_FINGERPRINT_LEN);
	d->ops = *ops;
	d->ctx = ctx;

	ERR_clear_error();
	d->ssl = SSL_new(pl_cert_ssl_ctx(cert));
	if (!d->ssl)
		goto fail;
	d->rbio = BIO_new(BIO_s_mem());
	d->wbio = BIO_new(BIO_s_mem());
	if (!d->rbio || !d->wbio) {
		BIO_free(d->rbio);
		BIO_free(d->wbio);
		d->rbio = d->wbio = NULL;
		goto fail;
	}
	/* An empty read BIO means "no datagram yet", not end of stream. */
	BIO_set_mem_eof_return(d->rbio, -1);
	SSL_set_bio(d->ssl, d->rbio, d->wbio);
	/* Note the inverted convention: 0 is success. Set per SSL because the profile list is
	 * per PeerConnection while the SSL_CTX is shared and read-only. */
	if (SSL_set_tlsext_use_srtp(d->ssl, names) != 0)
		goto fail;
	/* There is no socket to query: records must fit PL_DTLS_MTU (our memory BIO adds no
	 * overhead, so the link MTU is the datagram size). */
	SSL_set_options(d->ssl, SSL_OP_NO_QUERY_MTU);
	if (DTLS_set_link_mtu(d->ssl, PL_DTLS_MTU) != 1)
		goto fail;
	if (role == PL_DTLS_CLIENT)
		SSL_set_connect_state(d->ssl);
	else
		SSL_set_accept_state(d->ssl);
	return d;
fail:
	ERR_clear_error();
	pl_dtls_free(d);
	return NULL;
}

void pl_dtls_free(struct pl_dtls *d)
{
	if (!d)
		return;
	SSL_free(d->ssl); /* frees both BIOs */
	OPENSSL_cleanse(d->local_key_salt, sizeof(d->local_key_salt));
	OPENSSL_cleanse(d->remote_key_salt, sizeof(d->remote_key_salt));
	free(d);
}

int pl_dtls_set_handshake_timeout(struct pl_dtls *d, int64_t timeout_us)
{
	if (!d || timeout_us <= 0)
		return PL_EINVAL;
	if (d->started)
		return PL_ESTATE;
	d->hs_timeout_us = timeout_us;
	return 0;
}

/* Sends what OpenSSL wrote, packing whole records into datagrams of at most PL_DTLS_MTU
 * bytes (several records per datagram is allowed, RFC 6347 §4.1.1). OpenSSL already fragments
 * handshake messages so each record fits the MTU; the lengths come from our own OpenSSL, but
 * are bounds-checked anyway. */
static void flush(struct pl_dtls *d)
{
	char *data = NULL;
	long n = BIO_get_mem_data(d->wbio, &data);
	size_t total = n > 0 ? (size_t)n : 0, off = 0;

	while (off < total) {
		size_t start = off, dg = 0;

		while (off < total) {
			size_t rec = total - off;

			if (rec >= PL_DTLS_RECORD_HEADER) {
				size_t body = pl_read_u16((const uint8_t *)data + off + 11);

				if (body <= rec - PL_DTLS_RECORD_HEADER)
					rec = PL_DTLS_RECORD_HEADER + body;
			}
			if (dg > 0 && dg + rec > PL_DTLS_MTU)
				break;
			dg += rec;
			off += rec;
		}
		d->ops.send(d->ctx, (const uint8_t *)data + start, dg);
	}
	(void)BIO_reset(d->wbio);
}

static void discard_output(struct pl_dtls *d)
{
	(void)BIO_reset(d->wbio);
}

static int fail(struct pl_dtls *d, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct pl_dtls *d, int code, const char *fmt, ...)
{
	unsigned long e = ERR_peek_last_error();
	char ossl[120] = "";
	char what[120];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (e)
		ERR_error_string_n(e, ossl, sizeof(ossl));
	if (snprintf(d->err, sizeof(d->err), "%s%s%s", what, e ? ": " : "", ossl) >=
	    (int)sizeof(d->err)) {
		/* A truncated reason is still a reason: logs are bounded on purpose. */
	}
	ERR_clear_error();
	d->state = PL_DTLS_FAILED;
	OPENSSL_cleanse(d->local_key_salt, sizeof(d->local_key_salt));
	OPENSSL_cleanse(d->remote_key_salt, sizeof(d->remote_key_salt));
	d->key_salt_len = 0;
	return code;
}

/* The handshake finished on our side: authenticate the peer by its SDP fingerprint (RFC 5763
 * §5), and only then export keys. */
static int handshake_done(struct pl_dtls *d)
{
	X509 *peer = SSL_get1_peer_certificate(d->ssl);
	uint8_t fp[PL_FINGERPRINT_LEN], km[2 * PL_SRTP_MAX_KEY_SALT_LEN];
	unsigned int fplen = 0;
	const SRTP_PROTECTION_PROFILE *sp;
	size_t klen, slen;
	const uint8_t *ck, *sk, *cs, *ss;
	int ok, known = 0;

	if (!peer)
		return fail(d, PL_EAUTH, "peer sent no certificate");
	ok = X509_digest(peer, EVP_sha256(), fp, &fplen) == 1 && fplen == PL_FINGERPRINT_LEN;
	X509_free(peer);
	if (!ok)
		return fail(d, PL_EIO, "cannot hash peer certificate");
	if (!pl_fingerprint_equal(fp, d->remote_fp)) {
		/* Whatever OpenSSL still has queued (a server's ChangeCipherSpec + Finished) would
		 * complete the handshake for an unauthenticated peer: drop it. The close_notify
		 * tells a peer that did complete (we are the client) to stop at once. */
		discard_output(d);
		SSL_shutdown(d->ssl);
		return fail(d, PL_EAUTH, "peer certificate does not match the SDP fingerprint");
	}
	sp = SSL_get_selected_srtp_profile(d->ssl);
	if (!sp)
		return fail(d, PL_EPROTO, "peer did not negotiate use_srtp (RFC 5764 4.1.1)");
	for (unsigned i = 0; i < d->n_profiles; i++)
		if ((unsigned long)d->profiles[i] == sp->id)
			known = 1;
	if (!known || pl_srtp_profile_lengths((int)sp->id, &klen, &slen) < 0)
		return fail(d, PL_EPROTO, "peer chose SRTP profile 0x%04lx we did not offer",
		            sp->id);
	if (SSL_export_keying_material(d->ssl, km, 2 * (klen + slen), PL_DTLS_SRTP_LABEL,
	                               strlen(PL_DTLS_SRTP_LABEL), NULL, 0, 0) != 1)
		return fail(d, PL_EIO, "SRTP key export failed");
	/* RFC 5764 §4.2: client_write_SRTP_master_key | server_write_SRTP_master_key |
	 * client_write_SRTP_master_salt | server_write_SRTP_master_salt */
	ck = km;
	sk = km + klen;
	cs = km + 2 * klen;
	ss = km + 2 * klen + slen;
	if (d->role == PL_DTLS_CLIENT) {
		memcpy(d->local_key_salt, ck, klen);
		memcpy(d->local_key_salt + klen, cs, slen);
		memcpy(d->remote_key_salt, sk, klen);
		memcpy(d->remote_key_salt + klen, ss, slen);
	} else {
		memcpy(d->local_key_salt, sk, klen);
		memcpy(d->local_key_salt + klen, ss, slen);
		memcpy(d->remote_key_salt, ck, klen);
		memcpy(d->remote_key_salt + klen, cs, slen);
	}
	OPENSSL_cleanse(km, sizeof(km));
	d->key_salt_len = klen + slen;
	d->profile = (int)sp->id;
	d->state = PL_DTLS_CONNECTED;
	return 0;
}

static int do_handshake(struct pl_dtls *d)
{
	int r, e;

	/* OpenSSL's error queue is per thread and shared by every pl_dtls of this worker. */
	ERR_clear_error();
	r = SSL_do_handshake(d->ssl);
	if (r == 1)
		return handshake_done(d);
	e = SSL_get_error(d->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	if (e == SSL_ERROR_ZERO_RETURN)
		return fail(d, PL_EPROTO, "peer closed during the handshake");
	return fail(d, PL_EPROTO, "DTLS handshake failed");
}

/* Connected: let OpenSSL process the datagram (alerts, retransmitted handshake flights that
 * need our last flight again) and throw application data away. */
static int read_records(struct pl_dtls *d)
{
	uint8_t sink[2048];

	for (int i = 0; i < PL_DTLS_MAX_READS; i++) {
		int r, e;

		ERR_clear_error();
		r = SSL_read(d->ssl, sink, sizeof(sink));
		if (r > 0)
			continue; /* data channels are not supported: discard */
		e = SSL_get_error(d->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			break;
		if (e == SSL_ERROR_ZERO_RETURN) {
			/* close_notify: answer with ours (RFC 5246 §7.2.1) and stop. */
			SSL_shutdown(d->ssl);
			d->state = PL_DTLS_CLOSED;
			snprintf(d->err, sizeof(d->err), "peer sent close_notify");
			return 0;
		}
		return fail(d, PL_EPROTO, "DTLS record error");
	}
	OPENSSL_cleanse(sink, sizeof(sink));
	return 0;
}

int pl_dtls_start(struct pl_dtls *d, int64_t now_us)
{
	int rc = 0;

	if (!d)
		return PL_EINVAL;
	if (d->started || d->state != PL_DTLS_HANDSHAKING)
		return PL_ESTATE;
	d->started = 1;
	d->last_now_us = now_us;
	d->deadline_us =
	    now_us > INT64_MAX - d->hs_timeout_us ? INT64_MAX : now_us + d->hs_timeout_us;
	if (d->role == PL_DTLS_CLIENT)
		rc = do_handshake(d);
	flush(d);
	return rc;
}

int pl_dtls_receive(struct pl_dtls *d, const uint8_t *buf, size_t len, int64_t now_us)
{
	int rc;

	if (!d || !buf)
		return PL_EINVAL;
	if (d->state == PL_DTLS_FAILED || d->state == PL_DTLS_CLOSED)
		return PL_ESTATE;
	/* RFC 7983 §7: DTLS datagrams start with a content type in 20..63; the shortest
	 * meaningful one is a record header. */
	if (len < PL_DTLS_RECORD_HEADER || buf[0] < 20 || buf[0] > 63)
		return PL_EINVAL;
	if (len > PL_DTLS_MAX_DATAGRAM)
		return PL_ELIMIT;
	if (!d->started) {
		if (d->role == PL_DTLS_CLIENT)
			return PL_ESTATE;
		rc = pl_dtls_start(d, now_us);
		if (rc < 0)
			return rc;
	}
	d->last_now_us = now_us;
	if (d->state == PL_DTLS_HANDSHAKING && now_us >= d->deadline_us)
		return fail(d, PL_EPROTO, "DTLS handshake timed out");
	if (BIO_write(d->rbio, buf, (int)len) != (int)len)
		return fail(d, PL_EIO, "BIO_write");
	if (d->state == PL_DTLS_HANDSHAKING) {
		rc = do_handshake(d);
		/* The datagram may carry application data right behind the Finished. */
		if (rc == 0 && d->state == PL_DTLS_CONNECTED)
			rc = read_records(d);
	} else {
		rc = read_records(d);
	}
	/* Whatever OpenSSL did not consume stays out of the next datagram. */
	(void)BIO_reset(d->rbio);
	flush(d);
	return rc;
}

int64_t pl_dtls_next_timeout(const struct pl_dtls *d)
{
	struct timeval tv;
	int64_t t = INT64_MAX;

	if (!d || !d->started || d->state == PL_DTLS_FAILED || d->state == PL_DTLS_CLOSED)
		return INT64_MAX;
	/* Remaining time of OpenSSL's wall-clock timer, anchored at the last now_us we were given
	 * (see the caveat in dtls.h). */
	if (DTLSv1_get_timeout(d->ssl, &tv) == 1 && tv.tv_sec >= 0 && tv.tv_usec >= 0)
		t = d->last_now_us + (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	if (d->state == PL_DTLS_HANDSHAKING && d->deadline_us < t)
		t = d->deadline_us;
	return t;
}

int pl_dtls_handle_timeout(struct pl_dtls *d, int64_t now_us)
{
	int r;

	if (!d)
		return PL_EINVAL;
	if (d->state == PL_DTLS_FAILED || d->state == PL_DTLS_CLOSED)
		return PL_ESTATE;
	if (!d->started)
		return 0;
	d->last_now_us = now_us;
	if (d->state == PL_DTLS_HANDSHAKING && now_us >= d->deadline_us)
		return fail(d, PL_EPROTO, "DTLS handshake timed out");
	ERR_clear_error();
	/* 1: retransmitted, 0: OpenSSL's timer not expired yet, <0: gave up (too many). */
	r = DTLSv1_handle_timeout(d->ssl);
	flush(d);
	if (r < 0)
		return fail(d, PL_EPROTO, "DTLS retransmission limit reached");
	return 0;
}

int pl_dtls_close(struct pl_dtls *d)
{
	if (!d)
		return PL_EINVAL;
	if (d->state == PL_DTLS_CONNECTED) {
		ERR_clear_error();
		SSL_shutdown(d->ssl);
		ERR_clear_error();
		flush(d);
	}
	if (d->state != PL_DTLS_FAILED)
		d->state = PL_DTLS_CLOSED;
	return 0;
}

enum pl_dtls_state pl_dtls_state(const struct pl_dtls *d)
{
	return d->state;
}

int pl_dtls_srtp_keys(const struct pl_dtls *d, int *profile, uint8_t *local_key_salt,
                      size_t *local_len, uint8_t *remote_key_salt, size_t *remote_len)
{
	if (!d || !profile || !local_key_salt || !local_len || !remote_key_salt || !remote_len)
		return PL_EINVAL;
	if (d->state != PL_DTLS_CONNECTED || d->key_salt_len == 0)
		return PL_ESTATE;
	if (*local_len < d->key_salt_len || *remote_len < d->key_salt_len)
		return PL_ESPACE;
	*profile = d->profile;
	memcpy(local_key_salt, d->local_key_salt, d->key_salt_len);
	memcpy(remote_key_salt, d->remote_key_salt, d->key_salt_len);
	*local_len = d->key_salt_len;
	*remote_len = d->key_salt_len;
	return 0;
}

const char *pl_dtls_error(const struct pl_dtls *d)
{
	return d->err;
}
