#include "signaling/text.h"

#include <stdint.h>
#include <string.h>

#include "media/alloc.h"

/* Decodes one code point at s[i]; returns its length or 0 when invalid. */
static size_t utf8_next(const unsigned char *s, size_t len, size_t i, uint32_t *cp)
{
	unsigned char c = s[i];
	size_t n;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		n = 2, v = c & 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3, v = c & 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len - i < n)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((s[i + k] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i + k] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

bool pl_text_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(u, len, i, &cp);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

size_t pl_text_utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

unsigned pl_text_json_depth(const char *s, size_t len, unsigned limit)
{
	unsigned depth = 0, max = 0;
	bool in_string = false, escape = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_string) {
			if (escape)
				escape = false;
			else if (c == '\\')
				escape = true;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max) {
				max = depth;
				if (max > limit)
					return limit + 1;
			}
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return max;
}

static bool is_space(uint32_t cp)
{
	return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0xA0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
	       cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

char *pl_text_display_name(const char *s, size_t max_chars)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), start = len, end = 0, chars = 0;
	/* Find the first and last non-space code points; refuse control characters anywhere
	 * except leading/trailing white space (tabs and newlines are trimmed, not kept). */
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(u, len, i, &cp);
		if (!n)
			return NULL;
		if (!is_space(cp)) {
			if (is_control(cp))
				return NULL;
			if (start == len)
				start = i;
			end = i + n;
		}
		i += n;
	}
	if (start == len)
		return NULL;
	for (size_t i = start; i < end;) {
		uint32_t cp;
		size_t n = utf8_next(u, end, i, &cp);
		if (is_control(cp))
			return NULL; /* a tab or newline inside the name */
		chars++;
		i += n;
	}
	if (chars < 1 || chars > max_chars)
		return NULL;
	return pl_xstrndup(s + start, end - start);
}

bool pl_text_room_name_valid(const char *s, size_t max_chars)
{
	size_t n = strlen(s);
	if (n < 1 || n > max_chars)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

size_t pl_text_json_ascii_string(char *out, const char *s, size_t len)
{
	char *o = out;
	*o++ = '"';
	size_t run = 0; /* start of the bytes not yet copied */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '"':
			esc = '"';
			break;
		case '\\':
			esc = '\\';
			break;
		case '\r':
			esc = 'r';
			break;
		case '\n':
			esc = 'n';
			break;
		case '\t':
			esc = 't';
			break;
		default:
			return 0;
		}
		memcpy(o, s + run, i - run);
		o += i - run;
		*o++ = '\\';
		*o++ = esc;
		run = i + 1;
	}
	memcpy(o, s + run, len - run);
	o += len - run;
	*o++ = '"';
	return (size_t)(o - out);
}
