/*
 * fuzz_auth.c - libFuzzer target for the Authorization header parser of
 * trust/auth.c (ent_auth_parse): Basic's base64 and user:password split,
 * Bearer's token form.
 *
 * Input: the header value (cut at the first NUL, as MHD hands it over).
 * Checks: a parsed credential is NUL-terminated within its fields, a Basic
 * user is a valid user name, a Bearer token has entente's form and its id
 * is its first 20 characters; a failure leaves the output zeroed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trust/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ent_auth_cred c;
	char *h = malloc(size + 1);
	char id[ENT_AUTH_TOKEN_ID_LEN + 1];

	if (h == NULL)
		return 0;
	memcpy(h, data, size);
	h[size] = '\0';
	if (ent_auth_parse(h, &c) == ENT_OK) {
		if (memchr(c.user, '\0', sizeof(c.user)) == NULL ||
		    memchr(c.secret, '\0', sizeof(c.secret)) == NULL || c.secret[0] == '\0')
			abort();
		if (c.kind == ENT_AUTH_BASIC) {
			if (!ent_auth_user_ok(c.user))
				abort();
		} else if (c.kind == ENT_AUTH_BEARER) {
			if (!ent_auth_token_id(c.secret, id) || strcmp(id, c.user) != 0)
				abort();
		} else {
			abort();
		}
	} else {
		static const struct ent_auth_cred zero;

		if (memcmp(&c, &zero, sizeof(c)) != 0)
			abort();
	}
	free(h);
	return 0;
}
