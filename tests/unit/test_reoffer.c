/* The subscribe re-offer throttle (server/media_subscribe.c, pl_mp_reoffer_wait_ms): the first
 * change after a quiet gap goes out at once, later ones wait for the gap; the gap grows with the
 * room (50 ms per 16 sessions) up to 200 ms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "server/media_int.h"

#define T0 1000000000LL

static void test_quiet_sends_at_once(void **state)
{
	(void)state;
	/* never offered (last 0) or long ago: no wait, whatever the room size */
	assert_int_equal(pl_mp_reoffer_wait_ms(2, 0, T0), 0);
	assert_int_equal(pl_mp_reoffer_wait_ms(500, 0, T0), 0);
	assert_int_equal(pl_mp_reoffer_wait_ms(2, T0 - 50000, T0), 0); /* exactly the gap */
	assert_int_equal(pl_mp_reoffer_wait_ms(100, T0 - 200000, T0), 0);
}

static void test_waits_for_the_rest_of_the_gap(void **state)
{
	(void)state;
	assert_int_equal(pl_mp_reoffer_wait_ms(2, T0, T0), 50);
	assert_int_equal(pl_mp_reoffer_wait_ms(2, T0 - 20000, T0), 30);
	assert_int_equal(pl_mp_reoffer_wait_ms(2, T0 - 49001, T0),
	                 1); /* rounded up, never 0 early */
	assert_int_equal(pl_mp_reoffer_wait_ms(2, T0 - 49999, T0), 1);
}

static void test_gap_grows_with_the_room(void **state)
{
	(void)state;
	assert_int_equal(pl_mp_reoffer_wait_ms(0, T0, T0), 50);
	assert_int_equal(pl_mp_reoffer_wait_ms(16, T0, T0), 50);
	assert_int_equal(pl_mp_reoffer_wait_ms(17, T0, T0), 100);
	assert_int_equal(pl_mp_reoffer_wait_ms(32, T0, T0), 100);
	assert_int_equal(pl_mp_reoffer_wait_ms(33, T0, T0), 150);
	assert_int_equal(pl_mp_reoffer_wait_ms(50, T0, T0), 200);
	assert_int_equal(pl_mp_reoffer_wait_ms(1000, T0, T0), 200); /* the cap */
	assert_int_equal(pl_mp_reoffer_wait_ms(1000, T0 - 150000, T0), 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quiet_sends_at_once),
	    cmocka_unit_test(test_waits_for_the_rest_of_the_gap),
	    cmocka_unit_test(test_gap_grows_with_the_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
