#include "media/error.h"

const char *pl_strerror(int err)
{
	switch (err) {
	case PL_OK:
		return "success";
	case PL_EINVAL:
		return "malformed input";
	case PL_ETRUNC:
		return "input truncated";
	case PL_ELIMIT:
		return "limit exceeded";
	case PL_EPROTO:
		return "protocol violation";
	case PL_ENOTFOUND:
		return "not found";
	case PL_ESTATE:
		return "not allowed in this state";
	case PL_EAUTH:
		return "authentication failed";
	case PL_EUNSUPPORTED:
		return "not supported";
	case PL_EFULL:
		return "full";
	case PL_EEXIST:
		return "already exists";
	case PL_ESPACE:
		return "output buffer too small";
	case PL_EIO:
		return "I/O or library error";
	default:
		return "unknown error";
	}
}
