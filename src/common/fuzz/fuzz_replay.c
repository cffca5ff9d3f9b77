/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_replay.c - runs a libFuzzer target over files instead of generated inputs, so
 * every build replays the corpora (make check) without needing clang's libFuzzer.
 *
 *   <target> FILE|DIR ...
 *
 * Each file (directories are walked one level) is read whole and passed to
 * LLVMFuzzerTestOneInput(). A crash or sanitizer report fails the run; otherwise the
 * count of inputs is printed and the exit status is 0. No input at all is an error, so
 * a missing corpus cannot pass silently.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (f == NULL) {
		fprintf(stderr, "fuzz_replay: cannot open %s\n", path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	/* An exact-size heap copy lets ASan catch reads past the end. */
	buf = malloc(len > 0 ? (size_t)len : 1);
	if (buf == NULL || (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len)) {
		fprintf(stderr, "fuzz_replay: cannot read %s\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	int nr = 0;
	int i;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *dir;
		struct dirent *de;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "fuzz_replay: no such file: %s\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (replay_file(argv[i]) != 0)
				return 1;
			nr++;
			continue;
		}
		dir = opendir(argv[i]);
		if (dir == NULL)
			return 1;
		while ((de = readdir(dir)) != NULL) {
			char path[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			if (replay_file(path) != 0) {
				closedir(dir);
				return 1;
			}
			nr++;
		}
		closedir(dir);
	}
	if (nr == 0) {
		fprintf(stderr, "fuzz_replay: no inputs given\n");
		return 1;
	}
	printf("fuzz_replay: %d inputs replayed without error\n", nr);
	return 0;
}
