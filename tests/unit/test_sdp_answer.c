/* Publish answers to captured Chromium 156 and Firefox ESR 153 offers, re-parsed; rejections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "media/error.h"
#include "media/sdp.h"
#include "media/sdp_answer.h"

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

#define FP_HEX                                                                                     \
	"AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:"  \
	"77:88:99"

static const struct pl_sdp_identity id = {
    .ice_ufrag = "srvU",
    .ice_pwd = "serverpassword0123456789",
    .fingerprint = "sha-256 " FP_HEX,
    .session_id = 42,
    .session_version = 3,
};

struct run {
	struct pl_sdp *offer, *answer;
	struct pl_sdp_negotiated *neg;
	char *text;
};

static int answer_fixture(const char *name, const struct pl_sdp_answer_opts *opts, struct run *r,
                          char *err, size_t errlen)
{
	size_t len;
	char *t = fixture(name, &len);
	r->offer = pl_sdp_new();
	r->answer = pl_sdp_new();
	r->neg = calloc(1, sizeof *r->neg);
	r->text = NULL;
	assert_int_equal(pl_sdp_parse(t, len, r->offer, err, errlen), 0);
	g_free(t);
	int rc = pl_sdp_answer_create(r->offer, &id, opts, r->neg, &r->text, err, errlen);
	if (rc == 0) {
		int prc = pl_sdp_parse(r->text, strlen(r->text), r->answer, err, errlen);
		if (prc)
			print_error("%s\n%s\n", err, r->text);
		assert_int_equal(prc, 0);
	}
	return rc;
}

static void run_free(struct run *r)
{
	pl_sdp_free(r->offer);
	pl_sdp_free(r->answer);
	free(r->neg);
	free(r->text);
}

/* Properties every answer must have, whatever the offer. */
static void check_common(const struct run *r)
{
	const struct pl_sdp *o = r->offer, *a = r->answer;
	assert_int_equal(a->n_media, o->n_media);
	assert_int_equal(a->sess_id, 42);
	assert_int_equal(a->sess_version, 3);
	assert_true(a->has_bundle);
	size_t b = 0;
	for (size_t i = 0; i < o->n_media; i++) {
		const struct pl_sdp_media *om = &o->media[i], *am = &a->media[i];
		const struct pl_sdp_neg_line *l = &r->neg->lines[i];
		assert_string_equal(am->mid, om->mid);
		assert_string_equal(l->mid, om->mid);
		if (!l->accepted) {
			assert_int_equal(am->port, 0);
			assert_int_equal(am->dir, PL_DIR_INACTIVE);
			continue;
		}
		assert_string_equal(a->bundle[b++], om->mid);
		assert_int_equal(am->port, 9);
		assert_int_equal(am->dir, PL_DIR_RECVONLY);
		assert_int_equal(pl_sdp_setup_of(a, i), PL_SETUP_ACTIVE);
		assert_true(am->rtcp_mux);
		assert_true(am->ice_trickle);
		assert_string_equal(pl_sdp_ufrag(a, i), "srvU");
		assert_string_equal(pl_sdp_pwd(a, i), "serverpassword0123456789");
		assert_int_equal(pl_sdp_fingerprint(a, i)[0], 0xAA);
		assert_int_equal(pl_sdp_fingerprint(a, i)[31], 0x99);
		/* codecs: a subset of the offer with the same payload types and parameters */
		assert_true(am->n_codecs >= 1);
		for (size_t c = 0; c < am->n_codecs; c++) {
			const struct pl_sdp_codec *x = &am->codecs[c], *y = NULL;
			for (size_t k = 0; k < om->n_codecs; k++)
				if (om->codecs[k].pt == x->pt)
					y = &om->codecs[k];
			assert_non_null(y);
			assert_string_equal(x->name, y->name);
			assert_int_equal(x->clock_rate, y->clock_rate);
			assert_string_equal(x->fmtp, y->fmtp);
			assert_int_equal(x->fb & ~y->fb, 0);
			assert_true(strcmp(x->name, "red") && strcmp(x->name, "ulpfec"));
		}
		/* extension ids are the offer's */
		for (size_t e = 0; e < am->n_exts; e++)
			assert_int_equal(am->exts[e].id, pl_sdp_ext_id(om, am->exts[e].uri));
		assert_int_equal(am->n_exts, l->n_exts);
	}
	assert_int_equal(b, a->n_bundle);
	assert_int_equal(b, r->neg->n_accepted);
}

static void test_chromium(void **state)
{
	(void)state;
	struct run r;
	char err[256] = "";
	assert_int_equal(
	    answer_fixture("chromium-publish-offer-av2.sdp", NULL, &r, err, sizeof err), 0);
	check_common(&r);
	const struct pl_sdp_negotiated *n = r.neg;
	assert_int_equal(n->n_accepted, 3);
	assert_string_equal(n->remote.ice_ufrag, "rBZJ");
	assert_int_equal(n->remote.fingerprint[0], 0x58);
	assert_int_equal(n->remote.setup, PL_SETUP_ACTPASS);
	const struct pl_sdp_neg_line *a = &n->lines[0], *v = &n->lines[1], *s = &n->lines[2];
	assert_int_equal(a->n_codecs, 1);
	assert_int_equal(a->codecs[0].codec.pt, 111);
	assert_int_equal(a->codecs[0].id, PL_CODEC_OPUS);
	assert_string_equal(a->codecs[0].codec.fmtp, "minptime=10;useinbandfec=1");
	assert_int_equal(a->codecs[0].rtx_pt, -1);
	assert_int_equal(a->ext_audio_level, 1);
	assert_int_equal(a->ext_abs_send_time, 2);
	assert_int_equal(a->ext_twcc, 3);
	assert_int_equal(a->ext_mid, 4);
	assert_int_equal(a->n_exts, 4);
	assert_int_equal(a->n_ssrcs, 1);
	assert_int_equal(a->ssrcs[0].primary, 2342961350u);
	assert_int_equal(a->ssrcs[0].rtx, 0);
	assert_string_equal(a->cname, "K7HNJ9RdXJi8bXuU");
	/* video: VP8 96 with RTX 97, and the ids of mid/rid/rrid/abs-send-time/twcc only */
	assert_int_equal(v->n_codecs, 1);
	assert_int_equal(v->codecs[0].codec.pt, 96);
	assert_int_equal(v->codecs[0].rtx_pt, 97);
	assert_int_equal(v->ext_mid, 4);
	assert_int_equal(v->ext_rid, 10);
	assert_int_equal(v->ext_rrid, 11);
	assert_int_equal(v->ext_abs_send_time, 2);
	assert_int_equal(v->ext_twcc, 3);
	assert_int_equal(v->ext_audio_level, 0);
	assert_int_equal(v->n_exts, 5);
	assert_int_equal(v->ssrcs[0].primary, 1214097765u);
	assert_int_equal(v->ssrcs[0].rtx, 2907648601u);
	assert_int_equal(v->n_ssrcs, 1);
	assert_string_equal(s->msid_track, "7bfec087-a133-4530-ac08-7f8db531dae3");
	assert_int_equal(s->ssrcs[0].primary, 3140203450u);
	/* the answer's m=video line is "96 97" with rtx apt=96 */
	const struct pl_sdp_media *am = &r.answer->media[1];
	assert_int_equal(am->n_fmts, 2);
	assert_int_equal(am->fmts[0], 96);
	assert_int_equal(am->fmts[1], 97);
	assert_int_equal(am->codecs[1].apt, 96);
	assert_true(r.answer->extmap_allow_mixed);
	assert_non_null(strstr(r.text, "a=group:BUNDLE 0 1 2\r\n"));
	assert_null(strstr(r.text, "a=candidate"));
	run_free(&r);
}

static void test_chromium_prefs(void **state)
{
	(void)state;
	struct pl_codec_prefs p;
	char err[256] = "";
	assert_int_equal(pl_codec_prefs_parse("h264,vp9,vp8", &p, err, sizeof err), 0);
	struct pl_sdp_answer_opts o = {.prefs = &p, .max_codecs = 3};
	struct run r;
	assert_int_equal(answer_fixture("chromium-publish-offer-av2.sdp", &o, &r, err, sizeof err),
	                 0);
	check_common(&r);
	const struct pl_sdp_neg_line *v = &r.neg->lines[1];
	/* the acceptable H.264 entries in offer order (102: 42001f, 108: 42e01f; mode 1 only),
	 * then VP9 98 (profile 0, not 100: profile 2); the limit of 3 leaves VP8 out */
	assert_int_equal(v->n_codecs, 3);
	assert_int_equal(v->codecs[0].codec.pt, 102);
	assert_int_equal(v->codecs[0].rtx_pt, 103);
	assert_int_equal(v->codecs[1].codec.pt, 108);
	assert_int_equal(v->codecs[1].rtx_pt, 109);
	assert_int_equal(v->codecs[2].codec.pt, 98);
	assert_int_equal(v->codecs[2].rtx_pt, 99);
	assert_int_equal(r.answer->media[1].n_fmts, 6);
	run_free(&r);
	/* one codec per m-line by default (protocol.md) */
	o.max_codecs = 0;
	assert_int_equal(answer_fixture("chromium-publish-offer-av2.sdp", &o, &r, err, sizeof err),
	                 0);
	assert_int_equal(r.neg->lines[1].n_codecs, 1);
	assert_int_equal(r.neg->lines[1].codecs[0].codec.pt, 102);
	run_free(&r);
}

static void test_firefox_bundle_only(void **state)
{
	(void)state;
	struct run r;
	char err[256] = "";
	assert_int_equal(answer_fixture("firefox-publish-offer-av2.sdp", NULL, &r, err, sizeof err),
	                 0);
	check_common(&r);
	/* the port-0 bundle-only video m-lines are accepted, not rejected */
	assert_int_equal(r.neg->n_accepted, 3);
	const struct pl_sdp_neg_line *a = &r.neg->lines[0], *v = &r.neg->lines[1];
	assert_int_equal(a->codecs[0].codec.pt, 109);
	assert_string_equal(a->codecs[0].codec.fmtp,
	                    "maxplaybackrate=48000;stereo=1;useinbandfec=1");
	assert_int_equal(a->ext_audio_level, 1);
	assert_int_equal(a->ext_mid, 3);
	assert_int_equal(a->ext_twcc, 7);
	assert_int_equal(a->n_exts, 3); /* csrc-audio-level (2/recvonly) is not taken */
	assert_int_equal(v->codecs[0].codec.pt, 120);
	assert_int_equal(v->codecs[0].rtx_pt, 124);
	assert_int_equal(v->ext_abs_send_time, 4);
	assert_int_equal(v->ext_twcc, 7);
	assert_int_equal(r.answer->media[1].port, 9);
	assert_false(r.answer->media[1].bundle_only);
	assert_string_equal(r.neg->remote.ice_ufrag, "ee479db9");
	assert_int_equal(r.neg->remote.fingerprint[0], 0x54);
	run_free(&r);
}

static void test_simulcast_reported(void **state)
{
	(void)state;
	struct run r;
	char err[256] = "";
	assert_int_equal(answer_fixture("firefox-publish-simulcast.sdp", NULL, &r, err, sizeof err),
	                 0);
	check_common(&r);
	const struct pl_sdp_neg_line *v = &r.neg->lines[0];
	assert_int_equal(v->n_rids, 3);
	assert_int_equal(v->n_ssrcs, 3);
	assert_int_equal(v->ssrcs[1].primary, 3188574236u);
	assert_int_equal(v->ssrcs[1].rtx, 3893455875u);
	run_free(&r);
}

static int answer_text(const char *text, char *err, size_t errlen)
{
	struct pl_sdp *s = pl_sdp_new();
	struct pl_sdp_negotiated *n = calloc(1, sizeof *n);
	char *out = NULL;
	int rc = pl_sdp_parse(text, strlen(text), s, err, errlen);
	if (rc == 0)
		rc = pl_sdp_answer_create(s, &id, NULL, n, &out, err, errlen);
	if (rc)
		assert_null(out);
	free(out);
	free(n);
	pl_sdp_free(s);
	return rc;
}

#define HDR                                                                                        \
	"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-ufrag:abcd\r\n"                    \
	"a=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 " FP_HEX "\r\n"

static void test_rejections(void **state)
{
	(void)state;
	char err[256];
	size_t len;
	char *t = fixture("hostile-no-bundle.sdp", &len);
	assert_int_equal(answer_text(t, err, sizeof err), PL_EUNSUPPORTED);
	assert_string_equal(err, "BUNDLE is required (a=group:BUNDLE missing)");
	g_free(t);
	t = fixture("hostile-no-rtcp-mux.sdp", &len);
	assert_int_equal(answer_text(t, err, sizeof err), PL_EUNSUPPORTED);
	assert_string_equal(err, "rtcp-mux is required (m-line 0, mid 0, has no a=rtcp-mux)");
	g_free(t);
	/* only PCMU audio and AV1 video: nothing to forward */
	assert_int_equal(answer_text(HDR
	                             "a=setup:actpass\r\na=group:BUNDLE 0 1\r\n"
	                             "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=rtcp-mux\r\n"
	                             "a=sendonly\r\na=rtpmap:0 PCMU/8000\r\n"
	                             "m=video 9 UDP/TLS/RTP/SAVPF 45\r\na=mid:1\r\na=rtcp-mux\r\n"
	                             "a=sendonly\r\na=rtpmap:45 AV1/90000\r\n",
	                             err, sizeof err),
	                 PL_EUNSUPPORTED);
	assert_non_null(strstr(err, "no m-line with a codec Plenum forwards (m-line 0: no Opus"));
	/* no fingerprint */
	assert_int_equal(answer_text("v=0\r\na=group:BUNDLE 0\r\na=ice-ufrag:abcd\r\n"
	                             "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
	                             "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtcp-mux\r\n"
	                             "a=setup:actpass\r\na=rtpmap:111 opus/48000/2\r\n",
	                             err, sizeof err),
	                 PL_EUNSUPPORTED);
	assert_non_null(strstr(err, "sha-256 DTLS fingerprint"));
	/* no ICE credentials */
	assert_int_equal(answer_text("v=0\r\na=group:BUNDLE 0\r\na=fingerprint:sha-256 " FP_HEX
	                             "\r\n"
	                             "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtcp-mux\r\n"
	                             "a=setup:actpass\r\na=rtpmap:111 opus/48000/2\r\n",
	                             err, sizeof err),
	                 PL_EUNSUPPORTED);
	assert_non_null(strstr(err, "ICE credentials"));
	/* setup:active offered: the server could not be the DTLS client */
	assert_int_equal(answer_text(HDR
	                             "a=setup:active\r\na=group:BUNDLE 0\r\n"
	                             "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtcp-mux\r\n"
	                             "a=rtpmap:111 opus/48000/2\r\n",
	                             err, sizeof err),
	                 PL_EUNSUPPORTED);
	assert_non_null(strstr(err, "actpass"));
}

static void test_partial_rejection(void **state)
{
	(void)state;
	/* a data channel, a mono "opus", a line outside the bundle and a port-0 line are each
	 * rejected alone; the VP8 line is accepted */
	const char *text =
	    HDR "a=setup:actpass\r\na=group:BUNDLE 0 1 3\r\n"
	        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n"
	        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\na=rtcp-mux\r\n"
	        "a=rtpmap:111 opus/48000\r\n"
	        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:2\r\na=rtcp-mux\r\n"
	        "a=rtpmap:96 VP8/90000\r\n"
	        "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:4\r\na=rtpmap:96 VP8/90000\r\n"
	        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:3\r\na=rtcp-mux\r\na=inactive\r\n"
	        "a=rtpmap:96 VP8/90000\r\n";
	struct pl_sdp *s = pl_sdp_new(), *a = pl_sdp_new();
	struct pl_sdp_negotiated *n = calloc(1, sizeof *n);
	char err[256], *out = NULL;
	assert_int_equal(pl_sdp_parse(text, strlen(text), s, err, sizeof err), 0);
	assert_int_equal(pl_sdp_answer_create(s, &id, NULL, n, &out, err, sizeof err), 0);
	assert_string_equal(n->lines[0].reason, "not an audio or video m-line");
	assert_string_equal(n->lines[1].reason, "no Opus/48000/2");
	assert_string_equal(n->lines[2].reason, "not in the BUNDLE group");
	assert_string_equal(n->lines[3].reason, "port 0 (rejected by the offerer)");
	assert_true(n->lines[4].accepted);
	assert_int_equal(n->lines[4].dir, PL_DIR_INACTIVE);
	assert_non_null(strstr(out, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
	assert_non_null(strstr(out, "a=group:BUNDLE 3\r\n"));
	assert_int_equal(pl_sdp_parse(out, strlen(out), a, err, sizeof err), 0);
	assert_int_equal(a->media[4].dir, PL_DIR_INACTIVE);
	assert_int_equal(a->media[4].port, 9);
	free(out);
	free(n);
	pl_sdp_free(a);
	pl_sdp_free(s);
}

static void test_bad_identity(void **state)
{
	(void)state;
	struct pl_sdp_identity bad = id;
	char err[200];
	bad.ice_pwd = "short";
	assert_int_equal(pl_sdp_identity_check(&bad, NULL, err, sizeof err), PL_EINVAL);
	bad = id;
	bad.ice_ufrag = "ab\r\nc";
	assert_int_equal(pl_sdp_identity_check(&bad, NULL, err, sizeof err), PL_EINVAL);
	bad = id;
	bad.fingerprint = "sha-1 AA:BB";
	assert_int_equal(pl_sdp_identity_check(&bad, NULL, err, sizeof err), PL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chromium),
	    cmocka_unit_test(test_chromium_prefs),
	    cmocka_unit_test(test_firefox_bundle_only),
	    cmocka_unit_test(test_simulcast_reported),
	    cmocka_unit_test(test_rejections),
	    cmocka_unit_test(test_partial_rejection),
	    cmocka_unit_test(test_bad_identity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
