/* One simulated participant's side of docs/protocol.md: join, publish (offer), answer the
 * server's subscribe offers, trickle candidates both ways, answer pings. Every stage is
 * time-stamped for the join timing breakdown. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "media/alloc.h"
#include "tests/load/load.h"

#define PL_JOIN_ID    1
#define PL_PUBLISH_ID 2

static void send_json(struct pl_part *part, json_t *m)
{
	char *s = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (s) {
		pl_ws_send(part, g_strdup(s));
		free(s);
	}
}

void pl_part_mark(struct pl_part *part, enum pl_tmark m)
{
	if (!part->t[m])
		part->t[m] = pl_now_us();
}

void pl_part_fail(struct pl_part *part, const char *fmt, ...)
{
	if (part->failed || part->L->done)
		return;
	part->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(part->err, sizeof part->err, fmt, ap);
	va_end(ap);
	struct pl_load *L = part->L;
	if (!part->joined)
		L->join_failures++;
	if (L->errors->len < 4000)
		g_string_append_printf(L->errors, "participant %d: %s\n", part->idx, part->err);
	if (!L->o.quiet)
		fprintf(stderr, "plenum-load: participant %d: %s\n", part->idx, part->err);
}

void pl_part_on_open(struct pl_part *part)
{
	if (part->L->o.janus) {
		pl_janus_on_open(part);
		return;
	}
	char name[32];
	snprintf(name, sizeof name, "load %d", part->idx);
	pl_part_mark(part, PL_T_JOIN);
	send_json(part, json_pack("{s:s, s:i, s:s, s:s}", "type", "join", "id", PL_JOIN_ID, "room",
	                          part->L->o.room, "name", name));
}

void pl_part_on_closed(struct pl_part *part, const char *why)
{
	bool was_closed = part->closed;
	part->closed = true;
	if (!was_closed && !part->leaving && !part->L->done)
		pl_part_fail(part, "%s (%s)", part->joined ? "websocket lost" : "cannot join", why);
}

void pl_part_send_candidate(struct pl_part *part, bool publish, const char *cand)
{
	if (part->L->o.janus) {
		pl_janus_send_candidate(part, publish, cand);
		return;
	}
	json_t *m =
	    json_pack("{s:s, s:s}", "type", "candidate", "pc", publish ? "publish" : "subscribe");
	if (cand) {
		json_object_set_new(m, "candidate", json_string(cand));
		json_object_set_new(m, "mid", json_string("0"));
		json_object_set_new(m, "mLineIndex", json_integer(0));
	} else {
		json_object_set_new(m, "end", json_true());
	}
	send_json(part, m);
}

void pl_part_on_dtls(struct pl_part *part, struct pl_peer *p)
{
	if (p->publish) {
		int64_t now = pl_now_us();
		part->pm.audio.next_us = now;
		part->pm.video.next_us = now;
		part->pm.want_key = true;
	}
}

static void start_publish(struct pl_part *part)
{
	part->pub = pl_peer_new(part, true);
	char fp[128];
	char *sdp = pl_offer_publish(
	    part, part->pub->ufrag, part->pub->pwd,
	    pl_hostile_fingerprint(part, pl_cert_fingerprint(part->L->cert), fp, sizeof fp));
	json_t *tracks = json_pack("[{s:s, s:s}]", "mid", "0", "source", "microphone");
	if (!part->L->o.audio_only)
		json_array_append_new(tracks,
		                      json_pack("{s:s, s:s}", "mid", "1", "source", "camera"));
	send_json(part, json_pack("{s:s, s:i, s:s, s:o}", "type", "publish", "id", PL_PUBLISH_ID,
	                          "sdp", sdp, "tracks", tracks));
	g_free(sdp);
	pl_peer_gather(part->pub);
}

void pl_part_on_publish_answer(struct pl_part *part, const char *sdp)
{
	pl_part_mark(part, PL_T_PUB_ANSWER);
	if (!part->pub)
		return;
	char err[256] = "", setup = 0;
	struct pl_lsdp s;
	const char *ufrag, *pwd;
	const uint8_t *fp;
	if (pl_lsdp_parse(sdp, &s, err, sizeof err) != 0 ||
	    pl_lsdp_transport(&s, &ufrag, &pwd, &fp, &setup) != 0) {
		pl_part_fail(part, "bad publish-answer: %s", err[0] ? err : "no ICE/fingerprint");
		goto out;
	}
	/* We offered actpass; the answerer's setup decides (RFC 5763 §5). */
	if (pl_peer_set_remote(part->pub, ufrag, pwd, fp, setup == 'p', err, sizeof err) != 0)
		pl_part_fail(part, "publish: %s", err);
	else
		pl_peer_add_sdp_candidates(part->pub, &s); /* Plenum's and Janus's are in the SDP */
out:
	pl_lsdp_free(&s);
}

static void on_subscribe(struct pl_part *part, json_t *msg)
{
	const char *sdp = json_string_value(json_object_get(msg, "sdp"));
	json_t *rev = json_object_get(msg, "revision");
	if (!sdp || !json_is_integer(rev)) {
		pl_part_fail(part, "subscribe without sdp or revision");
		return;
	}
	pl_part_mark(part, PL_T_SUB_OFFER);
	char err[256] = "", setup = 0;
	struct pl_lsdp s;
	const char *ufrag, *pwd;
	const uint8_t *fp;
	if (pl_lsdp_parse(sdp, &s, err, sizeof err) != 0 ||
	    pl_lsdp_transport(&s, &ufrag, &pwd, &fp, &setup) != 0) {
		pl_part_fail(part, "bad subscribe offer: %s", err[0] ? err : "no ICE/fingerprint");
		goto out;
	}
	bool fresh = false;
	if (json_is_true(json_object_get(msg, "restart")) && part->sub) {
		pl_peer_free(part->sub);
		part->sub = NULL;
	}
	if (!part->sub) {
		part->sub = pl_peer_new(part, false);
		pl_peer_set_controlling(part->sub, s.ice_lite);
		fresh = true;
	}
	pl_submedia_expect_sdp(&part->sm, &s);
	char *answer = pl_offer_subscribe_answer(&s, part->sub->ufrag, part->sub->pwd,
	                                         pl_cert_fingerprint(part->L->cert));
	part->sub_revision = json_integer_value(rev);
	send_json(part, json_pack("{s:s, s:I, s:s}", "type", "subscribe-answer", "revision",
	                          (json_int_t)part->sub_revision, "sdp", answer));
	g_free(answer);
	if (fresh) {
		/* We answered a=setup:active: we are the DTLS client. */
		if (pl_peer_set_remote(part->sub, ufrag, pwd, fp, true, err, sizeof err) != 0) {
			pl_part_fail(part, "subscribe: %s", err);
			goto out;
		}
		pl_peer_add_sdp_candidates(part->sub, &s);
		pl_peer_gather(part->sub);
	}
out:
	pl_lsdp_free(&s);
}

static void on_candidate(struct pl_part *part, json_t *msg)
{
	const char *pc = json_string_value(json_object_get(msg, "pc"));
	struct pl_peer *p = pc && strcmp(pc, "publish") == 0     ? part->pub
	                    : pc && strcmp(pc, "subscribe") == 0 ? part->sub
	                                                         : NULL;
	if (!p)
		return;
	const char *c = json_string_value(json_object_get(msg, "candidate"));
	if (c && *c)
		pl_peer_add_candidate(p, c);
	else if (json_is_true(json_object_get(msg, "end")))
		pl_peer_end_of_candidates(p);
}

static void on_error(struct pl_part *part, json_t *msg)
{
	const char *code = json_string_value(json_object_get(msg, "code"));
	const char *text = json_string_value(json_object_get(msg, "message"));
	json_int_t id = json_integer_value(json_object_get(msg, "id"));
	code = code ? code : "?";
	text = text ? text : "";
	if (id == PL_JOIN_ID)
		pl_part_fail(part, "join refused: %s (%s)", code, text);
	else if (id == PL_PUBLISH_ID)
		pl_part_fail(part, "publish refused: %s (%s)", code, text);
	else
		pl_part_fail(part, "server error %s: %s", code, text);
}

void pl_part_on_message(struct pl_part *part, const char *text, size_t len)
{
	if (part->L->o.janus) {
		pl_janus_on_message(part, text, len);
		return;
	}
	json_error_t jerr;
	json_t *msg = json_loadb(text, len, 0, &jerr);
	const char *type = msg ? json_string_value(json_object_get(msg, "type")) : NULL;
	if (!type) {
		pl_part_fail(part, "the server sent a message that is not a typed JSON object");
		json_decref(msg);
		return;
	}
	if (strcmp(type, "joined") == 0) {
		pl_part_mark(part, PL_T_JOINED);
		part->joined = true;
		const char *id = json_string_value(json_object_get(msg, "participant"));
		g_strlcpy(part->id, id ? id : "?", sizeof part->id);
		if (part->publisher)
			start_publish(part);
		pl_load_maybe_window(part->L);
	} else if (strcmp(type, "publish-answer") == 0) {
		const char *sdp = json_string_value(json_object_get(msg, "sdp"));
		if (sdp)
			pl_part_on_publish_answer(part, sdp);
		else
			pl_part_fail(part, "publish-answer without sdp");
	} else if (strcmp(type, "subscribe") == 0) {
		on_subscribe(part, msg);
	} else if (strcmp(type, "candidate") == 0) {
		on_candidate(part, msg);
	} else if (strcmp(type, "ping") == 0) {
		send_json(part, json_pack("{s:s}", "type", "pong"));
	} else if (strcmp(type, "error") == 0) {
		on_error(part, msg);
	} else if (strcmp(type, "media-failed") == 0) {
		const char *pc = json_string_value(json_object_get(msg, "pc"));
		const char *why = json_string_value(json_object_get(msg, "reason"));
		pl_part_fail(part, "the server reports %s media failed: %s", pc ? pc : "?",
		             why ? why : "?");
	} else if (strcmp(type, "server-shutdown") == 0) {
		pl_part_fail(part, "the server is shutting down");
	}
	/* participant-*, chat, track-updated, pong, left: nothing to do */
	json_decref(msg);
}

void pl_part_free(struct pl_part *part)
{
	if (!part)
		return;
	pl_peer_free(part->pub);
	pl_peer_free(part->sub);
	pl_janus_free(part);
	pl_pubmedia_cleanup(&part->pm);
	pl_submedia_cleanup(&part->sm);
	g_queue_clear_full(&part->outq, g_free);
	g_string_free(part->inbuf, TRUE);
	free(part);
}
