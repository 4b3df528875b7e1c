/* SDP parse, publish answer, subscribe offer and answer check, on a captured Chromium offer and a
 * Firefox-style one (tests/fixtures/sdp/README.md), plus every rejection and limit. */
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
#include "media/sdp_negotiate.h"

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

static const struct pl_sdp_local local = {
    .ufrag = "srvU",
    .pwd = "serverpassword0123456789",
    .fingerprint =
        "sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:"
        "33:44:55:66:77:88:99",
    .session_id = 42,
    .version = 1,
};

static void test_parse_chromium(void **state)
{
	(void)state;
	size_t len;
	char *text = fixture("chromium-publish-offer.sdp", &len);
	struct pl_sdp *s = pl_sdp_new();
	char err[256] = "";
	assert_int_equal(pl_sdp_parse(text, len, s, err, sizeof err), 0);
	assert_int_equal(s->n_media, 2);
	assert_true(s->has_bundle);
	assert_int_equal(s->n_bundle, 2);
	assert_int_equal(s->media[0].kind, PL_KIND_AUDIO);
	assert_int_equal(s->media[1].kind, PL_KIND_VIDEO);
	assert_string_equal(s->media[0].mid, "0");
	assert_int_equal(s->media[0].dir, PL_DIR_SENDONLY);
	assert_true(s->media[0].rtcp_mux);
	assert_non_null(pl_sdp_fingerprint(s, 0));
	assert_int_equal(pl_sdp_fingerprint(s, 0)[0], 0xE3);
	assert_int_equal(pl_sdp_setup_of(s, 1), PL_SETUP_ACTPASS);
	assert_string_equal(pl_sdp_ufrag(s, 1), "NYtS");
	assert_int_equal(pl_sdp_ext_id(&s->media[0], PL_EXT_URI_AUDIO_LEVEL), 1);
	assert_int_equal(pl_sdp_ext_id(&s->media[1], PL_EXT_URI_TWCC), 3);
	assert_int_equal(pl_sdp_ext_id(&s->media[1], PL_EXT_URI_MID), 4);
	assert_int_equal(s->media[1].fid_primary, 3587359779u);
	assert_int_equal(s->media[1].fid_rtx, 2022864125u);
	assert_int_equal(s->media[0].codecs[0].pt, 111);
	assert_string_equal(s->media[0].codecs[0].name, "opus");
	assert_int_equal(s->media[0].codecs[0].channels, 2);
	assert_non_null(strstr(s->media[0].codecs[0].fmtp, "useinbandfec=1"));
	pl_sdp_free(s);
	g_free(text);
}

/* Answers an offer fixture and checks the answer by parsing it again. */
static void answer_fixture(const char *name, uint8_t audio_pt, uint8_t video_pt, int rtx_pt,
                           uint8_t twcc_id)
{
	size_t len;
	char *text = fixture(name, &len);
	struct pl_sdp *offer = pl_sdp_new(), *ans = pl_sdp_new();
	struct pl_sdp_publish *neg = calloc(1, sizeof *neg);
	char err[256] = "", *answer = NULL;
	assert_int_equal(pl_sdp_parse(text, len, offer, err, sizeof err), 0);
	assert_int_equal(pl_sdp_answer_publish(offer, &local, neg, &answer, err, sizeof err), 0);
	assert_int_equal(neg->n, 2);
	assert_true(neg->lines[0].accepted && neg->lines[1].accepted);
	assert_int_equal(neg->lines[0].codec.pt, audio_pt);
	assert_int_equal(neg->lines[1].codec.pt, video_pt);
	assert_int_equal(neg->lines[1].rtx_pt, rtx_pt);
	assert_int_equal(neg->lines[1].ext_twcc, twcc_id);
	assert_int_equal(neg->lines[1].ssrc, offer->media[1].fid_primary);
	assert_int_equal(neg->lines[1].rtx_ssrc, offer->media[1].fid_rtx);

	assert_int_equal(pl_sdp_parse(answer, strlen(answer), ans, err, sizeof err), 0);
	assert_int_equal(ans->n_media, 2);
	assert_int_equal(ans->n_bundle, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(ans->media[i].mid, offer->media[i].mid);
		assert_int_equal(ans->media[i].dir, PL_DIR_RECVONLY);
		assert_int_equal(pl_sdp_setup_of(ans, i), PL_SETUP_ACTIVE);
		assert_true(ans->media[i].rtcp_mux);
		assert_string_equal(pl_sdp_ufrag(ans, i), "srvU");
	}
	assert_int_equal(ans->media[0].codecs[0].pt, audio_pt);
	assert_string_equal(ans->media[1].codecs[0].name, "VP8");
	assert_int_equal(ans->media[1].codecs[0].pt, video_pt);
	assert_int_equal(ans->media[1].n_codecs, 2); /* VP8 and its RTX only */
	assert_int_equal(ans->media[1].codecs[1].apt, video_pt);
	/* RFC 8285: the answer uses the offerer's extension ids. */
	assert_int_equal(pl_sdp_ext_id(&ans->media[1], PL_EXT_URI_TWCC), twcc_id);
	free(answer);
	free(neg);
	pl_sdp_free(offer);
	pl_sdp_free(ans);
	g_free(text);
}

static void test_answer_chromium(void **state)
{
	(void)state;
	answer_fixture("chromium-publish-offer.sdp", 111, 96, 97, 3);
}

static void test_answer_firefox(void **state)
{
	(void)state;
	answer_fixture("firefox-publish-offer.sdp", 109, 120, 124, 7);
}

/* [media] video_codecs decides which offered video codec is accepted. */
static void test_codec_preference(void **state)
{
	(void)state;
	size_t len;
	char *text = fixture("firefox-publish-offer.sdp", &len);
	struct pl_sdp *offer = pl_sdp_new();
	struct pl_sdp_publish *neg = calloc(1, sizeof *neg);
	char err[256], *answer = NULL;
	assert_int_equal(pl_sdp_parse(text, len, offer, err, sizeof err), 0);
	char vp9[] = "vp9", h264[] = "h264", vp8[] = "vp8";
	char *prefs1[] = {vp9, vp8, NULL};
	struct pl_sdp_local l = local;
	l.video_codecs = prefs1;
	assert_int_equal(pl_sdp_answer_publish(offer, &l, neg, &answer, err, sizeof err), 0);
	assert_string_equal(neg->lines[1].codec.name, "VP9");
	assert_int_equal(neg->lines[1].codec.pt, 121);
	assert_int_equal(neg->lines[1].rtx_pt, 125);
	assert_int_equal(pl_sdp_canonical_pt("VP9"), PL_PT_VP9);
	free(answer);
	/* Firefox's first H264 (126) is packetization-mode=1 constrained baseline; 97 is not. */
	char *prefs2[] = {h264, NULL};
	l.video_codecs = prefs2;
	assert_int_equal(pl_sdp_answer_publish(offer, &l, neg, &answer, err, sizeof err), 0);
	assert_int_equal(neg->lines[1].codec.pt, 126);
	assert_int_equal(neg->lines[1].rtx_pt, 127);
	free(answer);
	free(neg);
	pl_sdp_free(offer);
	g_free(text);
}

static int answer_text(const char *text, char *err, size_t errlen)
{
	struct pl_sdp *s = pl_sdp_new();
	struct pl_sdp_publish *neg = calloc(1, sizeof *neg);
	char *answer = NULL;
	int rc = pl_sdp_parse(text, strlen(text), s, err, errlen);
	if (rc == 0)
		rc = pl_sdp_answer_publish(s, &local, neg, &answer, err, errlen);
	free(answer);
	free(neg);
	pl_sdp_free(s);
	return rc;
}

#define FP                                                                                         \
	"a=fingerprint:sha-256 "                                                                   \
	"AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:"  \
	"77:88:99\r\n"
#define ICE "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"

static void test_rejections(void **state)
{
	(void)state;
	char err[256];
	const char *no_bundle = "v=0\r\n" FP ICE "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
	                        "a=rtcp-mux\r\na=sendonly\r\na=rtpmap:111 opus/48000/2\r\n";
	assert_int_equal(answer_text(no_bundle, err, sizeof err), PL_EUNSUPPORTED);
	assert_non_null(strstr(err, "BUNDLE"));
	const char *no_mux = "v=0\r\na=group:BUNDLE 0\r\n" FP ICE
	                     "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendonly\r\n"
	                     "a=rtpmap:111 opus/48000/2\r\n";
	assert_int_equal(answer_text(no_mux, err, sizeof err), PL_EUNSUPPORTED);
	assert_non_null(strstr(err, "rtcp-mux"));
	const char *no_fp =
	    "v=0\r\na=group:BUNDLE 0\r\n" ICE
	    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtcp-mux\r\na=sendonly\r\n"
	    "a=rtpmap:111 opus/48000/2\r\n";
	assert_int_equal(answer_text(no_fp, err, sizeof err), PL_EUNSUPPORTED);
	assert_non_null(strstr(err, "fingerprint"));
	const char *h264_only = "v=0\r\na=group:BUNDLE 0\r\n" FP ICE
	                        "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=mid:0\r\na=rtcp-mux\r\n"
	                        "a=sendonly\r\na=rtpmap:102 H264/90000\r\n";
	assert_int_equal(answer_text(h264_only, err, sizeof err), PL_EUNSUPPORTED);
	assert_non_null(strstr(err, "codec"));
	const char *data_only = "v=0\r\na=group:BUNDLE 0\r\n" FP ICE
	                        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n";
	assert_int_equal(answer_text(data_only, err, sizeof err), PL_EUNSUPPORTED);
	assert_int_equal(answer_text("v=1\r\n", err, sizeof err), PL_EINVAL);
	assert_int_equal(answer_text("garbage\r\n", err, sizeof err), PL_EINVAL);
	assert_non_null(strstr(err, "line 1"));
	const char *bad_pt = "v=0\r\nm=audio 9 RTP/SAVPF 0\r\na=rtpmap:300 opus/48000\r\n";
	assert_int_equal(answer_text(bad_pt, err, sizeof err), PL_EINVAL);
	assert_non_null(strstr(err, "line 3"));
	assert_int_equal(
	    answer_text("v=0\r\nm=audio 9 RTP/SAVPF 0\r\na=extmap:15 urn:x\r\n", err, sizeof err),
	    PL_EINVAL);
	assert_int_equal(
	    answer_text("v=0\r\nm=audio 9 RTP/SAVPF 0\r\na=extmap:0 urn:x\r\n", err, sizeof err),
	    PL_EINVAL);
}

static void test_limits(void **state)
{
	(void)state;
	char err[256];
	GString *s = g_string_new("v=0\r\n");
	for (int i = 0; i < PL_SDP_MAX_LINES; i++)
		g_string_append(s, "a=x\r\n");
	assert_int_equal(answer_text(s->str, err, sizeof err), PL_ELIMIT);
	g_string_assign(s, "v=0\r\na=");
	for (int i = 0; i < 5000; i++)
		g_string_append_c(s, 'x');
	assert_int_equal(answer_text(s->str, err, sizeof err), PL_ELIMIT);
	g_string_assign(s, "v=0\r\n");
	while (s->len <= PL_SDP_MAX_BYTES)
		g_string_append(s, "s=padding padding padding padding padding padding padding\r\n");
	assert_int_equal(answer_text(s->str, err, sizeof err), PL_ELIMIT);
	g_string_assign(s, "v=0\r\n");
	for (int i = 0; i < PL_SDP_MAX_MEDIA + 1; i++)
		g_string_append(s, "m=audio 9 RTP/SAVPF 0\r\n");
	assert_int_equal(answer_text(s->str, err, sizeof err), PL_ELIMIT);
	g_string_assign(s, "v=0\r\nm=audio 9 RTP/SAVPF 0\r\n");
	for (int i = 0; i < 33; i++)
		g_string_append_printf(s, "a=rtpmap:%d x/8000\r\n", i);
	assert_int_equal(answer_text(s->str, err, sizeof err), PL_ELIMIT);
	g_string_free(s, TRUE);
}

static void test_subscribe_offer(void **state)
{
	(void)state;
	struct pl_sdp_sub_track t[3] = {0};
	g_strlcpy(t[0].mid, "0", sizeof t[0].mid);
	t[0].kind = PL_KIND_AUDIO;
	t[0].active = true;
	t[0].codec = (struct pl_sdp_codec){.pt = PL_PT_OPUS, .clock_rate = 48000, .channels = 2};
	g_strlcpy(t[0].codec.name, "opus", sizeof t[0].codec.name);
	t[0].ssrc = 1111;
	g_strlcpy(t[0].stream, "p0123456789ab", sizeof t[0].stream);
	g_strlcpy(t[0].track, "t5", sizeof t[0].track);
	t[1] = t[0];
	g_strlcpy(t[1].mid, "1", sizeof t[1].mid);
	t[1].kind = PL_KIND_VIDEO;
	t[1].codec = (struct pl_sdp_codec){.pt = PL_PT_VP8, .clock_rate = 90000};
	g_strlcpy(t[1].codec.name, "VP8", sizeof t[1].codec.name);
	t[1].ssrc = 2222;
	t[2] = t[1];
	g_strlcpy(t[2].mid, "2", sizeof t[2].mid);
	t[2].active = false;
	char *offer = NULL;
	assert_int_equal(pl_sdp_offer_subscribe(&local, t, 3, &offer), 0);
	struct pl_sdp *s = pl_sdp_new();
	char err[256];
	assert_int_equal(pl_sdp_parse(offer, strlen(offer), s, err, sizeof err), 0);
	assert_int_equal(s->n_media, 3);
	/* An ended track stays in the group, inactive, so the browser keeps its transport. */
	assert_int_equal(s->n_bundle, 3);
	assert_int_equal(s->media[2].dir, PL_DIR_INACTIVE);
	assert_int_equal(s->media[2].port, 9);
	assert_int_equal(s->media[0].dir, PL_DIR_SENDONLY);
	assert_int_equal(pl_sdp_setup_of(s, 0), PL_SETUP_ACTPASS);
	assert_int_equal(s->media[1].ssrcs[0], 2222);
	assert_int_equal(s->media[1].codecs[0].pt, PL_PT_VP8);
	assert_true(s->media[1].codecs[0].fb & PL_FB_PLI);
	assert_non_null(strstr(offer, "a=msid:p0123456789ab t5"));
	/* A browser-style answer: accepted, then the checks that reject bad ones. */
	const char *ans_ok = "v=0\r\na=group:BUNDLE 0 1\r\n" FP ICE "a=setup:active\r\n"
	                     "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=recvonly\r\n"
	                     "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=recvonly\r\n"
	                     "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:2\r\n";
	assert_int_equal(pl_sdp_parse(ans_ok, strlen(ans_ok), s, err, sizeof err), 0);
	assert_int_equal(pl_sdp_check_subscribe_answer(s, 3, err, sizeof err), 0);
	assert_int_not_equal(pl_sdp_check_subscribe_answer(s, 2, err, sizeof err), 0);
	const char *ans_nofp =
	    "v=0\r\n" ICE "a=setup:active\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
	assert_int_equal(pl_sdp_parse(ans_nofp, strlen(ans_nofp), s, err, sizeof err), 0);
	assert_int_not_equal(pl_sdp_check_subscribe_answer(s, 1, err, sizeof err), 0);
	const char *ans_actpass = "v=0\r\n" FP ICE "a=setup:actpass\r\nm=audio 9 X 111\r\n";
	assert_int_equal(pl_sdp_parse(ans_actpass, strlen(ans_actpass), s, err, sizeof err), 0);
	assert_int_not_equal(pl_sdp_check_subscribe_answer(s, 1, err, sizeof err), 0);
	free(offer);
	pl_sdp_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_chromium),   cmocka_unit_test(test_answer_chromium),
	    cmocka_unit_test(test_answer_firefox),   cmocka_unit_test(test_rejections),
	    cmocka_unit_test(test_limits),           cmocka_unit_test(test_subscribe_offer),
	    cmocka_unit_test(test_codec_preference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
