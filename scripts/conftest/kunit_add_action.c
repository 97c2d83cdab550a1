// SPDX-License-Identifier: GPL-2.0
/*
 * kunit_add_action_or_reset(), v6.5: the cleanup every mmlab KUnit suite
 * registers. Without it the suites are not built at all.
 */
#include <kunit/resource.h>

int conftest_kunit_add_action(struct kunit *test, void *data);
int conftest_kunit_add_action(struct kunit *test, void *data)
{
	return kunit_add_action_or_reset(test, (kunit_action_t *)kfree, data);
}
