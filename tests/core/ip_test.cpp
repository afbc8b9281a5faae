#include "core/ip.h"

#include <gtest/gtest.h>

using namespace halink;

TEST(IpAddress, ParsesAndFormatsIpv4) {
  auto a = IpAddress::parse("169.254.21.1");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->is_v4());
  EXPECT_EQ(a->to_string(), "169.254.21.1");
  EXPECT_EQ(a->v4_host_order(), 0xa9fe1501u);
  EXPECT_TRUE(a->is_link_local());
}

TEST(IpAddress, RejectsMalformedIpv4) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "01.2.3.4", "1.2.3.4 ", "a.b.c.d"})
    EXPECT_FALSE(IpAddress::parse(bad).ok()) << bad;
}

TEST(IpAddress, ParsesIpv6FormsAndPrintsRfc5952) {
  struct Case { const char* in; const char* out; };
  for (auto c : {Case{"2001:db8::1", "2001:db8::1"}, Case{"::", "::"}, Case{"::1", "::1"},
                 Case{"fe80::", "fe80::"}, Case{"2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
                 Case{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, Case{"::ffff:10.0.0.1", "::ffff:a00:1"}}) {
    auto a = IpAddress::parse(c.in);
    ASSERT_TRUE(a.ok()) << c.in;
    EXPECT_EQ(a->to_string(), c.out);
  }
}

TEST(IpAddress, RejectsMalformedIpv6) {
  for (const char* bad : {":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "g::1", "1:2:3:4:5:6:7:", ":1::"})
    EXPECT_FALSE(IpAddress::parse(bad).ok()) << bad;
}

TEST(IpAddress, OrdersByFamilyThenBytes) {
  EXPECT_LT(*IpAddress::parse("10.0.0.1"), *IpAddress::parse("10.0.0.2"));
  EXPECT_LT(*IpAddress::parse("255.255.255.255"), *IpAddress::parse("::"));
}

TEST(Prefix, RejectsHostBitsAndNamesCanonicalForm) {
  auto p = Prefix::parse("10.1.2.3/16");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.message().find("10.1.0.0/16"), std::string::npos);
  auto masked = Prefix::parse_masked("10.1.2.3/16");
  ASSERT_TRUE(masked.ok());
  EXPECT_EQ(masked->to_string(), "10.1.0.0/16");
}

TEST(Prefix, ContainsAddressesAndPrefixes) {
  auto p = *Prefix::parse("10.1.0.0/16");
  EXPECT_TRUE(p.contains(*IpAddress::parse("10.1.255.1")));
  EXPECT_FALSE(p.contains(*IpAddress::parse("10.2.0.1")));
  EXPECT_TRUE(p.contains(*Prefix::parse("10.1.128.0/17")));
  EXPECT_FALSE(p.contains(*Prefix::parse("10.0.0.0/8")));
  EXPECT_FALSE(p.contains(*IpAddress::parse("::1")));
  auto v6 = *Prefix::parse("2001:db8::/32");
  EXPECT_TRUE(v6.contains(*IpAddress::parse("2001:db8:ffff::1")));
  EXPECT_TRUE(Prefix::parse("0.0.0.0/0")->contains(*IpAddress::parse("1.2.3.4")));
}

TEST(Prefix, RejectsBadLengths) {
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0", "10.0.0.0/", "10.0.0.0/x", "::/129"})
    EXPECT_FALSE(Prefix::parse(bad).ok()) << bad;
}

TEST(Prefix, MaskingClearsExactlyTheHostBitsAtEveryLength) {
  auto all_ones = *IpAddress::parse("255.255.255.255");
  for (int length = 0; length <= 32; ++length) {
    Prefix p = Prefix::make_masked(all_ones, length);
    uint32_t expected = length == 0 ? 0 : ~uint32_t(0) << (32 - length);
    EXPECT_EQ(p.address().v4_host_order(), expected) << length;
  }
  auto v6 = *IpAddress::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  EXPECT_EQ(Prefix::make_masked(v6, 33).to_string(), "ffff:ffff:8000::/33");
  EXPECT_EQ(Prefix::make_masked(v6, 128).to_string(), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
}
