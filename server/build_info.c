/* Build facts the daemon reports in --version and at start-up. */
#include "server/build_info.h"

#include <lws_config.h>
#include <openssl/opensslv.h>

const char *pl_build_libraries(void)
{
	return "libwebsockets " LWS_LIBRARY_VERSION ", OpenSSL " OPENSSL_VERSION_STR;
}
