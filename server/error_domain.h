/* The GError domain of the daemon's own failures (cannot listen, no DTLS certificate, a media
 * worker that does not start): the code is the positive -PL_E* value (media/error.h), the
 * message is for the administrator. The configuration has its own domain, PL_CONFIG_ERROR. */
#ifndef PL_ERROR_DOMAIN_H
#define PL_ERROR_DOMAIN_H

#include <glib.h>

#define PL_ERROR (pl_error_quark())
GQuark pl_error_quark(void);

#endif
