// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of devres, the device-managed resources every mmlab_pci
 * probe() is made of (drivers/pci/): what a device acquires with devm_*()
 * and devm_add_action() is released when it goes away, in the reverse
 * order, with nothing for the driver to unwind; a devres group releases
 * its own part early; claimed ports stay busy until then.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/ioport.h>
#include <linux/slab.h>

#include <mmlab/compat.h>

#define NR_ACTIONS	4

/* What the actions saw, in test memory that outlives the device. */
struct devres_log {
	int order[2 * NR_ACTIONS];
	int n;
	u8 *mem;
	bool mem_intact;
};

struct action {
	struct devres_log *log;
	int id;
};

static void log_action(void *data)
{
	struct action *a = data;

	a->log->order[a->log->n++] = a->id;
}

/* Registered after the memory, so released before it: it may read it. */
static void check_mem(void *data)
{
	struct devres_log *log = data;

	log->mem_intact = !memchr_inv(log->mem, 0x5a, 64);
}

/*
 * A resource made with devres_alloc() and devres_add(), the primitive every
 * devm_*() helper is built on: its release callback logs its turn.
 */
static void logged_release(struct device *dev, void *res)
{
	log_action(*(struct action **)res);
}

static int devm_add_logged(struct device *dev, struct action *a)
{
	struct action **res;

	res = devres_alloc(logged_release, sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	*res = a;
	devres_add(dev, res);
	return 0;
}

static struct action *actions(struct kunit *test, struct devres_log *log,
			      int first)
{
	struct action *a = kunit_kcalloc(test, 2 * NR_ACTIONS, sizeof(*a),
					 GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	for (int i = 0; i < 2 * NR_ACTIONS; i++) {
		a[i].log = log;
		a[i].id = first + i;
	}
	return a;
}

static struct device *test_device(struct kunit *test)
{
	struct device *dev = kunit_device_register(test, "mmlab-devres");

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	return dev;
}

/*
 * Actions, resources and allocations, interleaved as a probe() makes them,
 * are released last first.
 */
static void devres_reverse_order_test(struct kunit *test)
{
	struct devres_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	struct action *a = actions(test, log, 0);
	struct device *dev = test_device(test);

	for (int i = 0; i < 2 * NR_ACTIONS; i += 2) {
		KUNIT_ASSERT_EQ(test, devm_add_action(dev, log_action, &a[i]), 0);
		KUNIT_ASSERT_NOT_NULL(test, devm_kzalloc(dev, 32, GFP_KERNEL));
		KUNIT_ASSERT_EQ(test, devm_add_logged(dev, &a[i + 1]), 0);
	}
	KUNIT_EXPECT_EQ(test, log->n, 0);
	kunit_device_unregister(test, dev);

	KUNIT_ASSERT_EQ(test, log->n, 2 * NR_ACTIONS);
	for (int i = 0; i < 2 * NR_ACTIONS; i++)
		KUNIT_EXPECT_EQ(test, log->order[i], 2 * NR_ACTIONS - 1 - i);
}

/*
 * devm_kzalloc() memory is zeroed and lives until its turn at release:
 * an action added after it still finds it intact (KASAN would report a
 * read of freed memory).
 */
static void devres_memory_lifetime_test(struct kunit *test)
{
	struct devres_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	struct device *dev = test_device(test);

	log->mem = devm_kzalloc(dev, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log->mem);
	KUNIT_EXPECT_NULL(test, memchr_inv(log->mem, 0, 64));
	memset(log->mem, 0x5a, 64);
	KUNIT_ASSERT_EQ(test, devm_add_action(dev, check_mem, log), 0);
	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_TRUE(test, log->mem_intact);
}

/*
 * A group releases only what was acquired inside it, in reverse order,
 * before the device goes: how a failed probe step can undo its own part.
 */
static void devres_group_test(struct kunit *test)
{
	struct devres_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	struct action *outer = actions(test, log, 0);
	struct action *inner = actions(test, log, 10);
	struct device *dev = test_device(test);
	void *group;

	KUNIT_ASSERT_EQ(test, devm_add_action(dev, log_action, &outer[0]), 0);
	group = devres_open_group(dev, NULL, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, group);
	for (int i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, devm_add_action(dev, log_action, &inner[i]),
				0);
	devres_close_group(dev, group);
	KUNIT_ASSERT_EQ(test, devm_add_action(dev, log_action, &outer[1]), 0);

	KUNIT_EXPECT_EQ(test, devres_release_group(dev, group), 3);
	KUNIT_ASSERT_EQ(test, log->n, 3);
	KUNIT_EXPECT_EQ(test, log->order[0], 12);
	KUNIT_EXPECT_EQ(test, log->order[1], 11);
	KUNIT_EXPECT_EQ(test, log->order[2], 10);

	kunit_device_unregister(test, dev);
	KUNIT_ASSERT_EQ(test, log->n, 5);
	KUNIT_EXPECT_EQ(test, log->order[3], 1);
	KUNIT_EXPECT_EQ(test, log->order[4], 0);
}

/* Released now and only once; removed, never run. */
static void devres_release_remove_test(struct kunit *test)
{
	struct devres_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	struct action *a = actions(test, log, 0);
	struct device *dev = test_device(test);

	KUNIT_ASSERT_EQ(test, devm_add_action(dev, log_action, &a[0]), 0);
	KUNIT_ASSERT_EQ(test, devm_add_action(dev, log_action, &a[1]), 0);
	KUNIT_ASSERT_EQ(test, devm_add_action(dev, log_action, &a[2]), 0);

	devm_release_action(dev, log_action, &a[1]);
	KUNIT_ASSERT_EQ(test, log->n, 1);
	KUNIT_EXPECT_EQ(test, log->order[0], 1);
	devm_remove_action(dev, log_action, &a[2]);
	KUNIT_EXPECT_EQ(test, log->n, 1);

	kunit_device_unregister(test, dev);
	KUNIT_ASSERT_EQ(test, log->n, 2);
	KUNIT_EXPECT_EQ(test, log->order[1], 0);
}

#define CLAIM_PORTS	8

/* The last range of CLAIM_PORTS ports that nothing has claimed. */
static resource_size_t free_ports(struct kunit *test)
{
	resource_size_t start;

	for (start = IO_SPACE_LIMIT + 1 - CLAIM_PORTS; start;
	     start -= CLAIM_PORTS) {
		if (request_region(start, CLAIM_PORTS, "mmlab-kunit-probe")) {
			release_region(start, CLAIM_PORTS);
			return start;
		}
	}
	kunit_skip(test, "no free ports");
	return 0;
}

/*
 * The bookkeeping of port I/O (drivers/pci/pio.c): ports a driver claims
 * are busy under its name, any other claim of any of them fails, the
 * request_region() that a driver turns into -EBUSY, and devres releases
 * them when the device goes.
 */
static void devres_region_claim_test(struct kunit *test)
{
	resource_size_t start = free_ports(test);
	struct device *dev = test_device(test);
	struct resource *res, *again;

	res = devm_request_region(dev, start, CLAIM_PORTS, "mmlab-kunit");
	KUNIT_ASSERT_NOT_NULL(test, res);
	KUNIT_EXPECT_EQ(test, res->start, start);
	KUNIT_EXPECT_EQ(test, resource_size(res), CLAIM_PORTS);
	KUNIT_EXPECT_TRUE(test, res->flags & IORESOURCE_BUSY);
	KUNIT_EXPECT_TRUE(test, resource_type(res) == IORESOURCE_IO);
	KUNIT_EXPECT_STREQ(test, res->name, "mmlab-kunit");

	/* A port inside, a range across its end, the same range: all busy. */
	KUNIT_EXPECT_NULL(test, request_region(start + 3, 1, "mmlab-kunit-2"));
	KUNIT_EXPECT_NULL(test, request_region(start + CLAIM_PORTS - 1, 2,
					       "mmlab-kunit-2"));
	KUNIT_EXPECT_NULL(test, devm_request_region(dev, start, CLAIM_PORTS,
						    "mmlab-kunit-2"));

	kunit_device_unregister(test, dev);
	again = request_region(start, CLAIM_PORTS, "mmlab-kunit-2");
	KUNIT_EXPECT_NOT_NULL(test, again);
	if (again)
		release_region(start, CLAIM_PORTS);
}

static struct kunit_case devres_test_cases[] = {
	KUNIT_CASE(devres_reverse_order_test),
	KUNIT_CASE(devres_memory_lifetime_test),
	KUNIT_CASE(devres_group_test),
	KUNIT_CASE(devres_release_remove_test),
	KUNIT_CASE(devres_region_claim_test),
	{}
};

static struct kunit_suite devres_test_suite = {
	.name = "mmlab_devres",
	.test_cases = devres_test_cases,
};

kunit_test_suites(&devres_test_suite);
