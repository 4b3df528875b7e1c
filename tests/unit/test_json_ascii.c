/* pl_text_json_ascii_string (signaling/text.c), the fast JSON string writer for SDP in subscribe
 * offers: for every input it takes, the output must equal jansson's (json_dumps of the string),
 * and jansson must read it back to the same bytes; any byte it cannot write plainly (other
 * controls, DEL, non-ASCII) makes it return 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "signaling/text.h"

/* Writes s both ways and compares. */
static void expect_like_jansson(const char *s, size_t len)
{
	char *out = malloc(2 * len + 2);
	size_t n = pl_text_json_ascii_string(out, s, len);
	assert_true(n >= len + 2);
	json_t *str = json_stringn(s, len);
	assert_non_null(str);
	char *ref = json_dumps(str, JSON_ENCODE_ANY | JSON_COMPACT);
	assert_non_null(ref);
	assert_int_equal(n, strlen(ref));
	assert_memory_equal(out, ref, n);
	json_error_t err;
	json_t *back = json_loadb(out, n, JSON_DECODE_ANY, &err);
	assert_non_null(back);
	assert_int_equal(json_string_length(back), len);
	assert_memory_equal(json_string_value(back), s, len);
	json_decref(back);
	free(ref);
	json_decref(str);
	free(out);
}

static void test_sdp_like(void **state)
{
	(void)state;
	expect_like_jansson("", 0);
	expect_like_jansson("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n", 31);
	const char *q = "a=fmtp:96 x=\"y\\z\"\t/end\r\n";
	expect_like_jansson(q, strlen(q));
	expect_like_jansson("\"\"\\\\", 4); /* nothing but escapes */
}

static void test_random_printable(void **state)
{
	(void)state;
	static const char extra[] = "\r\n\t\"\\";
	srand(7);
	char buf[600];
	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)(rand() % (int)sizeof buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = rand() % 8 == 0 ? extra[rand() % 5] : (char)(0x20 + rand() % 95);
		expect_like_jansson(buf, len);
	}
}

static void test_refuses_other_bytes(void **state)
{
	(void)state;
	char out[64];
	for (int c = 0; c < 256; c++) {
		char s[3] = {'a', (char)c, 'b'};
		size_t n = pl_text_json_ascii_string(out, s, sizeof s);
		bool plain = (c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t';
		if (plain)
			assert_true(n > 0);
		else
			assert_int_equal(n, 0);
	}
	/* also at the very start and end, and a NUL inside */
	assert_int_equal(pl_text_json_ascii_string(out, "\x01z", 2), 0);
	assert_int_equal(pl_text_json_ascii_string(out, "z\xc3\xa4", 3), 0);
	assert_int_equal(pl_text_json_ascii_string(out, "a\0b", 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sdp_like),
	    cmocka_unit_test(test_random_printable),
	    cmocka_unit_test(test_refuses_other_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
