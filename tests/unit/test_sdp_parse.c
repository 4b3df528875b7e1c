/* SDP parser on real Chromium 156 and Firefox ESR 153 captures (tests/fixtures/sdp/README.md),
 * hostile inputs past every limit, and write->parse round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "media/codec.h"
#include "media/error.h"
#include "media/sdp.h"

static char *fixture(const char *name, size_t *len)
{
	const char *src = getenv("PLENUM_SOURCE_DIR");
	char *path = g_strdup_printf("%s/tests/fixtures/sdp/%s", src ? src : ".", name);
	char *data = NULL;
	gsize n = 0;
	assert_true(g_file_get_contents(path, &data, &n, NULL));
	g_free(path);
	*len = n;
	return data;
}

static struct pl_sdp *parse_fixture(const char *name)
{
	size_t len;
	char *text = fixture(name, &len);
	struct pl_sdp *s = pl_sdp_new();
	char err[256] = "";
	int rc = pl_sdp_parse(text, len, s, err, sizeof err);
	if (rc)
		print_error("%s: %s\n", name, err);
	assert_int_equal(rc, 0);
	g_free(text);
	return s;
}

static const struct pl_sdp_codec *codec(const struct pl_sdp_media *m, unsigned pt)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt)
			return &m->codecs[i];
	return NULL;
}

static void test_chromium_av2(void **state)
{
	(void)state;
	struct pl_sdp *s = parse_fixture("chromium-publish-offer-av2.sdp");
	assert_int_equal(s->sess_id, 474384568220316191ull);
	assert_int_equal(s->sess_version, 2);
	assert_true(s->extmap_allow_mixed);
	assert_true(s->has_bundle);
	assert_int_equal(s->n_bundle, 3);
	assert_string_equal(s->bundle[2], "2");
	assert_int_equal(s->n_media, 3);
	const struct pl_sdp_media *a = &s->media[0], *v = &s->media[1], *scr = &s->media[2];
	assert_int_equal(a->kind, PL_KIND_AUDIO);
	assert_string_equal(a->mid, "0");
	assert_int_equal(a->dir, PL_DIR_SENDONLY);
	assert_true(a->rtcp_mux);
	assert_true(a->ice_trickle);
	assert_string_equal(pl_sdp_ufrag(s, 0), "rBZJ");
	assert_string_equal(pl_sdp_pwd(s, 0), "bfFpuJpIqSK+cBXUIpfktxSe");
	assert_string_equal(a->fingerprint_alg, "sha-256");
	assert_int_equal(a->fingerprint_len, 32);
	const uint8_t fp_head[4] = {0x58, 0x95, 0xF0, 0x4D};
	assert_memory_equal(pl_sdp_fingerprint(s, 0), fp_head, 4);
	assert_int_equal(pl_sdp_fingerprint(s, 0)[31], 0xFE);
	assert_int_equal(pl_sdp_setup_of(s, 0), PL_SETUP_ACTPASS);
	/* m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126 */
	assert_int_equal(a->n_fmts, 8);
	assert_int_equal(a->fmts[0], 111);
	assert_int_equal(a->fmts[7], 126);
	const struct pl_sdp_codec *opus = codec(a, 111);
	assert_non_null(opus);
	assert_string_equal(opus->name, "opus");
	assert_int_equal(opus->clock_rate, 48000);
	assert_int_equal(opus->channels, 2);
	assert_string_equal(opus->fmtp, "minptime=10;useinbandfec=1");
	assert_int_equal(opus->fb, PL_FB_TWCC);
	assert_string_equal(codec(a, 63)->name, "red");
	assert_int_equal(pl_sdp_ext_id(a, PL_EXT_URI_AUDIO_LEVEL), 1);
	assert_int_equal(pl_sdp_ext_id(a, PL_EXT_URI_ABS_SEND), 2);
	assert_int_equal(pl_sdp_ext_id(a, PL_EXT_URI_TWCC), 3);
	assert_int_equal(pl_sdp_ext_id(a, PL_EXT_URI_MID), 4);
	assert_int_equal(a->n_ssrcs, 1);
	assert_int_equal(a->ssrcs[0], 2342961350u);
	assert_string_equal(a->ssrc_attrs[0].cname, "K7HNJ9RdXJi8bXuU");
	assert_string_equal(a->msid_stream, "a11794f1-80bb-4ad1-bb74-057aa19d5bdf");
	assert_string_equal(a->msid_track, "b6b361be-687c-4d81-adcd-3a6305ac87ba");

	assert_string_equal(v->mid, "1");
	assert_int_equal(v->n_fmts, 23);
	assert_int_equal(v->n_codecs, 23);
	assert_int_equal(codec(v, 96)->fb,
	                 PL_FB_NACK | PL_FB_PLI | PL_FB_FIR | PL_FB_TWCC | PL_FB_REMB);
	assert_int_equal(codec(v, 97)->apt, 96);
	assert_string_equal(
	    codec(v, 102)->fmtp,
	    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
	assert_true(pl_codec_acceptable(codec(v, 96)));
	assert_true(pl_codec_acceptable(codec(v, 102)));
	assert_false(pl_codec_acceptable(codec(v, 104))); /* packetization-mode=0 */
	assert_true(pl_codec_acceptable(codec(v, 108)));  /* 42e01f */
	assert_false(pl_codec_acceptable(codec(v, 116))); /* 4d001f main */
	assert_true(pl_codec_acceptable(codec(v, 98)));   /* VP9 profile-id=0 */
	assert_false(pl_codec_acceptable(codec(v, 100))); /* VP9 profile-id=2 */
	assert_false(pl_codec_acceptable(codec(v, 45)));  /* AV1 */
	assert_int_equal(pl_sdp_ext_id(v, PL_EXT_URI_RID), 10);
	assert_int_equal(pl_sdp_ext_id(v, PL_EXT_URI_RRID), 11);
	assert_int_equal(pl_sdp_ext_id(v, "urn:ietf:params:rtp-hdrext:toffset"), 14);
	assert_int_equal(v->n_fids, 1);
	assert_int_equal(v->fids[0].primary, 1214097765u);
	assert_int_equal(v->fids[0].rtx, 2907648601u);
	assert_int_equal(v->fid_primary, 1214097765u);
	assert_int_equal(v->n_ssrcs, 2);
	const struct pl_sdp_ssrc *x = pl_sdp_ssrc_find(v, 2907648601u);
	assert_non_null(x);
	assert_string_equal(x->msid_track, "0b3472c7-2478-4fc0-ad1a-13d9ffd9cb3f");
	assert_string_equal(scr->mid, "2");
	assert_string_equal(scr->msid_stream, "c9131919-65bb-4c5b-a475-d403b7faebdd");
	assert_int_equal(scr->fids[0].primary, 3140203450u);
	assert_ptr_equal(pl_sdp_media_by_mid(s, "2"), scr);
	assert_null(pl_sdp_media_by_mid(s, "7"));
	pl_sdp_free(s);
}

static void test_firefox_av2(void **state)
{
	(void)state;
	struct pl_sdp *s = parse_fixture("firefox-publish-offer-av2.sdp");
	assert_int_equal(s->sess_id, 1900639631922447610ull);
	assert_true(s->has_fingerprint); /* session level */
	assert_int_equal(s->fingerprint[0], 0x54);
	assert_int_equal(s->fingerprint[31], 0xA9);
	assert_int_equal(s->n_media, 3);
	const struct pl_sdp_media *a = &s->media[0], *v = &s->media[1];
	assert_int_equal(a->port, 9);
	assert_true(a->extmap_allow_mixed);
	assert_string_equal(pl_sdp_ufrag(s, 1), "ee479db9");
	assert_int_equal(pl_sdp_setup_of(s, 1), PL_SETUP_ACTPASS);
	/* max-bundle: Firefox offers the other m-lines with port 0 and a=bundle-only */
	assert_int_equal(v->port, 0);
	assert_true(v->bundle_only);
	assert_int_equal(v->dir, PL_DIR_SENDONLY);
	/* a=fmtp and a=rtcp-fb come before a=rtpmap in Firefox's order */
	assert_string_equal(codec(a, 109)->name, "opus");
	assert_string_equal(codec(a, 109)->fmtp, "maxplaybackrate=48000;stereo=1;useinbandfec=1");
	assert_int_equal(codec(a, 101)->channels, 1);
	assert_int_equal(codec(v, 124)->apt, 120);
	assert_string_equal(codec(v, 120)->name, "VP8");
	assert_int_equal(codec(v, 120)->fb,
	                 PL_FB_NACK | PL_FB_PLI | PL_FB_FIR | PL_FB_TWCC | PL_FB_REMB);
	assert_int_equal(pl_sdp_ext_id(a, PL_EXT_URI_AUDIO_LEVEL), 1);
	assert_int_equal(pl_sdp_ext_id(a, PL_EXT_URI_MID), 3);
	assert_int_equal(pl_sdp_ext_id(v, PL_EXT_URI_TWCC), 7);
	assert_int_equal(a->exts[1].dir, PL_DIR_RECVONLY); /* 2/recvonly csrc-audio-level */
	assert_int_equal(a->ssrcs[0], 1254299035u);
	assert_string_equal(a->ssrc_attrs[0].cname, "{f5979020-92a5-473f-b15e-246c339113ab}");
	assert_string_equal(a->msid_track, "{d7124157-2a91-4b31-94cc-1eb40abb6a09}");
	pl_sdp_free(s);
}

static void test_simulcast(void **state)
{
	(void)state;
	struct pl_sdp *s = parse_fixture("chromium-publish-simulcast.sdp");
	const struct pl_sdp_media *v = &s->media[0];
	assert_int_equal(v->n_rids, 3);
	assert_string_equal(v->rids[0].id, "q");
	assert_true(v->rids[2].send);
	assert_string_equal(v->simulcast, "send q;h;f");
	pl_sdp_free(s);
	s = parse_fixture("firefox-publish-simulcast.sdp");
	v = &s->media[0];
	assert_int_equal(v->n_rids, 3);
	assert_int_equal(v->n_fids, 3);
	assert_int_equal(v->fids[2].primary, 4289649558u);
	assert_int_equal(v->fids[2].rtx, 3863320913u);
	assert_int_equal(v->n_ssrcs, 6);
	pl_sdp_free(s);
}

static void test_firefox_answer_session_dir(void **state)
{
	(void)state;
	struct pl_sdp *s = parse_fixture("firefox-subscribe-answer.sdp");
	assert_int_equal(s->dir, PL_DIR_SENDRECV);
	assert_int_equal(s->media[0].dir, PL_DIR_RECVONLY);
	assert_int_equal(s->media[2].dir, PL_DIR_INACTIVE);
	assert_int_equal(pl_sdp_setup_of(s, 0), PL_SETUP_ACTIVE);
	struct pl_sdp_transport t;
	char err[160];
	assert_int_equal(pl_sdp_transport_of(s, 1, &t, err, sizeof err), 0);
	assert_string_equal(t.ice_ufrag, "489f4690");
	assert_int_equal(t.fingerprint[0], 0x37);
	pl_sdp_free(s);
}

static int parse_text(const char *text, char *err, size_t errlen)
{
	struct pl_sdp *s = pl_sdp_new();
	int rc = pl_sdp_parse(text, strlen(text), s, err, errlen);
	pl_sdp_free(s);
	return rc;
}

static void test_hostile(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(
	    parse_text("v=0\nm=audio 9 UDP/TLS/RTP/SAVPF 111\na=rtpmap:300 opus/48000/2\n", err,
	               sizeof err),
	    PL_EINVAL);
	assert_string_equal(err, "SDP line 3: a=rtpmap payload type 300 out of range (0-127)");
	assert_int_equal(
	    parse_text("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 128\r\n", err, sizeof err),
	    PL_EINVAL);
	assert_non_null(strstr(err, "line 2: payload type 128 out of range"));
	assert_int_equal(
	    parse_text("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 97 96\r\n", err, sizeof err),
	    PL_EINVAL);
	assert_non_null(strstr(err, "line 2: payload type 96 listed twice"));
	/* a CR inside a line would be echoed into the answer as a line break */
	assert_int_equal(
	    parse_text("v=0\r\nm=audio 9 RTP/SAVPF 111\r\na=fmtp:111 x\ra=y\r\n", err, sizeof err),
	    PL_EINVAL);
	assert_non_null(strstr(err, "control character"));
	assert_int_equal(
	    parse_text("v=0\nm=audio 9 RTP/SAVPF 0\na=mid:a\nm=audio 9 RTP/SAVPF 0\na=mid:a\n", err,
	               sizeof err),
	    PL_EINVAL);
	assert_non_null(strstr(err, "mid \"a\" used by m-lines 0 and 1"));
	assert_int_equal(parse_text("v=0\na=ice-ufrag:ab\n", err, sizeof err), PL_EINVAL);
	assert_int_equal(parse_text("v=0\na=ice-ufrag:abc;d\n", err, sizeof err), PL_EINVAL);
	assert_int_equal(parse_text("v=0\na=fingerprint:sha-256 AB:CD\n", err, sizeof err),
	                 PL_EINVAL);
	assert_non_null(strstr(err, "32 bytes"));
	assert_int_equal(
	    parse_text("v=0\nm=audio 9 RTP/SAVPF 0\na=extmap:3 urn:a\na=extmap:3 urn:b\n", err,
	               sizeof err),
	    PL_EINVAL);
	assert_int_equal(
	    parse_text("v=0\nm=audio 9 RTP/SAVPF 0\na=ssrc-group:FID 1\n", err, sizeof err),
	    PL_EINVAL);
	assert_int_equal(
	    parse_text("v=0\nm=audio 9 RTP/SAVPF 0\na=ssrc:4294967296 cname:x\n", err, sizeof err),
	    PL_EINVAL);
	assert_int_equal(parse_text("o=- 1 1 IN IP4 0.0.0.0\nv=0\n", err, sizeof err), PL_EINVAL);
	assert_int_equal(parse_text("v=0\nv=0\n", err, sizeof err), PL_EINVAL);
	assert_int_equal(
	    parse_text("v=0\nm=audio 9 RTP/SAVPF 0\na=rid:q sideways\n", err, sizeof err),
	    PL_EINVAL);
}

static void test_limits(void **state)
{
	(void)state;
	char err[256];
	/* PL_SDP_MAX_LINES (4160) lines pass, one more does not */
	GString *g = g_string_new("v=0\r\n");
	for (int i = 1; i < PL_SDP_MAX_LINES; i++)
		g_string_append(g, "a=x\r\n");
	assert_int_equal(parse_text(g->str, err, sizeof err), 0);
	g_string_append(g, "a=x\r\n");
	assert_int_equal(parse_text(g->str, err, sizeof err), PL_ELIMIT);
	assert_non_null(strstr(err, "line 4161: more than 4160 lines"));
	g_string_free(g, TRUE);
	/* a 4096-byte line passes, 4097 does not */
	g = g_string_new("v=0\r\na=");
	for (int i = 0; i < 4094; i++)
		g_string_append_c(g, 'x');
	assert_int_equal(parse_text(g->str, err, sizeof err), 0);
	g_string_append_c(g, 'x');
	assert_int_equal(parse_text(g->str, err, sizeof err), PL_ELIMIT);
	assert_non_null(strstr(err, "line 2: line longer than 4096"));
	g_string_free(g, TRUE);
	/* PL_SDP_MAX_BYTES + 1 byte */
	char *big = malloc(PL_SDP_MAX_BYTES + 2);
	memset(big, '\n', PL_SDP_MAX_BYTES + 1);
	memcpy(big, "v=0", 3);
	big[PL_SDP_MAX_BYTES + 1] = '\0';
	assert_int_equal(parse_text(big, err, sizeof err), PL_ELIMIT);
	free(big);
	/* 65 m-lines, 33 payload types, 17 extmaps, 9 FID groups */
	g = g_string_new("v=0\n");
	for (int i = 0; i < PL_SDP_MAX_MEDIA + 1; i++)
		g_string_append_printf(g, "m=audio 9 RTP/SAVPF 0\na=mid:%d\n", i);
	assert_int_equal(parse_text(g->str, err, sizeof err), PL_ELIMIT);
	g_string_free(g, TRUE);
	g = g_string_new("v=0\nm=video 9 RTP/SAVPF");
	for (int i = 0; i < 33; i++)
		g_string_append_printf(g, " %d", 90 + i);
	assert_int_equal(parse_text(g->str, err, sizeof err), PL_ELIMIT);
	g_string_free(g, TRUE);
	g = g_string_new("v=0\nm=video 9 RTP/SAVPF 96\n");
	for (int i = 1; i <= 17; i++)
		g_string_append_printf(g, "a=extmap:%d urn:x:%d\n", i < 15 ? i : i + 1, i);
	assert_int_equal(parse_text(g->str, err, sizeof err), PL_ELIMIT);
	g_string_free(g, TRUE);
	g = g_string_new("v=0\nm=video 9 RTP/SAVPF 96\n");
	for (int i = 1; i <= 9; i++)
		g_string_append_printf(g, "a=ssrc-group:FID %d %d\n", i, 100 + i);
	assert_int_equal(parse_text(g->str, err, sizeof err), PL_ELIMIT);
	g_string_free(g, TRUE);
}

/* The answer a browser writes to our largest subscribe offer: the captured answer's longest m-line
 * section written PL_SDP_MAX_MEDIA times (mids 0..N-1, all in the BUNDLE group), as the browser
 * does for an offer with that many m-lines. It must pass every limit (lines, bytes, m-lines). */
static void expect_largest_answer_parses(const char *name)
{
	size_t len;
	char *text = fixture(name, &len);
	char **parts = g_strsplit(text, "\nm=", -1);
	const char *longest = NULL;
	for (int i = 1; parts[i]; i++)
		if (!longest || strlen(parts[i]) > strlen(longest))
			longest = parts[i];
	assert_non_null(longest);
	GString *g = g_string_new(NULL);
	char **session = g_strsplit(parts[0], "\n", -1);
	for (int i = 0; session[i]; i++) {
		if (g_str_has_prefix(session[i], "a=group:BUNDLE")) {
			g_string_append(g, "a=group:BUNDLE");
			for (int m = 0; m < PL_SDP_MAX_MEDIA; m++)
				g_string_append_printf(g, " %d", m);
			g_string_append(g, "\r\n");
		} else if (session[i][0]) {
			g_string_append_printf(g, "%s\n", session[i]);
		}
	}
	char **lines = g_strsplit(longest, "\n", -1);
	for (int m = 0; m < PL_SDP_MAX_MEDIA; m++) {
		g_string_append(g, "m=");
		for (int i = 0; lines[i]; i++) {
			if (g_str_has_prefix(lines[i], "a=mid:"))
				g_string_append_printf(g, "a=mid:%d\r\n", m);
			else if (lines[i][0])
				g_string_append_printf(g, "%s\n", lines[i]);
		}
	}
	/* a realistic size: at least 250 bytes per m-line */
	assert_true(g->len > 250u * PL_SDP_MAX_MEDIA);
	struct pl_sdp *s = pl_sdp_new();
	char err[256] = "";
	int rc = pl_sdp_parse(g->str, g->len, s, err, sizeof err);
	if (rc)
		fail_msg("%s x %d (%zu bytes): %s", name, PL_SDP_MAX_MEDIA, g->len, err);
	assert_int_equal(s->n_media, PL_SDP_MAX_MEDIA);
	assert_string_equal(s->media[PL_SDP_MAX_MEDIA - 1].mid, "127");
	pl_sdp_free(s);
	g_strfreev(lines);
	g_strfreev(session);
	g_strfreev(parts);
	g_string_free(g, TRUE);
	g_free(text);
}

static void test_largest_browser_answers(void **state)
{
	(void)state;
	expect_largest_answer_parses("chromium-subscribe-answer.sdp");
	expect_largest_answer_parses("firefox-subscribe-answer.sdp");
}

static void test_hostile_fixtures(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int rc;
		const char *msg;
	} cases[] = {
	    {"hostile-5000-lines.sdp", PL_ELIMIT, "more than 4160 lines"},
	    {"hostile-huge-line.sdp", PL_ELIMIT, "line longer than 4096"},
	    {"hostile-pt-out-of-range.sdp", PL_EINVAL, "payload type 300 out of range"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len;
		char *text = fixture(cases[i].name, &len), err[256];
		struct pl_sdp *s = pl_sdp_new();
		assert_int_equal(pl_sdp_parse(text, len, s, err, sizeof err), cases[i].rc);
		assert_non_null(strstr(err, cases[i].msg));
		pl_sdp_free(s);
		g_free(text);
	}
}

static void test_codec_helpers(void **state)
{
	(void)state;
	char v[16];
	assert_true(pl_codec_fmtp_get("minptime=10; useinbandfec=1", "useinbandfec", v, sizeof v));
	assert_string_equal(v, "1");
	assert_false(pl_codec_fmtp_get("xminptime=10", "minptime", v, sizeof v));
	unsigned long u;
	assert_true(pl_codec_fmtp_get_uint("apt=96", "apt", 127, &u));
	assert_int_equal(u, 96);
	assert_false(pl_codec_fmtp_get_uint("apt=960", "apt", 127, &u));
	assert_int_equal(pl_codec_from_name("h264"), PL_CODEC_H264);
	assert_int_equal(pl_codec_from_name("flexfec-03"), PL_CODEC_FLEXFEC);
	assert_int_equal(pl_codec_clock_rate(PL_CODEC_OPUS), 48000);
	struct pl_codec_prefs p;
	char err[128];
	assert_int_equal(pl_codec_prefs_parse("vp9, H264,vp8", &p, err, sizeof err), 0);
	assert_int_equal(p.n_video, 3);
	assert_int_equal(p.video[0], PL_CODEC_VP9);
	assert_int_equal(pl_codec_prefs_rank(&p, PL_CODEC_VP8), 2);
	assert_int_equal(pl_codec_prefs_parse("vp8,vp8", &p, err, sizeof err), PL_EINVAL);
	assert_int_equal(pl_codec_prefs_parse("av1", &p, err, sizeof err), PL_EINVAL);
	assert_int_equal(pl_codec_prefs_parse(" ", &p, err, sizeof err), PL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chromium_av2),
	    cmocka_unit_test(test_firefox_av2),
	    cmocka_unit_test(test_simulcast),
	    cmocka_unit_test(test_firefox_answer_session_dir),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_hostile_fixtures),
	    cmocka_unit_test(test_largest_browser_answers),
	    cmocka_unit_test(test_codec_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
