#include <gtest/gtest.h>

#include "bgp/wire/codec.h"
#include "test_util.h"

namespace halink::bgp {
namespace {

OpenMessage full_open() {
  OpenMessage o;
  o.my_as = as_trans;
  o.hold_time = 90;
  o.bgp_identifier = 0x0A000001;
  auto& c = o.capabilities;
  c.multiprotocol = {AfiSafi::unicast(Family::ipv4), AfiSafi::unicast(Family::ipv6)};
  c.four_octet_as = 4200000001u;
  c.route_refresh = true;
  c.enhanced_route_refresh = true;
  c.extended_message = true;
  c.graceful_restart = GracefulRestart{true, true, 120, {{AfiSafi::unicast(Family::ipv4), true}, {AfiSafi::unicast(Family::ipv6), false}}};
  c.add_path = {{AfiSafi::unicast(Family::ipv4), true, true}, {AfiSafi::unicast(Family::ipv6), true, false}};
  c.hostname = "edge1";
  c.domain_name = "example.net";
  c.unknown = {{9, {1}}, {128, {}}};
  return o;
}

TEST(OpenCodec, RoundTripsEveryCapability) {
  auto o = full_open();
  auto bytes = encode(o);
  auto d = test::decode_whole(bytes);
  ASSERT_EQ(d.action, ErrorAction::none) << (d.problems.empty() ? "" : d.problems[0].reason);
  EXPECT_EQ(std::get<OpenMessage>(d.message), o);
  EXPECT_EQ(std::get<OpenMessage>(d.message).effective_as(), 4200000001u);
}

TEST(OpenCodec, ExtendedOptionalParametersWhenLongerThan255) {
  auto o = full_open();
  o.capabilities.unknown.push_back({200, std::vector<uint8_t>(250, 0xAB)});
  auto bytes = encode(o);
  ASSERT_GT(bytes.size(), 19u + 10u + 255u);
  EXPECT_EQ(bytes[28], 255);  // RFC 9072: Non-Ext OP Len
  EXPECT_EQ(bytes[29], 255);  // Non-Ext OP Type
  auto d = test::decode_whole(bytes);
  ASSERT_EQ(d.action, ErrorAction::none);
  EXPECT_EQ(std::get<OpenMessage>(d.message), o);
}

TEST(OpenCodec, SeveralCapabilityParametersAndSeveralCapabilitiesPerParameter) {
  // ExaBGP style: one capability per parameter; then one parameter with two.
  auto one_per_param = test::message(1,
      "04 FDE8 00B4 0A000001 0E"
      "02 06 01 04 0001 0001"   // MP ipv4 unicast
      "02 02 02 00"             // route refresh
      "02 00");                 // empty capabilities parameter
  auto d = test::decode_whole(one_per_param);
  ASSERT_EQ(d.action, ErrorAction::none);
  EXPECT_EQ(std::get<OpenMessage>(d.message).capabilities.multiprotocol.size(), 1u);
  EXPECT_TRUE(std::get<OpenMessage>(d.message).capabilities.route_refresh);
  auto two_in_one = test::message(1, "04 FDE8 00B4 0A000001 0E 02 0C 01 04 0002 0001 41 04 0000FDE8");
  d = test::decode_whole(two_in_one);
  ASSERT_EQ(d.action, ErrorAction::none);
  auto o = std::get<OpenMessage>(d.message);
  EXPECT_EQ(o.capabilities.multiprotocol[0], AfiSafi::unicast(Family::ipv6));
  EXPECT_EQ(o.capabilities.four_octet_as, 65000u);
}

TEST(OpenCodec, HostnameFromExaBgpVector) {
  auto bytes = test::from_hex(
      "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF005501"
      "04FFFD00B40A000002380206010400010001020641040000FFFD02020600022249200C6D792D686F73742D6E616D65126D792D646F6D"
      "61696E2D6E616D652E636F6D");
  auto d = test::decode_whole(bytes);
  ASSERT_EQ(d.action, ErrorAction::none);
  auto o = std::get<OpenMessage>(d.message);
  EXPECT_EQ(o.capabilities.hostname, "my-host-name");
  EXPECT_EQ(o.capabilities.domain_name, "my-domain-name.com");
  EXPECT_TRUE(o.capabilities.extended_message);
  EXPECT_FALSE(o.capabilities.route_refresh);
  EXPECT_EQ(o.capabilities.four_octet_as, 65533u);
}

TEST(OpenCodec, LongNamesAreCutToFitTheCapability) {
  OpenMessage o = full_open();
  o.capabilities.hostname = std::string(200, 'h');
  o.capabilities.domain_name = std::string(200, 'd');
  auto d = test::decode_whole(encode(o));
  ASSERT_EQ(d.action, ErrorAction::none);
  const auto& caps = std::get<OpenMessage>(d.message).capabilities;
  EXPECT_EQ(caps.hostname, std::string(200, 'h'));
  EXPECT_EQ(caps.domain_name, std::string(53, 'd'));
}

TEST(OpenCodec, Rejections) {
  auto o = full_open();
  o.version = 3;
  auto d = test::decode_whole(encode(o));
  ASSERT_EQ(d.action, ErrorAction::session_reset);
  EXPECT_EQ(*d.reset, (Notification{2, 1, {0, 4}}));

  o = full_open();
  o.hold_time = 2;
  d = test::decode_whole(encode(o));
  EXPECT_EQ(d.reset->subcode, open_subcode::unacceptable_hold_time);

  o = full_open();
  o.bgp_identifier = 0;
  d = test::decode_whole(encode(o));
  EXPECT_EQ(d.reset->subcode, open_subcode::bad_bgp_identifier);

  o = full_open();
  o.other_parameters.push_back({1, {0xAA}});
  d = test::decode_whole(encode(o));
  EXPECT_EQ(d.reset->subcode, open_subcode::unsupported_optional_parameter);
  EXPECT_EQ(std::get<OpenMessage>(d.message).other_parameters.size(), 1u);
}

}  // namespace
}  // namespace halink::bgp
