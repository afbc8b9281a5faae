#include <gtest/gtest.h>

#include "bgp/wire/codec.h"
#include "bgp/wire/update_codec.h"
#include "test_util.h"

namespace halink::bgp {
namespace {

using test::address;
using test::prefix;

PathAttributes rich_attributes() {
  PathAttributes a;
  a.origin = Origin::egp;
  a.as_path = AsPath{{{AsPathSegmentType::confed_sequence, {65010}},
                      {AsPathSegmentType::as_sequence, {65001, 4200000000u, 65002}},
                      {AsPathSegmentType::as_set, {65003, 65004}}}};
  a.med = 50;
  a.local_pref = 200;
  a.atomic_aggregate = true;
  a.aggregator = Aggregator{4200000000u, address("192.0.2.9")};
  a.communities = {community::no_export, 65000u << 16 | 1};
  a.extended_communities = {0x0002FDE800000064ULL};
  a.large_communities = {{65000, 1, 2}, {65000, 3, 4}};
  a.originator_id = 0x0A000009;
  a.cluster_list = {0x0A000001, 0x0A000002};
  a.unknown = {{attr_flag::optional | attr_flag::transitive | attr_flag::partial, 35, {0, 0, 0xFD, 0xE8}},
               {attr_flag::optional | attr_flag::transitive | attr_flag::partial, 99, std::vector<uint8_t>(300, 7)}};
  return a;
}

CodecContext ibgp() {
  CodecContext c;
  c.ibgp = true;
  return c;
}

Decoded round_trip(const Update& u, const CodecContext& ctx) {
  auto bytes = encode(u, ctx);
  EXPECT_EQ(bytes.size(), encoded_size(u, ctx));
  return test::decode_whole(bytes, ctx);
}

TEST(UpdateCodec, Ipv4RoundTripEveryAttribute) {
  Update u;
  u.withdrawn.prefixes = {prefix("10.9.0.0/16"), prefix("0.0.0.0/0")};
  u.attributes = rich_attributes();
  u.attributes.next_hop = address("192.0.2.1");
  u.nlri.prefixes = {prefix("10.0.0.0/8"), prefix("10.1.2.0/24"), prefix("10.1.2.3/32"), prefix("10.128.0.0/9")};
  auto d = round_trip(u, ibgp());
  ASSERT_EQ(d.action, ErrorAction::none) << d.problems[0].reason;
  EXPECT_EQ(std::get<Update>(d.message), u);
}

TEST(UpdateCodec, Ipv6RoundTripWithLinkLocal) {
  Update u;
  u.attributes = rich_attributes();
  u.attributes.next_hop = address("2001:db8::1");
  u.attributes.link_local_next_hop = address("fe80::1");
  u.mp_reach_family = AfiSafi::unicast(Family::ipv6);
  u.mp_nlri.prefixes = {prefix("2001:db8::/32"), prefix("2001:db8:1:2::/64"), prefix("::/0"), prefix("2001:db8::1/128")};
  auto d = round_trip(u, ibgp());
  ASSERT_EQ(d.action, ErrorAction::none) << d.problems[0].reason;
  EXPECT_EQ(std::get<Update>(d.message), u);

  Update w;
  w.mp_unreach_family = AfiSafi::unicast(Family::ipv6);
  w.mp_withdrawn.prefixes = {prefix("2001:db8::/48")};
  d = round_trip(w, ibgp());
  ASSERT_EQ(d.action, ErrorAction::none);
  EXPECT_EQ(std::get<Update>(d.message), w);
}

TEST(UpdateCodec, Ipv4ViaMpReachAndExtendedNextHop) {
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{};
  u.attributes.next_hop = address("2001:db8::7");  // RFC 8950
  u.mp_reach_family = AfiSafi::unicast(Family::ipv4);
  u.mp_nlri.prefixes = {prefix("192.0.2.0/24")};
  auto d = round_trip(u, {});
  ASSERT_EQ(d.action, ErrorAction::none);
  EXPECT_EQ(std::get<Update>(d.message), u);
}

TEST(UpdateCodec, AddPathIdsBothFamilies) {
  CodecContext ctx;
  ctx.add_path_receive = ctx.add_path_send = {AfiSafi::unicast(Family::ipv4), AfiSafi::unicast(Family::ipv6)};
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{{{AsPathSegmentType::as_sequence, {1}}}};
  u.attributes.next_hop = address("192.0.2.1");
  u.nlri = {{prefix("10.0.0.0/8"), prefix("10.0.0.0/8")}, {1, 2}};
  u.withdrawn = {{prefix("10.1.0.0/16")}, {7}};
  auto d = round_trip(u, ctx);
  ASSERT_EQ(d.action, ErrorAction::none);
  EXPECT_EQ(std::get<Update>(d.message), u);

  Update v;
  v.mp_unreach_family = AfiSafi::unicast(Family::ipv6);
  v.mp_withdrawn = {{prefix("2001:db8::/32")}, {0xFFFFFFFF}};
  d = round_trip(v, ctx);
  ASSERT_EQ(d.action, ErrorAction::none);
  EXPECT_EQ(std::get<Update>(d.message), v);
}

TEST(UpdateCodec, TwoOctetPeerGetsAsTransAndAs4Attributes) {
  CodecContext old_peer;
  old_peer.four_octet_as = false;
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{{{AsPathSegmentType::as_sequence, {65001, 4200000000u, 65002, 4200000001u}}}};
  u.attributes.aggregator = Aggregator{4200000002u, address("192.0.2.2")};
  u.attributes.next_hop = address("192.0.2.1");
  u.nlri.prefixes = {prefix("10.0.0.0/8")};
  auto bytes = encode(u, old_peer);
  // AS_PATH carries AS_TRANS (0x5BA0) where the ASN needs four octets.
  EXPECT_NE(test::to_hex(bytes).find("40020a0204fde95ba0fdea5ba0"), std::string::npos) << test::to_hex(bytes);
  auto d = test::decode_whole(bytes, old_peer);
  ASSERT_EQ(d.action, ErrorAction::none);
  EXPECT_EQ(std::get<Update>(d.message), u);  // merged back (RFC 6793 §4.2.3)
}

TEST(UpdateCodec, As4PathMergeKeepsLeadingAsesAddedByOldSpeakers) {
  // AS_PATH from an OLD speaker: 65100 prepended after AS4_PATH was built.
  CodecContext old_peer;
  old_peer.four_octet_as = false;
  auto bytes = test::update_message("",
                                    "40 01 01 00"
                                    "40 02 08 02 03 FE4C 5BA0 FDE9"
                                    "40 03 04 C0000201"
                                    "C0 11 0A 02 02 FA56EA00 0000FDE9",
                                    "08 0A");
  auto d = test::decode_whole(bytes, old_peer);
  ASSERT_EQ(d.action, ErrorAction::none) << d.problems[0].reason;
  auto u = std::get<Update>(d.message);
  EXPECT_EQ(u.attributes.as_path->to_string(), "65100 4200000000 65001");

  // AS4_PATH longer than AS_PATH is ignored.
  bytes = test::update_message("",
                               "40 01 01 00"
                               "40 02 04 02 01 5BA0"
                               "40 03 04 C0000201"
                               "C0 11 0E 02 03 FA56EA00 0000FDE9 0000FDEA",
                               "08 0A");
  d = test::decode_whole(bytes, old_peer);
  ASSERT_EQ(d.action, ErrorAction::none) << d.problems[0].reason;
  EXPECT_EQ(std::get<Update>(d.message).attributes.as_path->to_string(), "23456");
}

TEST(UpdateCodec, EndOfRibBothFamilies) {
  for (auto f : {Family::ipv4, Family::ipv6}) {
    auto eor = Update::end_of_rib(AfiSafi::unicast(f));
    auto d = round_trip(eor, {});
    ASSERT_EQ(d.action, ErrorAction::none);
    auto u = std::get<Update>(d.message);
    EXPECT_EQ(u.end_of_rib_family(), AfiSafi::unicast(f));
  }
  EXPECT_EQ(encode(Update::end_of_rib(AfiSafi::unicast(Family::ipv4)), {}).size(), 23u);
  Update not_eor;
  not_eor.nlri.prefixes = {prefix("10.0.0.0/8")};
  EXPECT_FALSE(not_eor.end_of_rib_family());
}

TEST(UpdateCodec, UnknownTransitiveGetsPartialUnknownNonTransitiveDropped) {
  auto bytes = test::update_message("",
                                    "40 01 01 00  40 02 00  40 03 04 C0000201"
                                    "C0 63 01 AA"   // optional transitive 99
                                    "80 64 01 BB",  // optional non-transitive 100
                                    "08 0A");
  auto d = test::decode_whole(bytes);
  ASSERT_EQ(d.action, ErrorAction::none) << d.problems[0].reason;
  auto u = std::get<Update>(d.message);
  ASSERT_EQ(u.attributes.unknown.size(), 1u);
  EXPECT_EQ(u.attributes.unknown[0].type, 99);
  auto again = test::to_hex(encode(u, {}));
  EXPECT_NE(again.find("e06301aa"), std::string::npos) << again;  // Partial set
  EXPECT_EQ(again.find("806401bb"), std::string::npos);
}

TEST(UpdateCodec, OtherFamiliesAreUnsupportedNotErrors) {
  // Flowspec (AFI 1, SAFI 133) MP_REACH with no next hop.
  auto bytes = test::update_message("", "40 01 01 00  40 02 00  80 0E 0E 0001 85 00 00 09 0118 0A0000 0381 06", "");
  auto d = test::decode_whole(bytes);
  ASSERT_EQ(d.action, ErrorAction::none) << d.problems[0].reason;
  auto u = std::get<Update>(d.message);
  ASSERT_EQ(u.unsupported.size(), 1u);
  EXPECT_EQ(u.unsupported[0].afi_safi, (AfiSafi{1, 133}));
  EXPECT_EQ(u.unsupported[0].afi_safi.to_string(), "afi 1 safi 133");
  EXPECT_TRUE(u.unsupported[0].reach);
  auto again = test::decode_whole(encode(u, {}));
  EXPECT_EQ(std::get<Update>(again.message), u);
}

TEST(UpdateCodec, ExtendedMessageCarriesLargeUpdates) {
  CodecContext ctx;
  ctx.extended_message = true;
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{};
  u.attributes.next_hop = address("192.0.2.1");
  for (uint32_t i = 0; i < 3000; ++i) u.nlri.prefixes.push_back(Prefix::make_masked(IpAddress::v4(0x0A000000 | i << 8), 24));
  auto bytes = encode(u, ctx);
  ASSERT_GT(bytes.size(), max_message_size);
  auto d = test::decode_whole(bytes, ctx);
  ASSERT_EQ(d.action, ErrorAction::none);
  EXPECT_EQ(std::get<Update>(d.message), u);
  // Without the capability the frame is too long (RFC 4271 §6.1).
  d = test::decode_whole(bytes, {});
  EXPECT_EQ(d.reset->subcode, header_subcode::bad_message_length);
}

}  // namespace
}  // namespace halink::bgp
