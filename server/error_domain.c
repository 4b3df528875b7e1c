/* See error_domain.h. */
#include "server/error_domain.h"

GQuark pl_error_quark(void)
{
	return g_quark_from_static_string("pl-error-quark");
}
