/* cert.c - the node's self-signed TLS certificate, made with GnuTLS (see cert.h). */
#include "trust/cert.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool ent_cert_hostname_ok(const char *name)
{
	size_t total = 0, label = 0;
	char prev = '.';

	if (name == NULL || name[0] == '\0')
		return false;
	for (const char *p = name; *p != '\0'; p++, total++) {
		char c = *p;

		if (c == '.') {
			if (label == 0 || prev == '-')
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || c == '-') {
			if (label == 0 && c == '-')
				return false;
			if (++label > 63)
				return false;
		} else {
			return false;
		}
		prev = c;
	}
	return total <= 253 && label > 0 && prev != '-';
}

static int write_file(const char *path, mode_t mode, const void *data, size_t len, char *errbuf)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return ent_errf(errbuf, errno == EEXIST ? ENT_EEXIST : ENT_EIO, "%s: %s", path,
		                strerror(errno));
	/* the umask may have changed the mode: set it exactly */
	if (fchmod(fd, mode) != 0 || write(fd, data, len) != (ssize_t)len || fsync(fd) != 0) {
		int e = errno;

		close(fd);
		unlink(path);
		return ent_errf(errbuf, ENT_EIO, "%s: %s", path, strerror(e));
	}
	if (close(fd) != 0)
		return ent_errf(errbuf, ENT_EIO, "%s: %s", path, strerror(errno));
	return ENT_OK;
}

#define GT(call, what)                                                                             \
	do {                                                                                       \
		int gt_rc_ = (call);                                                               \
		if (gt_rc_ < 0) {                                                                  \
			rc = ent_errf(errbuf, ENT_EIO, "TLS certificate: %s: %s", what,            \
			              gnutls_strerror(gt_rc_));                                    \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

int ent_cert_generate(const char *cert_path, const char *key_path, const char *name, unsigned days,
                      char *errbuf)
{
	static const unsigned char ip4[4] = {127, 0, 0, 1};
	static const unsigned char ip6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t key_pem = {NULL, 0}, crt_pem = {NULL, 0};
	unsigned char serial[16];
	char cn[64];
	time_t now = time(NULL);
	int rc = ENT_EIO;

	if (sodium_init() < 0)
		return ent_errf(errbuf, ENT_EIO, "libsodium could not be initialised");
	GT(gnutls_x509_privkey_init(&key), "key");
	GT(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	                                GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
	   "generating the key");
	GT(gnutls_x509_crt_init(&crt), "certificate");
	GT(gnutls_x509_crt_set_version(crt, 3), "version");
	randombytes_buf(serial, sizeof(serial));
	serial[0] &= 0x7f; /* a positive serial number (RFC 5280 4.1.2.2) */
	serial[0] |= 0x01;
	GT(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)), "serial");
	GT(gnutls_x509_crt_set_activation_time(crt, now - 3600), "activation time");
	GT(gnutls_x509_crt_set_expiration_time(crt, now + (time_t)days * 86400), "expiry");
	/* CN: the node name when it is short and a host name, else "entente" */
	snprintf(cn, sizeof(cn), "%s",
	         ent_cert_hostname_ok(name) && strlen(name) < sizeof(cn) ? name : "entente");
	GT(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, "entente",
	                                 strlen("entente")),
	   "subject");
	GT(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn)),
	   "subject");
	GT(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost",
	                                        strlen("localhost"), GNUTLS_FSAN_APPEND),
	   "subjectAltName");
	GT(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip4, sizeof(ip4),
	                                        GNUTLS_FSAN_APPEND),
	   "subjectAltName");
	GT(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip6, sizeof(ip6),
	                                        GNUTLS_FSAN_APPEND),
	   "subjectAltName");
	if (ent_cert_hostname_ok(name) && strcasecmp(name, "localhost") != 0)
		GT(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name, strlen(name),
		                                        GNUTLS_FSAN_APPEND),
		   "subjectAltName");
	GT(gnutls_x509_crt_set_basic_constraints(crt, 0, -1), "basicConstraints");
	GT(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE), "keyUsage");
	GT(gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0),
	   "extendedKeyUsage");
	GT(gnutls_x509_crt_set_key(crt, key), "public key");
	{
		unsigned char kid[64];
		size_t kid_len = sizeof(kid);

		GT(gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, kid, &kid_len), "key id");
		GT(gnutls_x509_crt_set_subject_key_id(crt, kid, kid_len), "subjectKeyIdentifier");
		GT(gnutls_x509_crt_set_authority_key_id(crt, kid, kid_len),
		   "authorityKeyIdentifier");
	}
	GT(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), "signing");
	GT(gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
	                                     &key_pem),
	   "exporting the key");
	GT(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &crt_pem), "exporting");
	rc = write_file(key_path, 0600, key_pem.data, key_pem.size, errbuf);
	if (rc != ENT_OK)
		goto out;
	rc = write_file(cert_path, 0644, crt_pem.data, crt_pem.size, errbuf);
	if (rc != ENT_OK)
		unlink(key_path);
out:
	if (key_pem.data != NULL) {
		sodium_memzero(key_pem.data, key_pem.size);
		gnutls_free(key_pem.data);
	}
	gnutls_free(crt_pem.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return rc;
}

int ent_cert_fingerprint(const char *path, char *out, size_t outsz, char *errbuf)
{
	gnutls_datum_t pem = {NULL, 0};
	gnutls_x509_crt_t crt = NULL;
	unsigned char fp[32];
	size_t fp_len = sizeof(fp);
	int rc = ENT_EIO, g;

	g = gnutls_load_file(path, &pem);
	if (g < 0)
		return ent_errf(errbuf, ENT_EIO, "%s: cannot read: %s", path, gnutls_strerror(g));
	if (gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &fp_len) < 0) {
		rc = ent_errf(errbuf, ENT_EPARSE, "%s: not a PEM certificate", path);
		goto out;
	}
	if (outsz < fp_len * 3)
		goto out;
	for (size_t i = 0; i < fp_len; i++)
		snprintf(out + i * 3, outsz - i * 3, "%02X%s", fp[i], i + 1 < fp_len ? ":" : "");
	rc = ENT_OK;
out:
	gnutls_x509_crt_deinit(crt);
	gnutls_free(pem.data);
	return rc;
}
