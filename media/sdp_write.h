/* SDP serialiser: writes a struct pl_sdp (as the parser fills it, or as sdp_answer/sdp_offer build
 * it) as SDP text with CRLF line ends (RFC 8866 §5). pl_sdp_parse(pl_sdp_write(x)) gives back the
 * fields the model holds. */
#ifndef PL_SDP_WRITE_H
#define PL_SDP_WRITE_H

#include <stddef.h>

#include "media/sdp.h"

/* Writes s into *text (pl_xmalloc'd, NUL-terminated; NULL on failure). Per m-line: m= (payload
 * types in fmts[] order, or first_fmt for non-RTP), c=, mid, bundle-only, ICE credentials and
 * options, fingerprint, setup, direction, msid, rtcp-mux, extmaps, rtpmap/fmtp/rtcp-fb per payload
 * type, rid/simulcast, FID groups, ssrc cname/msid. Session: v/o/s/t, BUNDLE group,
 * extmap-allow-mixed, msid-semantic and session-level ICE/fingerprint/setup when set.
 * PL_ELIMIT when the text would exceed PL_SDP_MAX_BYTES or PL_SDP_MAX_LINES; PL_EINVAL when a
 * field holds a control character or a payload type has no codec entry. */
int pl_sdp_write(const struct pl_sdp *s, char **text, char *err, size_t errlen);

/* "AB:CD:..." for len bytes into out (3 * len bytes needed); out is "" when cap is too small. */
void pl_sdp_hex_fingerprint(const uint8_t *fp, size_t len, char *out, size_t cap);

#endif
