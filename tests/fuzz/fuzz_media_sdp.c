/* libFuzzer target: SDP parsing; a parsed offer is answered as a publish offer and checked as a
 * subscribe answer. */
#include <stdlib.h>

#include "media/sdp.h"
#include "media/sdp_negotiate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_sdp *s = pl_sdp_new();
	char err[256];
	if (pl_sdp_parse((const char *)data, size, s, err, sizeof err) == 0) {
		static const struct pl_sdp_local local = {
		    .ufrag = "u", .pwd = "p", .fingerprint = "sha-256 00", .session_id = 1};
		struct pl_sdp_publish *neg = calloc(1, sizeof *neg);
		char *answer = NULL;
		(void)pl_sdp_answer_publish(s, &local, neg, &answer, err, sizeof err);
		free(answer);
		free(neg);
		(void)pl_sdp_check_subscribe_answer(s, s->n_media, err, sizeof err);
	}
	pl_sdp_free(s);
	return 0;
}
