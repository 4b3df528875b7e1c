/* A small, tolerant reader for the server's SDP (publish answers and subscribe offers), kept
 * apart from media/sdp.c so the generator is not bound by the server parser's limits (64
 * m-lines): a load test must be able to see what the server sends to a room of 100. Only what
 * an answerer needs: per m-line kind, port, proto, mid, direction, first payload type with its
 * rtpmap/fmtp, SSRCs; ICE credentials, fingerprint and setup (media or session level); the
 * a=candidate lines and a=end-of-candidates that servers such as Janus put into their SDP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/alloc.h"
#include "media/cert.h"
#include "tests/load/load.h"

#define PL_LSDP_MAX_CANDS 64 /* candidates kept from one SDP (Janus: one per address) */

static void set_str(char *dst, size_t n, const char *v, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(dst, v, len);
	dst[len] = 0;
}

int pl_lsdp_parse(const char *text, struct pl_lsdp *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->cap = 16;
	out->m = pl_xcalloc(out->cap, sizeof *out->m);
	struct pl_lsdp_m *cur = NULL;
	const char *p = text;
	while (*p) {
		size_t len = strcspn(p, "\r\n");
		const char *line = p;
		p += len;
		while (*p == '\r' || *p == '\n')
			p++;
		if (len < 2 || line[1] != '=')
			continue;
		char buf[1024];
		set_str(buf, sizeof buf, line, len);
		if (buf[0] == 'm') {
			if (out->n == out->cap) {
				out->cap *= 2;
				out->m = pl_xrealloc(out->m, out->cap * sizeof *out->m);
			}
			cur = &out->m[out->n++];
			memset(cur, 0, sizeof *cur);
			char kind[16] = "", proto[40] = "", fmt[32] = "";
			unsigned port = 0;
			if (sscanf(buf + 2, "%15s %u %39s %31s", kind, &port, proto, fmt) < 3) {
				snprintf(err, errlen, "bad m-line");
				return -1;
			}
			g_strlcpy(cur->kind, kind, sizeof cur->kind);
			g_strlcpy(cur->proto, proto, sizeof cur->proto);
			g_strlcpy(cur->fmt, fmt, sizeof cur->fmt);
			cur->port = port;
			cur->pt = atoi(fmt);
			cur->dir = 's'; /* sendrecv */
			continue;
		}
		if (buf[0] != 'a')
			continue;
		const char *a = buf + 2;
		char *ufrag = cur ? cur->ufrag : out->ufrag;
		char *pwd = cur ? cur->pwd : out->pwd;
		if (strncmp(a, "ice-ufrag:", 10) == 0)
			g_strlcpy(ufrag, a + 10, sizeof out->ufrag);
		else if (strncmp(a, "ice-pwd:", 8) == 0)
			g_strlcpy(pwd, a + 8, sizeof out->pwd);
		else if (strncmp(a, "fingerprint:sha-256 ", 20) == 0) {
			uint8_t *fp = cur ? cur->fp : out->fp;
			if (pl_fingerprint_parse(a + 20, fp) == 0)
				*(cur ? &cur->has_fp : &out->has_fp) = true;
		} else if (strncmp(a, "setup:", 6) == 0)
			*(cur ? &cur->setup : &out->setup) =
			    strcmp(a + 6, "actpass") == 0 ? 'x' : a[6];
		else if (!cur && strcmp(a, "ice-lite") == 0)
			out->ice_lite = true;
		else if (strncmp(a, "group:BUNDLE", 12) == 0)
			g_strlcpy(out->bundle, a + 12, sizeof out->bundle);
		else if (strncmp(a, "candidate:", 10) == 0) {
			if (!out->cands)
				out->cands = g_ptr_array_new_with_free_func(g_free);
			if (out->cands->len < PL_LSDP_MAX_CANDS)
				g_ptr_array_add(out->cands, g_strdup(a));
		} else if (strcmp(a, "end-of-candidates") == 0)
			out->end_of_cands = true;
		else if (!cur)
			continue;
		else if (strncmp(a, "mid:", 4) == 0)
			g_strlcpy(cur->mid, a + 4, sizeof cur->mid);
		else if (strcmp(a, "sendonly") == 0 || strcmp(a, "recvonly") == 0 ||
		         strcmp(a, "inactive") == 0 || strcmp(a, "sendrecv") == 0)
			cur->dir = strcmp(a, "sendonly") == 0   ? 'S'
			           : strcmp(a, "recvonly") == 0 ? 'R'
			           : strcmp(a, "inactive") == 0 ? 'i'
			                                        : 's';
		else if (strncmp(a, "rtpmap:", 7) == 0 && atoi(a + 7) == cur->pt &&
		         !cur->rtpmap[0]) {
			const char *sp = strchr(a, ' ');
			if (sp) {
				g_strlcpy(cur->rtpmap, sp + 1, sizeof cur->rtpmap);
				const char *slash = strchr(sp, '/');
				cur->clock_rate = slash ? (uint32_t)atoi(slash + 1) : 0;
			}
		} else if (strncmp(a, "fmtp:", 5) == 0 && atoi(a + 5) == cur->pt) {
			const char *sp = strchr(a, ' ');
			if (sp)
				g_strlcpy(cur->fmtp, sp + 1, sizeof cur->fmtp);
		} else if (strncmp(a, "ssrc:", 5) == 0 && cur->n_ssrcs < 4) {
			uint32_t s = (uint32_t)strtoul(a + 5, NULL, 10);
			bool seen = false;
			for (size_t i = 0; i < cur->n_ssrcs; i++)
				seen |= cur->ssrcs[i] == s;
			if (!seen)
				cur->ssrcs[cur->n_ssrcs++] = s;
		}
	}
	if (!out->n) {
		snprintf(err, errlen, "no m-line");
		return -1;
	}
	return 0;
}

void pl_lsdp_free(struct pl_lsdp *s)
{
	if (s->cands)
		g_ptr_array_free(s->cands, TRUE);
	free(s->m);
	memset(s, 0, sizeof *s);
}

int pl_lsdp_transport(const struct pl_lsdp *s, const char **ufrag, const char **pwd,
                      const uint8_t **fp, char *setup)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct pl_lsdp_m *m = &s->m[i];
		if (!m->port && !s->bundle[0])
			continue;
		*ufrag = m->ufrag[0] ? m->ufrag : s->ufrag;
		*pwd = m->pwd[0] ? m->pwd : s->pwd;
		*fp = m->has_fp ? m->fp : s->has_fp ? s->fp : NULL;
		*setup = m->setup ? m->setup : s->setup;
		if (**ufrag && **pwd && *fp)
			return 0;
	}
	return -1;
}
