/* SPDX-License-Identifier: MIT */
/*
 * proc.h - a program a test runs as a child process, and its output.
 */
#ifndef MRFABRIC_TESTS_PROC_H
#define MRFABRIC_TESTS_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A child process and its output (stdout and stderr) read so far. */
struct t_proc {
	pid_t pid;
	int out_fd;
	char out[32768]; /* NUL-terminated */
	size_t len;
};

/*
 * Start program @path in directory @dir with the NULL-terminated
 * arguments @args (at most 14); its stdout and stderr go to p.out.
 * Fails the test when it cannot fork.
 */
struct t_proc t_proc_start(const char *dir, const char *path,
			   char *const *args);
/*
 * Read output until @text shows up after offset @from (true), or the
 * output ends or stays silent @wait_ms (false).  NULL @text reads to the
 * end.
 */
bool t_proc_read_until(struct t_proc *p, size_t from, const char *text,
		       int wait_ms);

#endif
