/* SPDX-License-Identifier: MIT */
/*
 * tls.c - HTTPS certificate and key: load, or generate a self-signed
 * pair with GnuTLS.  See tls.h.
 */
#include "mgmt/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TLS_SERIAL_BYTES 16

/* Write all of @len bytes of @data to the new file @path (O_EXCL). */
static int tls_write_new(const char *path, mode_t mode, const void *data,
			 size_t len, struct fm_err *err)
{
	const char *p = data;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return fm_err_sys(err, errno == EEXIST ? FM_EEXIST : FM_EIO,
				  errno, "tls: cannot create %s", path);
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = fm_err_sys(err, FM_EIO, errno,
					 "tls: cannot write %s", path);
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (ret == 0 && fsync(fd) < 0)
		ret = fm_err_sys(err, FM_EIO, errno, "tls: cannot sync %s",
				 path);
	close(fd);
	if (ret < 0)
		unlink(path);
	return ret;
}

/* Add the IP address literal @addr as a subject alternative name. */
static int tls_san_ip(gnutls_x509_crt_t crt, const char *addr)
{
	unsigned char raw[16];

	if (inet_pton(AF_INET, addr, raw) == 1)
		return gnutls_x509_crt_set_subject_alt_name(
			crt, GNUTLS_SAN_IPADDRESS, raw, 4, GNUTLS_FSAN_APPEND);
	if (inet_pton(AF_INET6, addr, raw) == 1)
		return gnutls_x509_crt_set_subject_alt_name(
			crt, GNUTLS_SAN_IPADDRESS, raw, 16, GNUTLS_FSAN_APPEND);
	return GNUTLS_E_INVALID_REQUEST;
}

static bool tls_specific_address(const char *addr)
{
	return addr && addr[0] && strcmp(addr, "0.0.0.0") != 0 &&
	       strcmp(addr, "::") != 0 && strcmp(addr, "127.0.0.1") != 0 &&
	       strcmp(addr, "::1") != 0;
}

int mgmt_tls_generate(const char *cert_path, const char *key_path,
		      const char *host_name, const char *listen_address,
		      struct fm_err *err)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t kpem = { NULL, 0 }, cpem = { NULL, 0 };
	unsigned char serial[TLS_SERIAL_BYTES], kid[64];
	size_t kid_len = sizeof(kid);
	const char *step = "init";
	time_t now = time(NULL);
	int rc = 0, ret = 0;

	if (getrandom(serial, sizeof(serial), 0) != (ssize_t)sizeof(serial))
		return fm_err_sys(err, FM_EIO, errno, "tls: getrandom failed");
	serial[0] &= 0x7f; /* RFC 5280 4.1.2.2: a positive integer */
	if (serial[0] == 0)
		serial[0] = 1;
#define TLS_STEP(name, call)                                                   \
	do {                                                                   \
		if (rc >= 0) {                                                 \
			step = (name);                                         \
			rc = (call);                                           \
		}                                                              \
	} while (0)
	TLS_STEP("key", gnutls_x509_privkey_init(&key));
	TLS_STEP("key",
		 gnutls_x509_privkey_generate(
			 key, GNUTLS_PK_ECDSA,
			 GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0));
	TLS_STEP("certificate", gnutls_x509_crt_init(&crt));
	TLS_STEP("version", gnutls_x509_crt_set_version(crt, 3));
	TLS_STEP("serial",
		 gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)));
	TLS_STEP("validity",
		 gnutls_x509_crt_set_activation_time(crt, now - 60));
	TLS_STEP("validity",
		 gnutls_x509_crt_set_expiration_time(
			 crt, now + (time_t)MGMT_TLS_VALID_DAYS * 86400));
	TLS_STEP("subject", gnutls_x509_crt_set_dn_by_oid(
				    crt, GNUTLS_OID_X520_COMMON_NAME, 0,
				    host_name, (unsigned)strlen(host_name)));
	TLS_STEP("subject alternative name",
		 gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
						      "localhost", 9,
						      GNUTLS_FSAN_APPEND));
	if (strcmp(host_name, "localhost") != 0)
		TLS_STEP("subject alternative name",
			 gnutls_x509_crt_set_subject_alt_name(
				 crt, GNUTLS_SAN_DNSNAME, host_name,
				 (unsigned)strlen(host_name),
				 GNUTLS_FSAN_APPEND));
	TLS_STEP("subject alternative name", tls_san_ip(crt, "127.0.0.1"));
	TLS_STEP("subject alternative name", tls_san_ip(crt, "::1"));
	if (tls_specific_address(listen_address))
		TLS_STEP("subject alternative name",
			 tls_san_ip(crt, listen_address));
	TLS_STEP("public key", gnutls_x509_crt_set_key(crt, key));
	TLS_STEP("basic constraints",
		 gnutls_x509_crt_set_basic_constraints(crt, 0, -1));
	TLS_STEP("key usage", gnutls_x509_crt_set_key_usage(
				      crt, GNUTLS_KEY_DIGITAL_SIGNATURE));
	TLS_STEP("key purpose", gnutls_x509_crt_set_key_purpose_oid(
					crt, GNUTLS_KP_TLS_WWW_SERVER, 0));
	TLS_STEP("key id", gnutls_x509_crt_get_key_id(crt, 0, kid, &kid_len));
	TLS_STEP("key id",
		 gnutls_x509_crt_set_subject_key_id(crt, kid, kid_len));
	TLS_STEP("signature",
		 gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0));
	TLS_STEP("export",
		 gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem));
	TLS_STEP("export",
		 gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kpem));
#undef TLS_STEP
	if (rc < 0) {
		ret = fm_err_set(err, FM_EIO,
				 "tls: generating a certificate: %s: %s", step,
				 gnutls_strerror(rc));
		goto out;
	}
	/* the key first: a failure after it removes it again */
	ret = tls_write_new(key_path, 0600, kpem.data, kpem.size, err);
	if (ret == 0) {
		ret = tls_write_new(cert_path, 0644, cpem.data, cpem.size, err);
		if (ret < 0)
			unlink(key_path);
	}
out:
	if (kpem.data) {
		gnutls_memset(kpem.data, 0, kpem.size);
		gnutls_free(kpem.data);
	}
	gnutls_free(cpem.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return ret;
}

/*
 * Read the file at @path (at most MGMT_TLS_FILE_MAX bytes) into a heap
 * NUL-terminated string; with @secret, refuse it when its mode lets
 * group or others in.
 */
static int tls_read(char **out, size_t *len, const char *path, bool secret,
		    struct fm_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd, ret = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fm_err_sys(err, FM_EIO, errno, "tls: cannot open %s",
				  path);
	if (fstat(fd, &st) < 0) {
		ret = fm_err_sys(err, FM_EIO, errno, "tls: cannot stat %s",
				 path);
		goto out;
	}
	if (secret && (st.st_mode & 077)) {
		ret = fm_err_set(err, FM_EPERM,
				 "tls: key file %s has mode %04o: group or "
				 "others may access it; make it 0600 "
				 "(chmod 600)",
				 path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MGMT_TLS_FILE_MAX) {
		ret = fm_err_set(err, FM_EIO,
				 "tls: %s is not a regular file of at most %d "
				 "bytes",
				 path, MGMT_TLS_FILE_MAX);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		ret = fm_err_set(err, FM_ENOMEM, "tls: out of memory");
		goto out;
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = fm_err_sys(err, FM_EIO, r < 0 ? errno : EIO,
					 "tls: cannot read %s", path);
			goto out;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
out:
	if (buf) {
		explicit_bzero(buf, (size_t)st.st_size);
		free(buf);
	}
	close(fd);
	return ret;
}

/* The certificate parses, the key belongs to it; the fingerprint. */
static int tls_check(struct mgmt_tls_pair *p, size_t clen, size_t klen,
		     const char *cert_path, const char *key_path,
		     struct fm_err *err)
{
	gnutls_datum_t cd = { (unsigned char *)p->cert_pem, (unsigned)clen };
	gnutls_datum_t kd = { (unsigned char *)p->key_pem, (unsigned)klen };
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_x509_crt_t crt = NULL;
	unsigned char fp[32];
	size_t fplen = sizeof(fp), i;
	int rc, ret = 0;

	rc = gnutls_x509_crt_init(&crt);
	if (rc >= 0)
		rc = gnutls_x509_crt_import(crt, &cd, GNUTLS_X509_FMT_PEM);
	if (rc >= 0)
		rc = gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp,
						     &fplen);
	if (rc < 0) {
		ret = fm_err_set(err, FM_EPARSE,
				 "tls: %s: not a PEM X.509 certificate: %s",
				 cert_path, gnutls_strerror(rc));
		goto out;
	}
	for (i = 0; i < fplen; i++)
		snprintf(p->fingerprint + 3 * i, 4, "%02X:", fp[i]);
	p->fingerprint[fplen ? 3 * fplen - 1 : 0] = '\0';
	/* the pair as the server will use it: key matches certificate */
	rc = gnutls_certificate_allocate_credentials(&cred);
	if (rc >= 0)
		rc = gnutls_certificate_set_x509_key_mem(cred, &cd, &kd,
							 GNUTLS_X509_FMT_PEM);
	if (rc < 0)
		ret = fm_err_set(err, FM_EPARSE,
				 "tls: %s and %s: not a usable certificate "
				 "and key pair: %s",
				 cert_path, key_path, gnutls_strerror(rc));
out:
	if (cred)
		gnutls_certificate_free_credentials(cred);
	gnutls_x509_crt_deinit(crt);
	return ret;
}

int mgmt_tls_load(struct mgmt_tls_pair *out, const char *cert_path,
		  const char *key_path, struct fm_err *err)
{
	size_t clen = 0, klen = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = tls_read(&out->key_pem, &klen, key_path, true, err);
	if (ret == 0)
		ret = tls_read(&out->cert_pem, &clen, cert_path, false, err);
	if (ret == 0)
		ret = tls_check(out, clen, klen, cert_path, key_path, err);
	if (ret < 0) {
		mgmt_tls_pair_fini(out);
		return ret;
	}
	snprintf(out->cert_path, sizeof(out->cert_path), "%s", cert_path);
	return 0;
}

void mgmt_tls_pair_fini(struct mgmt_tls_pair *p)
{
	if (!p)
		return;
	if (p->key_pem) {
		explicit_bzero(p->key_pem, strlen(p->key_pem));
		free(p->key_pem);
	}
	free(p->cert_pem);
	memset(p, 0, sizeof(*p));
}

int mgmt_tls_setup(struct mgmt_tls_pair *out, const struct mgmt_config *cfg,
		   struct fm_err *err)
{
	char db[MGMT_PATH_MAX], dir[MGMT_PATH_MAX], cert[MGMT_PATH_MAX + 32];
	char key[MGMT_PATH_MAX + 32], host[256] = "";
	bool has_cert, has_key, generated = false;
	int ret;

	memset(out, 0, sizeof(*out));
	if (cfg->tls_certificate[0] && cfg->tls_key[0])
		return mgmt_tls_load(out, cfg->tls_certificate, cfg->tls_key,
				     err);
	if (strcmp(cfg->database, ":memory:") == 0) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		snprintf(db, sizeof(db), "%s", cfg->database);
		snprintf(dir, sizeof(dir), "%s", dirname(db));
	}
	snprintf(cert, sizeof(cert), "%s/%s", dir, MGMT_TLS_CERT_FILE);
	snprintf(key, sizeof(key), "%s/%s", dir, MGMT_TLS_KEY_FILE);
	has_cert = access(cert, F_OK) == 0;
	has_key = access(key, F_OK) == 0;
	if (has_cert != has_key)
		return fm_err_set(err, FM_ESTATE,
				  "tls: %s exists but %s does not: remove "
				  "the other to generate a new pair, or "
				  "configure tls.certificate and tls.key",
				  has_cert ? cert : key, has_cert ? key : cert);
	if (!has_cert) {
		if (gethostname(host, sizeof(host) - 1) != 0 || !host[0])
			snprintf(host, sizeof(host), "localhost");
		ret = mgmt_tls_generate(cert, key, host, cfg->listen_address,
					err);
		if (ret < 0)
			return ret;
		generated = true;
		FM_LOG(FM_LOG_INFO,
		       "tls: generated a self-signed certificate %s for %s "
		       "(key %s, mode 0600)",
		       cert, host, key);
	}
	ret = mgmt_tls_load(out, cert, key, err);
	out->generated = generated;
	return ret;
}
