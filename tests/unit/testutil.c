/* testutil.c - see testutil.h. */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef ENT_SHARED_DIR
#define ENT_SHARED_DIR "../shared"
#endif

char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	data = malloc((size_t)n + 1);
	if (data == NULL)
		goto out;
	if (fread(data, 1, (size_t)n, f) != (size_t)n) {
		free(data);
		data = NULL;
		goto out;
	}
	data[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
out:
	fclose(f);
	return data;
}

char *tu_mkdtemp(void)
{
	char tmpl[] = "/tmp/entente-test-XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return NULL;
	return strdup(tmpl);
}

bool tu_have_corpus(void)
{
	struct stat st;

	return stat(ENT_SHARED_DIR "/corpus", &st) == 0 && S_ISDIR(st.st_mode);
}

const char *tu_corpus(const char *rel)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/corpus/%s", ENT_SHARED_DIR, rel);
	return path;
}

int tu_run_groups(int argc, char **argv, const struct CMUnitTest *unit, size_t n_unit,
                  const struct CMUnitTest *corpus, size_t n_corpus)
{
	if (argc > 1 && strcmp(argv[1], "--corpus") == 0) {
		if (!tu_have_corpus()) {
			printf("SKIPPED: %zu corpus tests: %s/corpus is absent\n", n_corpus,
			       ENT_SHARED_DIR);
			return 77;
		}
		return _cmocka_run_group_tests("corpus", corpus, n_corpus, NULL, NULL);
	}
	return _cmocka_run_group_tests("unit", unit, n_unit, NULL, NULL);
}
