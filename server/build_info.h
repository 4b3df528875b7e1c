#ifndef PL_BUILD_INFO_H
#define PL_BUILD_INFO_H

/* Versions of the main libraries this binary was compiled against. */
const char *pl_build_libraries(void);

#endif
