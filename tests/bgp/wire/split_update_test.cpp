#include <gtest/gtest.h>

#include <array>

#include "bgp/wire/update_codec.h"
#include "test_util.h"

namespace halink::bgp {
namespace {

using test::address;

std::vector<Prefix> many_v4(size_t n) {
  std::vector<Prefix> out;
  for (uint32_t i = 0; i < n; ++i) out.push_back(Prefix::make_masked(IpAddress::v4(0x0A000000 | i << 8), 24));
  return out;
}

PathAttributes attributes() {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = AsPath{{{AsPathSegmentType::as_sequence, {65001, 65002, 65003}}}};
  a.next_hop = address("192.0.2.1");
  a.communities = {1, 2, 3};
  return a;
}

// Every part fits, and together the parts carry exactly the input's NLRI.
void check_parts(const Update& in, const std::vector<Update>& parts, const CodecContext& ctx) {
  ASSERT_FALSE(parts.empty());
  Update merged;
  for (const auto& p : parts) {
    auto bytes = encode(p, ctx);
    EXPECT_LE(bytes.size(), ctx.max_size());
    auto d = test::decode_whole(bytes, ctx);
    ASSERT_EQ(d.action, ErrorAction::none) << d.problems[0].reason;
    auto u = std::get<Update>(d.message);
    EXPECT_EQ(u, p);
    // RFC 7606 §5.1: one NLRI carrier per UPDATE.
    int carriers = !p.withdrawn.empty() + !p.nlri.empty() + !p.mp_nlri.empty() + !p.mp_withdrawn.empty();
    EXPECT_LE(carriers, 1);
    auto append = [](NlriList& to, const NlriList& from) {
      to.prefixes.insert(to.prefixes.end(), from.prefixes.begin(), from.prefixes.end());
      to.path_ids.insert(to.path_ids.end(), from.path_ids.begin(), from.path_ids.end());
    };
    append(merged.withdrawn, p.withdrawn);
    append(merged.nlri, p.nlri);
    append(merged.mp_nlri, p.mp_nlri);
    append(merged.mp_withdrawn, p.mp_withdrawn);
  }
  EXPECT_EQ(merged.withdrawn, in.withdrawn);
  EXPECT_EQ(merged.nlri, in.nlri);
  EXPECT_EQ(merged.mp_nlri, in.mp_nlri);
  EXPECT_EQ(merged.mp_withdrawn, in.mp_withdrawn);
}

TEST(SplitUpdate, PacksIpv4NlriUnderTheLimit) {
  Update u;
  u.attributes = attributes();
  u.nlri.prefixes = many_v4(5000);
  u.withdrawn.prefixes = many_v4(2000);
  CodecContext ctx;
  auto parts = split_update(u, ctx);
  check_parts(u, parts, ctx);
  EXPECT_EQ(parts.size(), 2u + 5u);  // 2000*4 and 5000*4 octets in ~4070-octet bodies
}

TEST(SplitUpdate, Ipv6WithAddPathAndExtendedMessages) {
  CodecContext ctx;
  ctx.add_path_send = ctx.add_path_receive = {AfiSafi::unicast(Family::ipv6)};
  Update u;
  u.attributes = attributes();
  u.attributes.next_hop = address("2001:db8::1");
  u.attributes.link_local_next_hop = address("fe80::1");
  u.mp_reach_family = AfiSafi::unicast(Family::ipv6);
  u.mp_unreach_family = AfiSafi::unicast(Family::ipv6);
  for (uint32_t i = 0; i < 3000; ++i) {
    std::array<uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8, uint8_t(i >> 8), uint8_t(i)};
    u.mp_nlri.prefixes.push_back(Prefix::make_masked(IpAddress::from_bytes(Family::ipv6, b), 48));
    u.mp_nlri.path_ids.push_back(i);
    u.mp_withdrawn.prefixes.push_back(Prefix::make_masked(IpAddress::from_bytes(Family::ipv6, b), 64));
    u.mp_withdrawn.path_ids.push_back(i + 1);
  }
  check_parts(u, split_update(u, ctx), ctx);
  ctx.extended_message = true;
  auto parts = split_update(u, ctx);
  check_parts(u, parts, ctx);
  EXPECT_EQ(parts.size(), 2u);
}

TEST(SplitUpdate, NothingToSplitIsReturnedAsIs) {
  auto eor = Update::end_of_rib(AfiSafi::unicast(Family::ipv6));
  auto parts = split_update(eor, {});
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0], eor);
}

TEST(SplitUpdate, AttributesTooLargeForAnyPrefixGiveNothing) {
  Update u;
  u.attributes = attributes();
  u.attributes.communities.assign(1100, 7);  // 4400 octets of communities
  u.nlri.prefixes = many_v4(1);
  EXPECT_TRUE(split_update(u, {}).empty());
}

// append_announcement / append_withdrawal write exactly the messages of
// split_update's parts, one after another.
std::vector<uint8_t> reference_bytes(const Update& u, const CodecContext& ctx) {
  std::vector<uint8_t> out;
  for (const Update& part : split_update(u, ctx)) {
    auto bytes = encode(part, ctx);
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

std::vector<Prefix> many_v6(size_t n, int length) {
  std::vector<Prefix> out;
  for (uint32_t i = 0; i < n; ++i) {
    std::array<uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8, uint8_t(i >> 8), uint8_t(i), 0, 0, uint8_t(i)};
    out.push_back(Prefix::make_masked(IpAddress::from_bytes(Family::ipv6, b), length));
  }
  return out;
}

std::vector<CodecContext> contexts() {
  std::vector<CodecContext> out(4);
  out[1].extended_message = true;
  out[2].four_octet_as = false;
  out[3].add_path_send = {AfiSafi::unicast(Family::ipv4), AfiSafi::unicast(Family::ipv6)};
  return out;
}

TEST(AppendUpdates, Ipv4AnnouncementIsSplitUpdatesEncoding) {
  for (const CodecContext& ctx : contexts())
    for (size_t count : {1u, 7u, 1100u, 5000u}) {
      Update u;
      u.attributes = attributes();
      u.attributes.as_path = AsPath{{{AsPathSegmentType::as_sequence, {65001, 4200000000u}}}};
      u.attributes.med = 10;
      u.nlri.prefixes = many_v4(count);
      std::vector<uint8_t> out{1, 2, 3};  // appended after what is there
      ASSERT_TRUE(append_announcement(u.attributes, Family::ipv4, u.nlri.prefixes, ctx, out));
      auto expected = reference_bytes(u, ctx);
      expected.insert(expected.begin(), {1, 2, 3});
      EXPECT_EQ(out, expected) << count << " prefixes";
    }
}

TEST(AppendUpdates, Ipv6AnnouncementIsSplitUpdatesEncoding) {
  for (const CodecContext& ctx : contexts())
    for (bool link_local : {false, true}) {
      Update u;
      u.attributes = attributes();
      u.attributes.next_hop = address("2001:db8::1");
      if (link_local) u.attributes.link_local_next_hop = address("fe80::1");
      u.mp_reach_family = AfiSafi::unicast(Family::ipv6);
      u.mp_nlri.prefixes = many_v6(3000, 48);
      std::vector<uint8_t> out;
      ASSERT_TRUE(append_announcement(u.attributes, Family::ipv6, u.mp_nlri.prefixes, ctx, out));
      EXPECT_EQ(out, reference_bytes(u, ctx));
    }
}

TEST(AppendUpdates, WithdrawalsAreSplitUpdatesEncoding) {
  for (const CodecContext& ctx : contexts()) {
    Update v4;
    v4.withdrawn.prefixes = many_v4(2500);
    std::vector<uint8_t> out;
    ASSERT_TRUE(append_withdrawal(Family::ipv4, v4.withdrawn.prefixes, ctx, out));
    EXPECT_EQ(out, reference_bytes(v4, ctx));

    Update v6;
    v6.mp_unreach_family = AfiSafi::unicast(Family::ipv6);
    v6.mp_withdrawn.prefixes = many_v6(2500, 64);
    out.clear();
    ASSERT_TRUE(append_withdrawal(Family::ipv6, v6.mp_withdrawn.prefixes, ctx, out));
    EXPECT_EQ(out, reference_bytes(v6, ctx));
  }
}

TEST(AppendUpdates, AttributesTooLargeForAnyPrefixWriteNothing) {
  PathAttributes a = attributes();
  a.communities.assign(1100, 7);
  std::vector<uint8_t> out;
  EXPECT_FALSE(append_announcement(a, Family::ipv4, many_v4(1), {}, out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(append_announcement(a, Family::ipv4, {}, {}, out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace halink::bgp
