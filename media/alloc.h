/* Allocation that never returns NULL: on failure the process aborts (as Redis and h2o do). A
 * server that cannot allocate a few bytes cannot do anything useful for its participants. */
#ifndef PL_ALLOC_H
#define PL_ALLOC_H

#include <stddef.h>

void *pl_xmalloc(size_t n);
void *pl_xcalloc(size_t count, size_t size);
void *pl_xrealloc(void *p, size_t n);
char *pl_xstrdup(const char *s);
char *pl_xstrndup(const char *s, size_t n);

#endif
