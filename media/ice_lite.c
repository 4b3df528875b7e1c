/* ICE-lite for one PeerConnection. See ice_lite.h. */
#include "media/ice_lite.h"

#include <netinet/in.h>
#include <string.h>

#include "media/error.h"

static void copy_str(char *to, const char *from)
{
	size_t n = from ? strnlen(from, PL_ICE_LITE_UFRAG_MAX - 1) : 0;
	memcpy(to, from ? from : "", n);
	to[n] = '\0';
}

void pl_ice_lite_init(struct pl_ice_lite *ice, const char *ufrag, const char *pwd, int64_t now_us)
{
	memset(ice, 0, sizeof *ice);
	copy_str(ice->ufrag, ufrag);
	copy_str(ice->pwd, pwd);
	ice->created_us = now_us;
	ice->selected = -1;
	ice->state = PL_ICE_LITE_NEW;
}

void pl_ice_lite_set_remote_ufrag(struct pl_ice_lite *ice, const char *ufrag)
{
	copy_str(ice->remote_ufrag, ufrag);
}

int pl_ice_lite_username_local(const struct pl_stun_msg *m, char *out)
{
	if (!m->username)
		return PL_EINVAL;
	const uint8_t *colon = memchr(m->username, ':', m->username_len);
	if (!colon)
		return PL_EINVAL;
	size_t n = (size_t)(colon - m->username);
	if (n == 0 || n >= PL_ICE_LITE_UFRAG_MAX || memchr(m->username, '\0', n))
		return PL_EINVAL;
	memcpy(out, m->username, n);
	out[n] = '\0';
	return 0;
}

bool pl_ice_lite_addr_equal(const struct sockaddr *a, socklen_t a_len, const struct sockaddr *b,
                            socklen_t b_len)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET && a_len >= sizeof(struct sockaddr_in) &&
	    b_len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6 && a_len >= sizeof(struct sockaddr_in6) &&
	    b_len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
	}
	return false;
}

static int find_index(const struct pl_ice_lite *ice, const struct sockaddr *from,
                      socklen_t from_len)
{
	/* The selected tuple first: nearly every packet comes from it. */
	if (ice->selected >= 0) {
		const struct pl_ice_lite_tuple *t = &ice->tuples[ice->selected];
		if (pl_ice_lite_addr_equal((const struct sockaddr *)&t->addr, t->addr_len, from,
		                           from_len))
			return ice->selected;
	}
	for (size_t i = 0; i < ice->n_tuples; i++) {
		const struct pl_ice_lite_tuple *t = &ice->tuples[i];
		if ((int)i != ice->selected &&
		    pl_ice_lite_addr_equal((const struct sockaddr *)&t->addr, t->addr_len, from,
		                           from_len))
			return (int)i;
	}
	return -1;
}

const struct pl_ice_lite_tuple *pl_ice_lite_find(const struct pl_ice_lite *ice,
                                                 const struct sockaddr *from, socklen_t from_len)
{
	if (ice->state == PL_ICE_LITE_FAILED)
		return NULL;
	int i = find_index(ice, from, from_len);
	return i < 0 ? NULL : &ice->tuples[i];
}

const struct pl_ice_lite_tuple *pl_ice_lite_selected(const struct pl_ice_lite *ice)
{
	if (ice->state != PL_ICE_LITE_CONNECTED || ice->selected < 0)
		return NULL;
	return &ice->tuples[ice->selected];
}

static void remove_tuple(struct pl_ice_lite *ice, size_t i)
{
	ice->tuples[i] = ice->tuples[ice->n_tuples - 1];
	if (ice->selected == (int)(ice->n_tuples - 1))
		ice->selected = (int)i;
	ice->n_tuples--;
}

/* Adds a tuple, making room by dropping the oldest unselected one when all are taken. */
static int add_tuple(struct pl_ice_lite *ice, const struct sockaddr *from, socklen_t from_len,
                     unsigned sock, int64_t now_us)
{
	if (ice->n_tuples == PL_ICE_LITE_MAX_TUPLES) {
		size_t oldest = ice->selected == 0 ? 1 : 0;
		for (size_t i = 0; i < ice->n_tuples; i++)
			if ((int)i != ice->selected &&
			    ice->tuples[i].last_us < ice->tuples[oldest].last_us)
				oldest = i;
		remove_tuple(ice, oldest);
	}
	struct pl_ice_lite_tuple *t = &ice->tuples[ice->n_tuples];
	memset(t, 0, sizeof *t);
	memcpy(&t->addr, from, from_len < sizeof t->addr ? from_len : sizeof t->addr);
	t->addr_len = from_len;
	t->sock = sock;
	t->last_us = now_us;
	return (int)ice->n_tuples++;
}

static bool username_matches(const struct pl_ice_lite *ice, const struct pl_stun_msg *m)
{
	size_t ul = strlen(ice->ufrag);
	if (!m->username || m->username_len < ul + 1 || memcmp(m->username, ice->ufrag, ul) != 0 ||
	    m->username[ul] != ':')
		return false;
	/* The peer's half is only known once its description arrived; until then any is taken
	 * (the password still has to match). */
	size_t rl = strlen(ice->remote_ufrag);
	if (rl == 0)
		return true;
	return m->username_len == ul + 1 + rl &&
	       memcmp(m->username + ul + 1, ice->remote_ufrag, rl) == 0;
}

int pl_ice_lite_on_request(struct pl_ice_lite *ice, const uint8_t *buf, size_t len,
                           const struct pl_stun_msg *m, const struct sockaddr *from,
                           socklen_t from_len, unsigned sock, int64_t now_us, uint8_t *out,
                           size_t cap, enum pl_ice_lite_event *ev)
{
	*ev = PL_ICE_LITE_NONE;
	if (m->type != PL_STUN_BINDING_REQUEST)
		return PL_EPROTO;
	if (ice->state == PL_ICE_LITE_FAILED)
		return PL_ESTATE;
	const uint8_t *key = (const uint8_t *)ice->pwd;
	size_t key_len = strlen(ice->pwd);
	if (!username_matches(ice, m) || pl_stun_check_integrity(buf, len, m, key, key_len) != 0) {
		ice->checks_rejected++;
		return PL_EAUTH;
	}
	/* A lite agent is always controlled (RFC 8445 6.1.1); a peer that also thinks it is
	 * controlled is told to take the other role (7.3.1.1). */
	if (m->ice_controlled && !m->ice_controlling)
		return pl_stun_write_error(out, cap, m->tid, 487, "Role Conflict", NULL, 0, key,
		                           key_len);
	int n = pl_stun_write_success(out, cap, m->tid, from, key, key_len);
	if (n < 0)
		return n;
	int i = find_index(ice, from, from_len);
	if (i < 0)
		i = add_tuple(ice, from, from_len, sock, now_us);
	ice->tuples[i].last_us = now_us;
	ice->tuples[i].sock = sock;
	ice->checks_answered++;
	if (m->use_candidate && ice->selected != i) {
		ice->selected = i;
		if (ice->state == PL_ICE_LITE_NEW) {
			ice->state = PL_ICE_LITE_CONNECTED;
			*ev = PL_ICE_LITE_EV_CONNECTED;
		} else {
			*ev = PL_ICE_LITE_EV_SELECTED;
		}
	}
	return n;
}

enum pl_ice_lite_state
pl_ice_lite_tick(struct pl_ice_lite *ice, int64_t now_us,
                 void (*expired)(void *ctx, const struct pl_ice_lite_tuple *t), void *ctx)
{
	if (ice->state == PL_ICE_LITE_FAILED)
		return ice->state;
	for (size_t i = 0; i < ice->n_tuples;) {
		if (now_us - ice->tuples[i].last_us < PL_ICE_LITE_CONSENT_US) {
			i++;
			continue;
		}
		if ((int)i == ice->selected) {
			ice->state = PL_ICE_LITE_FAILED;
			ice->selected = -1;
		}
		if (expired)
			expired(ctx, &ice->tuples[i]);
		remove_tuple(ice, i);
	}
	if (ice->state == PL_ICE_LITE_NEW && now_us - ice->created_us >= PL_ICE_LITE_CONNECT_US)
		ice->state = PL_ICE_LITE_FAILED;
	if (ice->state == PL_ICE_LITE_FAILED) {
		/* Forget every address, so nothing more is accepted from them. */
		while (ice->n_tuples) {
			if (expired)
				expired(ctx, &ice->tuples[ice->n_tuples - 1]);
			ice->n_tuples--;
		}
		ice->selected = -1;
	}
	return ice->state;
}
