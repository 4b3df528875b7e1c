/* Private to server/config*.c: the value checks the key table in config.c refers to, defined in
 * config_check.c. Each takes the text of one value (or of one list item, already stripped) and
 * returns its normalised form (g_free), or NULL after appending the reason to why; the caller
 * prefixes "[group] key = "value": ". */
#ifndef PL_CONFIG_INT_H
#define PL_CONFIG_INT_H

#include "server/config.h"

/* Longest accepted base_path, origin or URL, in bytes. */
#define PL_CONFIG_MAX_TEXT 256

char *pl_config_check_listen(const char *v, GString *why);       /* "ADDR:PORT", normalised */
char *pl_config_check_base_path(const char *v, GString *why);    /* "/", "/meet/" */
char *pl_config_check_proxy(const char *v, GString *why);        /* address or CIDR */
char *pl_config_check_origin(const char *v, GString *why);       /* http(s)://host[:port] */
char *pl_config_check_ip(const char *v, GString *why);           /* IPv4 or IPv6 address */
char *pl_config_check_ip_or_empty(const char *v, GString *why);  /* the same, or "" */
char *pl_config_check_ice_url(const char *v, GString *why);      /* stun:, turn: URLs */
char *pl_config_check_srtp_profile(const char *v, GString *why); /* aes-gcm, aes-cm */
char *pl_config_check_video_codec(const char *v, GString *why);  /* vp8, vp9, h264 */

#endif
