/* SPDX-License-Identifier: MIT */
/*
 * ctl_http.c - mrfabricctl's HTTP(S) client (libcurl) and session file.
 *
 * One curl handle per run, so every request of a command reuses one
 * connection (and one TLS handshake).  TLS verification is on unless
 * --insecure; --cacert trusts that CA or certificate instead of the
 * system's.
 *
 * Authentication (DSP0266 13.3): with a session file (of the --user
 * given, if one is), the session's X-Auth-Token; else HTTP Basic with
 * --user and the password (from --password-file or MRFABRIC_PASSWORD,
 * never the command line); else none.  The session file is
 *   $XDG_RUNTIME_DIR/mrfabricctl/session-<host>:<port>   or, without
 *   $XDG_RUNTIME_DIR, ~/.cache/mrfabricctl/session-<host>:<port>
 * mode 0600 in a 0700 directory, holding {"Token","Session","UserName"}.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mgmt/ctl/ctl_int.h"

/* Largest response body kept (the biggest collection is far smaller). */
#define BODY_MAX (16u << 20)

struct body_buf {
	char *data;
	size_t len;
	bool too_big;
};

static size_t body_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct body_buf *b = arg;
	size_t n = size * nmemb;
	char *p;

	if (b->len + n > BODY_MAX) {
		b->too_big = true;
		return 0;
	}
	p = realloc(b->data, b->len + n + 1);
	if (!p)
		return 0;
	memcpy(p + b->len, ptr, n);
	b->data = p;
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/* Copy the value of header @name from @line (name: value\r\n) to @out. */
static void header_take(char *out, size_t len, const char *line, size_t n,
			const char *name)
{
	size_t nl = strlen(name), vlen;
	const char *v;

	if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	v = line + nl + 1;
	while (v < line + n && (*v == ' ' || *v == '\t'))
		v++;
	vlen = (size_t)(line + n - v);
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
			v[vlen - 1] == ' '))
		vlen--;
	if (vlen >= len)
		return;
	memcpy(out, v, vlen);
	out[vlen] = '\0';
}

static size_t header_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct ctl_resp *r = arg;
	size_t n = size * nmemb;

	/* a new status line (redirects are not followed, but 100-continue) */
	if (n > 5 && strncmp(ptr, "HTTP/", 5) == 0) {
		r->location[0] = '\0';
		r->token[0] = '\0';
	}
	header_take(r->location, sizeof(r->location), ptr, n, "Location");
	header_take(r->token, sizeof(r->token), ptr, n, "X-Auth-Token");
	return n;
}

void ctl_resp_fini(struct ctl_resp *r)
{
	json_object_put(r->body);
	memset(r, 0, sizeof(*r));
}

int ctl_http_status_exit(long status)
{
	if (status >= 200 && status < 300)
		return CTL_EXIT_OK;
	switch (status) {
	case 401:
	case 403:
		return CTL_EXIT_AUTH;
	case 404:
		return CTL_EXIT_NOTFOUND;
	case 409:
	case 412:
		return CTL_EXIT_CONFLICT;
	default:
		return CTL_EXIT_SERVER;
	}
}

/*
 * The text of one ExtendedInfo message: its Message, except for
 * GeneralError, whose Message says nothing and whose Resolution then
 * carries the service's explanation.
 */
static const char *info_text(struct json_object *m)
{
	const char *id = ctl_json_str(m, "MessageId", "");
	size_t il = strlen(id);

	if (il > 13 && strcmp(id + il - 13, ".GeneralError") == 0 &&
	    ctl_json_str(m, "Resolution", NULL))
		return ctl_json_str(m, "Resolution", "");
	return ctl_json_str(m, "Message", "");
}

/* The Redfish error message of @body into @out: every ExtendedInfo
 * Message joined with "; ", else error.message. */
static void error_message(char *out, size_t len, struct json_object *body)
{
	struct json_object *error = NULL, *info = NULL, *m;
	size_t i, n, used = 0;

	out[0] = '\0';
	if (!body || !json_object_object_get_ex(body, "error", &error))
		return;
	if (json_object_object_get_ex(error, "@Message.ExtendedInfo", &info) &&
	    json_object_is_type(info, json_type_array)) {
		n = json_object_array_length(info);
		for (i = 0; i < n && used + 1 < len; i++) {
			m = json_object_array_get_idx(info, i);
			used += (size_t)snprintf(out + used, len - used, "%s%s",
						 used ? "; " : "",
						 info_text(m));
		}
	}
	if (!out[0])
		snprintf(out, len, "%s", ctl_json_str(error, "message", ""));
}

int ctl_http_fail(const struct ctl_resp *r, const char *what)
{
	char msg[CTL_MSG_MAX];

	error_message(msg, sizeof(msg), r->body);
	if (r->status == 401 && !msg[0])
		snprintf(msg, sizeof(msg), "authentication required (401)");
	if (!msg[0])
		snprintf(msg, sizeof(msg), "HTTP status %ld", r->status);
	fprintf(stderr, CTL_PROG ": %s: %s\n", what, msg);
	if (r->status == 401)
		fprintf(stderr,
			CTL_PROG ": log in with `" CTL_PROG
				 " login`, or give --user and a password\n");
	return r->status >= 200 && r->status < 300
		       ? CTL_EXIT_SERVER
		       : ctl_http_status_exit(r->status);
}

/* ---------------------------------------------------------------------
 * Session file
 */

static int session_dir(char *out, size_t len)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	const char *home = getenv("HOME");
	int n;

	if (run && run[0] == '/')
		n = snprintf(out, len, "%s/" CTL_PROG, run);
	else if (home && home[0] == '/')
		n = snprintf(out, len, "%s/.cache/" CTL_PROG, home);
	else
		return -1;
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* mkdir -p of @dir's last two levels, the last one 0700. */
static int session_mkdir(const char *dir)
{
	char parent[4096];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (mkdir(parent, 0700) < 0 && errno != EEXIST)
			return -1;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static void session_load(struct ctl *c)
{
	struct json_object *o = json_object_from_file(c->session_path);
	const char *token, *uri;

	if (!o)
		return;
	token = ctl_json_str(o, "Token", "");
	uri = ctl_json_str(o, "Session", "");
	if (token[0] && strlen(token) < sizeof(c->session.token) &&
	    strlen(uri) < sizeof(c->session.uri)) {
		snprintf(c->session.token, sizeof(c->session.token), "%s",
			 token);
		snprintf(c->session.uri, sizeof(c->session.uri), "%s", uri);
		snprintf(c->session.user, sizeof(c->session.user), "%s",
			 ctl_json_str(o, "UserName", ""));
		c->have_session = true;
	}
	json_object_put(o);
}

int ctl_session_save(struct ctl *c, const struct ctl_session *s)
{
	char dir[4096], *slash;
	struct json_object *o = json_object_new_object();
	const char *text;
	int fd = -1, ret = -1;
	size_t len;

	if (!o || !c->session_path[0])
		goto out;
	snprintf(dir, sizeof(dir), "%s", c->session_path);
	slash = strrchr(dir, '/');
	if (!slash)
		goto out;
	*slash = '\0';
	if (session_mkdir(dir) < 0)
		goto out;
	json_object_object_add(o, "Token", json_object_new_string(s->token));
	json_object_object_add(o, "Session", json_object_new_string(s->uri));
	json_object_object_add(o, "UserName", json_object_new_string(s->user));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	len = strlen(text);
	/* 0600 from the start: the token is never readable by others */
	unlink(c->session_path);
	fd = open(c->session_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		  0600);
	if (fd < 0)
		goto out;
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		fprintf(stderr, CTL_PROG ": session file %s: %s\n",
			c->session_path[0] ? c->session_path : "(none)",
			strerror(errno));
	if (fd >= 0)
		close(fd);
	json_object_put(o);
	return ret;
}

int ctl_session_remove(struct ctl *c)
{
	if (!c->session_path[0])
		return 0;
	if (unlink(c->session_path) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* ---------------------------------------------------------------------
 * Requests
 */

/* "host:port" of the URL, for the session file name. */
static int url_host_port(char *out, size_t len, const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	int ret = -1;

	if (!u)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
		    CURLUE_OK)
		goto out;
	if (snprintf(out, len, "%s:%s", host, port) >= (int)len)
		goto out;
	/* an IPv6 host keeps its brackets; '/' can never appear */
	ret = 0;
out:
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ret;
}

int ctl_http_init(struct ctl *c)
{
	char hp[300], dir[3700];
	const char *url = c->opts.url;

	if (strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0) {
		fprintf(stderr,
			CTL_PROG ": --url %s: expected http://HOST:PORT or "
				 "https://HOST:PORT\n",
			url);
		return CTL_EXIT_USAGE;
	}
	if (url_host_port(hp, sizeof(hp), url) < 0) {
		fprintf(stderr, CTL_PROG ": --url %s: not a valid URL\n", url);
		return CTL_EXIT_USAGE;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, CTL_PROG ": libcurl failed to start\n");
		return CTL_EXIT_SERVER;
	}
	c->curl = curl_easy_init();
	if (!c->curl) {
		fprintf(stderr, CTL_PROG ": libcurl failed to start\n");
		return CTL_EXIT_SERVER;
	}
	if (c->opts.insecure)
		fprintf(stderr, CTL_PROG ": warning: --insecure: the server's "
					 "certificate is not checked\n");
	if (session_dir(dir, sizeof(dir)) == 0) {
		snprintf(c->session_path, sizeof(c->session_path),
			 "%s/session-%s", dir, hp);
		session_load(c);
	}
	/* --user names who acts: another user's session is not used */
	if (c->have_session && c->opts.user &&
	    strcmp(c->opts.user, c->session.user) != 0)
		c->have_session = false;
	return 0;
}

void ctl_http_fini(struct ctl *c)
{
	if (c->curl) {
		curl_easy_cleanup(c->curl);
		curl_global_cleanup();
	}
	c->curl = NULL;
}

/* Options every request shares; @headers gets the list to free. */
static int request_setup(struct ctl *c, struct curl_slist **headers,
			 const char *path, const char *extra_header)
{
	CURL *h = c->curl;
	char url[4096], hdr[CTL_TOKEN_MAX + 32];
	struct curl_slist *l = NULL, *t;
	size_t ulen = strlen(c->opts.url);

	/* the URL may end in '/': paths start with one */
	while (ulen && c->opts.url[ulen - 1] == '/')
		ulen--;
	if (snprintf(url, sizeof(url), "%.*s%s", (int)ulen, c->opts.url,
		     path) >= (int)sizeof(url))
		return -1;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (c->opts.cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->opts.cacert);
	if (c->opts.insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->have_session) {
		snprintf(hdr, sizeof(hdr), "X-Auth-Token: %s",
			 c->session.token);
		l = curl_slist_append(l, hdr);
	} else if (c->opts.user && c->password) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, c->opts.user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
	}
	if (extra_header) {
		t = curl_slist_append(l, extra_header);
		if (t)
			l = t;
	}
	t = curl_slist_append(l, "OData-Version: 4.0");
	if (t)
		l = t;
	*headers = l;
	return 0;
}

int ctl_http_request(struct ctl_resp *out, struct ctl *c, const char *what,
		     const char *method, const char *path, const char *body)
{
	struct body_buf b = { 0 };
	struct curl_slist *headers = NULL, *t;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *h = c->curl;
	CURLcode rc;
	int ret = CTL_EXIT_CONNECT;

	memset(out, 0, sizeof(*out));
	if (request_setup(c, &headers, path, "Accept: application/json") < 0) {
		fprintf(stderr, CTL_PROG ": %s: URL too long\n", what);
		return CTL_EXIT_USAGE;
	}
	if (body) {
		t = curl_slist_append(headers,
				      "Content-Type: application/json");
		if (t)
			headers = t;
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->opts.timeout_s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_write);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, out);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		fprintf(stderr, CTL_PROG ": %s: %s: %s\n", what, c->opts.url,
			b.too_big   ? "response too large"
			: errbuf[0] ? errbuf
				    : curl_easy_strerror(rc));
		ret = b.too_big ? CTL_EXIT_SERVER : CTL_EXIT_CONNECT;
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	if (b.len)
		out->body = json_tokener_parse(b.data);
	ret = 0;
out:
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	free(b.data);
	return ret;
}

int ctl_http_get(struct json_object **out, struct ctl *c, const char *what,
		 const char *path)
{
	struct ctl_resp r;
	int ret;

	*out = NULL;
	ret = ctl_http_request(&r, c, what, "GET", path, NULL);
	if (ret)
		goto out;
	if (r.status != 200) {
		ret = ctl_http_fail(&r, what);
		goto out;
	}
	if (!json_object_is_type(r.body, json_type_object)) {
		fprintf(stderr,
			CTL_PROG ": %s: %s did not answer a JSON "
				 "object\n",
			what, path);
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	*out = json_object_get(r.body);
out:
	ctl_resp_fini(&r);
	return ret;
}

struct stream_ctx {
	bool (*fn)(void *arg, const char *data, size_t len);
	void *arg;
	bool stopped;
	CURL *h;
	struct body_buf error; /* the body of a non-200 answer */
};

static size_t stream_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct stream_ctx *s = arg;
	size_t n = size * nmemb;
	long status = 0;

	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200)
		return body_write(ptr, size, nmemb, &s->error);
	if (!s->fn(s->arg, ptr, n)) {
		s->stopped = true;
		return 0;
	}
	return n;
}

int ctl_http_stream(long *status, char *reason, struct ctl *c, const char *path,
		    const char *last_event_id,
		    bool (*fn)(void *arg, const char *data, size_t len),
		    void *arg)
{
	struct stream_ctx s = { .fn = fn, .arg = arg, .h = c->curl };
	struct curl_slist *headers = NULL, *t;
	char errbuf[CURL_ERROR_SIZE] = "", hdr[96];
	CURL *h = c->curl;
	CURLcode rc;
	int ret = CTL_EXIT_CONNECT;

	*status = 0;
	reason[0] = '\0';
	if (request_setup(c, &headers, path, "Accept: text/event-stream") < 0) {
		snprintf(reason, CTL_MSG_MAX, "URL too long");
		return CTL_EXIT_USAGE;
	}
	if (last_event_id && last_event_id[0]) {
		snprintf(hdr, sizeof(hdr), "Last-Event-ID: %s", last_event_id);
		t = curl_slist_append(headers, hdr);
		if (t)
			headers = t;
	}
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, stream_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	/* a stream has no overall timeout; a silent server is noticed by
	 * the keepalive comments stopping (less than 1 byte/s for 60 s) */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (*status && *status != 200) {
		struct json_object *body =
			s.error.data ? json_tokener_parse(s.error.data) : NULL;

		error_message(reason, CTL_MSG_MAX, body);
		json_object_put(body);
		ret = 0;
		goto out;
	}
	if (s.stopped || rc == CURLE_OK) {
		ret = 0;
		goto out;
	}
	snprintf(reason, CTL_MSG_MAX, "%s",
		 errbuf[0] ? errbuf : curl_easy_strerror(rc));
out:
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	free(s.error.data);
	return ret;
}
