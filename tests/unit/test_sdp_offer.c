/* Subscriber offers re-parsed field by field, and real Chromium 156 / Firefox ESR 153 answers to
 * a server-style offer (tests/fixtures/sdp/server-subscribe-offer-for-capture.sdp) checked. */
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
#include "media/sdp_offer.h"

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

static const struct pl_sdp_identity id = {
    .ice_ufrag = "srvU",
    .ice_pwd = "srvPasswordSrvPassword1234",
    .fingerprint = "sha-256 03:0A:11:18:1F:26:2D:34:3B:42:49:50:57:5E:65:6C:73:7A:81:88:8F:96:"
                   "9D:A4:AB:B2:B9:C0:C7:CE:D5:DC",
    .session_id = 4242,
    .session_version = 1,
};

static const struct pl_sdp_ext_ids ext = {
    .mid = 1, .abs_send_time = 2, .twcc = 3, .audio_level = 4};

/* The tracks the capture's server offer describes: audio t5, video t6 with RTX, an ended video. */
static void tracks3(struct pl_sdp_offer_track t[3])
{
	memset(t, 0, 3 * sizeof *t);
	for (int i = 0; i < 3; i++) {
		snprintf(t[i].mid, sizeof t[i].mid, "%d", i);
		snprintf(t[i].stream_id, sizeof t[i].stream_id, "p91c0d2aa4e15");
		snprintf(t[i].cname, sizeof t[i].cname, "p91c0d2aa4e15");
		t[i].active = i < 2;
	}
	t[0].kind = PL_KIND_AUDIO;
	t[0].codecs[0] = (struct pl_sdp_offer_codec){.pt = 111,
	                                             .name = "opus",
	                                             .clock_rate = 48000,
	                                             .channels = 2,
	                                             .fmtp = "minptime=10;useinbandfec=1",
	                                             .rtx_pt = -1};
	t[0].n_codecs = 1;
	t[0].ssrc = 1001;
	snprintf(t[0].track_id, sizeof t[0].track_id, "t5");
	for (int i = 1; i < 3; i++) {
		t[i].kind = PL_KIND_VIDEO;
		t[i].codecs[0] = (struct pl_sdp_offer_codec){
		    .pt = 96, .name = "VP8", .clock_rate = 90000, .rtx_pt = i == 1 ? 97 : -1};
		t[i].n_codecs = 1;
	}
	t[1].ssrc = 2001;
	t[1].rtx_ssrc = 2002;
	snprintf(t[1].track_id, sizeof t[1].track_id, "t6");
}

static void test_offer_fields(void **state)
{
	(void)state;
	struct pl_sdp_offer_track t[3];
	tracks3(t);
	char *text = NULL, err[256] = "";
	assert_int_equal(pl_sdp_offer_create(&id, t, 3, &ext, &text, err, sizeof err), 0);
	struct pl_sdp *s = pl_sdp_new();
	assert_int_equal(pl_sdp_parse(text, strlen(text), s, err, sizeof err), 0);
	assert_int_equal(s->sess_id, 4242);
	assert_int_equal(s->n_bundle, 3); /* the ended m-line stays in the group */
	assert_int_equal(s->n_media, 3);
	const struct pl_sdp_media *a = &s->media[0], *v = &s->media[1], *e = &s->media[2];
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(s->media[i].port, 9);
		assert_int_equal(pl_sdp_setup_of(s, i), PL_SETUP_ACTPASS);
		assert_true(s->media[i].rtcp_mux);
		assert_true(s->media[i].ice_trickle);
		assert_string_equal(pl_sdp_ufrag(s, i), "srvU");
		assert_int_equal(pl_sdp_fingerprint(s, i)[31], 0xDC);
	}
	assert_int_equal(a->dir, PL_DIR_SENDONLY);
	assert_int_equal(a->codecs[0].pt, 111);
	assert_int_equal(a->codecs[0].channels, 2);
	assert_string_equal(a->codecs[0].fmtp, "minptime=10;useinbandfec=1");
	assert_int_equal(a->codecs[0].fb, PL_FB_TWCC);
	assert_int_equal(pl_sdp_ext_id(a, PL_EXT_URI_AUDIO_LEVEL), 4);
	assert_int_equal(pl_sdp_ext_id(a, PL_EXT_URI_MID), 1);
	assert_string_equal(a->msid_stream, "p91c0d2aa4e15");
	assert_string_equal(a->msid_track, "t5");
	assert_int_equal(a->ssrcs[0], 1001);
	assert_string_equal(a->ssrc_attrs[0].cname, "p91c0d2aa4e15");
	assert_string_equal(a->ssrc_attrs[0].msid_track, "t5");
	assert_int_equal(v->n_fmts, 2);
	assert_int_equal(v->codecs[0].fb, PL_FB_NACK | PL_FB_PLI | PL_FB_FIR | PL_FB_TWCC);
	assert_int_equal(v->codecs[1].apt, 96);
	assert_int_equal(pl_sdp_ext_id(v, PL_EXT_URI_AUDIO_LEVEL), 0);
	assert_int_equal(pl_sdp_ext_id(v, PL_EXT_URI_TWCC), 3);
	assert_int_equal(v->n_fids, 1);
	assert_int_equal(v->fids[0].primary, 2001);
	assert_int_equal(v->fids[0].rtx, 2002);
	assert_int_equal(v->n_ssrcs, 2);
	assert_string_equal(pl_sdp_ssrc_find(v, 2002)->msid_track, "t6");
	assert_int_equal(e->dir, PL_DIR_INACTIVE);
	assert_int_equal(e->n_ssrcs, 0);
	assert_string_equal(e->msid_stream, "");
	free(text);
	pl_sdp_free(s);
	/* no tracks: still valid SDP, no BUNDLE group */
	assert_int_equal(pl_sdp_offer_create(&id, t, 0, &ext, &text, err, sizeof err), 0);
	s = pl_sdp_new();
	assert_int_equal(pl_sdp_parse(text, strlen(text), s, err, sizeof err), 0);
	assert_int_equal(s->n_media, 0);
	assert_false(s->has_bundle);
	free(text);
	pl_sdp_free(s);
}

static void test_offer_invalid(void **state)
{
	(void)state;
	struct pl_sdp_offer_track t[3];
	char *text = (char *)1, err[256];
	tracks3(t);
	snprintf(t[2].mid, sizeof t[2].mid, "1");
	assert_int_equal(pl_sdp_offer_create(&id, t, 3, &ext, &text, err, sizeof err), PL_EINVAL);
	assert_null(text);
	assert_string_equal(err, "mid 1 used twice");
	tracks3(t);
	snprintf(t[1].track_id, sizeof t[1].track_id, "t\r\na=x");
	assert_int_equal(pl_sdp_offer_create(&id, t, 3, &ext, &text, err, sizeof err), PL_EINVAL);
	tracks3(t);
	snprintf(t[0].codecs[0].fmtp, sizeof t[0].codecs[0].fmtp, "a\r\nb");
	assert_int_equal(pl_sdp_offer_create(&id, t, 3, &ext, &text, err, sizeof err), PL_EINVAL);
	assert_string_equal(err, "a field holds a control character");
	tracks3(t);
	t[1].codecs[0].pt = 200;
	assert_int_equal(pl_sdp_offer_create(&id, t, 3, &ext, &text, err, sizeof err), PL_EINVAL);
	tracks3(t);
	struct pl_sdp_ext_ids dup = {.mid = 1, .twcc = 1};
	assert_int_equal(pl_sdp_offer_create(&id, t, 3, &dup, &text, err, sizeof err), PL_EINVAL);
	assert_int_equal(
	    pl_sdp_offer_create(&id, t, PL_SDP_MAX_MEDIA + 1, &ext, &text, err, sizeof err),
	    PL_ELIMIT);
}

static void check_browser_answer(const char *name, const char *ufrag, uint8_t fp0)
{
	struct pl_sdp_offer_track t[3];
	tracks3(t);
	size_t len;
	char *text = fixture(name, &len), err[256] = "";
	struct pl_sdp *a = pl_sdp_new();
	assert_int_equal(pl_sdp_parse(text, len, a, err, sizeof err), 0);
	struct pl_sdp_transport r;
	int rc = pl_sdp_offer_check_answer(a, t, 3, &r, err, sizeof err);
	if (rc)
		print_error("%s: %s\n", name, err);
	assert_int_equal(rc, 0);
	assert_string_equal(r.ice_ufrag, ufrag);
	assert_int_equal(r.fingerprint[0], fp0);
	assert_int_equal(r.setup, PL_SETUP_ACTIVE); /* the server is the DTLS server */
	/* the same answer against other tracks fails with a reason */
	snprintf(t[1].mid, sizeof t[1].mid, "9");
	assert_int_equal(pl_sdp_offer_check_answer(a, t, 3, &r, err, sizeof err), PL_EPROTO);
	assert_string_equal(err, "m-line 1: mid 1, offered 9");
	tracks3(t);
	assert_int_equal(pl_sdp_offer_check_answer(a, t, 2, &r, err, sizeof err), PL_EPROTO);
	t[1].codecs[0].pt = 100;
	t[1].codecs[0].rtx_pt = 101;
	assert_int_equal(pl_sdp_offer_check_answer(a, t, 3, &r, err, sizeof err), PL_EPROTO);
	assert_non_null(strstr(err, "no payload type that was offered"));
	pl_sdp_free(a);
	g_free(text);
}

static void test_chromium_answer(void **state)
{
	(void)state;
	check_browser_answer("chromium-subscribe-answer.sdp", "zYDl", 0x96);
}

static void test_firefox_answer(void **state)
{
	(void)state;
	check_browser_answer("firefox-subscribe-answer.sdp", "489f4690", 0x37);
}

static void test_answer_rejections(void **state)
{
	(void)state;
	struct pl_sdp_offer_track t[3];
	tracks3(t);
	size_t len;
	char *text = fixture("chromium-subscribe-answer.sdp", &len), err[256];
	GString *g = g_string_new_len(text, (gssize)len);
	g_string_replace(g, "a=setup:active", "a=setup:actpass", 0);
	struct pl_sdp *a = pl_sdp_new();
	struct pl_sdp_transport r;
	assert_int_equal(pl_sdp_parse(g->str, g->len, a, err, sizeof err), 0);
	assert_int_equal(pl_sdp_offer_check_answer(a, t, 3, &r, err, sizeof err), PL_EPROTO);
	assert_non_null(strstr(err, "a=setup must be active or passive"));
	g_string_assign(g, text);
	g_string_replace(g, "a=fingerprint:sha-256", "a=fingerprint:sha-1", 0);
	assert_int_equal(pl_sdp_parse(g->str, g->len, a, err, sizeof err), 0);
	assert_int_equal(pl_sdp_offer_check_answer(a, t, 3, &r, err, sizeof err), PL_EPROTO);
	assert_non_null(strstr(err, "sha-256 DTLS fingerprint"));
	g_string_assign(g, text);
	g_string_replace(g, "a=recvonly", "a=sendrecv", 1);
	assert_int_equal(pl_sdp_parse(g->str, g->len, a, err, sizeof err), 0);
	assert_int_equal(pl_sdp_offer_check_answer(a, t, 3, &r, err, sizeof err), PL_EPROTO);
	assert_non_null(strstr(err, "recvonly"));
	g_string_free(g, TRUE);
	g_free(text);
	pl_sdp_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offer_fields),      cmocka_unit_test(test_offer_invalid),
	    cmocka_unit_test(test_chromium_answer),   cmocka_unit_test(test_firefox_answer),
	    cmocka_unit_test(test_answer_rejections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
