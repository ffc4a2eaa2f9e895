/* keys.c - Ed25519 key files (see keys.h). */
#include "trust/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREFIX "ed25519:"

static int write_key_file(const char *path, mode_t mode, int overwrite, const uint8_t *key,
                          size_t len, char *errbuf)
{
	char b64[sodium_base64_ENCODED_LEN(crypto_sign_SECRETKEYBYTES,
	                                   sodium_base64_VARIANT_ORIGINAL)];
	char line[sizeof(b64) + 16];
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
	int fd, n;

	sodium_bin2base64(b64, sizeof(b64), key, len, sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(line, sizeof(line), PREFIX "%s\n", b64);
	fd = open(path, flags, mode);
	if (fd < 0)
		return ent_errf(errbuf, errno == EEXIST ? ENT_EEXIST : ENT_EIO, "%s: %s", path,
		                strerror(errno));
	/* the umask may have widened or narrowed the mode: set it exactly */
	if (fchmod(fd, mode) != 0 || write(fd, line, (size_t)n) != n || fsync(fd) != 0) {
		int e = errno;

		close(fd);
		sodium_memzero(line, sizeof(line));
		return ent_errf(errbuf, ENT_EIO, "%s: %s", path, strerror(e));
	}
	close(fd);
	sodium_memzero(line, sizeof(line));
	sodium_memzero(b64, sizeof(b64));
	return ENT_OK;
}

int ent_keys_generate(const char *sk_path, const char *pk_path, int overwrite,
                      struct ent_keypair *out, char *errbuf)
{
	int rc;

	if (sodium_init() < 0)
		return ent_errf(errbuf, ENT_EIO, "libsodium could not be initialised");
	crypto_sign_keypair(out->pk, out->sk);
	rc = write_key_file(sk_path, 0600, overwrite, out->sk, sizeof(out->sk), errbuf);
	if (rc == ENT_OK)
		rc = write_key_file(pk_path, 0644, overwrite, out->pk, sizeof(out->pk), errbuf);
	return rc;
}

int ent_keys_check_secrecy(const char *sk_path, char *errbuf)
{
	struct stat st;

	if (stat(sk_path, &st) != 0)
		return ent_errf(errbuf, ENT_EIO, "%s: %s", sk_path, strerror(errno));
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return ent_errf(errbuf, ENT_EPERM,
		                "%s: secret key is accessible by group or others (mode %04o); "
		                "run: chmod 600 %s",
		                sk_path, (unsigned)(st.st_mode & 07777), sk_path);
	return ENT_OK;
}

int ent_keys_load(const char *sk_path, struct ent_keypair *out, char *errbuf)
{
	char line[256];
	size_t bin_len = 0;
	ssize_t n;
	int fd, rc;

	rc = ent_keys_check_secrecy(sk_path, errbuf);
	if (rc != ENT_OK)
		return rc;
	fd = open(sk_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ent_errf(errbuf, ENT_EIO, "%s: %s", sk_path, strerror(errno));
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n < 0)
		return ent_errf(errbuf, ENT_EIO, "%s: %s", sk_path, strerror(errno));
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	rc = ENT_EINVAL;
	if (strncmp(line, PREFIX, strlen(PREFIX)) == 0 &&
	    sodium_base642bin(out->sk, sizeof(out->sk), line + strlen(PREFIX),
	                      strlen(line + strlen(PREFIX)), NULL, &bin_len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    bin_len == sizeof(out->sk)) {
		crypto_sign_ed25519_sk_to_pk(out->pk, out->sk);
		rc = ENT_OK;
	}
	sodium_memzero(line, sizeof(line));
	if (rc != ENT_OK)
		return ent_errf(errbuf, ENT_EINVAL, "%s: not an entente Ed25519 secret key",
		                sk_path);
	return ENT_OK;
}

void ent_keys_pk_text(const uint8_t pk[crypto_sign_PUBLICKEYBYTES], char *out, size_t outsz)
{
	char b64[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES,
	                                   sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(b64, sizeof(b64), pk, crypto_sign_PUBLICKEYBYTES,
	                  sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, outsz, PREFIX "%s", b64);
}

void ent_keys_wipe(struct ent_keypair *kp)
{
	sodium_memzero(kp, sizeof(*kp));
}
