#include "runtime/link_monitor.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "../support/netns.h"

using namespace halink;
using namespace halink::runtime;
using halink::testing::TestNamespace;

// Interface events seen from inside a namespace while another thread flips a
// veth pair's carrier, deletes it and recreates it under the same name.
TEST(LinkMonitor, SeesCarrierLossDeletionAndRecreationByName) {
  if (!halink::testing::running_as_root()) GTEST_SKIP() << "needs root to create a network namespace (lab test)";
  TestNamespace ns("linkmon");
  ASSERT_TRUE(ns.ok());
  ASSERT_EQ(ns.run("ip link add tun-a type veth peer name tun-b && ip link set tun-a up && ip link set tun-b up"), 0);

  std::vector<std::pair<std::string, bool>> events;
  std::thread monitor_thread([&] {
    ASSERT_TRUE(ns.enter());
    EventLoop loop;
    LinkMonitor monitor(loop, [&](const LinkState& s) {
      if (s.name == "tun-a") events.emplace_back(s.name, s.up);
    });
    ASSERT_TRUE(monitor.start().ok());
    loop.run_for(Duration::milliseconds(300));
    EXPECT_TRUE(monitor.is_up("tun-a"));
    ns.run("ip link set tun-b down");
    loop.run_for(Duration::milliseconds(300));
    EXPECT_FALSE(monitor.is_up("tun-a"));
    ns.run("ip link del tun-a");
    loop.run_for(Duration::milliseconds(300));
    EXPECT_EQ(monitor.index_of("tun-a"), 0);
    ns.run("ip link add tun-a type veth peer name tun-b && ip link set tun-a up && ip link set tun-b up");
    loop.run_for(Duration::milliseconds(500));
    EXPECT_TRUE(monitor.is_up("tun-a"));
  });
  monitor_thread.join();
  ASSERT_GE(events.size(), 3u);
  EXPECT_TRUE(events.front().second);
  EXPECT_TRUE(events.back().second);
  bool saw_down = false;
  for (auto& e : events) saw_down |= !e.second;
  EXPECT_TRUE(saw_down);
}
