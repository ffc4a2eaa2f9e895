/*
 * cert.h - the node's self-signed TLS certificate, for `entente serve`.
 *
 * `entente init` makes one so that a new node serves HTTPS at once; peers
 * pin it (`entente peer add --ca tls.crt`). ECDSA P-256 with SHA-256,
 * accepted by every TLS library we and our peers use; subjectAltName
 * DNS:localhost, IP:127.0.0.1, IP:::1 and DNS:<name> when the node name is
 * a valid host name; extendedKeyUsage serverAuth; not a CA.
 */
#ifndef ENT_TRUST_CERT_H
#define ENT_TRUST_CERT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define ENT_CERT_DAYS 1825 /* five years */

/* Generates a key pair and a self-signed certificate valid from an hour
 * ago for days days; writes key_path (PKCS#8 PEM, mode 0600) and cert_path
 * (PEM, mode 0644). Existing files are refused (ENT_EEXIST). */
int ent_cert_generate(const char *cert_path, const char *key_path, const char *name, unsigned days,
                      char *errbuf) ENT_MUST_CHECK;

/* The SHA-256 fingerprint of the first certificate in the PEM file at
 * path, as "AB:CD:...": out needs 96 bytes. */
int ent_cert_fingerprint(const char *path, char *out, size_t outsz, char *errbuf) ENT_MUST_CHECK;

/* True if name is a DNS host name: labels of letters, digits and '-', 1
 * to 63 characters, not starting or ending with '-', 253 characters at most. */
bool ent_cert_hostname_ok(const char *name);

#endif
