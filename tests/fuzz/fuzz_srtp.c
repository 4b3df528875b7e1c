/* libFuzzer target: SRTP/SRTCP sessions (media/srtp_session.c on srtp_crypto.c, srtp_kdf.c,
 * srtp_replay.c) with fixed keys, for both profiles, on fresh sessions per input:
 * 1. the input as a received packet: unprotect as RTP and as RTCP never crashes (seeds hold
 *    packets protected with the fixed keys, so mutations reach past the tag check);
 * 2. the input as a plain packet: protected by one side, the other side restores it exactly;
 * 3. the input as a script of (SSRC, sequence number) pairs sent and received in order: every
 *    packet is restored exactly or refused as a replay or by the SSRC cap, never as forged
 *    (except, after a wrap, packets of an SSRC the cap refused: see script()). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/error.h"
#include "media/srtp_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXPKT      2048
#define RTP_PAYLOAD 24

static const int profiles[] = {PL_SRTP_AEAD_AES_128_GCM, PL_SRTP_AES128_CM_SHA1_80};

static void check(int cond)
{
	if (!cond)
		abort();
}

static void keys(uint8_t a[PL_SRTP_MAX_KEY_SALT_LEN], uint8_t b[PL_SRTP_MAX_KEY_SALT_LEN])
{
	for (int i = 0; i < PL_SRTP_MAX_KEY_SALT_LEN; i++) {
		a[i] = (uint8_t)(0x21 + 3 * i);
		b[i] = (uint8_t)(0x9a ^ (7 * i));
	}
}

static void as_received(struct pl_srtp *rx, const uint8_t *data, size_t size)
{
	static uint8_t buf[MAXPKT];
	size_t n;

	if (size > MAXPKT)
		return;
	memcpy(buf, data, size);
	n = size;
	if (pl_srtp_unprotect_rtp(rx, buf, &n) == 0)
		check(n <= size);
	memcpy(buf, data, size);
	n = size;
	if (pl_srtp_unprotect_rtcp(rx, buf, &n) == 0)
		check(n <= size);
}

static void round_trip(struct pl_srtp *tx, struct pl_srtp *rx, const uint8_t *data, size_t size,
                       int rtcp)
{
	static uint8_t plain[MAXPKT], buf[MAXPKT + 32];
	size_t n = size;
	int rc;

	if (size < 12 || size > MAXPKT)
		return;
	memcpy(plain, data, size);
	plain[0] = (uint8_t)((plain[0] & 0x3f) | 0x80); /* version 2 */
	memcpy(buf, plain, size);
	rc = rtcp ? pl_srtp_protect_rtcp(tx, buf, &n, sizeof(buf))
	          : pl_srtp_protect_rtp(tx, buf, &n, sizeof(buf));
	if (rc != 0) {
		check(!rtcp && rc == PL_EINVAL); /* RTP header longer than the packet */
		return;
	}
	check(n > size && n <= size + (rtcp ? PL_SRTP_RTCP_OVERHEAD : PL_SRTP_RTP_OVERHEAD));
	rc = rtcp ? pl_srtp_unprotect_rtcp(rx, buf, &n) : pl_srtp_unprotect_rtp(rx, buf, &n);
	check(rc == 0 || rc == PL_ELIMIT);
	if (rc == 0)
		check(n == size && memcmp(buf, plain, size) == 0);
}

static void script(struct pl_srtp *tx, struct pl_srtp *rx, const uint8_t *data, size_t size)
{
	uint8_t plain[12 + RTP_PAYLOAD], buf[sizeof(plain) + 32];
	bool capped[8] = {false};

	for (size_t i = 0; i + 3 <= size; i += 3) {
		uint32_t ssrc = 0x1000 + (data[i] & 0x07);
		uint16_t seq = (uint16_t)(data[i + 1] << 8 | data[i + 2]);
		int rtcp = (data[i] & 0x80) != 0;
		size_t len = rtcp ? 8 + RTP_PAYLOAD : sizeof(plain);
		int rc;

		memset(plain, 0, sizeof(plain));
		plain[0] = 0x80;
		plain[1] = rtcp ? 200 : 96;
		if (rtcp) {
			plain[6] = (uint8_t)(ssrc >> 8);
			plain[7] = (uint8_t)ssrc;
		} else {
			plain[2] = (uint8_t)(seq >> 8);
			plain[3] = (uint8_t)seq;
			plain[10] = (uint8_t)(ssrc >> 8);
			plain[11] = (uint8_t)ssrc;
		}
		for (size_t k = 12; k < sizeof(plain); k++)
			plain[k] = (uint8_t)(k + i);
		memcpy(buf, plain, len);
		rc = rtcp ? pl_srtp_protect_rtcp(tx, buf, &len, sizeof(buf))
		          : pl_srtp_protect_rtp(tx, buf, &len, sizeof(buf));
		check(rc == 0);
		rc = rtcp ? pl_srtp_unprotect_rtcp(rx, buf, &len)
		          : pl_srtp_unprotect_rtp(rx, buf, &len);
		/* An SSRC refused by the cap keeps no state: the receiver takes each of its packets
		 * for a first one (ROC 0), so after a wrap they no longer authenticate. */
		check(rc == 0 || rc == PL_EPROTO || rc == PL_ELIMIT ||
		      (rc == PL_EAUTH && capped[data[i] & 0x07]));
		check(rc != PL_EPROTO || !rtcp); /* SRTCP indices only grow */
		if (rc == PL_ELIMIT)
			capped[data[i] & 0x07] = true;
		if (rc == 0)
			check(memcmp(buf, plain, len) == 0);
	}
}

/* Side a sends with key a, side b with key b; max_ssrcs 4 while the script uses 8 SSRCs, so
 * the cap is reached. */
static void pair_new(int profile, struct pl_srtp **a, struct pl_srtp **b)
{
	uint8_t ka[PL_SRTP_MAX_KEY_SALT_LEN], kb[PL_SRTP_MAX_KEY_SALT_LEN];
	size_t kl, sl;
	char err[128];

	keys(ka, kb);
	check(pl_srtp_profile_lengths(profile, &kl, &sl) == 0);
	*a = pl_srtp_new(profile, ka, kl + sl, kb, kl + sl, 4, err, sizeof(err));
	*b = pl_srtp_new(profile, kb, kl + sl, ka, kl + sl, 4, err, sizeof(err));
	check(*a && *b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t p = 0; p < sizeof(profiles) / sizeof(profiles[0]); p++) {
		struct pl_srtp *a, *b;

		pair_new(profiles[p], &a, &b);
		as_received(b, data, size);
		pl_srtp_free(a);
		pl_srtp_free(b);
		pair_new(profiles[p], &a, &b);
		round_trip(a, b, data, size, 0);
		round_trip(a, b, data, size, 1);
		pl_srtp_free(a);
		pl_srtp_free(b);
		pair_new(profiles[p], &a, &b);
		script(a, b, data, size);
		pl_srtp_free(a);
		pl_srtp_free(b);
	}
	return 0;
}
