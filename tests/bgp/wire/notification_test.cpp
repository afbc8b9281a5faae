#include <gtest/gtest.h>

#include "bgp/wire/codec.h"
#include "test_util.h"

namespace halink::bgp {
namespace {

TEST(Notification, ShutdownCommunicationRoundTrip) {
  auto n = Notification::cease(cease_subcode::administrative_shutdown, "maintenance");
  EXPECT_EQ(n.data.size(), 12u);
  EXPECT_EQ(n.shutdown_communication(), "maintenance");
  EXPECT_EQ(n.describe(), "Cease / Administrative Shutdown: \"maintenance\"");
  auto bytes = encode(n);
  auto d = test::decode_whole(bytes);
  ASSERT_EQ(d.action, ErrorAction::none);
  EXPECT_EQ(std::get<Notification>(d.message), n);
}

TEST(Notification, ShutdownCommunicationTruncatedAtUtf8Boundary) {
  std::string long_text;
  for (int i = 0; i < 200; ++i) long_text += "\xC3\xA9";  // 400 octets of 'é'
  auto n = Notification::cease(cease_subcode::administrative_reset, long_text);
  ASSERT_EQ(n.data[0], 254);  // 127 whole characters
  EXPECT_TRUE(n.shutdown_communication().has_value());
}

TEST(Notification, InvalidShutdownCommunicationIsNotShown) {
  Notification bad{error_code::cease, cease_subcode::administrative_shutdown, {5, 'a', 'b'}};  // length beyond data
  EXPECT_FALSE(bad.shutdown_communication());
  Notification not_utf8{error_code::cease, cease_subcode::administrative_shutdown, {2, 0xC3, 0x28}};
  EXPECT_FALSE(not_utf8.shutdown_communication());
  EXPECT_FALSE(Notification::cease(cease_subcode::peer_deconfigured, "x").shutdown_communication());
  EXPECT_TRUE(Notification::cease(cease_subcode::peer_deconfigured, "x").data.empty());
}

TEST(Notification, Describe) {
  Notification n{error_code::update_message, update_subcode::malformed_as_path, {0x02, 0x03}};
  EXPECT_EQ(n.describe(), "UPDATE Message Error / Malformed AS_PATH (data 0203)");
  EXPECT_EQ((Notification{error_code::hold_timer_expired, 0, {}}.describe()), "Hold Timer Expired / Unspecific");
  EXPECT_EQ((Notification{9, 9, {}}.describe()), "Unknown Error / subcode 9");
}

TEST(Notification, EveryCodeAndSubcodeIsNamed) {
  const std::pair<uint8_t, uint8_t> ranges[] = {{1, 3}, {2, 11}, {3, 11}, {5, 3}, {6, 10}, {7, 1}};
  for (auto [code, last] : ranges)
    for (uint8_t sub = 1; sub <= last; ++sub)
      EXPECT_STRNE(error_subcode_name(code, sub), "") << int(code) << "/" << int(sub);
  EXPECT_STREQ(error_subcode_name(error_code::cease, cease_subcode::bfd_down), "BFD Down");
  EXPECT_STREQ(error_subcode_name(error_code::cease, cease_subcode::hard_reset), "Hard Reset");
  EXPECT_STREQ(error_subcode_name(error_code::open_message, open_subcode::role_mismatch), "Role Mismatch");
  EXPECT_STREQ(error_subcode_name(error_code::fsm, 2), "Receive Unexpected Message in OpenConfirm State");
  EXPECT_STREQ(error_subcode_name(error_code::cease, 99), "");
  EXPECT_STREQ(error_code_name(error_code::route_refresh), "ROUTE-REFRESH Message Error");
  EXPECT_STREQ(message_type_name(5), "ROUTE-REFRESH");
  EXPECT_STREQ(error_action_name(ErrorAction::treat_as_withdraw), "treat-as-withdraw");
}

TEST(Keepalive, RoundTrip) {
  auto bytes = encode(Keepalive{});
  EXPECT_EQ(bytes.size(), 19u);
  auto d = test::decode_whole(bytes);
  EXPECT_TRUE(std::holds_alternative<Keepalive>(d.message));
  EXPECT_EQ(d.action, ErrorAction::none);
}

TEST(RouteRefresh, RoundTripAllSubtypes) {
  for (uint8_t sub : {RouteRefresh::normal, RouteRefresh::begin_of_rib, RouteRefresh::end_of_rib}) {
    RouteRefresh rr{AfiSafi::unicast(Family::ipv6), sub};
    auto d = test::decode_whole(encode(rr));
    ASSERT_EQ(d.action, ErrorAction::none);
    EXPECT_EQ(std::get<RouteRefresh>(d.message), rr);
  }
  EXPECT_EQ(test::to_hex(encode(RouteRefresh{AfiSafi::unicast(Family::ipv4), RouteRefresh::begin_of_rib})),
            "ffffffffffffffffffffffffffffffff00170500010101");
}

}  // namespace
}  // namespace halink::bgp
