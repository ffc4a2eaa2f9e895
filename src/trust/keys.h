/*
 * keys.h - the node's Ed25519 key pair on disk.
 *
 * The secret key file is created with mode 0600 whatever the umask, and is
 * refused when it is readable by group or others (OpenBSD's
 * check_file_secrecy): a key others could read is a key others may have.
 * Files hold one line: "ed25519:" and the key in base64 (the 64-byte
 * libsodium secret key, or the 32-byte public key).
 */
#ifndef ENT_TRUST_KEYS_H
#define ENT_TRUST_KEYS_H

#include <sodium.h>
#include <stdint.h>

#include "core/error.h"

struct ent_keypair {
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
};

/* Generates a key pair and writes sk_path (0600) and pk_path (0644).
 * Existing files are replaced only when overwrite is set. */
int ent_keys_generate(const char *sk_path, const char *pk_path, int overwrite,
                      struct ent_keypair *out, char *errbuf) ENT_MUST_CHECK;
/* Loads the key pair; ENT_EPERM if sk_path is readable by group or others. */
int ent_keys_load(const char *sk_path, struct ent_keypair *out, char *errbuf) ENT_MUST_CHECK;
/* Checks only the secret key file's permissions. */
int ent_keys_check_secrecy(const char *sk_path, char *errbuf) ENT_MUST_CHECK;
/* "ed25519:<base64>" of a public key into out (at least 64 bytes). */
void ent_keys_pk_text(const uint8_t pk[crypto_sign_PUBLICKEYBYTES], char *out, size_t outsz);
/* Wipes the secret key. */
void ent_keys_wipe(struct ent_keypair *kp);

#endif
