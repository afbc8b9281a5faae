#include <gtest/gtest.h>

#include "bgp/policy/policy.h"

namespace halink::bgp {
namespace {

Prefix P(const char* text) { return Prefix::parse(text).value(); }

PrefixListEntry entry(const char* prefix, std::optional<uint8_t> ge = {}, std::optional<uint8_t> le = {}) {
  return PrefixListEntry{P(prefix), ge, le};
}

TEST(PrefixListEntry, WithoutRangeMatchesExactly) {
  const auto e = entry("10.0.0.0/8");
  EXPECT_TRUE(e.matches(P("10.0.0.0/8")));
  EXPECT_FALSE(e.matches(P("10.1.0.0/16")));
  EXPECT_FALSE(e.matches(P("0.0.0.0/0")));
}

TEST(PrefixListEntry, LeAloneStartsAtTheOwnLength) {
  const auto e = entry("10.0.0.0/8", {}, 24);
  EXPECT_TRUE(e.matches(P("10.0.0.0/8")));
  EXPECT_TRUE(e.matches(P("10.1.2.0/24")));
  EXPECT_FALSE(e.matches(P("10.1.2.128/25")));
  EXPECT_FALSE(e.matches(P("11.0.0.0/16")));
}

TEST(PrefixListEntry, GeAloneRunsToHostRoutes) {
  const auto e = entry("10.0.0.0/8", 16);
  EXPECT_FALSE(e.matches(P("10.0.0.0/8")));
  EXPECT_FALSE(e.matches(P("10.0.0.0/15")));
  EXPECT_TRUE(e.matches(P("10.9.0.0/16")));
  EXPECT_TRUE(e.matches(P("10.9.9.9/32")));
}

TEST(PrefixListEntry, GeAndLeTogether) {
  const auto e = entry("2001:db8::/32", 40, 48);
  EXPECT_TRUE(e.matches(P("2001:db8:100::/40")));
  EXPECT_TRUE(e.matches(P("2001:db8:1::/48")));
  EXPECT_FALSE(e.matches(P("2001:db8:1:1::/64")));
  EXPECT_FALSE(e.matches(P("10.0.0.0/8")));  // other family
}

}  // namespace
}  // namespace halink::bgp
