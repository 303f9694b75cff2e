/* SPDX-License-Identifier: MIT */
/*
 * replay.c - run a fuzz target's LLVMFuzzerTestOneInput() over every
 * regular file of a corpus directory, without libFuzzer, so the normal
 * (gcc, and sanitizer) test suite replays the seed corpus and every
 * regression input.  Usage: replay CORPUS_DIR.  Exit status 0 when every
 * input ran (a finding aborts or is reported by the sanitizers), 1 on a
 * usage or I/O error, and also when the directory holds no input at all
 * (a replay that runs nothing would pass for nothing).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

static int replay_file_read(uint8_t **out, size_t *size, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int ret = -1;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) < 0)
		goto out;
	len = ftell(f);
	if (len < 0 || fseek(f, 0, SEEK_SET) < 0)
		goto out;
	/* one byte more so that an empty file still gets a buffer */
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto out;
	*out = buf;
	*size = (size_t)len;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	fclose(f);
	return ret;
}

static int replay_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char **names = NULL;
	size_t n = 0, cap = 0, ran = 0;
	struct dirent *de;
	DIR *dir;
	int ret = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 1;
	}
	dir = opendir(argv[1]);
	if (!dir) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (de = readdir(dir); de; de = readdir(dir)) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				goto out;
			names = grown;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			goto out;
		n++;
	}
	/* a fixed order: a failure names the same input on every machine */
	if (n)
		qsort(names, n, sizeof(*names), replay_name_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		uint8_t *data;
		size_t size;

		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file_read(&data, &size, path) < 0) {
			fprintf(stderr, "%s: cannot read\n", path);
			goto out;
		}
		printf("replay %s (%zu bytes)\n", names[i], size);
		fflush(stdout);
		LLVMFuzzerTestOneInput(data, size);
		free(data);
		ran++;
	}
	if (!ran) {
		fprintf(stderr, "%s: no input to replay\n", argv[1]);
		goto out;
	}
	printf("replayed %zu inputs\n", ran);
	ret = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	return ret;
}
