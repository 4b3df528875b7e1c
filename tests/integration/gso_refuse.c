/* LD_PRELOAD shim for gso_fallback.py: the kernel refusing UDP GSO as it does on a path it cannot
 * segment for (an IPsec transform: EIO), which this test machine's kernel cannot be made to do
 * (it checksums in software where a device cannot). Every sendmmsg whose first message carries
 * a UDP_SEGMENT control message fails with EIO; messages before such a one are sent, so the
 * daemon meets the refusal on its next call exactly as with the real kernel. Everything else
 * goes to the real sendmmsg and sendmsg.
 *
 * It also checks that the refused datagrams still leave: it remembers each one (a hash of its
 * bytes and destination) and ticks it off when a later sendmsg or sendmmsg sends the same bytes
 * to the same place. At exit it writes "refused N resent M" to $PLENUM_GSO_REFUSE_REPORT. */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_REFUSED 256

static uint64_t refused[MAX_REFUSED];
static bool resent[MAX_REFUSED];
static unsigned n_refused, n_resent;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* One datagram: bytes [off, off + len) of the message's iovecs, and its destination. */
static uint64_t datagram_hash(const struct msghdr *h, size_t off, size_t len)
{
	uint64_t x = fnv(0xcbf29ce484222325ull, h->msg_name, h->msg_namelen);
	for (size_t i = 0; i < h->msg_iovlen && len; i++) {
		size_t l = h->msg_iov[i].iov_len;
		if (off >= l) {
			off -= l;
			continue;
		}
		size_t take = l - off < len ? l - off : len;
		x = fnv(x, (const uint8_t *)h->msg_iov[i].iov_base + off, take);
		len -= take;
		off = 0;
	}
	return x;
}

static size_t message_len(const struct msghdr *h)
{
	size_t n = 0;
	for (size_t i = 0; i < h->msg_iovlen; i++)
		n += h->msg_iov[i].iov_len;
	return n;
}

static uint16_t gso_size(struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_SEGMENT) {
			uint16_t s;
			memcpy(&s, CMSG_DATA(c), sizeof s);
			return s;
		}
	return 0;
}

static void remember(struct msghdr *h, uint16_t seg)
{
	size_t total = message_len(h);
	for (size_t off = 0; off < total && n_refused < MAX_REFUSED; off += seg)
		refused[n_refused++] = datagram_hash(h, off, total - off < seg ? total - off : seg);
}

static void tick_off(const struct msghdr *h)
{
	uint64_t x = datagram_hash(h, 0, message_len(h));
	for (unsigned i = 0; i < n_refused; i++)
		if (!resent[i] && refused[i] == x) {
			resent[i] = true;
			n_resent++;
			return;
		}
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("PLENUM_GSO_REFUSE_REPORT");
	FILE *f = path ? fopen(path, "w") : NULL;
	if (f) {
		fprintf(f, "refused %u resent %u\n", n_refused, n_resent);
		fclose(f);
	}
}

int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	static int (*real)(int, struct mmsghdr *, unsigned int, int);
	if (!real)
		real =
		    (int (*)(int, struct mmsghdr *, unsigned int, int))dlsym(RTLD_NEXT, "sendmmsg");
	unsigned int pass = 0;
	while (pass < n && !gso_size(&v[pass].msg_hdr))
		pass++;
	if (pass == 0 && n > 0) {
		remember(&v[0].msg_hdr, gso_size(&v[0].msg_hdr));
		errno = EIO;
		return -1;
	}
	int r = real(fd, v, pass, flags);
	for (int i = 0; i < r; i++)
		tick_off(&v[i].msg_hdr);
	return r;
}

ssize_t sendmsg(int fd, const struct msghdr *h, int flags)
{
	static ssize_t (*real)(int, const struct msghdr *, int);
	if (!real)
		real = (ssize_t(*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
	ssize_t r = real(fd, h, flags);
	if (r >= 0)
		tick_off(h);
	return r;
}
