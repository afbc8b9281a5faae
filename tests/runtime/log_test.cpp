// Log levels and the per-key rate limit of repeated messages.
#include "runtime/log.h"

#include <gtest/gtest.h>

using namespace halink;
using namespace halink::runtime;

TEST(LogLevel, ParsesTheNamesHalinkdAccepts) {
  EXPECT_EQ(parse_log_level("error"), LogLevel::error);
  EXPECT_EQ(parse_log_level("warn"), LogLevel::warning);
  EXPECT_EQ(parse_log_level("warning"), LogLevel::warning);
  EXPECT_EQ(parse_log_level("info"), LogLevel::info);
  EXPECT_EQ(parse_log_level("debug"), LogLevel::debug);
  EXPECT_FALSE(parse_log_level("verbose").has_value());
}

TEST(LogRateLimiter, AtMostBurstPerKeyPerWindowThenSaysHowManyWereLeftOut) {
  LogRateLimiter limiter(3, Duration::seconds(60));
  Time t = Time::zero();
  const std::string key = "neighbor p1: UPDATE treat-as-withdraw: bad ORIGIN";
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit(key, t).log);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(limiter.admit(key, t + Duration::seconds(1)).log);
  // Another neighbour's complaint has its own allowance.
  EXPECT_TRUE(limiter.admit("neighbor p2: UPDATE treat-as-withdraw: bad ORIGIN", t).log);
  auto next = limiter.admit(key, t + Duration::seconds(60));
  EXPECT_TRUE(next.log);
  EXPECT_EQ(next.suppressed_before, 100u);
  EXPECT_EQ(limiter.admit(key, t + Duration::seconds(61)).suppressed_before, 0u);
}
