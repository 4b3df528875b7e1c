/* Error codes shared by every Plenum module: functions return 0 or a negative PL_E* code. */
#ifndef PL_ERROR_H
#define PL_ERROR_H

enum pl_error {
	PL_OK = 0,
	PL_EINVAL = -1,       /* malformed input */
	PL_ETRUNC = -2,       /* input ends before a field it announces */
	PL_ELIMIT = -3,       /* a configured or built-in limit was exceeded */
	PL_EPROTO = -4,       /* well-formed but violates the protocol */
	PL_ENOTFOUND = -5,    /* no such object */
	PL_ESTATE = -6,       /* not allowed in the current state */
	PL_EAUTH = -7,        /* authentication or integrity check failed */
	PL_EUNSUPPORTED = -8, /* valid but not supported by Plenum */
	PL_EFULL = -9,        /* a room, table or buffer is full */
	PL_EEXIST = -10,      /* already exists */
	PL_ESPACE = -11,      /* output buffer too small */
	PL_EIO = -12,         /* a library or system call failed */
};

/* A static English description of a PL_E* code (never NULL). */
const char *pl_strerror(int err);

#endif
