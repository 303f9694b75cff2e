/* SPDX-License-Identifier: MIT */
/*
 * The daemon's link to a separate switch (mgmt/switch_link.h), end to
 * end: mrfabricd --switch unix:PATH against mrfabric-sim --listen PATH,
 * which the tests stop (SIGSTOP), resume and restart.  What a Redfish
 * client observes: GETs keep answering, requests that need the switch
 * get 503 at once, the link comes back by itself and the desired
 * bindings are restored on a restarted switch.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/proc.h"
#include "tests/support/support.h"

#define CHASSIS "examples/chassis-small.json"
#define WAIT_MS 20000	/* bound on a start, stop or log line */
#define FAST_US 1000000 /* "at once": well under a second */
#define PASSWORD "switch-link-pw-1"
#define FABRIC "/redfish/v1/Fabrics/PCIe"
#define ZONE0 FABRIC "/Zones/Zone-0"
#define EP(n) FABRIC "/Endpoints/F-0-2-" #n

static char dir[] = "/tmp/mrfabricd-link-XXXXXX";

/* The daemon, its switch and where they talk. */
static struct t_proc sim, daemon_;
static char sock[128];
static unsigned port;

/* Read output until @text shows up after offset @from (true) or the
 * output ends or stays silent WAIT_MS (false). */
static bool read_until(struct t_proc *p, size_t from, const char *text)
{
	return t_proc_read_until(p, from, text, WAIT_MS);
}

static void stop_prog(struct t_proc *p)
{
	int ws;

	if (p->pid <= 0)
		return;
	kill(p->pid, SIGCONT);
	kill(p->pid, SIGTERM);
	waitpid(p->pid, &ws, 0);
	close(p->out_fd);
	p->pid = 0;
}

static void start_sim(void)
{
	char bin[512], chassis[512];
	char *args[] = { "--chassis", chassis, "--listen", sock, NULL };

	t_binary_path(bin, sizeof(bin), "mrfabric-sim");
	t_source_path(chassis, sizeof(chassis), CHASSIS);
	sim = t_proc_start(dir, bin, args);
	cr_assert(read_until(&sim, 0, "serving FMP on"), "%s", sim.out);
}

static void setup(void)
{
	char bin[512], arg[160], pwfile[128];
	char *args[] = { "--switch",	 arg,
			 "--listen",	 "127.0.0.1:0",
			 "--plain-http", "--admin-password-file",
			 pwfile,	 NULL };
	const char *at;
	FILE *f;

	cr_assert(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/fmp.sock", dir);
	snprintf(arg, sizeof(arg), "unix:%s", sock);
	snprintf(pwfile, sizeof(pwfile), "%s/pw", dir);
	f = fopen(pwfile, "w");
	cr_assert(f);
	fputs(PASSWORD "\n", f);
	fclose(f);
	start_sim();
	t_binary_path(bin, sizeof(bin), "mrfabricd");
	daemon_ = t_proc_start(dir, bin, args);
	cr_assert(read_until(&daemon_, 0, "/redfish/v1\n"), "%s", daemon_.out);
	at = strstr(daemon_.out, "://127.0.0.1:");
	cr_assert(at, "%s", daemon_.out);
	cr_assert_eq(sscanf(at, "://127.0.0.1:%u", &port), 1);
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void teardown(void)
{
	char cmd[128];

	stop_prog(&daemon_);
	stop_prog(&sim);
	curl_global_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(mgmt_switch_link, .init = setup, .fini = teardown, .timeout = 60);

/* One HTTP exchange as a client sees it. */
struct reply {
	long status;
	curl_off_t us; /* total time */
	char body[65536];
	size_t len;
};

static size_t reply_body(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t k = size * n;

	if (k > sizeof(r->body) - 1 - r->len)
		k = sizeof(r->body) - 1 - r->len;
	memcpy(r->body + r->len, p, k);
	r->len += k;
	r->body[r->len] = '\0';
	return size * n;
}

/* @method @uri (with JSON @body unless NULL) as the administrator. */
static void request(struct reply *r, const char *method, const char *uri,
		    const char *body)
{
	struct curl_slist *h = NULL;
	char url[256];
	CURL *c = curl_easy_init();

	cr_assert(c);
	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, uri);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_USERPWD, "admin:" PASSWORD);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, reply_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)WAIT_MS);
	if (body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	cr_assert_eq(curl_easy_perform(c), CURLE_OK, "%s %s", method, uri);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &r->us);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
}

static void zone0_bind(struct reply *r, const char *endpoint)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"Endpoint\": {\"@odata.id\": \"%s\"}}",
		 endpoint);
	request(r, "POST", ZONE0 "/Actions/Zone.AddEndpoint", body);
}

/* Does Zone-0, as the daemon answers it now, list @endpoint? */
static bool zone0_lists(struct reply *r, const char *endpoint)
{
	char quoted[160];

	request(r, "GET", ZONE0, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	snprintf(quoted, sizeof(quoted), "\"%s\"", endpoint);
	return strstr(r->body, quoted) != NULL;
}

/* Stop the switch and wait until the daemon has noticed (after the
 * default deadline, timeouts.switch_ms). */
static void switch_stop(void)
{
	size_t from = daemon_.len;

	cr_assert_eq(kill(sim.pid, SIGSTOP), 0);
	cr_assert(read_until(&daemon_, from,
			     "switch link down (no response within 250 ms)"),
		  "%s", daemon_.out + from);
}

/* Resume the switch and wait until the daemon is back on it. */
static void switch_resume(void)
{
	size_t from = daemon_.len;

	cr_assert_eq(kill(sim.pid, SIGCONT), 0);
	cr_assert(read_until(&daemon_, from, "switch link: back after "), "%s",
		  daemon_.out + from);
}

Test(mgmt_switch_link, stopped_switch_leaves_the_service_root_answering)
{
	struct reply r;

	cr_assert_eq(kill(sim.pid, SIGSTOP), 0);
	request(&r, "GET", "/redfish/v1", NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_lt(r.us, FAST_US, "took %lld us", (long long)r.us);
}

Test(mgmt_switch_link, stopped_switch_leaves_zones_answering_as_last_known)
{
	struct reply r;

	zone0_bind(&r, EP(1));
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	cr_assert(zone0_lists(&r, EP(1)), "%s", r.body);
	cr_assert_eq(kill(sim.pid, SIGSTOP), 0);
	cr_assert(zone0_lists(&r, EP(1)), "%s", r.body);
	cr_assert_lt(r.us, FAST_US, "took %lld us", (long long)r.us);
	/* and once the loss is known, still from the last snapshot */
	switch_stop();
	cr_assert(zone0_lists(&r, EP(1)), "%s", r.body);
	cr_assert_lt(r.us, FAST_US, "took %lld us", (long long)r.us);
}

Test(mgmt_switch_link, bind_while_switch_unreachable_gets_503_at_once)
{
	struct reply r;

	switch_stop();
	zone0_bind(&r, EP(2));
	cr_assert_eq(r.status, 503, "%ld %s", r.status, r.body);
	cr_assert_lt(r.us, FAST_US, "took %lld us", (long long)r.us);
	cr_assert(strstr(r.body, "\"MessageId\":\"Base.1.22.1."
				 "ServiceTemporarilyUnavailable\""),
		  "%s", r.body);
}

Test(mgmt_switch_link, failed_bind_while_unreachable_is_not_desired_later)
{
	struct reply r;

	switch_stop();
	zone0_bind(&r, EP(2));
	cr_assert_eq(r.status, 503, "%ld %s", r.status, r.body);
	switch_resume();
	cr_assert_not(zone0_lists(&r, EP(2)), "%s", r.body);
}

Test(mgmt_switch_link, manager_health_is_critical_while_switch_unreachable)
{
	static const char critical[] = "\"Health\":\"Critical\"";
	struct reply r;

	request(&r, "GET", "/redfish/v1/Managers/FabricManager", NULL);
	cr_assert_null(strstr(r.body, critical), "%s", r.body);
	switch_stop();
	request(&r, "GET", "/redfish/v1/Managers/FabricManager", NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, critical), "%s", r.body);
	switch_resume();
	request(&r, "GET", "/redfish/v1/Managers/FabricManager", NULL);
	cr_assert_null(strstr(r.body, critical), "%s", r.body);
}

Test(mgmt_switch_link, resumed_switch_is_reconnected_and_binds_work)
{
	struct reply r;

	switch_stop();
	switch_resume();
	zone0_bind(&r, EP(3));
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	cr_assert(zone0_lists(&r, EP(3)), "%s", r.body);
}

Test(mgmt_switch_link, restarted_switch_gets_the_desired_bindings_back)
{
	struct reply r;
	size_t from;

	zone0_bind(&r, EP(1));
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	zone0_bind(&r, EP(4));
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	/* a new switch process: nothing bound on it */
	from = daemon_.len;
	stop_prog(&sim);
	start_sim();
	cr_assert(read_until(&daemon_, from, "switch link: back after "), "%s",
		  daemon_.out + from);
	cr_assert(strstr(daemon_.out + from, "2 binding(s) restored"), "%s",
		  daemon_.out + from);
	cr_assert(zone0_lists(&r, EP(1)), "%s", r.body);
	cr_assert(zone0_lists(&r, EP(4)), "%s", r.body);
}
