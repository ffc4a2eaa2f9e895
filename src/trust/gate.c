/* gate.c - signatures and belief on the way in (see gate.h). */
#include "trust/gate.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/label.h"
#include "store/peers.h"
#include "trust/sign.h"

struct gate_peer {
	int64_t id;
	char name[64];
	char identity[72]; /* "" when not known */
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	bool has_pk;
	int trust;
};

struct ent_trust_gate {
	pthread_mutex_t lock;
	struct ent_policy policy;
	char own_identity[72];
	uint8_t own_pk[crypto_sign_PUBLICKEYBYTES];
	bool has_own;
	struct gate_peer *peers;
	size_t n, cap;
	uint64_t rejected;
};

/* "ed25519:<base64>" or "<base64>" of a 32-byte key. */
static bool decode_key(const char *text, uint8_t pk[crypto_sign_PUBLICKEYBYTES])
{
	size_t len = 0;

	if (strncmp(text, "ed25519:", 8) == 0)
		text += 8;
	return sodium_base642bin(pk, crypto_sign_PUBLICKEYBYTES, text, strlen(text), NULL, &len,
	                         NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       len == crypto_sign_PUBLICKEYBYTES;
}

static int add_peer(void *ctx, const struct ent_peer *p)
{
	struct ent_trust_gate *g = ctx;
	struct gate_peer *gp;

	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		void *q = realloc(g->peers, cap * sizeof(*g->peers));

		if (q == NULL)
			return ENT_ENOMEM;
		g->peers = q;
		g->cap = cap;
	}
	gp = &g->peers[g->n++];
	memset(gp, 0, sizeof(*gp));
	gp->id = p->id;
	snprintf(gp->name, sizeof(gp->name), "%s", p->name);
	snprintf(gp->identity, sizeof(gp->identity), "%s", p->identity_ref);
	gp->has_pk = p->public_key[0] != '\0' && decode_key(p->public_key, gp->pk);
	gp->trust = p->trust;
	return ENT_OK;
}

int ent_gate_load(struct ent_store *s, const char *own_identity,
                  const uint8_t own_pk[crypto_sign_PUBLICKEYBYTES], const struct ent_policy *policy,
                  struct ent_trust_gate **out, char *errbuf)
{
	struct ent_trust_gate *g = calloc(1, sizeof(*g));
	int rc;

	if (g == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	pthread_mutex_init(&g->lock, NULL);
	g->policy = *policy;
	snprintf(g->own_identity, sizeof(g->own_identity), "%s", own_identity ? own_identity : "");
	if (own_pk != NULL) {
		memcpy(g->own_pk, own_pk, sizeof(g->own_pk));
		g->has_own = true;
	}
	rc = ent_store_peers_foreach(s, add_peer, g, errbuf);
	if (rc == ENT_ENOMEM)
		ent_errf(errbuf, rc, "out of memory");
	if (rc != ENT_OK) {
		ent_gate_free(g);
		return rc;
	}
	*out = g;
	return ENT_OK;
}

void ent_gate_free(struct ent_trust_gate *g)
{
	if (g == NULL)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g->peers);
	free(g);
}

const struct ent_policy *ent_gate_policy(const struct ent_trust_gate *g)
{
	return &g->policy;
}

uint64_t ent_gate_rejected(const struct ent_trust_gate *g)
{
	return g->rejected;
}

/* What the gate knows of the object's creator and its deliverer, copied
 * out under the lock. */
struct facts {
	bool pinned;                            /* the creator has a pinned key */
	uint8_t pk[crypto_sign_PUBLICKEYBYTES]; /* that key */
	int64_t creator_peer;                   /* the peer whose identity it is, 0 = ours */
	bool from_peer;                         /* a peer delivered it */
	int trust;                              /* that peer's trust */
};

static void lookup(struct ent_trust_gate *g, const char *source_peer, const char *creator,
                   struct facts *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_lock(&g->lock);
	if (creator != NULL && g->has_own && strcmp(creator, g->own_identity) == 0) {
		f->pinned = true;
		memcpy(f->pk, g->own_pk, sizeof(f->pk));
	}
	for (size_t i = 0; i < g->n; i++) {
		const struct gate_peer *p = &g->peers[i];

		if (!f->pinned && creator != NULL && p->has_pk &&
		    strcmp(p->identity, creator) == 0) {
			f->pinned = true;
			memcpy(f->pk, p->pk, sizeof(f->pk));
			f->creator_peer = p->id;
		}
		if (source_peer != NULL && strcmp(p->name, source_peer) == 0) {
			f->from_peer = true;
			f->trust = p->trust;
		}
	}
	pthread_mutex_unlock(&g->lock);
}

/* A pinned key whose peer has no identity yet: signer's, if any. */
static int64_t peer_by_unclaimed_key(struct ent_trust_gate *g,
                                     const uint8_t signer[crypto_sign_PUBLICKEYBYTES])
{
	int64_t id = 0;

	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < g->n && id == 0; i++)
		if (g->peers[i].has_pk && g->peers[i].identity[0] == '\0' &&
		    sodium_memcmp(g->peers[i].pk, signer, crypto_sign_PUBLICKEYBYTES) == 0)
			id = g->peers[i].id;
	pthread_mutex_unlock(&g->lock);
	return id;
}

/* Rejects, with v->why already written. */
static void reject(struct ent_trust_gate *g, struct ent_gate_verdict *v)
{
	v->reject = true;
	pthread_mutex_lock(&g->lock);
	g->rejected++;
	pthread_mutex_unlock(&g->lock);
}

void ent_gate_check(struct ent_trust_gate *g, const char *source_peer,
                    enum ent_policy_unsigned unsigned_action, const char *type,
                    const char *created_by_ref, int confidence, const char *json, size_t len,
                    bool may_be_signed, struct ent_gate_verdict *v)
{
	uint8_t signer[crypto_sign_PUBLICKEYBYTES], next[crypto_sign_PUBLICKEYBYTES];
	char err[ENT_ERRBUF_SIZE];
	struct facts f;
	bool lower = false, has_entry;
	int hops[1], n_hops = 0, rc;

	memset(v, 0, sizeof(*v));
	lookup(g, source_peer, created_by_ref, &f);
	/* most objects carry no signature at all: no need to parse them again */
	has_entry =
	    may_be_signed && memmem(json, len, ENT_SIGN_EXT_ID, strlen(ENT_SIGN_EXT_ID)) != NULL;
	if (f.pinned) {
		rc = has_entry ? ent_sign_verify(json, len, f.pk, signer, err) : ENT_SIGN_EUNSIGNED;
		if (rc == ENT_SIGN_EKEY && type != NULL && strcmp(type, "identity") == 0 &&
		    ent_sign_rotation_verify(json, len, f.pk, next, err) == ENT_OK &&
		    f.creator_peer > 0) {
			/* the pinned key hands over to the next one */
			v->update_peer = f.creator_peer;
			sodium_bin2base64(v->update_key, sizeof(v->update_key), next, sizeof(next),
			                  sodium_base64_VARIANT_ORIGINAL);
			rc = ENT_OK;
		}
		if (rc == ENT_OK) {
			v->signature_ok = true;
		} else if (rc == ENT_SIGN_EUNSIGNED) {
			/* a creator with a pinned key signs everything it makes: an
			 * unsigned object in its name was stripped or forged */
			snprintf(v->why, sizeof(v->why),
			         "unsigned, but its creator %s has a pinned key", created_by_ref);
			return reject(g, v);
		} else {
			snprintf(v->why, sizeof(v->why),
			         "signature of %s does not verify with its pinned key: %s",
			         created_by_ref, ent_sign_strerror(rc));
			return reject(g, v);
		}
	} else if (has_entry) {
		rc = ent_sign_verify(json, len, NULL, signer, err);
		if (rc != ENT_OK && rc != ENT_SIGN_EUNSIGNED) {
			snprintf(v->why, sizeof(v->why),
			         "broken signature%s%s: a signed object must verify",
			         created_by_ref ? " of " : "",
			         created_by_ref ? created_by_ref : "");
			return reject(g, v);
		}
		if (rc == ENT_OK && created_by_ref != NULL &&
		    (v->update_peer = peer_by_unclaimed_key(g, signer)) != 0) {
			/* signed by a pinned key: its creator is that peer's identity */
			snprintf(v->update_identity, sizeof(v->update_identity), "%s",
			         created_by_ref);
			v->signature_ok = true;
		} else if (unsigned_action == ENT_UNSIGNED_REJECT) {
			snprintf(v->why, sizeof(v->why),
			         "signed by a key nobody pinned (creator %s)",
			         created_by_ref ? created_by_ref : "unknown");
			return reject(g, v);
		} else {
			lower = unsigned_action == ENT_UNSIGNED_LOWER;
		}
	} else {
		if (unsigned_action == ENT_UNSIGNED_REJECT) {
			snprintf(v->why, sizeof(v->why), "unsigned (creator %s)",
			         created_by_ref ? created_by_ref : "unknown");
			return reject(g, v);
		}
		lower = unsigned_action == ENT_UNSIGNED_LOWER;
	}
	/* belief: the producer's confidence through the peer that delivered it */
	if (f.from_peer)
		hops[n_hops++] = f.trust;
	if (n_hops == 0 && !lower) {
		v->stored_confidence = confidence;
	} else {
		int c = confidence >= 0 ? confidence : g->policy.unknown_confidence;

		v->stored_confidence = ent_policy_relayed(c, hops, (size_t)n_hops);
		if (lower)
			v->stored_confidence =
			    ent_policy_relayed(v->stored_confidence, &g->policy.unsigned_trust, 1);
	}
	/* every object passes here: no printf (it showed in bulk imports) */
	ent_label_copy(v->why, sizeof(v->why),
	               v->signature_ok ? (lower ? "signature verified, confidence lowered"
	                                        : "signature verified")
	                               : (lower ? "unsigned, confidence lowered" : "unsigned"));
}

void ent_gate_apply(struct ent_trust_gate *g, const struct ent_gate_verdict *v)
{
	if (v->update_peer == 0)
		return;
	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < g->n; i++) {
		struct gate_peer *p = &g->peers[i];

		if (p->id != v->update_peer)
			continue;
		if (v->update_identity[0] != '\0')
			snprintf(p->identity, sizeof(p->identity), "%s", v->update_identity);
		if (v->update_key[0] != '\0')
			p->has_pk = decode_key(v->update_key, p->pk);
	}
	pthread_mutex_unlock(&g->lock);
}

int ent_gate_reload(struct ent_trust_gate *g, struct ent_store *s, char *errbuf)
{
	struct ent_trust_gate fresh = {0};
	int rc = ent_store_peers_foreach(s, add_peer, &fresh, errbuf);

	if (rc != ENT_OK) {
		free(fresh.peers);
		return rc == ENT_ENOMEM ? ent_errf(errbuf, rc, "out of memory") : rc;
	}
	pthread_mutex_lock(&g->lock);
	free(g->peers);
	g->peers = fresh.peers;
	g->n = fresh.n;
	g->cap = fresh.cap;
	pthread_mutex_unlock(&g->lock);
	return ENT_OK;
}
