/* Versions a client or an admin can see. */
#ifndef PL_VERSION_H
#define PL_VERSION_H

/* The signaling protocol version sent in joined.protocol (docs/protocol.md). */
#define PL_PROTOCOL_VERSION 1

/* "plenum 0.1.0 (protocol 1)" */
const char *pl_version_string(void);

#endif
