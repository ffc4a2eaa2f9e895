/* testutil.h - small helpers shared by the cmocka unit tests. */
#ifndef ENT_TESTUTIL_H
#define ENT_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Reads a whole file; caller frees. NULL if it cannot be read. */
char *tu_read_file(const char *path, size_t *len);
/* A fresh temporary directory; caller frees the string (the tree is left). */
char *tu_mkdtemp(void);
/* True when ../shared/corpus is present (the corpus tests skip otherwise). */
bool tu_have_corpus(void);
/* Path under ENT_SHARED_DIR "/corpus/"; static buffer, valid until next call. */
const char *tu_corpus(const char *rel);

/*
 * Runs the unit group, or with "--corpus" the corpus group; the corpus group
 * exits 77 (ctest: skipped) when the corpus is absent. A test file that
 * calls this names ENT_TEST_HAS_CORPUS in a comment so CMake registers both.
 */
struct CMUnitTest;
int tu_run_groups(int argc, char **argv, const struct CMUnitTest *unit, size_t n_unit,
                  const struct CMUnitTest *corpus, size_t n_corpus);

#endif
