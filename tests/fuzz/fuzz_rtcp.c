/* libFuzzer target: RTCP compound iterator and every RTCP type parser, with write-back round
 * trips. Every parser is called on every packet: a parser must refuse a type it does not own. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/error.h"
#include "media/rtcp.h"
#include "media/rtcp_bye.h"
#include "media/rtcp_fir.h"
#include "media/rtcp_nack.h"
#include "media/rtcp_pli.h"
#include "media/rtcp_remb.h"
#include "media/rtcp_rr.h"
#include "media/rtcp_sdes.h"
#include "media/rtcp_sr.h"
#include "media/rtcp_twcc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[70000];

/* Parsed structs are large (TWCC ~ 36 KB): keep them off the stack. */
static struct {
	struct pl_rtcp_sr sr, sr2;
	struct pl_rtcp_rr rr, rr2;
	struct pl_rtcp_sdes sdes;
	struct pl_rtcp_bye bye, bye2;
	struct pl_rtcp_nack nack, nack2;
	struct pl_rtcp_pli pli, pli2;
	struct pl_rtcp_fir fir, fir2;
	struct pl_rtcp_remb remb, remb2;
	struct pl_rtcp_twcc twcc, twcc2;
} s;

static void check(int cond)
{
	if (!cond)
		abort();
}

static void one_packet(const uint8_t *p, size_t n)
{
	size_t w;
	if (pl_rtcp_sr_parse(p, n, &s.sr) == 0) {
		check(pl_rtcp_sr_write(&s.sr, out, sizeof out, &w) == 0);
		check(pl_rtcp_sr_parse(out, w, &s.sr2) == 0);
		check(s.sr2.ntp == s.sr.ntp && s.sr2.n_blocks == s.sr.n_blocks);
	}
	if (pl_rtcp_rr_parse(p, n, &s.rr) == 0) {
		check(pl_rtcp_rr_write(&s.rr, out, sizeof out, &w) == 0);
		check(pl_rtcp_rr_parse(out, w, &s.rr2) == 0);
		check(memcmp(s.rr.blocks, s.rr2.blocks, sizeof s.rr.blocks[0] * s.rr.n_blocks) ==
		      0);
	}
	if (pl_rtcp_sdes_parse(p, n, &s.sdes) == 0 && s.sdes.cname && s.sdes.cname_len) {
		check(s.sdes.cname >= p && s.sdes.cname + s.sdes.cname_len <= p + n);
		check(pl_rtcp_sdes_write(&s.sdes, out, sizeof out, &w) == 0);
	}
	if (pl_rtcp_bye_parse(p, n, &s.bye) == 0) {
		check(pl_rtcp_bye_write(&s.bye, out, sizeof out, &w) == 0);
		check(pl_rtcp_bye_parse(out, w, &s.bye2) == 0);
		check(s.bye2.n_ssrcs == s.bye.n_ssrcs && s.bye2.reason_len == s.bye.reason_len);
	}
	if (pl_rtcp_nack_parse(p, n, &s.nack) == 0) {
		check(pl_rtcp_nack_write(&s.nack, out, sizeof out, &w) == 0);
		check(pl_rtcp_nack_parse(out, w, &s.nack2) == 0);
		check(s.nack2.n_seqs <= s.nack.n_seqs);
	}
	if (pl_rtcp_pli_parse(p, n, &s.pli) == 0) {
		check(pl_rtcp_pli_write(&s.pli, out, sizeof out, &w) == 0);
		check(pl_rtcp_pli_parse(out, w, &s.pli2) == 0);
		check(s.pli2.media_ssrc == s.pli.media_ssrc);
	}
	if (pl_rtcp_fir_parse(p, n, &s.fir) == 0) {
		check(pl_rtcp_fir_write(&s.fir, out, sizeof out, &w) == 0);
		check(pl_rtcp_fir_parse(out, w, &s.fir2) == 0);
		check(s.fir2.n_entries == s.fir.n_entries);
	}
	if (pl_rtcp_remb_parse(p, n, &s.remb) == 0) {
		check(pl_rtcp_remb_write(&s.remb, out, sizeof out, &w) == 0);
		check(pl_rtcp_remb_parse(out, w, &s.remb2) == 0);
		check(s.remb2.bitrate_bps == s.remb.bitrate_bps &&
		      s.remb2.n_ssrcs == s.remb.n_ssrcs);
	}
	if (pl_rtcp_twcc_parse(p, n, &s.twcc) == 0) {
		int rc = pl_rtcp_twcc_write(&s.twcc, out, sizeof out, &w);
		/* re-encoding may need more room than PL_TWCC_MAX_LEN for odd inputs */
		check(rc == 0 || rc == PL_ESPACE);
		if (rc == 0) {
			check(pl_rtcp_twcc_parse(out, w, &s.twcc2) == 0);
			check(s.twcc2.n_recv == s.twcc.n_recv);
			check(s.twcc2.status_count == s.twcc.status_count);
			for (size_t i = 0; i < s.twcc.n_recv; i++)
				check(s.twcc2.recv[i].seq == s.twcc.recv[i].seq &&
				      s.twcc2.recv[i].recv_us == s.twcc.recv[i].recv_us);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_rtcp_iter it;
	struct pl_rtcp_hdr h;
	const uint8_t *p;
	size_t n;
	pl_rtcp_iter_init(&it, data, size);
	while (pl_rtcp_iter_next(&it, &h, &p, &n) == 1) {
		check(p >= data && p + n <= data + size);
		one_packet(p, n);
	}
	/* also each parser on the raw input, as if it were one packet */
	one_packet(data, size);
	return 0;
}
