/* SPDX-License-Identifier: MIT */
#include "tests/support/proc.h"

#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct t_proc t_proc_start(const char *dir, const char *path, char *const *args)
{
	char *argv[16] = { (char *)path };
	struct t_proc p = { 0 };
	unsigned n = 1;
	int fds[2];

	while (args[n - 1] && n < 15) {
		argv[n] = args[n - 1];
		n++;
	}
	cr_assert_eq(pipe(fds), 0);
	fflush(NULL);
	p.pid = fork();
	cr_assert_geq(p.pid, 0);
	if (p.pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		if (chdir(dir) != 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	p.out_fd = fds[0];
	return p;
}

bool t_proc_read_until(struct t_proc *p, size_t from, const char *text,
		       int wait_ms)
{
	while (!text || p->len < from || !strstr(p->out + from, text)) {
		struct pollfd pfd = { .fd = p->out_fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, wait_ms) <= 0)
			return false;
		n = read(p->out_fd, p->out + p->len,
			 sizeof(p->out) - 1 - p->len);
		if (n <= 0)
			return false;
		p->len += (size_t)n;
		p->out[p->len] = '\0';
	}
	return true;
}
