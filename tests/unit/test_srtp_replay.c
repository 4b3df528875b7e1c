/* SRTP packet index estimation (RFC 3711 Appendix A) and the replay list (§3.3.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/srtp_replay.h"

#define IDX(roc, seq) ((uint64_t)(roc) << 16 | (uint16_t)(seq))

static void test_index_guess(void **state)
{
	(void)state;
	/* same roll-over */
	assert_true(pl_srtp_index_guess(IDX(0, 100), 200) == IDX(0, 200));
	assert_true(pl_srtp_index_guess(IDX(0, 100), 50) == IDX(0, 50));
	assert_true(pl_srtp_index_guess(IDX(3, 40000), 40000 - 32768) == IDX(3, 7232));
	/* ahead across the wrap: the next ROC */
	assert_true(pl_srtp_index_guess(IDX(0, 65530), 5) == IDX(1, 5));
	assert_true(pl_srtp_index_guess(IDX(2, 40000), 7000) == IDX(3, 7000));
	/* late, from before the wrap: the previous ROC */
	assert_true(pl_srtp_index_guess(IDX(1, 5), 65530) == IDX(0, 65530));
	assert_true(pl_srtp_index_guess(IDX(7, 100), 100 + 32768) == IDX(7, 100 + 32768));
	assert_true(pl_srtp_index_guess(IDX(7, 100), 100 + 32769) == IDX(6, 100 + 32769));
	/* no ROC -1: far ahead in ROC 0 instead; past the last ROC: no valid index */
	assert_true(pl_srtp_index_guess(IDX(0, 100), 65000) == IDX(0, 65000));
	assert_true(pl_srtp_index_guess(IDX(0, 32768), 0) == IDX(0, 0));
	assert_true(pl_srtp_index_guess(IDX(UINT32_MAX, 65000), 3) == PL_SRTP_INDEX_INVALID);
}

static void test_window_basics(void **state)
{
	struct pl_srtp_replay r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(pl_srtp_replay_check(&r, 100), 0);
	pl_srtp_replay_add(&r, 100);
	assert_int_equal(pl_srtp_replay_check(&r, 100), PL_EPROTO);
	assert_int_equal(pl_srtp_replay_check(&r, 99), 0);
	assert_int_equal(pl_srtp_replay_check(&r, 101), 0);
	pl_srtp_replay_add(&r, 100 + PL_SRTP_REPLAY_WINDOW + 76);
	/* exactly the window: the oldest index still inside is top - (window - 1) */
	assert_int_equal(pl_srtp_replay_check(&r, 177), 0);
	assert_int_equal(pl_srtp_replay_check(&r, 176), PL_EPROTO);
	pl_srtp_replay_add(&r, 177);
	assert_int_equal(pl_srtp_replay_check(&r, 177), PL_EPROTO);
	assert_int_equal(pl_srtp_replay_check(&r, PL_SRTP_INDEX_INVALID), PL_EPROTO);
}

/* Against a plain model (a flag per index): random jumps forward, late and repeated indices,
 * so that every slot of the ring is reused many times. */
static void test_window_model(void **state)
{
	enum { SPAN = 1 << 22 };
	uint8_t *seen = calloc(SPAN, 1);
	struct pl_srtp_replay r;
	uint64_t top = 0;
	int started = 0;

	(void)state;
	assert_non_null(seen);
	memset(&r, 0, sizeof(r));
	srand(7);
	for (int n = 0; n < 200000; n++) {
		uint64_t i;
		int k = rand() % 10, want;

		if (!started || k < 4)
			i = top + (uint64_t)(rand() % 3); /* in order, or a repeat of the top */
		else if (k < 5)
			i = top + 1 + (uint64_t)(rand() % (2 * PL_SRTP_REPLAY_WINDOW)); /* a jump */
		else if (top >= PL_SRTP_REPLAY_WINDOW + 40)
			i = top - (uint64_t)(rand() % (PL_SRTP_REPLAY_WINDOW + 40)); /* late */
		else
			i = top + 1;
		if (i >= SPAN - 4 * PL_SRTP_REPLAY_WINDOW)
			break;
		want = started && i <= top && (top - i >= PL_SRTP_REPLAY_WINDOW || seen[i])
		           ? PL_EPROTO
		           : 0;
		assert_int_equal(pl_srtp_replay_check(&r, i), want);
		if (want == 0 && rand() % 8) { /* some packets fail authentication: not added */
			pl_srtp_replay_add(&r, i);
			seen[i] = 1;
			if (!started || i > top)
				top = i;
			started = 1;
		}
	}
	assert_true(top > 100000);
	free(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_index_guess),
	    cmocka_unit_test(test_window_basics),
	    cmocka_unit_test(test_window_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
