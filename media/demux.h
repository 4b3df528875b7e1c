/* RFC 7983 §7: what a datagram on a WebRTC 5-tuple is, by its first byte. RTCP is told from
 * RTP by the payload type byte (RFC 5761 §4). */
#ifndef PL_DEMUX_H
#define PL_DEMUX_H

#include <stddef.h>
#include <stdint.h>

enum pl_pkt_kind { PL_PKT_UNKNOWN, PL_PKT_STUN, PL_PKT_DTLS, PL_PKT_RTP, PL_PKT_RTCP };

/* First byte 0..3 STUN, 20..63 DTLS, 128..191 RTP or RTCP; everything else (ZRTP 16..19, TURN
 * channels 64..79, empty datagrams) is PL_PKT_UNKNOWN. An RTP/RTCP datagram needs 2 bytes: RTCP
 * when the second byte without its top bit is 64..95, i.e. RTCP packet types 192..223 (RFC 5761
 * §4 keeps RTP payload types 64..95 free so that M=1 with them never looks like RTCP). */
enum pl_pkt_kind pl_demux(const uint8_t *buf, size_t len);

#endif
