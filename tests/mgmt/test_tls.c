/* SPDX-License-Identifier: MIT */
/*
 * test_tls.c - HTTPS and the transport limits over real sockets on
 * loopback: the generated self-signed pair (files, modes, names), key
 * file permissions, a libcurl client that trusts the certificate (and
 * one that does not), plain HTTP to the TLS port, plain HTTP refused
 * off loopback, total and per-address connection limits.  The libcurl
 * client runs in a child process while this process runs the server's
 * loop, so nothing sleeps.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <gnutls/x509.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fabric/pcie.h"
#include "mgmt/http_int.h"
#include "mgmt/router_int.h"
#include "mgmt/tls.h"

#define MS FAB_NS_PER_MS

static char dir[] = "/tmp/mrfabric-tls-XXXXXX";
static char cert[128], key[128];
static struct mgmt_config cfg;
static struct mgmt_loop *loop;
static struct mgmt_router *router;
static struct mgmt_ctx ctx;

static void setup(void)
{
	const struct mgmt_route_set *sets[] = { &mgmt_res_root };

	signal(SIGPIPE, SIG_IGN);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/" MGMT_TLS_CERT_FILE, dir);
	snprintf(key, sizeof(key), "%s/" MGMT_TLS_KEY_FILE, dir);
	mgmt_config_defaults(&cfg);
	cfg.listen_port = 0;
	snprintf(cfg.database, sizeof(cfg.database), "%s/state.db", dir);
	cr_assert_eq(mgmt_loop_new(&loop, NULL), 0);
	cr_assert_eq(mgmt_router_new(&router, sets, 1, NULL), 0);
	ctx.cfg = &cfg;
	ctx.loop = loop;
	ctx.router = router;
}

static void teardown(void)
{
	unlink(cert);
	unlink(key);
	rmdir(dir);
	mgmt_router_free(router);
	mgmt_loop_free(loop);
}

TestSuite(mgmt_tls, .init = setup, .fini = teardown, .timeout = 60);

static void generate(void)
{
	struct fm_err err = { 0 };

	cr_assert_eq(
		mgmt_tls_generate(cert, key, "fm.example", "10.1.2.3", &err), 0,
		"%s", err.msg);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0, "%s", path);
	return st.st_mode & 07777;
}

Test(mgmt_tls, generated_key_is_0600_and_certificate_0644)
{
	generate();
	cr_assert_eq(mode_of(key), 0600, "%o", mode_of(key));
	cr_assert_eq(mode_of(cert), 0644, "%o", mode_of(cert));
}

Test(mgmt_tls, generated_certificate_names_host_loopback_and_listen_address)
{
	struct mgmt_tls_pair p;
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;
	char name[256];
	unsigned char ip[16];
	size_t len = sizeof(name);
	unsigned i, type;
	bool localhost = false, v4 = false, v6 = false, listen = false;
	int rc;

	generate();
	cr_assert_eq(mgmt_tls_load(&p, cert, key, NULL), 0);
	d.data = (unsigned char *)p.cert_pem;
	d.size = (unsigned)strlen(p.cert_pem);
	cr_assert_eq(gnutls_x509_crt_init(&crt), 0);
	cr_assert_eq(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
	cr_assert_eq(gnutls_x509_crt_get_dn_by_oid(crt,
						   GNUTLS_OID_X520_COMMON_NAME,
						   0, 0, name, &len),
		     0);
	cr_assert_str_eq(name, "fm.example");
	for (i = 0;; i++) {
		len = sizeof(name);
		rc = gnutls_x509_crt_get_subject_alt_name2(crt, i, name, &len,
							   &type, NULL);
		if (rc < 0)
			break;
		if (type == GNUTLS_SAN_DNSNAME && !strcmp(name, "localhost"))
			localhost = true;
		memcpy(ip, name, len < sizeof(ip) ? len : sizeof(ip));
		if (type == GNUTLS_SAN_IPADDRESS && len == 4 &&
		    !memcmp(ip, "\x7f\x00\x00\x01", 4))
			v4 = true;
		if (type == GNUTLS_SAN_IPADDRESS && len == 16 &&
		    !memcmp(ip, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16))
			v6 = true;
		if (type == GNUTLS_SAN_IPADDRESS && len == 4 &&
		    !memcmp(ip, "\x0a\x01\x02\x03", 4))
			listen = true;
	}
	cr_assert(localhost && v4 && v6 && listen);
	cr_assert_eq(strlen(p.fingerprint), 32 * 3 - 1, "%s", p.fingerprint);
	gnutls_x509_crt_deinit(crt);
	mgmt_tls_pair_fini(&p);
}

Test(mgmt_tls, generate_never_overwrites_a_key)
{
	struct fm_err err = { 0 };

	generate();
	cr_assert_eq(mgmt_tls_generate(cert, key, "fm.example", "", &err),
		     -FM_EEXIST);
	cr_assert(strstr(err.msg, key), "%s", err.msg);
}

Test(mgmt_tls, group_readable_key_file_is_refused)
{
	struct mgmt_tls_pair p;
	struct fm_err err = { 0 };
	char want[256];

	generate();
	cr_assert_eq(chmod(key, 0640), 0);
	cr_assert_eq(mgmt_tls_load(&p, cert, key, &err), -FM_EPERM);
	snprintf(want, sizeof(want),
		 "tls: key file %s has mode 0640: group or others may access "
		 "it; make it 0600 (chmod 600)",
		 key);
	cr_assert_str_eq(err.msg, want);
}

Test(mgmt_tls, setup_generates_once_next_to_the_database_then_reuses)
{
	struct mgmt_tls_pair a, b;
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_tls_setup(&a, &cfg, &err), 0, "%s", err.msg);
	cr_assert(a.generated);
	cr_assert_str_eq(a.cert_path, cert);
	cr_assert_eq(mgmt_tls_setup(&b, &cfg, &err), 0, "%s", err.msg);
	cr_assert_not(b.generated);
	cr_assert_str_eq(a.fingerprint, b.fingerprint);
	mgmt_tls_pair_fini(&a);
	mgmt_tls_pair_fini(&b);
}

Test(mgmt_tls, setup_refuses_a_certificate_without_its_key)
{
	struct mgmt_tls_pair p;
	struct fm_err err = { 0 };

	generate();
	cr_assert_eq(unlink(key), 0);
	cr_assert_eq(mgmt_tls_setup(&p, &cfg, &err), -FM_ESTATE);
	cr_assert(strstr(err.msg, "exists but"), "%s", err.msg);
}

Test(mgmt_tls, plain_http_off_loopback_is_a_config_error_naming_the_field)
{
	struct mgmt_config c = cfg;
	struct json_object *doc =
		json_tokener_parse("{\"listen\": {\"address\": \"0.0.0.0\", "
				   "\"plain_http\": true}}");
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_config_from_json(&c, doc, "cfg.json", &err),
		     -FM_ESCHEMA);
	cr_assert_str_eq(err.msg,
			 "cfg.json: listen.plain_http: plain HTTP is allowed "
			 "only on a loopback address (127.0.0.0/8 or ::1), "
			 "not on 0.0.0.0: use HTTPS");
	json_object_put(doc);
	c.plain_http = true;
	snprintf(c.listen_address, sizeof(c.listen_address), "::1");
	cr_assert_eq(mgmt_config_check(&c, NULL), 0);
	snprintf(c.listen_address, sizeof(c.listen_address), "127.9.9.9");
	cr_assert_eq(mgmt_config_check(&c, NULL), 0);
}

Test(mgmt_tls, plain_http_server_off_loopback_is_refused)
{
	struct mgmt_config c = cfg;
	struct mgmt_ctx x = ctx;
	struct mgmt_http *h = NULL;
	struct fm_err err = { 0 };

	snprintf(c.listen_address, sizeof(c.listen_address), "0.0.0.0");
	x.cfg = &c;
	cr_assert_eq(mgmt_http_new(&h, loop, router, &x, &err), -FM_EINVAL);
	cr_assert_str_eq(err.msg,
			 "http: plain HTTP on 0.0.0.0 refused: only a loopback "
			 "address may serve without TLS");
	cr_assert_null(h);
}

/* An HTTPS server on 127.0.0.1 with the generated pair. */
static struct mgmt_http *https_start(void)
{
	struct mgmt_tls_pair p;
	struct mgmt_http_tls tls;
	struct mgmt_http *h = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_tls_setup(&p, &cfg, &err), 0, "%s", err.msg);
	tls.cert_pem = p.cert_pem;
	tls.key_pem = p.key_pem;
	cr_assert_eq(mgmt_http_new_tls(&h, loop, router, &ctx, &tls, &err), 0,
		     "%s", err.msg);
	mgmt_tls_pair_fini(&p);
	return h;
}

/*
 * GET @url with libcurl in a child (trusting @ca when not NULL) while
 * the loop serves; the child's CURLcode, or 100 + the HTTP status class
 * digit when the transfer worked (102 for 2xx).
 */
static int curl_get(const char *url, const char *ca)
{
	pid_t pid;
	int ws = 0;
	unsigned i;

	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		CURL *c = curl_easy_init();
		long code = 0;
		CURLcode rc;
		FILE *null = fopen("/dev/null", "w");

		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, null);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
		if (ca)
			curl_easy_setopt(c, CURLOPT_CAINFO, ca);
		rc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		_exit(rc == CURLE_OK ? 100 + (int)(code / 100) : (int)rc);
	}
	for (i = 0; i < 20000; i++) {
		pid_t w = waitpid(pid, &ws, WNOHANG);

		if (w == pid)
			break;
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	}
	cr_assert(WIFEXITED(ws), "curl child did not finish");
	return WEXITSTATUS(ws);
}

Test(mgmt_tls, client_trusting_the_generated_certificate_gets_200)
{
	struct mgmt_http *h = https_start();
	char url[128];

	snprintf(url, sizeof(url), "https://localhost:%u/redfish/v1",
		 (unsigned)mgmt_http_port(h));
	cr_assert_eq(curl_get(url, cert), 102);
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/redfish/v1",
		 (unsigned)mgmt_http_port(h));
	cr_assert_eq(curl_get(url, cert), 102);
	mgmt_http_free(h);
}

Test(mgmt_tls, client_trusting_another_certificate_fails_verification)
{
	struct mgmt_http *h = https_start();
	char url[128], other[160], other_key[160];

	snprintf(other, sizeof(other), "%s/other-cert.pem", dir);
	snprintf(other_key, sizeof(other_key), "%s/other-key.pem", dir);
	cr_assert_eq(mgmt_tls_generate(other, other_key, "localhost", "", NULL),
		     0);
	snprintf(url, sizeof(url), "https://localhost:%u/redfish/v1",
		 (unsigned)mgmt_http_port(h));
	cr_assert_eq(curl_get(url, other), CURLE_PEER_FAILED_VERIFICATION);
	unlink(other);
	unlink(other_key);
	mgmt_http_free(h);
}

Test(mgmt_tls, plain_http_to_the_tls_port_gets_no_answer)
{
	struct mgmt_http *h = https_start();
	char url[128];
	int rc;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/redfish/v1",
		 (unsigned)mgmt_http_port(h));
	rc = curl_get(url, NULL);
	cr_assert(rc < 100, "plain HTTP got an HTTP answer (%d)", rc);
	mgmt_http_free(h);
}

static int t_connect(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	cr_assert_geq(fd, 0);
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
		  errno == EINPROGRESS);
	return fd;
}

/* Whether the server closed @fd within a few loop iterations. */
static bool t_closed(int fd)
{
	unsigned i;
	char c;

	for (i = 0; i < 50; i++) {
		ssize_t n = recv(fd, &c, 1, 0);

		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	}
	return false;
}

/* Open @n connections to a plain server with the limits set in cfg;
 * returns how many the server closed at once. */
static unsigned connections_refused(unsigned n)
{
	struct mgmt_http *h = NULL;
	int fds[8];
	unsigned i, closed = 0;

	cr_assert_leq(n, FM_ARRAY_SIZE(fds));
	cr_assert_eq(mgmt_http_new(&h, loop, router, &ctx, NULL), 0);
	for (i = 0; i < n; i++) {
		fds[i] = t_connect(mgmt_http_port(h));
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	}
	for (i = 0; i < n; i++)
		closed += t_closed(fds[i]);
	for (i = 0; i < n; i++)
		close(fds[i]);
	mgmt_http_free(h);
	return closed;
}

Test(mgmt_tls, connections_past_the_per_address_limit_are_closed)
{
	cfg.connection_limit_per_address = 2;
	cr_assert_eq(connections_refused(4), 2);
}

/* Whether a request on @fd is answered within a few loop iterations. */
static bool t_answered(int fd)
{
	static const char req[] = "GET /redfish/v1 HTTP/1.1\r\nHost: x\r\n\r\n";
	unsigned i;
	char buf[16];

	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(req) - 1)
		return false;
	for (i = 0; i < 50; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n > 0)
			return strncmp(buf, "HTTP/1.1 200", 12) == 0;
		if (n == 0)
			return false;
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	}
	return false;
}

Test(mgmt_tls, connections_past_the_total_limit_wait_unserved)
{
	struct mgmt_http *h = NULL;
	int fds[5];
	unsigned i, served = 0;

	cfg.connection_limit = 3;
	cr_assert_eq(mgmt_http_new(&h, loop, router, &ctx, NULL), 0);
	for (i = 0; i < FM_ARRAY_SIZE(fds); i++) {
		fds[i] = t_connect(mgmt_http_port(h));
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	}
	for (i = 0; i < FM_ARRAY_SIZE(fds); i++)
		served += t_answered(fds[i]);
	cr_assert_eq(served, 3);
	for (i = 0; i < FM_ARRAY_SIZE(fds); i++)
		close(fds[i]);
	mgmt_http_free(h);
}

Test(mgmt_tls, connections_within_the_limits_stay_open)
{
	cfg.connection_limit = 4;
	cfg.connection_limit_per_address = 4;
	cr_assert_eq(connections_refused(4), 0);
}

Test(mgmt_tls, security_config_fields_are_applied)
{
	struct mgmt_config c;
	struct json_object *doc = json_tokener_parse(
		"{\"listen\": {\"plain_http\": true},"
		" \"tls\": {\"certificate\": \"/etc/c.pem\", \"key\": "
		"\"/etc/k.pem\"},"
		" \"accounts\": {\"admin_user\": \"root\", "
		"\"admin_password_file\": \"/etc/pw\"},"
		" \"sessions\": {\"timeout_s\": 600},"
		" \"limits\": {\"connections\": 10, "
		"\"connections_per_address\": "
		"2, \"login_failures\": 3, \"login_window_s\": 30, "
		"\"login_lockout_s\": 5},"
		" \"audit\": {\"retention\": 50}}");
	struct fm_err err = { 0 };

	mgmt_config_defaults(&c);
	cr_assert_eq(mgmt_config_from_json(&c, doc, "cfg.json", &err), 0, "%s",
		     err.msg);
	cr_assert(c.plain_http);
	cr_assert_str_eq(c.tls_certificate, "/etc/c.pem");
	cr_assert_str_eq(c.tls_key, "/etc/k.pem");
	cr_assert_str_eq(c.admin_user, "root");
	cr_assert_str_eq(c.admin_password_file, "/etc/pw");
	cr_assert_eq(c.session_timeout_s, 600);
	cr_assert_eq(c.connection_limit, 10);
	cr_assert_eq(c.connection_limit_per_address, 2);
	cr_assert_eq(c.login_failures, 3);
	cr_assert_eq(c.login_window_s, 30);
	cr_assert_eq(c.login_lockout_s, 5);
	cr_assert_eq(c.audit_retention, 50);
	json_object_put(doc);
}

Test(mgmt_tls, certificate_without_key_is_a_config_error)
{
	struct mgmt_config c;
	struct json_object *doc = json_tokener_parse(
		"{\"tls\": {\"certificate\": \"/etc/c.pem\"}}");
	struct fm_err err = { 0 };

	mgmt_config_defaults(&c);
	cr_assert_eq(mgmt_config_from_json(&c, doc, "cfg.json", &err),
		     -FM_ESCHEMA);
	cr_assert_str_eq(err.msg, "cfg.json: tls: give both certificate and "
				  "key, or neither (a generated pair)");
	cr_assert_str_eq(c.tls_certificate, "");
	json_object_put(doc);
}

Test(mgmt_tls, defaults_are_https_with_no_default_password)
{
	struct mgmt_config c;

	mgmt_config_defaults(&c);
	cr_assert_not(c.plain_http);
	cr_assert_str_eq(c.admin_user, "admin");
	cr_assert_str_eq(c.admin_password_file, "");
	cr_assert_eq(c.session_timeout_s, 1800);
	cr_assert_eq(c.connection_limit, 256);
	cr_assert_eq(c.connection_limit_per_address, 32);
}
