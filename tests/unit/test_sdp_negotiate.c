/* SDP offer/answer for the SFU (media/sdp.h, media/sdp_negotiate.h) on captured browser SDP:
 * parse with concrete fields, the publish answer re-parsed, rejections with their reasons, every
 * parser limit, the subscribe offer (golden file) re-parsed, and Chromium's real answer to that
 * very offer checked. Fixtures and their origin: tests/fixtures/sdp/README.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/error.h"
#include "media/sdp.h"
#include "media/sdp_negotiate.h"

#define LOCAL_FP                                                                                   \
	"sha-256 "                                                                                 \
	"0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:"  \
	"D7:E8:F9"

static const struct pl_sdp_local local = {
    .ufrag = "PlEn",
    .pwd = "plenumplenumplenumplenum",
    .fingerprint = LOCAL_FP,
    .session_id = 4242,
    .version = 3,
};

/* ---- helpers --------------------------------------------------------------------------------- */

static char *fixture_path(const char *name)
{
	const char *root = getenv("PLENUM_SOURCE_DIR");
	char *p = malloc(4096);
	snprintf(p, 4096, "%s/tests/fixtures/sdp/%s", root ? root : ".", name);
	return p;
}

static char *load(const char *name, size_t *len)
{
	char *path = fixture_path(name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (PLENUM_SOURCE_DIR set?)", path);
	free(path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *t = malloc((size_t)n + 1);
	assert_int_equal(fread(t, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	t[n] = '\0';
	if (len)
		*len = (size_t)n;
	return t;
}

/* Removes every line starting with prefix (in place). */
static void strip_lines(char *t, const char *prefix)
{
	char *w = t;
	for (char *r = t; *r;) {
		char *nl = strchr(r, '\n');
		size_t n = nl ? (size_t)(nl - r) + 1 : strlen(r);
		if (strncmp(r, prefix, strlen(prefix)) != 0) {
			memmove(w, r, n);
			w += n;
		}
		r += n;
	}
	*w = '\0';
}

/* Replaces every occurrence of a by b; returns a new string. */
static char *replace_all(const char *t, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), cnt = 0;
	for (const char *p = t; (p = strstr(p, a)); p += la)
		cnt++;
	char *o = malloc(strlen(t) + cnt * (lb > la ? lb - la : 0) + 1), *w = o;
	for (const char *p = t;;) {
		const char *q = strstr(p, a);
		if (!q) {
			strcpy(w, p);
			break;
		}
		memcpy(w, p, (size_t)(q - p));
		w += q - p;
		memcpy(w, b, lb);
		w += lb;
		p = q + la;
	}
	return o;
}

static int parse_str(const char *t, struct pl_sdp *s, char *err, size_t errlen)
{
	return pl_sdp_parse(t, strlen(t), s, err, errlen);
}

static const struct pl_sdp_codec *codec(const struct pl_sdp_media *m, unsigned pt)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt)
			return &m->codecs[i];
	return NULL;
}

static void assert_fp(const uint8_t *fp, const char *hex)
{
	assert_non_null(fp);
	for (size_t i = 0; i < PL_SDP_FP_LEN; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 3 * i, "%2x", &v), 1);
		assert_int_equal(fp[i], v);
	}
}

struct answered {
	struct pl_sdp *offer, *answer;
	struct pl_sdp_publish neg;
	char *text;
};

/* Parses the offer, answers it, re-parses the answer; all must succeed. */
static void answer_fixture(const char *text, const struct pl_sdp_local *l, struct answered *a)
{
	char err[256];
	a->offer = pl_sdp_new();
	a->answer = pl_sdp_new();
	int rc = parse_str(text, a->offer, err, sizeof err);
	if (rc)
		fail_msg("offer: %s", err);
	rc = pl_sdp_answer_publish(a->offer, l, &a->neg, &a->text, err, sizeof err);
	if (rc)
		fail_msg("answer: %s", err);
	rc = parse_str(a->text, a->answer, err, sizeof err);
	if (rc)
		fail_msg("re-parse of the answer: %s\n%s", err, a->text);
}

static void answered_free(struct answered *a)
{
	pl_sdp_free(a->offer);
	pl_sdp_free(a->answer);
	free(a->text);
}

/* What every accepted answer line must say: active, recvonly, our ICE/fingerprint, in BUNDLE,
 * the offer's mid. */
static void assert_answer_common(const struct answered *a)
{
	const struct pl_sdp *o = a->offer, *s = a->answer;
	assert_int_equal(s->n_media, o->n_media);
	assert_true(s->has_bundle);
	size_t nb = 0;
	for (size_t i = 0; i < s->n_media; i++) {
		assert_string_equal(s->media[i].mid, o->media[i].mid);
		assert_string_equal(a->neg.lines[i].mid, o->media[i].mid);
		if (!a->neg.lines[i].accepted) {
			assert_int_equal(s->media[i].port, 0);
			assert_false(pl_sdp_in_bundle(s, s->media[i].mid));
			continue;
		}
		assert_string_equal(s->bundle[nb++], o->media[i].mid);
		assert_int_equal(pl_sdp_setup_of(s, i), PL_SETUP_ACTIVE);
		assert_int_equal(s->media[i].dir, PL_DIR_RECVONLY);
		assert_true(s->media[i].rtcp_mux);
		assert_string_equal(pl_sdp_ufrag(s, i), "PlEn");
		assert_string_equal(pl_sdp_pwd(s, i), local.pwd);
		assert_fp(pl_sdp_fingerprint(s, i), LOCAL_FP + 8);
		assert_int_equal(s->media[i].n_ssrcs, 0); /* we send nothing here */
	}
	assert_int_equal(s->n_bundle, nb);
}

static void assert_ext(const struct pl_sdp_media *m, const char *uri, uint8_t id)
{
	assert_int_equal(pl_sdp_ext_id(m, uri), id);
}

/* ---- parsing captured offers ----------------------------------------------------------------- */

static void test_parse_chromium_offer(void **state)
{
	(void)state;
	char *t = load("chromium-publish-offer.sdp", NULL);
	struct pl_sdp *s = pl_sdp_new();
	char err[256];
	assert_int_equal(parse_str(t, s, err, sizeof err), 0);
	assert_true(s->sess_id == 613557790419198459ull);
	assert_int_equal(s->n_media, 2);
	assert_true(s->has_bundle);
	assert_int_equal(s->n_bundle, 2);
	assert_string_equal(s->bundle[0], "0");
	assert_string_equal(s->bundle[1], "1");
	assert_true(s->extmap_allow_mixed);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(pl_sdp_ufrag(s, i), "NYtS");
		assert_string_equal(pl_sdp_pwd(s, i), "PPadQkbdziiNkT2mCIqjLxG2");
		assert_fp(pl_sdp_fingerprint(s, i),
		          "E3:0F:B8:34:81:A7:78:AC:57:AC:E6:28:B4:7F:1A:53:"
		          "81:AC:E4:46:5A:EE:A6:9E:D6:71:FD:D5:6E:34:DA:7F");
		assert_int_equal(pl_sdp_setup_of(s, i), PL_SETUP_ACTPASS);
		assert_true(s->media[i].rtcp_mux);
		assert_int_equal(s->media[i].dir, PL_DIR_SENDONLY);
		assert_int_equal(s->media[i].port, 9);
		assert_string_equal(s->media[i].proto, "UDP/TLS/RTP/SAVPF");
	}
	const struct pl_sdp_media *a = &s->media[0], *v = &s->media[1];
	assert_int_equal(a->kind, PL_KIND_AUDIO);
	assert_string_equal(a->mid, "0");
	assert_int_equal(a->n_fmts, 8);
	assert_int_equal(a->fmts[0], 111);
	const struct pl_sdp_codec *opus = codec(a, 111);
	assert_non_null(opus);
	assert_string_equal(opus->name, "opus");
	assert_int_equal(opus->clock_rate, 48000);
	assert_int_equal(opus->channels, 2);
	assert_string_equal(opus->fmtp, "minptime=10;useinbandfec=1");
	assert_true(opus->fb & PL_FB_TWCC);
	assert_ext(a, PL_EXT_URI_AUDIO_LEVEL, 1);
	assert_ext(a, PL_EXT_URI_ABS_SEND, 2);
	assert_ext(a, PL_EXT_URI_TWCC, 3);
	assert_ext(a, PL_EXT_URI_MID, 4);
	assert_int_equal(a->n_ssrcs, 1);
	assert_int_equal(a->ssrcs[0], 4267036501u);
	assert_string_equal(pl_sdp_ssrc_find(a, 4267036501u)->cname, "2QbAzcpP5Y0eGUv4");
	assert_string_equal(a->msid_stream, "80ddf36d-a590-43f4-a896-7355d86fef0a");

	assert_int_equal(v->kind, PL_KIND_VIDEO);
	assert_string_equal(v->mid, "1");
	assert_int_equal(v->n_fmts, 23);
	assert_int_equal(v->fmts[0], 96);
	const struct pl_sdp_codec *vp8 = codec(v, 96), *rtx = codec(v, 97);
	assert_string_equal(vp8->name, "VP8");
	assert_int_equal(vp8->clock_rate, 90000);
	assert_int_equal(vp8->fb & (PL_FB_NACK | PL_FB_PLI | PL_FB_FIR | PL_FB_TWCC | PL_FB_REMB),
	                 PL_FB_NACK | PL_FB_PLI | PL_FB_FIR | PL_FB_TWCC | PL_FB_REMB);
	assert_int_equal(vp8->apt, -1);
	assert_string_equal(rtx->name, "rtx");
	assert_int_equal(rtx->apt, 96);
	assert_int_equal(codec(v, 99)->apt, 98);
	assert_string_equal(codec(v, 98)->fmtp, "profile-id=0");
	assert_ext(v, PL_EXT_URI_ABS_SEND, 2);
	assert_ext(v, PL_EXT_URI_TWCC, 3);
	assert_ext(v, PL_EXT_URI_MID, 4);
	assert_ext(v, PL_EXT_URI_RID, 10);
	assert_ext(v, PL_EXT_URI_RRID, 11);
	assert_ext(v, "urn:ietf:params:rtp-hdrext:toffset", 14);
	assert_ext(v, PL_EXT_URI_AUDIO_LEVEL, 0);
	assert_int_equal(v->fid_primary, 3587359779u);
	assert_int_equal(v->fid_rtx, 2022864125u);
	assert_int_equal(v->n_fids, 1);
	assert_int_equal(v->n_ssrcs, 2);
	assert_int_equal(v->ssrcs[0], 3587359779u);
	assert_int_equal(v->ssrcs[1], 2022864125u);
	pl_sdp_free(s);
	free(t);
}

/* Real Firefox ESR capture: session-level fingerprint, bundle-only video lines with port 0. */
static void test_parse_firefox_offer(void **state)
{
	(void)state;
	char *t = load("firefox-publish-offer-av2.sdp", NULL);
	struct pl_sdp *s = pl_sdp_new();
	char err[256];
	assert_int_equal(parse_str(t, s, err, sizeof err), 0);
	assert_int_equal(s->n_media, 3);
	assert_int_equal(s->n_bundle, 3);
	assert_true(s->has_fingerprint); /* session level */
	assert_fp(s->fingerprint, "54:41:4C:E2:6B:D8:3D:32:90:16:51:14:9B:6D:F0:57:3F:04:43:F9:8F:"
	                          "7E:72:F3:68:C7:2D:0B:3A:2F:18:A9");
	assert_true(s->ice_trickle);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(pl_sdp_ufrag(s, i), "ee479db9");
		assert_string_equal(pl_sdp_pwd(s, i), "d3ab580a62e62a60bb8d63d72048c9bc");
		assert_non_null(pl_sdp_fingerprint(s, i));
	}
	const struct pl_sdp_media *a = &s->media[0];
	assert_string_equal(a->mid, "0");
	assert_int_equal(a->fmts[0], 109);
	assert_string_equal(codec(a, 109)->name, "opus");
	assert_int_equal(codec(a, 109)->channels, 2);
	assert_ext(a, PL_EXT_URI_AUDIO_LEVEL, 1);
	assert_ext(a, PL_EXT_URI_MID, 3);
	assert_ext(a, PL_EXT_URI_TWCC, 7);
	assert_int_equal(a->exts[1].id, 2);
	assert_int_equal(a->exts[1].dir, PL_DIR_RECVONLY); /* a=extmap:2/recvonly */
	assert_int_equal(a->ssrcs[0], 1254299035u);
	assert_string_equal(pl_sdp_ssrc_find(a, 1254299035u)->cname,
	                    "{f5979020-92a5-473f-b15e-246c339113ab}");
	const uint32_t fid[2][2] = {{173617210u, 3747354079u}, {1063843614u, 2195002882u}};
	for (size_t i = 1; i < 3; i++) {
		const struct pl_sdp_media *v = &s->media[i];
		assert_int_equal(v->port, 0);
		assert_true(v->bundle_only);
		assert_int_equal(v->fmts[0], 120);
		assert_string_equal(codec(v, 120)->name, "VP8");
		assert_int_equal(codec(v, 124)->apt, 120);
		assert_ext(v, PL_EXT_URI_MID, 3);
		assert_ext(v, PL_EXT_URI_ABS_SEND, 4);
		assert_ext(v, PL_EXT_URI_TWCC, 7);
		assert_int_equal(v->fid_primary, fid[i - 1][0]);
		assert_int_equal(v->fid_rtx, fid[i - 1][1]);
	}
	pl_sdp_free(s);
	free(t);
}

/* ---- publish answers ------------------------------------------------------------------------- */

static void test_answer_chromium(void **state)
{
	(void)state;
	char *t = load("chromium-publish-offer.sdp", NULL);
	struct answered a;
	answer_fixture(t, &local, &a);
	assert_answer_common(&a);
	const struct pl_sdp *s = a.answer;
	assert_true(s->sess_id == 4242);
	assert_int_equal(s->n_bundle, 2);
	/* Audio: Opus only, with the offer's pt and fmtp, the offer's extension ids. */
	const struct pl_sdp_media *au = &s->media[0], *v = &s->media[1];
	assert_int_equal(au->n_fmts, 1);
	assert_int_equal(au->fmts[0], 111);
	assert_string_equal(codec(au, 111)->name, "opus");
	assert_int_equal(codec(au, 111)->channels, 2);
	assert_string_equal(codec(au, 111)->fmtp, "minptime=10;useinbandfec=1");
	assert_ext(au, PL_EXT_URI_AUDIO_LEVEL, 1);
	assert_ext(au, PL_EXT_URI_ABS_SEND, 2);
	assert_ext(au, PL_EXT_URI_TWCC, 3);
	assert_ext(au, PL_EXT_URI_MID, 4);
	/* Video: VP8 96 + RTX 97 apt=96; no rid extensions (not forwarded in v1). */
	assert_int_equal(v->n_fmts, 2);
	assert_int_equal(v->fmts[0], 96);
	assert_int_equal(v->fmts[1], 97);
	assert_string_equal(codec(v, 96)->name, "VP8");
	assert_true(codec(v, 96)->fb & PL_FB_TWCC);
	assert_true(codec(v, 96)->fb & PL_FB_REMB);
	assert_int_equal(codec(v, 97)->apt, 96);
	assert_ext(v, PL_EXT_URI_TWCC, 3);
	assert_ext(v, PL_EXT_URI_MID, 4);
	assert_ext(v, PL_EXT_URI_ABS_SEND, 2);
	assert_ext(v, PL_EXT_URI_RID, 0);
	assert_ext(v, PL_EXT_URI_AUDIO_LEVEL, 0);
	/* The negotiated lines the server configures its router with. */
	const struct pl_sdp_pub_line *la = &a.neg.lines[0], *lv = &a.neg.lines[1];
	assert_int_equal(a.neg.n, 2);
	assert_true(la->accepted && lv->accepted);
	assert_int_equal(la->kind, PL_KIND_AUDIO);
	assert_int_equal(la->codec.pt, 111);
	assert_int_equal(la->rtx_pt, -1);
	assert_int_equal(la->ssrc, 4267036501u);
	assert_int_equal(la->rtx_ssrc, 0);
	assert_int_equal(la->ext_audio_level, 1);
	assert_int_equal(la->ext_twcc, 3);
	assert_int_equal(la->ext_mid, 4);
	assert_int_equal(la->ext_abs_send, 2);
	assert_int_equal(lv->codec.pt, 96);
	assert_int_equal(lv->rtx_pt, 97);
	assert_int_equal(lv->ssrc, 3587359779u);
	assert_int_equal(lv->rtx_ssrc, 2022864125u);
	assert_int_equal(lv->ext_twcc, 3);
	assert_int_equal(lv->ext_audio_level, 0);
	answered_free(&a);
	free(t);
}

static void test_answer_firefox_captured(void **state)
{
	(void)state;
	char *t = load("firefox-publish-offer-av2.sdp", NULL);
	struct answered a;
	answer_fixture(t, &local, &a);
	assert_answer_common(&a);
	assert_int_equal(a.answer->n_bundle, 3); /* bundle-only lines accepted */
	const struct pl_sdp_media *au = &a.answer->media[0];
	assert_int_equal(au->fmts[0], 109);
	assert_string_equal(codec(au, 109)->fmtp, "maxplaybackrate=48000;stereo=1;useinbandfec=1");
	assert_ext(au, PL_EXT_URI_AUDIO_LEVEL, 1);
	assert_ext(au, PL_EXT_URI_MID, 3);
	assert_ext(au, PL_EXT_URI_TWCC, 7);
	assert_int_equal(a.neg.lines[0].ssrc, 1254299035u);
	for (size_t i = 1; i < 3; i++) {
		const struct pl_sdp_media *v = &a.answer->media[i];
		assert_int_equal(v->port, 9);
		assert_int_equal(v->n_fmts, 2);
		assert_int_equal(v->fmts[0], 120);
		assert_int_equal(codec(v, 124)->apt, 120);
		assert_ext(v, PL_EXT_URI_MID, 3);
		assert_ext(v, PL_EXT_URI_ABS_SEND, 4);
		assert_ext(v, PL_EXT_URI_TWCC, 7);
		assert_int_equal(a.neg.lines[i].rtx_pt, 124);
	}
	assert_int_equal(a.neg.lines[1].ssrc, 173617210u);
	assert_int_equal(a.neg.lines[1].rtx_ssrc, 3747354079u);
	assert_int_equal(a.neg.lines[2].ssrc, 1063843614u);
	assert_int_equal(a.neg.lines[2].rtx_ssrc, 2195002882u);
	answered_free(&a);
	free(t);
}

/* Hand-written Firefox-style offer (see the README): VP8 by default, H.264 126 when preferred
 * (97 lacks packetization-mode=1), the offer's pts kept. */
static void test_answer_firefox_handwritten_prefs(void **state)
{
	(void)state;
	char *t = load("firefox-publish-offer.sdp", NULL);
	struct answered a;
	answer_fixture(t, &local, &a);
	assert_answer_common(&a);
	assert_int_equal(a.answer->media[1].fmts[0], 120);
	assert_int_equal(a.neg.lines[1].rtx_pt, 124);
	assert_int_equal(a.neg.lines[1].ssrc, 3129876543u);
	assert_int_equal(a.neg.lines[1].rtx_ssrc, 1357924680u);
	answered_free(&a);

	static char h264[] = "h264", vp8[] = "vp8", vp9[] = "vp9";
	char *const h264_first[] = {h264, vp8, NULL};
	struct pl_sdp_local l = local;
	l.video_codecs = h264_first;
	answer_fixture(t, &l, &a);
	assert_int_equal(a.neg.lines[1].codec.pt, 126);
	assert_int_equal(a.neg.lines[1].rtx_pt, 127);
	assert_string_equal(codec(&a.answer->media[1], 126)->name, "H264");
	assert_int_equal(codec(&a.answer->media[1], 127)->apt, 126);
	answered_free(&a);
	free(t);

	/* Chromium's VP9 profile 0 is 98 with RTX 99. */
	char *const vp9_first[] = {vp9, vp8, NULL};
	l.video_codecs = vp9_first;
	t = load("chromium-publish-offer.sdp", NULL);
	answer_fixture(t, &l, &a);
	assert_int_equal(a.neg.lines[1].codec.pt, 98);
	assert_int_equal(a.neg.lines[1].rtx_pt, 99);
	answered_free(&a);
	free(t);
}

/* ---- rejections ------------------------------------------------------------------------------ */

static void expect_reject(const char *text, const char *reason)
{
	struct pl_sdp *s = pl_sdp_new();
	struct pl_sdp_publish *neg = malloc(sizeof *neg);
	char err[256] = "";
	char *ans = (char *)1;
	int rc = parse_str(text, s, err, sizeof err);
	if (rc == 0)
		rc = pl_sdp_answer_publish(s, &local, neg, &ans, err, sizeof err);
	else
		ans = NULL;
	assert_int_not_equal(rc, 0);
	assert_null(ans);
	if (!strstr(err, reason))
		fail_msg("expected \"%s\" in \"%s\"", reason, err);
	free(neg);
	pl_sdp_free(s);
}

static void test_rejections(void **state)
{
	(void)state;
	char *t = load("chromium-publish-offer.sdp", NULL);
	char *c = strdup(t);
	strip_lines(c, "a=group:BUNDLE");
	expect_reject(c, "BUNDLE is required");
	free(c);
	c = strdup(t);
	strip_lines(c, "a=rtcp-mux");
	expect_reject(c, "rtcp-mux is required");
	free(c);
	c = strdup(t);
	strip_lines(c, "a=fingerprint");
	expect_reject(c, "fingerprint is required");
	free(c);
	c = strdup(t);
	strip_lines(c, "a=ice-ufrag");
	expect_reject(c, "ICE credentials missing");
	free(c);
	/* Only a sha-1 fingerprint: not the one Plenum checks. */
	c = replace_all(t,
	                "a=fingerprint:sha-256 E3:0F:B8:34:81:A7:78:AC:57:AC:E6:28:B4:7F:1A:53:81:"
	                "AC:E4:46:5A:EE:A6:9E:D6:71:FD:D5:6E:34:DA:7F",
	                "a=fingerprint:sha-1 E3:0F:B8:34:81:A7:78:AC:57:AC:E6:28:B4:7F:1A:53:81:AC:"
	                "E4:46");
	expect_reject(c, "fingerprint is required");
	free(c);
	free(t);

	/* Only H.264 video (and the server forwards VP8 only by default). */
	expect_reject(
	    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
	    "a=fingerprint:" LOCAL_FP "\r\n"
	    "m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
	    "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=setup:actpass\r\n"
	    "a=rtcp-mux\r\na=sendonly\r\na=rtpmap:102 H264/90000\r\n"
	    "a=fmtp:102 packetization-mode=1;profile-level-id=42e01f\r\n",
	    "no m-line with a codec");
	/* Data channel only. */
	expect_reject(
	    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
	    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
	    "a=mid:0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
	    "a=fingerprint:sha-256 0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:"
	    "3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9\r\n"
	    "a=setup:actpass\r\na=sctp-port:5000\r\n",
	    "no m-line with a codec");
	/* No m-lines at all. */
	expect_reject("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n",
	              "no m-lines");
}

/* A data channel next to media is rejected (port 0, inactive, outside BUNDLE); an m-line the
 * offer left out of the BUNDLE group is rejected too. */
static void test_partial_accept(void **state)
{
	(void)state;
	char *t = load("chromium-publish-offer.sdp", NULL);
	char *c = replace_all(t, "a=group:BUNDLE 0 1\r\n", "a=group:BUNDLE 0 1 2\r\n");
	size_t n = strlen(c);
	const char *dc = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
	                 "a=mid:2\r\na=sctp-port:5000\r\n";
	c = realloc(c, n + strlen(dc) + 1);
	strcpy(c + n, dc);
	struct answered a;
	answer_fixture(c, &local, &a);
	assert_answer_common(&a);
	assert_false(a.neg.lines[2].accepted);
	assert_int_equal(a.answer->media[2].port, 0);
	assert_int_equal(a.answer->media[2].dir, PL_DIR_INACTIVE);
	assert_string_equal(a.answer->media[2].mid, "2");
	assert_int_equal(a.answer->n_bundle, 2);
	answered_free(&a);
	free(c);

	c = replace_all(t, "a=group:BUNDLE 0 1\r\n", "a=group:BUNDLE 0\r\n");
	answer_fixture(c, &local, &a);
	assert_answer_common(&a);
	assert_true(a.neg.lines[0].accepted);
	assert_false(a.neg.lines[1].accepted);
	assert_int_equal(a.answer->media[1].port, 0);
	answered_free(&a);
	free(c);
	free(t);
}

/* ---- parser limits and garbage --------------------------------------------------------------- */

static void expect_parse(const char *t, size_t len, int rc_want, const char *reason)
{
	struct pl_sdp *s = pl_sdp_new();
	char err[256] = "";
	int rc = pl_sdp_parse(t, len, s, err, sizeof err);
	if (rc != rc_want)
		fail_msg("rc %d, want %d (%s)", rc, rc_want, err);
	if (reason && !strstr(err, reason))
		fail_msg("expected \"%s\" in \"%s\"", reason, err);
	pl_sdp_free(s);
}

/* A growing text buffer. */
struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[8192];
	va_start(ap, fmt);
	int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	assert_true(k >= 0 && (size_t)k < sizeof tmp);
	if (b->n + (size_t)k + 1 > b->cap) {
		b->cap = (b->n + (size_t)k + 1) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, tmp, (size_t)k + 1);
	b->n += (size_t)k;
}

static void test_limits(void **state)
{
	(void)state;
	struct buf b = {0};
	/* Size: exactly PL_SDP_MAX_BYTES of comment-like lines passes the size check, one more byte
	 * not. */
	char *big = malloc(PL_SDP_MAX_BYTES + 2);
	memset(big, 'x', PL_SDP_MAX_BYTES + 1);
	memcpy(big, "v=0\r\n", 5);
	expect_parse(big, PL_SDP_MAX_BYTES + 1, PL_ELIMIT, "larger than");
	free(big);

	/* Lines: PL_SDP_MAX_LINES (4160) pass, one more does not. */
	put(&b, "v=0\r\n");
	for (int i = 1; i < PL_SDP_MAX_LINES; i++)
		put(&b, "a=x\r\n");
	expect_parse(b.p, b.n, 0, NULL);
	put(&b, "a=x\r\n");
	expect_parse(b.p, b.n, PL_ELIMIT, "more than 4160 lines");

	/* A 5000-byte line; 4096 is the longest allowed. */
	b.n = 0;
	put(&b, "v=0\r\na=fmtp:96 ");
	for (int i = 0; i < 5000 - 12; i++)
		put(&b, "y");
	put(&b, "\r\n");
	expect_parse(b.p, b.n, PL_ELIMIT, "line longer than 4096");
	b.n = 0;
	put(&b, "v=0\r\na=");
	for (int i = 0; i < PL_SDP_MAX_LINE - 2; i++)
		put(&b, "z");
	put(&b, "\r\n");
	expect_parse(b.p, b.n, 0, NULL);

	/* m-lines: PL_SDP_MAX_MEDIA pass, one more does not. */
	b.n = 0;
	put(&b, "v=0\r\n");
	for (int i = 0; i < PL_SDP_MAX_MEDIA; i++)
		put(&b, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:%d\r\n", i);
	expect_parse(b.p, b.n, 0, NULL);
	put(&b, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
	expect_parse(b.p, b.n, PL_ELIMIT, "m-lines");

	/* Codecs: 32 payload types on the m-line pass, 33 do not; 33 rtpmaps do not either. */
	b.n = 0;
	put(&b, "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF");
	for (int i = 0; i < PL_SDP_MAX_CODECS; i++)
		put(&b, " %d", 96 + i);
	put(&b, "\r\n");
	for (int i = 0; i < PL_SDP_MAX_CODECS; i++)
		put(&b, "a=rtpmap:%d VP8/90000\r\n", 96 - i % 2 * 70 + i / 2);
	expect_parse(b.p, b.n, 0, NULL);
	put(&b, "a=rtpmap:20 VP8/90000\r\n");
	expect_parse(b.p, b.n, PL_ELIMIT, "more than 32 codecs");
	b.n = 0;
	put(&b, "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF");
	for (int i = 0; i <= PL_SDP_MAX_CODECS; i++)
		put(&b, " %d", 90 + i);
	put(&b, "\r\n");
	expect_parse(b.p, b.n, PL_ELIMIT, "payload types");

	/* Payload type 300, on the m-line and in a=rtpmap. */
	const char *pt300 = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:300 VP8/90000\r\n";
	expect_parse(pt300, strlen(pt300), PL_EINVAL, "out of range");
	const char *pt300m = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 300\r\n";
	expect_parse(pt300m, strlen(pt300m), PL_EINVAL, NULL);
	char *hostile = load("hostile-pt-out-of-range.sdp", NULL);
	expect_parse(hostile, strlen(hostile), PL_EINVAL, NULL);
	free(hostile);

	/* extmap ids: 1-14 and 16-255. */
	const char *ids[] = {"0", "15", "256", "-1", "x", "99999999999999999999"};
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
		b.n = 0;
		put(&b, "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:%s %s\r\n", ids[i],
		    PL_EXT_URI_MID);
		expect_parse(b.p, b.n, PL_EINVAL, "a=extmap id must be 1-14 or 16-255");
	}
	const char *ok_ids[] = {"1", "14", "16", "255"};
	for (size_t i = 0; i < sizeof ok_ids / sizeof *ok_ids; i++) {
		b.n = 0;
		put(&b, "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:%s %s\r\n", ok_ids[i],
		    PL_EXT_URI_MID);
		expect_parse(b.p, b.n, 0, NULL);
	}
	/* More than 16 extmaps. */
	b.n = 0;
	put(&b, "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
	for (int i = 1; i <= PL_SDP_MAX_EXTS + 1; i++)
		put(&b, "a=extmap:%d urn:x:%d\r\n", i + 20, i);
	expect_parse(b.p, b.n, PL_ELIMIT, "extmaps");
	free(b.p);
}

static void test_garbage(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "",                                       /* missing v=0 */
	    "hello\r\n",                              /* not <type>=<value> */
	    "v=0\r\nx\r\n",                           /* too short */
	    "v=0\r\n=abc\r\n",                        /* no type */
	    "a=group:BUNDLE 0\r\nv=0\r\n",            /* v= not first */
	    "v=1\r\n",                                /* wrong version */
	    "v=0\r\nv=0\r\n",                         /* twice */
	    "v=0\r\na=x\x01y\r\n",                    /* control character */
	    "v=0\r\nm=audio\r\n",                     /* malformed m-line */
	    "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF\r\n", /* no format */
	    "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 111\r\n",
	    "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111\r\n",
	    "v=0\r\na=fingerprint:sha-256 zz:zz\r\n",
	    "v=0\r\na=fingerprint:sha-256 AB:CD\r\n", /* 2 bytes, sha-256 needs 32 */
	    "v=0\r\na=setup:sideways\r\n",
	    "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
	    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n", /* duplicate mid */
	    "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ssrc-group:FID 1\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct pl_sdp *s = pl_sdp_new();
		char err[256] = "";
		int rc = pl_sdp_parse(bad[i], strlen(bad[i]), s, err, sizeof err);
		if (rc == 0)
			fail_msg("garbage %zu accepted: %s", i, bad[i]);
		assert_int_equal(rc, PL_EINVAL);
		assert_true(err[0] != '\0');
		pl_sdp_free(s);
	}
	/* Lines the SFU ignores are fine, and LF-only line ends too. */
	const char *lf = "v=0\nb=AS:30\nk=clear:x\nz=1\na=unknown-thing:1 2 3\n";
	expect_parse(lf, strlen(lf), 0, NULL);
	/* The error buffer may be tiny or absent. */
	struct pl_sdp *s = pl_sdp_new();
	char tiny[4];
	assert_int_equal(pl_sdp_parse("v=1", 3, s, tiny, sizeof tiny), PL_EINVAL);
	assert_int_equal(tiny[3], '\0');
	assert_int_equal(pl_sdp_parse("v=1", 3, s, NULL, 0), PL_EINVAL);
	pl_sdp_free(s);
}

/* ---- subscribe offer and answer -------------------------------------------------------------- */

static const struct pl_sdp_sub_track sub_tracks[3] = {
    {.mid = "0",
     .kind = PL_KIND_AUDIO,
     .active = true,
     .codec = {.pt = PL_PT_OPUS,
               .name = "opus",
               .clock_rate = 48000,
               .channels = 2,
               .fmtp = "minptime=10;useinbandfec=1",
               .apt = -1},
     .ssrc = 1001,
     .stream = "p7",
     .track = "p7-audio"},
    {.mid = "1",
     .kind = PL_KIND_VIDEO,
     .active = true,
     .codec = {.pt = PL_PT_VP8, .name = "VP8", .clock_rate = 90000, .apt = -1},
     .ssrc = 1002,
     .stream = "p7",
     .track = "p7-video"},
    {.mid = "2",
     .kind = PL_KIND_VIDEO,
     .active = false,
     .codec = {.pt = PL_PT_VP8, .name = "VP8", .clock_rate = 90000, .apt = -1},
     .ssrc = 1003,
     .stream = "p8",
     .track = "p8-video"},
};

/* The offer is compared with a golden file, the very text tests/fixtures/capture_sdp.mjs gave
 * Chromium to capture chromium-subscribe-answer-plenum.sdp. PLENUM_WRITE_FIXTURES=1 rewrites it
 * (then re-capture the answer). */
static void test_offer_subscribe(void **state)
{
	(void)state;
	char *offer = NULL;
	assert_int_equal(pl_sdp_offer_subscribe(&local, sub_tracks, 3, &offer), 0);
	if (getenv("PLENUM_WRITE_FIXTURES")) {
		char *path = fixture_path("plenum-subscribe-offer.sdp");
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		fputs(offer, f);
		fclose(f);
		free(path);
	}
	char *golden = load("plenum-subscribe-offer.sdp", NULL);
	assert_string_equal(offer, golden);
	free(golden);

	struct pl_sdp *s = pl_sdp_new();
	char err[256];
	if (parse_str(offer, s, err, sizeof err))
		fail_msg("%s", err);
	assert_int_equal(s->n_media, 3);
	/* Ended tracks stay in the BUNDLE group as inactive lines (see sdp_negotiate.c: rejecting
	 * the group's first m-line would move the browser to a new transport). */
	assert_int_equal(s->n_bundle, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct pl_sdp_media *m = &s->media[i];
		assert_string_equal(m->mid, sub_tracks[i].mid);
		assert_string_equal(s->bundle[i], sub_tracks[i].mid);
		assert_int_equal(pl_sdp_setup_of(s, i), PL_SETUP_ACTPASS);
		assert_string_equal(pl_sdp_ufrag(s, i), "PlEn");
		assert_fp(pl_sdp_fingerprint(s, i), LOCAL_FP + 8);
		assert_true(m->rtcp_mux);
		assert_int_equal(m->n_fmts, 1);
		assert_int_equal(m->fmts[0], sub_tracks[i].codec.pt);
	}
	const struct pl_sdp_media *a = &s->media[0], *v = &s->media[1], *ended = &s->media[2];
	assert_int_equal(a->dir, PL_DIR_SENDONLY);
	assert_string_equal(codec(a, 111)->fmtp, "minptime=10;useinbandfec=1");
	assert_int_equal(codec(a, 111)->channels, 2);
	assert_int_equal(a->n_ssrcs, 1);
	assert_int_equal(a->ssrcs[0], 1001);
	assert_string_equal(pl_sdp_ssrc_find(a, 1001)->cname, "p7");
	assert_string_equal(pl_sdp_ssrc_find(a, 1001)->msid_stream, "p7");
	assert_string_equal(pl_sdp_ssrc_find(a, 1001)->msid_track, "p7-audio");
	assert_string_equal(a->msid_stream, "p7");
	assert_string_equal(a->msid_track, "p7-audio");
	assert_int_equal(v->dir, PL_DIR_SENDONLY);
	assert_int_equal(codec(v, 96)->fb, PL_FB_NACK | PL_FB_PLI | PL_FB_FIR);
	assert_string_equal(pl_sdp_ssrc_find(v, 1002)->msid_track, "p7-video");
	assert_int_equal(ended->dir, PL_DIR_INACTIVE);
	assert_int_equal(ended->n_ssrcs, 0); /* nothing announced for an ended track */
	assert_string_equal(ended->msid_stream, "");
	pl_sdp_free(s);
	free(offer);
}

static void test_check_subscribe_answer(void **state)
{
	(void)state;
	char *t = load("chromium-subscribe-answer-plenum.sdp", NULL);
	struct pl_sdp *s = pl_sdp_new();
	char err[256] = "";
	if (parse_str(t, s, err, sizeof err))
		fail_msg("%s", err);
	assert_int_equal(s->n_media, 3);
	assert_int_equal(pl_sdp_setup_of(s, 0), PL_SETUP_ACTIVE);
	assert_int_equal(s->media[0].dir, PL_DIR_RECVONLY);
	assert_int_equal(s->media[1].dir, PL_DIR_RECVONLY);
	assert_int_equal(s->media[2].dir, PL_DIR_INACTIVE);
	assert_int_equal(s->media[0].fmts[0], PL_PT_OPUS);
	assert_int_equal(s->media[1].fmts[0], PL_PT_VP8);
	assert_int_equal(pl_sdp_check_subscribe_answer(s, 3, err, sizeof err), 0);
	/* Wrong m-line counts. */
	assert_int_equal(pl_sdp_check_subscribe_answer(s, 2, err, sizeof err), PL_EPROTO);
	assert_non_null(strstr(err, "the answer has 3 m-lines, the offer 2"));
	assert_int_equal(pl_sdp_check_subscribe_answer(s, 4, err, sizeof err), PL_EPROTO);

	/* No fingerprint. */
	char *c = strdup(t);
	strip_lines(c, "a=fingerprint");
	assert_int_equal(parse_str(c, s, err, sizeof err), 0);
	assert_int_equal(pl_sdp_check_subscribe_answer(s, 3, err, sizeof err), PL_EUNSUPPORTED);
	assert_non_null(strstr(err, "fingerprint"));
	free(c);
	/* setup:actpass is an offerer's value. */
	c = replace_all(t, "a=setup:active", "a=setup:actpass");
	assert_int_equal(parse_str(c, s, err, sizeof err), 0);
	assert_int_equal(pl_sdp_check_subscribe_answer(s, 3, err, sizeof err), PL_EPROTO);
	assert_non_null(strstr(err, "a=setup"));
	free(c);
	/* No ICE password. */
	c = strdup(t);
	strip_lines(c, "a=ice-pwd");
	assert_int_equal(parse_str(c, s, err, sizeof err), 0);
	assert_int_equal(pl_sdp_check_subscribe_answer(s, 3, err, sizeof err), PL_EPROTO);
	assert_non_null(strstr(err, "ICE"));
	free(c);
	/* The existing capture (an answer to a 3-line server-style offer) passes too. */
	free(t);
	t = load("chromium-subscribe-answer.sdp", NULL);
	assert_int_equal(parse_str(t, s, err, sizeof err), 0);
	assert_int_equal(pl_sdp_check_subscribe_answer(s, s->n_media, err, sizeof err), 0);
	free(t);
	pl_sdp_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_chromium_offer),
	    cmocka_unit_test(test_parse_firefox_offer),
	    cmocka_unit_test(test_answer_chromium),
	    cmocka_unit_test(test_answer_firefox_captured),
	    cmocka_unit_test(test_answer_firefox_handwritten_prefs),
	    cmocka_unit_test(test_rejections),
	    cmocka_unit_test(test_partial_accept),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_offer_subscribe),
	    cmocka_unit_test(test_check_subscribe_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
