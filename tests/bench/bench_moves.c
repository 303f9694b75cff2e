/* SPDX-License-Identifier: MIT */
/*
 * bench_moves - VF moves per second end to end through the Redfish API of
 * a real mrfabricd process (HTTP/1.1 on loopback), its simulator on
 * virtual time (--speed 0), beside bare SQLite durable commits measured
 * in the same run on the same filesystem.
 *
 *   bench_moves MRFABRICD CHASSIS.json [MOVES [CLIENTS]]
 *
 * The daemon is started with its database in a fresh directory under
 * $TMPDIR (default /tmp), removed at the end of a run that succeeded
 * (kept, with the daemon's log, when it fails).  CHASSIS "-" stands for a generated chassis of
 * 2 x CLIENTS blades on one switch whose port 2 holds an 8-VF NIC (else
 * the chassis must have 2 x CLIENTS blades and an SR-IOV NIC on chip 0
 * port 2, as examples/chassis-small.json for one client).  Client i binds
 * VF F-0-2-(i+1) to Zone-(2i), then moves it back and forth between
 * Zone-(2i) and Zone-(2i+1), so clients never compete for a vPPB; each
 * client is a thread with its own keep-alive connection: POST
 * MrFabric.MoveEndpoint (202 + task monitor), then GET the Task until
 * TaskState is Completed (any other final state aborts the run).  The
 * latency of a move is from just before the POST is written to the
 * response that shows Completed; the rate is MOVES over the wall time of
 * the whole run.
 *
 * The reference: one INSERT per transaction (BEGIN IMMEDIATE, INSERT,
 * COMMIT) into a table of a fresh database in the same directory, WAL,
 * synchronous=FULL, which is what the daemon's store asks of SQLite.
 *
 * The daemon runs with --plain-http on loopback and an administrator
 * whose password the program writes; the clients share one Redfish
 * session (X-Auth-Token).  Environment:
 *   BENCH_EVENTS=1   clients learn that their move finished from the
 *                    EventService SSE stream (TaskCompletedOK, which the
 *                    daemon sends once the completion is durable) instead
 *                    of polling the task: what a client moving many VFs
 *                    would do;
 *   BENCH_POLL_US=N  when polling, pause N us between two reads.
 * Besides rate and latency it prints the daemon's CPU time (user +
 * system, from /proc) per move over the timed part.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MOVE_URI "/redfish/v1/Fabrics/PCIe/Actions/Oem/MrFabric.MoveEndpoint"
#define ZONE_URI "/redfish/v1/Fabrics/PCIe/Zones/Zone-"
#define EP_URI "/redfish/v1/Fabrics/PCIe/Endpoints/F-0-2-"
#define MONITOR_PREFIX "/redfish/v1/TaskService/TaskMonitors/"
#define BUF_MAX 65536
#define CLIENTS_MAX 8	    /* the small chassis has 8 VFs */
#define START_WAIT_MS 10000 /* the daemon must answer within this */
#define ADMIN_PASSWORD "bench-moves-password"

/* "X-Auth-Token: ...\r\n" of the session every client uses */
static char auth_header[160];
/* BENCH_POLL_US: pause between two reads of a running task (0: none) */
static unsigned poll_us;

/*
 * BENCH_EVENTS=1: clients learn that their move finished from the
 * EventService SSE stream (TaskCompletedOK / TaskAborted, which the
 * daemon sends only once durable) instead of polling the task.  One
 * reader thread keeps the ids of finished tasks in a ring.
 */
#define RING 4096
static struct {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	uint64_t done[RING]; /* finished task ids, newest at head - 1 */
	bool failed[RING];
	size_t head;
	const char *error; /* the reader stopped: why */
} events = { .lock = PTHREAD_MUTEX_INITIALIZER,
	     .changed = PTHREAD_COND_INITIALIZER };
static bool use_events;

struct conn {
	int fd;
	char buf[BUF_MAX]; /* the last response: headers, NUL, body, NUL */
	size_t len;	   /* bytes of buf in use (a response may run on) */
	unsigned status;
	char *body;
	char location[256];
};

struct client {
	pthread_t thread;
	uint16_t port;
	unsigned vf;
	size_t moves;
	double *lat; /* seconds per move, @moves of them */
	size_t polls;
	const char *error; /* NULL, or why the client stopped */
	struct conn c;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench_moves: %s: %s\n", what, why);
	exit(1);
}

static int conn_open(struct conn *c, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->len = 0;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* A header's value in the NUL-terminated header block @h, or NULL. */
static const char *header_find(const char *h, const char *name)
{
	size_t n = strlen(name);
	const char *p = h;

	while ((p = strstr(p, "\r\n"))) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			return p;
		}
	}
	return NULL;
}

/*
 * One request on the keep-alive connection and its whole response:
 * c->status, c->body (NUL-terminated), c->location.  Returns 0 or -1.
 */
static int conn_request(struct conn *c, const char *method, const char *path,
			const char *body)
{
	char req[1024];
	size_t blen = body ? strlen(body) : 0, hlen = 0, clen = 0;
	const char *v;
	char *end;
	ssize_t r;
	int n;

	n = snprintf(req, sizeof(req),
		     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s"
		     "Content-Type: application/json\r\n"
		     "Content-Length: %zu\r\n\r\n%s",
		     method, path, auth_header, blen, body ? body : "");
	if (n < 0 || (size_t)n >= sizeof(req))
		return -1;
	if (write(c->fd, req, (size_t)n) != n)
		return -1;
	c->len = 0;
	for (;;) {
		c->buf[c->len] = 0;
		end = hlen ? NULL : strstr(c->buf, "\r\n\r\n");
		if (end) {
			hlen = (size_t)(end - c->buf) + 4;
			*end = 0;
			v = header_find(c->buf, "Content-Length");
			clen = v ? strtoul(v, NULL, 10) : 0;
			if (hlen + clen >= BUF_MAX)
				return -1;
		}
		if (hlen && c->len >= hlen + clen)
			break;
		if (c->len + 1 >= BUF_MAX)
			return -1;
		r = read(c->fd, c->buf + c->len, BUF_MAX - 1 - c->len);
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
	}
	c->buf[hlen + clen] = 0;
	c->body = c->buf + hlen;
	if (sscanf(c->buf, "HTTP/1.1 %u", &c->status) != 1)
		return -1;
	c->location[0] = 0;
	v = header_find(c->buf, "Location");
	if (v)
		snprintf(c->location, sizeof(c->location), "%.*s",
			 (int)strcspn(v, "\r\n"), v);
	return 0;
}

/* The TaskState of the Task body in c->body, or "" if none. */
static const char *task_state(struct conn *c, char *out, size_t len)
{
	const char *p = strstr(c->body, "\"TaskState\":\"");

	out[0] = 0;
	if (p) {
		p += strlen("\"TaskState\":\"");
		snprintf(out, len, "%.*s", (int)strcspn(p, "\""), p);
	}
	return out;
}

/* Record that task @id finished (@ok: Completed) and wake the clients. */
static void events_done(uint64_t id, bool ok)
{
	pthread_mutex_lock(&events.lock);
	events.done[events.head % RING] = id;
	events.failed[events.head % RING] = !ok;
	events.head++;
	pthread_cond_broadcast(&events.changed);
	pthread_mutex_unlock(&events.lock);
}

/* Scan the SSE text @buf[0..*len) for whole events; keep the rest. */
static void events_scan(char *buf, size_t *len)
{
	char *start = buf, *end, *id;
	bool ok;

	buf[*len] = 0;
	while ((end = strstr(start, "\n\n"))) {
		*end = 0;
		ok = strstr(start, ".TaskCompletedOK\"") != NULL;
		if ((ok || strstr(start, ".TaskAborted\"")) &&
		    (id = strstr(start, "\"MessageArgs\":[\"")))
			events_done(strtoull(id + 16, NULL, 10), ok);
		start = end + 2;
	}
	*len -= (size_t)(start - buf);
	memmove(buf, start, *len);
}

/*
 * The SSE reader: the stream comes in HTTP/1.1 chunks; their payload
 * (without the size lines and CRLFs) goes to events_scan().
 */
static void *events_run(void *arg)
{
	static char raw[BUF_MAX], data[2 * BUF_MAX];
	struct conn *c = arg;
	size_t rlen = 0, dlen = 0, chunk = 0, skip = 0, have, take;
	bool body = false;
	char *p, *nl;
	ssize_t n;

	for (;;) {
		n = read(c->fd, raw + rlen, sizeof(raw) - 1 - rlen);
		if (n <= 0)
			break;
		rlen += (size_t)n;
		raw[rlen] = 0;
		p = raw;
		if (!body) {
			nl = strstr(p, "\r\n\r\n");
			if (!nl)
				continue;
			p = nl + 4;
			body = true;
		}
		for (;;) {
			have = rlen - (size_t)(p - raw);
			if (skip) { /* the CRLF after a chunk */
				take = have < skip ? have : skip;
				p += take;
				skip -= take;
				if (skip)
					break;
				continue;
			}
			if (chunk == 0) {
				nl = memchr(p, '\n', have);
				if (!nl)
					break;
				chunk = strtoul(p, NULL, 16);
				p = nl + 1;
				if (chunk == 0) {
					events.error = "event stream ended";
					goto out;
				}
				continue;
			}
			take = have < chunk ? have : chunk;
			if (take == 0)
				break;
			if (dlen + take >= sizeof(data) - 1) {
				events.error = "event too long";
				goto out;
			}
			memcpy(data + dlen, p, take);
			dlen += take;
			p += take;
			chunk -= take;
			if (chunk == 0)
				skip = 2;
		}
		rlen -= (size_t)(p - raw);
		memmove(raw, p, rlen);
		events_scan(data, &dlen);
	}
	if (!events.error)
		events.error = "event stream closed";
out:
	pthread_mutex_lock(&events.lock);
	pthread_cond_broadcast(&events.changed);
	pthread_mutex_unlock(&events.lock);
	return NULL;
}

/* Wait until task @id is reported finished; NULL or why not. */
static const char *events_wait(uint64_t id)
{
	const char *error = NULL;
	bool found = false;
	size_t i;

	pthread_mutex_lock(&events.lock);
	for (;;) {
		i = events.head > RING ? events.head - RING : 0;
		for (; i < events.head && !found; i++) {
			if (events.done[i % RING] != id)
				continue;
			found = true;
			if (events.failed[i % RING])
				error = "task ended in a state other than "
					"Completed";
		}
		if (found || events.error)
			break;
		pthread_cond_wait(&events.changed, &events.lock);
	}
	if (!found)
		error = events.error;
	pthread_mutex_unlock(&events.lock);
	return error;
}

/* Move VF @vf to zone @zone and wait until its task is Completed. */
static const char *move_once(struct conn *c, unsigned vf, unsigned zone,
			     size_t *polls)
{
	char body[512], path[128], state[32];
	unsigned long id;

	snprintf(body, sizeof(body),
		 "{\"Endpoint\": {\"@odata.id\": \"" EP_URI "%u\"}, "
		 "\"TargetZone\": {\"@odata.id\": \"" ZONE_URI "%u\"}}",
		 vf, zone);
	if (conn_request(c, "POST", MOVE_URI, body) < 0)
		return "move request failed";
	if (c->status != 202)
		return "move not accepted (status not 202)";
	if (sscanf(c->location, MONITOR_PREFIX "%lu", &id) != 1)
		return "move answered without a task monitor";
	if (use_events)
		return events_wait(id);
	snprintf(path, sizeof(path), "/redfish/v1/TaskService/Tasks/%lu", id);
	for (;;) {
		if (conn_request(c, "GET", path, NULL) < 0 || c->status != 200)
			return "task read failed";
		(*polls)++;
		task_state(c, state, sizeof(state));
		if (strcmp(state, "Completed") == 0)
			return NULL;
		if (strcmp(state, "Running") != 0 &&
		    strcmp(state, "New") != 0 &&
		    strcmp(state, "Starting") != 0) {
			fprintf(stderr, "bench_moves: task %lu: %s\n", id,
				c->body);
			return "task ended in a state other than Completed";
		}
		if (poll_us)
			usleep(poll_us);
	}
}

/* CPU seconds (user + system) process @pid used so far, -1 unknown. */
static double proc_cpu(pid_t pid)
{
	unsigned long ut = 0, st = 0;
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* fields 14 and 15, counted after the ")" that ends field 2 */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u"
			 " %lu %lu",
			 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void *client_run(void *arg)
{
	struct client *cl = arg;
	size_t i;
	double t0;

	if (conn_open(&cl->c, cl->port) < 0) {
		cl->error = "connect failed";
		return NULL;
	}
	for (i = 0; i < cl->moves && !cl->error; i++) {
		t0 = now();
		/* the VF starts in its even zone: even moves leave it */
		cl->error = move_once(&cl->c, cl->vf,
				      2 * (cl->vf - 1) + ((i % 2) ? 0 : 1),
				      &cl->polls);
		cl->lat[i] = now() - t0;
	}
	conn_close(&cl->c);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static uint16_t free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		die("loopback", strerror(errno));
	close(fd);
	return ntohs(sa.sin_port);
}

static pid_t daemon_start(const char *bin, const char *chassis, const char *dir,
			  uint16_t port)
{
	char cfg[600], listen[64], log[600], pw[600];
	FILE *f;
	pid_t pid;

	snprintf(cfg, sizeof(cfg), "%s/mrfabricd.json", dir);
	snprintf(log, sizeof(log), "%s/mrfabricd.log", dir);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
	f = fopen(cfg, "w");
	if (!f)
		die(cfg, strerror(errno));
	fprintf(f, "{\"database\": \"%s/mrfabricd.db\"}\n", dir);
	fclose(f);
	snprintf(pw, sizeof(pw), "%s/admin.password", dir);
	f = fopen(pw, "w");
	if (!f)
		die(pw, strerror(errno));
	fprintf(f, "%s\n", ADMIN_PASSWORD);
	fclose(f);
	pid = fork();
	if (pid < 0)
		die("fork", strerror(errno));
	if (pid == 0) {
		if (!freopen(log, "w", stderr))
			_exit(127);
		execl(bin, bin, "--sim", chassis, "--config", cfg, "--listen",
		      listen, "--speed", "0", "--log-level", "warn",
		      "--plain-http", "--admin-password-file", pw,
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

/*
 * Write into @path a chassis of 2 x @nclients blades on one switch: ports
 * 0, 1 and 3.. upstream, port 2 a NIC with 8 VFs (F-0-2-1..8).
 */
static void chassis_write(const char *path, size_t nclients)
{
	static const char link[] =
		"\"link\": {\"width\": 16, \"speed\": \"32GT/s\"}";
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		die(path, strerror(errno));
	fprintf(f, "{\"name\": \"bench-moves\", \"blades\": [");
	for (i = 0; i < 2 * nclients; i++)
		fprintf(f, "%s{\"name\": \"blade%zu\", %s}", i ? ", " : "", i,
			link);
	fprintf(f, "], \"switches\": [{\"name\": \"sw0\", \"vendor\": "
		   "\"0x1000\", \"device\": \"0xc030\", \"ports\": [");
	for (i = 0; i < 2 * nclients; i++)
		fprintf(f,
			"{\"number\": %zu, \"kind\": \"upstream\", %s, "
			"\"blade\": \"blade%zu\"}, ",
			i < 2 ? i : i + 1, link, i);
	fprintf(f,
		"{\"number\": 2, \"kind\": \"downstream\", %s, "
		"\"endpoint\": \"nic0\"}]}], \"endpoints\": [{\"name\": "
		"\"nic0\", \"vendor\": \"0x15b3\", \"device\": \"0x101d\", "
		"\"class\": \"0x020000\", %s, \"bars\": [{\"index\": 0, "
		"\"size\": \"32M\", \"mem64\": true, \"prefetchable\": "
		"true}], \"sriov\": {\"total_vfs\": 8, \"vf_device\": "
		"\"0x101e\", \"vf_bars\": [{\"index\": 0, \"size\": "
		"\"1M\", \"mem64\": true, \"prefetchable\": true}]}}]}\n",
		link, link);
	if (fclose(f) != 0)
		die(path, strerror(errno));
}

/* Bare SQLite durable commits per second: @n single-INSERT transactions. */
static double sqlite_rate(const char *dir, size_t n)
{
	sqlite3_stmt *begin = NULL, *insert = NULL, *commit = NULL;
	sqlite3 *db = NULL;
	char path[600];
	double t0, t;
	size_t i;

	snprintf(path, sizeof(path), "%s/bare.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	if (sqlite3_exec(db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO t(v) VALUES ('a move')", -1,
			       &insert, NULL) ||
	    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL))
		die(path, sqlite3_errmsg(db));
	t0 = now();
	for (i = 0; i < n; i++) {
		if (sqlite3_step(begin) != SQLITE_DONE ||
		    sqlite3_step(insert) != SQLITE_DONE ||
		    sqlite3_step(commit) != SQLITE_DONE)
			die(path, sqlite3_errmsg(db));
		sqlite3_reset(begin);
		sqlite3_reset(insert);
		sqlite3_reset(commit);
	}
	t = now() - t0;
	sqlite3_finalize(begin);
	sqlite3_finalize(insert);
	sqlite3_finalize(commit);
	sqlite3_close(db);
	return (double)n / t;
}

/* Remove the run's directory and what the run put in it. */
static void dir_remove(const char *dir)
{
	static const char *const names[] = {
		"mrfabricd.json",   "mrfabricd.log",	  "mrfabricd.db",
		"mrfabricd.db-wal", "mrfabricd.db-shm",	  "bare.db",
		"bare.db-wal",	    "bare.db-shm",	  "chassis.json",
		"admin.password",   "mrfabricd-cert.pem", "mrfabricd-key.pem",
	};
	char path[600];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(int argc, char **argv)
{
	static struct client cl[CLIENTS_MAX];
	static struct conn c, sse;
	pthread_t sse_thread;
	const char *tmp = getenv("TMPDIR");
	size_t moves = 2000, nclients = 1, i, j, n = 0, polls = 0;
	char dir[512], body[256], path[256], gen[600];
	const char *chassis = argv[argc > 2 ? 2 : 0];
	double *lat, t0, wall, commits, cpu0, cpu;
	const char *error = NULL;
	uint16_t port;
	pid_t pid;
	int status;

	if (argc < 3 || argc > 5) {
		fprintf(stderr,
			"usage: bench_moves MRFABRICD (CHASSIS.json | -) "
			"[MOVES [CLIENTS]]\n");
		return 2;
	}
	if (argc > 3)
		moves = strtoul(argv[3], NULL, 10);
	if (argc > 4)
		nclients = strtoul(argv[4], NULL, 10);
	if (moves == 0 || nclients == 0 || nclients > CLIENTS_MAX ||
	    moves % nclients)
		die("arguments", "MOVES > 0, 1 <= CLIENTS <= 8, "
				 "MOVES a multiple of CLIENTS");
	if (getenv("BENCH_POLL_US"))
		poll_us = (unsigned)strtoul(getenv("BENCH_POLL_US"), NULL, 10);
	snprintf(dir, sizeof(dir), "%s/bench_moves.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		die(dir, strerror(errno));
	if (strcmp(chassis, "-") == 0) {
		snprintf(gen, sizeof(gen), "%s/chassis.json", dir);
		chassis_write(gen, nclients);
		chassis = gen;
	}
	port = free_port();
	pid = daemon_start(argv[1], chassis, dir, port);

	t0 = now();
	while (conn_open(&c, port) < 0) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			die(argv[1], "exited at start (see its log)");
		if (now() - t0 > START_WAIT_MS / 1000.0)
			die(argv[1], "does not answer");
		usleep(10000);
	}
	/* a Redfish session, as a management client would hold one */
	if (conn_request(
		    &c, "POST", "/redfish/v1/SessionService/Sessions",
		    "{\"UserName\": \"admin\", \"Password\": \"" ADMIN_PASSWORD
		    "\"}") < 0 ||
	    c.status != 201 || !header_find(c.buf, "X-Auth-Token"))
		die("login", "POST SessionService/Sessions refused");
	snprintf(auth_header, sizeof(auth_header), "X-Auth-Token: %.*s\r\n",
		 (int)strcspn(header_find(c.buf, "X-Auth-Token"), "\r\n"),
		 header_find(c.buf, "X-Auth-Token"));
	for (i = 0; i < nclients; i++) {
		snprintf(path, sizeof(path),
			 ZONE_URI "%zu/Actions/Zone.AddEndpoint", 2 * i);
		snprintf(body, sizeof(body),
			 "{\"Endpoint\": {\"@odata.id\": \"" EP_URI "%zu\"}}",
			 i + 1);
		if (conn_request(&c, "POST", path, body) < 0 || c.status != 204)
			die("bind", "AddEndpoint to Zone-0 refused");
	}
	/* warm up: one round trip per VF, so every host has seen it once */
	for (i = 0; i < nclients && !error; i++) {
		error = move_once(&c, (unsigned)i + 1, 2 * (unsigned)i + 1,
				  &polls);
		if (!error)
			error = move_once(&c, (unsigned)i + 1, 2 * (unsigned)i,
					  &polls);
	}
	if (error)
		die("warm-up move", error);
	conn_close(&c);

	lat = calloc(moves, sizeof(*lat));
	if (!lat)
		die("calloc", strerror(ENOMEM));
	if (getenv("BENCH_EVENTS") && strcmp(getenv("BENCH_EVENTS"), "0")) {
		char req[512];
		int len;

		if (conn_open(&sse, port) < 0)
			die("events", "cannot connect");
		len = snprintf(req, sizeof(req),
			       "GET /redfish/v1/EventService/SSE HTTP/1.1\r\n"
			       "Host: 127.0.0.1\r\nAccept: text/event-stream"
			       "\r\n%s\r\n",
			       auth_header);
		if (write(sse.fd, req, (size_t)len) != len ||
		    pthread_create(&sse_thread, NULL, events_run, &sse))
			die("events", "cannot open the SSE stream");
		use_events = true;
	}
	polls = 0;
	cpu0 = proc_cpu(pid);
	t0 = now();
	for (i = 0; i < nclients; i++) {
		cl[i] = (struct client){ .port = port,
					 .vf = (unsigned)i + 1,
					 .moves = moves / nclients,
					 .lat = lat + i * (moves / nclients) };
		if (pthread_create(&cl[i].thread, NULL, client_run, &cl[i]))
			die("pthread_create", strerror(errno));
	}
	for (i = 0; i < nclients; i++) {
		pthread_join(cl[i].thread, NULL);
		if (cl[i].error && !error)
			error = cl[i].error;
		polls += cl[i].polls;
	}
	wall = now() - t0;
	cpu = proc_cpu(pid) - cpu0;
	if (use_events) {
		shutdown(sse.fd, SHUT_RDWR);
		pthread_join(sse_thread, NULL);
		conn_close(&sse);
	}
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	if (error)
		die("move", error);

	commits = sqlite_rate(dir, 2000);
	for (i = 0; i < nclients; i++)
		for (j = 0; j < cl[i].moves; j++)
			lat[n++] = cl[i].lat[j];
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("bench_moves: %zu moves, %zu client(s), over HTTP to "
	       "mrfabricd --speed 0 --sim %s, database in %s; completion "
	       "seen by %s\n",
	       moves, nclients, chassis, dir,
	       use_events ? "the SSE event stream" : "polling the task");
	printf("| moves/s | p50 ms | p99 ms | max ms | task polls/move "
	       "| daemon CPU ms/move | bare SQLite commits/s (WAL, FULL) "
	       "|\n");
	printf("|---------|--------|--------|--------|-----------------"
	       "|--------------------|-----------------------------------"
	       "|\n");
	printf("| %.0f | %.3f | %.3f | %.3f | %.1f | %.3f | %.0f |\n",
	       (double)moves / wall, lat[n / 2] * 1e3,
	       lat[(n * 99) / 100] * 1e3, lat[n - 1] * 1e3,
	       (double)polls / (double)moves, cpu * 1e3 / (double)moves,
	       commits);
	free(lat);
	dir_remove(dir);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
