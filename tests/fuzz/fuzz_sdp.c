/* libFuzzer target: pl_sdp_parse, then on success the publish answer (re-parsed: the server must
 * always write SDP its own parser accepts), a write/parse round trip of the model, and the
 * subscribe answer check. Seeds: tests/fixtures/sdp (captured browser SDP and hostile files). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/sdp.h"
#include "media/sdp_answer.h"
#include "media/sdp_offer.h"
#include "media/sdp_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_sdp *s = pl_sdp_new(), *r = pl_sdp_new();
	char err[256];
	if (pl_sdp_parse((const char *)data, size, s, err, sizeof err) == 0) {
		static const struct pl_sdp_identity id = {
		    .ice_ufrag = "fuzz",
		    .ice_pwd = "fuzzfuzzfuzzfuzzfuzzfuzz",
		    .fingerprint = "sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:"
		                   "12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F",
		};
		static const struct pl_codec_prefs prefs = {
		    .video = {PL_CODEC_VP9, PL_CODEC_H264, PL_CODEC_VP8}, .n_video = 3};
		const struct pl_sdp_answer_opts opts = {.prefs = &prefs, .max_codecs = size & 3};
		struct pl_sdp_negotiated *neg = malloc(sizeof *neg);
		char *answer = NULL;
		if (pl_sdp_answer_create(s, &id, &opts, neg, &answer, err, sizeof err) == 0 &&
		    pl_sdp_parse(answer, strlen(answer), r, err, sizeof err) != 0)
			abort();
		free(answer);
		free(neg);
		char *text = NULL;
		if (pl_sdp_write(s, &text, err, sizeof err) == 0 &&
		    pl_sdp_parse(text, strlen(text), r, err, sizeof err) != 0)
			abort();
		free(text);
		struct pl_sdp_offer_track t = {.mid = "0", .kind = PL_KIND_AUDIO, .n_codecs = 1};
		t.codecs[0].pt = 111;
		struct pl_sdp_transport tr;
		(void)pl_sdp_offer_check_answer(s, &t, 1, &tr, err, sizeof err);
	}
	pl_sdp_free(r);
	pl_sdp_free(s);
	return 0;
}
