/* Bounds-checked big-endian cursor helpers (network byte order), in the style of quicly's
 * decoders: `const uint8_t **p` advances only on success; nothing reads past `end`. */
#ifndef PL_BYTES_H
#define PL_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "media/error.h"

static inline int pl_get_u8(const uint8_t **p, const uint8_t *end, uint8_t *v)
{
	if (end - *p < 1)
		return PL_ETRUNC;
	*v = (*p)[0];
	*p += 1;
	return 0;
}

static inline int pl_get_u16(const uint8_t **p, const uint8_t *end, uint16_t *v)
{
	if (end - *p < 2)
		return PL_ETRUNC;
	*v = (uint16_t)((*p)[0] << 8 | (*p)[1]);
	*p += 2;
	return 0;
}

static inline int pl_get_u24(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
	if (end - *p < 3)
		return PL_ETRUNC;
	*v = (uint32_t)(*p)[0] << 16 | (uint32_t)(*p)[1] << 8 | (*p)[2];
	*p += 3;
	return 0;
}

static inline int pl_get_u32(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
	if (end - *p < 4)
		return PL_ETRUNC;
	*v = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 | (uint32_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	return 0;
}

static inline int pl_skip(const uint8_t **p, const uint8_t *end, size_t n)
{
	if ((size_t)(end - *p) < n)
		return PL_ETRUNC;
	*p += n;
	return 0;
}

/* Writers: unchecked, for callers that sized the buffer first. */
static inline void pl_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pl_put_u24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

static inline void pl_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint16_t pl_read_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t pl_read_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
