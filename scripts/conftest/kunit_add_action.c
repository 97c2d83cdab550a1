// SPDX-License-Identifier: GPL-2.0
/*
 * kunit_add_action_or_reset(), v6.5, and KUNIT_ARRAY_PARAM_DESC(), v6.6:
 * the cleanup every mmlab KUnit suite registers and the parameters of its
 * mode and buffer tests. Without them the suites are not built at all.
 */
#include <kunit/test.h>

int conftest_kunit_add_action(struct kunit *test, void *data);

static const struct {
	const char *name;
} conftest_rows[] = { { "a" } };

KUNIT_ARRAY_PARAM_DESC(conftest, conftest_rows, name);

int conftest_kunit_add_action(struct kunit *test, void *data)
{
	char desc[KUNIT_PARAM_DESC_SIZE];

	return conftest_gen_params(NULL, desc) ?
	       kunit_add_action_or_reset(test, (kunit_action_t *)kfree, data) :
	       -EINVAL;
}
