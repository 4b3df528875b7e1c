/* Checks on the raw text of signaling messages and on the strings they carry. */
#ifndef PL_TEXT_H
#define PL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
bool pl_text_utf8_valid(const char *s, size_t len);
/* Maximum nesting of [ and { outside strings; stops counting past limit (cheap on hostile
 * input: one pass, no allocation). Returns limit + 1 when the limit is exceeded. */
unsigned pl_text_json_depth(const char *s, size_t len, unsigned limit);
/* Code points in valid UTF-8. */
size_t pl_text_utf8_chars(const char *s, size_t len);
/* Display name: trims Unicode white space (ASCII, U+00A0, U+2000-200B, U+3000) at both ends,
 * refuses control characters (C0, DEL, C1) and lengths outside 1..max characters. Returns a
 * newly allocated trimmed copy, or NULL. */
char *pl_text_display_name(const char *s, size_t max_chars);
/* Room name: 1..max of A-Z a-z 0-9 - _ . */
bool pl_text_room_name_valid(const char *s, size_t max_chars);
/* Writes s as a JSON string literal, quotes included, to out (room for 2 * len + 2 bytes), the
 * fast way for long ASCII text such as SDP: only " \\ CR LF and TAB need escaping. Returns the
 * bytes written, or 0 when s holds any other byte below 0x20, DEL or a byte above 0x7f (then the
 * caller uses a general JSON writer). */
size_t pl_text_json_ascii_string(char *out, const char *s, size_t len);

#endif
