/* SPDX-License-Identifier: MIT */
/*
 * fuzz_rest.c - libFuzzer target: the REST request path after HTTP
 * parsing (mgmt_router_dispatch(): route match, method, OData-Version,
 * query, body cap, content type, JSON, If-Match, then the handler) on a
 * context wired as `mrfabricd --sim` wires it, without the job engine
 * and events: the small example chassis with its firmware, FMP
 * in-process, the fabric model, a store (in /dev/shm, else /tmp), and
 * authentication (mgmt/auth.h) with the audit hook, so every request
 * first goes through credential parsing (Basic, X-Auth-Token) and the
 * privilege check.  The account "admin" has the password
 * FUZZ_REST_PASSWORD (the seeds carry it as Basic credentials, and log in
 * to get sessions); the routes that need tasks or events answer 500 as
 * router_int.h documents.  Built once per process; the clock runs a
 * little after each request.
 *
 * The input is a request as text:
 *
 *   METHOD '\n' PATH ['?' QUERY] '\n' (NAME ':' ' '* VALUE '\n')* '\n' BODY
 *
 * QUERY is name=value pairs joined by '&' (not percent-decoded: the HTTP
 * layer decodes).  Missing parts are empty.  Checked beyond the
 * sanitizers: every request gets a status from 100 to 599.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mgmt/auth.h"
#include "mgmt/fabric.h"
#include "mgmt/mgmt.h"
#include "mgmt/router_int.h"
#include "mgmt/store.h"
#include "switchfw/fmp.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_REST_KV_MAX 16
#define FUZZ_REST_RUN_NS (100ull * 1000000ull)
#define FUZZ_REST_PASSWORD "fuzz-password"

struct fuzz_rest {
	struct fuzz_fabric f;
	struct mgmt_config cfg;
	struct sw_fmp_client *fmp;
	struct mgmt_fabric *fabric;
	struct mgmt_router *router;
	struct mgmt_store *store;
	struct mgmt_auth *auth;
	char dir[48];
	struct mgmt_ctx ctx;
};

static struct fuzz_rest fuzz_rest_state;
static bool fuzz_rest_ready;

static void fuzz_rest_teardown(void)
{
	struct fuzz_rest *s = &fuzz_rest_state;

	char path[160];

	mgmt_router_free(s->router);
	mgmt_auth_free(s->auth);
	mgmt_store_close(s->store);
	for (const char *const *n =
		     (const char *const[]){ "fuzz.db", "fuzz.db-wal",
					    "fuzz.db-shm", "password", NULL };
	     *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", s->dir, *n);
		unlink(path);
	}
	rmdir(s->dir);
	mgmt_fabric_free(s->fabric);
	sw_fmp_client_free(s->fmp);
	fuzz_fabric_down(&s->f);
}

/* The store, the accounts (admin / FUZZ_REST_PASSWORD) and the hooks. */
static void fuzz_rest_auth(struct fuzz_rest *s)
{
	/* the cheapest yescrypt cost: Basic checks stay fast */
	struct mgmt_auth_opts opts = { .hash_cost = 1 };
	struct fm_err err = { 0 };
	char path[160];
	bool created;
	FILE *f;

	snprintf(s->dir, sizeof(s->dir), "%s/fuzz_rest.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(s->dir)) {
		fm_err_sys(&err, FM_EIO, errno, "mkdtemp %s", s->dir);
		fuzz_die("scratch directory", &err);
	}
	snprintf(path, sizeof(path), "%s/fuzz.db", s->dir);
	if (mgmt_store_open(&s->store, path, &err) < 0)
		fuzz_die("store", &err);
	if (mgmt_auth_new(&s->auth, NULL, s->store, &s->cfg, &opts, &err) < 0)
		fuzz_die("auth", &err);
	snprintf(path, sizeof(path), "%s/password", s->dir);
	f = fopen(path, "w");
	if (!f || fputs(FUZZ_REST_PASSWORD "\n", f) < 0 || fclose(f) != 0) {
		fm_err_set(&err, FM_EIO, "cannot write %s", path);
		fuzz_die("password file", &err);
	}
	if (mgmt_auth_bootstrap(&created, s->auth, "admin", path, NULL, &err) <
	    0)
		fuzz_die("first administrator", &err);
	mgmt_router_set_auth(s->router, mgmt_auth_hook, s->auth);
	mgmt_router_set_audit(s->router, mgmt_auth_audit_hook, s->auth);
}

static void fuzz_rest_up(struct fuzz_rest *s)
{
	struct sw_fmp_transport t;
	struct fm_err err = { 0 };

	fuzz_fabric_up(&s->f);
	mgmt_config_defaults(&s->cfg);
	sw_fmp_transport_local(&t, s->f.fw);
	if (sw_fmp_client_new(&s->fmp, &t, &err) < 0)
		fuzz_die("fmp client", &err);
	if (mgmt_fabric_new(&s->fabric, s->fmp, &err) < 0)
		fuzz_die("fabric model", &err);
	if (mgmt_router_new_default(&s->router, &err) < 0)
		fuzz_die("router", &err);
	fuzz_rest_auth(s);
	s->ctx.cfg = &s->cfg;
	s->ctx.router = s->router;
	s->ctx.fmp = s->fmp;
	s->ctx.fabric = s->fabric;
	s->ctx.store = s->store;
	s->ctx.auth = s->auth;
}

/* Cut *@p at the first @c: returns the part before, *@p moves past. */
static char *fuzz_rest_cut(char **p, char c)
{
	char *start = *p, *end = strchr(start, c);

	if (end) {
		*end = '\0';
		*p = end + 1;
	} else {
		*p = start + strlen(start);
	}
	return start;
}

static size_t fuzz_rest_query(struct mgmt_kv *kv, char *q)
{
	size_t n = 0;

	while (*q && n < FUZZ_REST_KV_MAX) {
		char *pair = fuzz_rest_cut(&q, '&');

		kv[n].name = fuzz_rest_cut(&pair, '=');
		kv[n].value = pair;
		n++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rest *s = &fuzz_rest_state;
	struct mgmt_kv query[FUZZ_REST_KV_MAX], headers[FUZZ_REST_KV_MAX];
	struct mgmt_req req = { 0 };
	struct mgmt_resp resp;
	char *text, *p, *target, *line, *body;
	size_t body_len;

	if (!fuzz_rest_ready) {
		fuzz_rest_up(s);
		atexit(fuzz_rest_teardown);
		fuzz_rest_ready = true;
	}
	/* the body keeps its bytes (NULs too); the head is cut as a string */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	body = memmem(text, size, "\n\n", 2);
	if (body) {
		*body = '\0';
		body += 2;
		body_len = size - (size_t)(body - text);
	} else {
		body = text + size;
		body_len = 0;
	}
	p = text;
	req.method = fuzz_rest_cut(&p, '\n');
	target = fuzz_rest_cut(&p, '\n');
	req.path = fuzz_rest_cut(&target, '?');
	req.query = query;
	req.nquery = fuzz_rest_query(query, target);
	req.headers = headers;
	while (*p && req.nheaders < FUZZ_REST_KV_MAX) {
		line = fuzz_rest_cut(&p, '\n');
		headers[req.nheaders].name = fuzz_rest_cut(&line, ':');
		while (*line == ' ')
			line++;
		headers[req.nheaders].value = line;
		req.nheaders++;
	}
	/* as the HTTP layer does: a body above the cap is not kept */
	req.body = body_len <= s->cfg.body_max ? body : NULL;
	req.body_len = body_len;
	req.peer = "fuzz";
	mgmt_router_dispatch(&resp, s->router, &s->ctx, &req);
	if (resp.status < 100 || resp.status > 599)
		abort();
	mgmt_resp_fini(&resp);
	free(text);
	sim_clock_run_for(s->f.clk, FUZZ_REST_RUN_NS);
	return 0;
}
