#include "signaling/version.h"

#define PL_STR(x)  #x
#define PL_XSTR(x) PL_STR(x)

const char *pl_version_string(void)
{
	return "plenum " PLENUM_VERSION " (protocol " PL_XSTR(PL_PROTOCOL_VERSION) ")";
}
