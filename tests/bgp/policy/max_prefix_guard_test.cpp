#include "bgp/policy/max_prefix_guard.h"

#include <gtest/gtest.h>

namespace halink::bgp {
namespace {

TEST(MaxPrefixGuard, WarnsAtThresholdOnceThenTearsDown) {
  MaxPrefixGuard guard(MaxPrefix{100, false, Duration::seconds(30), 75});
  EXPECT_EQ(guard.on_count(74), MaxPrefixEvent::none);
  EXPECT_EQ(guard.on_count(75), MaxPrefixEvent::warning_threshold);
  EXPECT_EQ(guard.on_count(90), MaxPrefixEvent::none);  // once
  EXPECT_EQ(guard.on_count(100), MaxPrefixEvent::none);  // at the limit is allowed
  EXPECT_EQ(guard.on_count(101), MaxPrefixEvent::limit_tear_down);
  EXPECT_EQ(guard.restart_time(Time::from_ns(5)), Time::from_ns(5) + Duration::seconds(30));
}

TEST(MaxPrefixGuard, WarningOnlyKeepsTheSessionAndReportsOncePerCrossing) {
  MaxPrefixGuard guard(MaxPrefix{10, true, Duration::zero(), 75});
  EXPECT_EQ(guard.on_count(11), MaxPrefixEvent::limit_warning);
  EXPECT_EQ(guard.on_count(12), MaxPrefixEvent::none);
  EXPECT_EQ(guard.on_count(5), MaxPrefixEvent::none);  // back below: re-armed
  EXPECT_EQ(guard.on_count(8), MaxPrefixEvent::warning_threshold);  // 75 % of 10, rounded up
  EXPECT_EQ(guard.on_count(11), MaxPrefixEvent::limit_warning);
}

TEST(MaxPrefixGuard, NoRestartIntervalMeansStayDown) {
  MaxPrefixGuard guard(MaxPrefix{1, false, Duration::zero(), 100});
  EXPECT_EQ(guard.on_count(2), MaxPrefixEvent::limit_tear_down);
  EXPECT_TRUE(guard.restart_time(Time::from_ns(1)).is_never());
  guard.reset();
  EXPECT_EQ(guard.on_count(2), MaxPrefixEvent::limit_tear_down);
}

}  // namespace
}  // namespace halink::bgp
