#include "core/time.h"

#include <gtest/gtest.h>

using namespace halink;

TEST(Time, ArithmeticAndNever) {
  Time t = Time::zero() + Duration::seconds(3);
  EXPECT_EQ(t.ns(), 3'000'000'000);
  EXPECT_EQ((t - Time::zero()).ms(), 3000);
  EXPECT_TRUE((Time::never() + Duration::seconds(1)).is_never());
  EXPECT_TRUE((t + Duration::infinite()).is_never());
  EXPECT_EQ(earliest(t, Time::never()), t);
}

TEST(Duration, FormatsForHumans) {
  EXPECT_EQ(Duration::seconds(90).to_string(), "90s");
  EXPECT_EQ(Duration::milliseconds(150).to_string(), "150ms");
  EXPECT_EQ(Duration::milliseconds(1250).to_string(), "1.250s");
  EXPECT_EQ(Duration::zero().to_string(), "0s");
  EXPECT_EQ(Duration::milliseconds(300).scaled(0.75).ms(), 225);
}
