/*
 * fuzz_sign.c - arbitrary bytes through signature verification
 * (trust/sign.h): as a signed object, with and without a pinned key, and as
 * a key rotation announcement. Nothing may crash, and nothing may verify
 * under a pinned key whose secret the fuzzer does not have, unless the input
 * carries a signature made with it (the seeds do: they are signed by the
 * fixed key below, derived from an all-zero seed).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trust/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pinned[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	static int ready;
	uint8_t signer[crypto_sign_PUBLICKEYBYTES], next[crypto_sign_PUBLICKEYBYTES];
	char err[ENT_ERRBUF_SIZE];
	int with_pin, without;

	if (!ready) {
		uint8_t seed[crypto_sign_SEEDBYTES] = {0};

		if (sodium_init() < 0)
			abort();
		crypto_sign_seed_keypair(pinned, sk, seed);
		ready = 1;
	}
	with_pin = ent_sign_verify((const char *)data, size, pinned, signer, err);
	without = ent_sign_verify((const char *)data, size, NULL, signer, err);
	/* verifying under the pinned key is never weaker than without one */
	if (with_pin == ENT_OK && without != ENT_OK)
		abort();
	if (with_pin == ENT_OK && memcmp(signer, pinned, sizeof(signer)) != 0)
		abort();
	(void)ent_sign_rotation_verify((const char *)data, size, pinned, next, err);
	return 0;
}
