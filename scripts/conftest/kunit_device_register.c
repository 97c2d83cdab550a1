// SPDX-License-Identifier: GPL-2.0
/* kunit_device_register(), v6.8: a test device that KUnit cleans up. */
#include <kunit/device.h>

struct device *conftest_kunit_device_register(struct kunit *test);
struct device *conftest_kunit_device_register(struct kunit *test)
{
	return kunit_device_register(test, "conftest");
}
