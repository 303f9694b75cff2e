/* SPDX-License-Identifier: MIT */
/*
 * tls.h - the HTTPS certificate and key of mrfabricd (issue 5): loaded
 * from the files the configuration names, or generated once, self-signed,
 * at first start (GnuTLS x509 API) and kept next to the database.
 *
 * Key files are secrets: a generated key is created with O_EXCL and mode
 * 0600, and a key file that group or others may read is refused.
 */
#ifndef MRFABRIC_MGMT_TLS_H
#define MRFABRIC_MGMT_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "fabric/fm.h"
#include "mgmt/mgmt.h"

#define MGMT_TLS_CERT_FILE "mrfabricd-cert.pem"
#define MGMT_TLS_KEY_FILE "mrfabricd-key.pem"
#define MGMT_TLS_FILE_MAX (64 * 1024) /* bytes of a PEM file */
#define MGMT_TLS_VALID_DAYS 3650
/* "AA:BB:..." of a SHA-256, with NUL */
#define MGMT_TLS_FINGERPRINT_LEN (32 * 3 + 1)

/* A certificate and its key, PEM, NUL-terminated (heap). */
struct mgmt_tls_pair {
	char *cert_pem;
	char *key_pem;
	char fingerprint[MGMT_TLS_FINGERPRINT_LEN]; /* SHA-256 of the DER */
	char cert_path[MGMT_PATH_MAX];
	bool generated; /* made by this call of mgmt_tls_setup() */
};

/*
 * Generate a self-signed ECDSA P-256 certificate (SHA-256 signature,
 * MGMT_TLS_VALID_DAYS valid, CN @host_name, SAN DNS localhost and
 * @host_name, IP 127.0.0.1, ::1 and @listen_address when it is a
 * specific address) and write it to @cert_path (0644) and its key to
 * @key_path (0600).  Both files must not exist (O_EXCL): -FM_EEXIST.
 * -FM_EIO naming the file otherwise.  A failure leaves no key file.
 */
int mgmt_tls_generate(const char *cert_path, const char *key_path,
		      const char *host_name, const char *listen_address,
		      struct fm_err *err);

/*
 * Read @cert_path and @key_path into @out (finalise with
 * mgmt_tls_pair_fini()).  -FM_EPERM when the key file is readable or
 * writable by group or others (the message names the file and its
 * mode), -FM_EIO when a file cannot be read, -FM_EPARSE when the
 * certificate is not PEM X.509 or the key does not belong to it.
 */
int mgmt_tls_load(struct mgmt_tls_pair *out, const char *cert_path,
		  const char *key_path, struct fm_err *err);

/*
 * The pair the daemon serves with @cfg: tls.certificate and tls.key
 * when configured; else MGMT_TLS_CERT_FILE and MGMT_TLS_KEY_FILE in the
 * directory of cfg->database (the current directory for ":memory:"),
 * generated when neither exists.  Returns as mgmt_tls_load(); one of
 * the two default files without the other is -FM_ESTATE naming both.
 */
int mgmt_tls_setup(struct mgmt_tls_pair *out, const struct mgmt_config *cfg,
		   struct fm_err *err);

void mgmt_tls_pair_fini(struct mgmt_tls_pair *p);

#endif
