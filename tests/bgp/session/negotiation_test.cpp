// OPEN validation (RFC 4271 §6.2, RFC 6286, RFC 6793, RFC 5492) and
// capability negotiation.
#include "bgp/session/negotiation.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace halink::bgp {
namespace {

using testing::local_config;
using testing::peer_open;
using testing::remote_config;

const OpenRejection* rejected(const std::variant<Negotiated, OpenRejection>& outcome) {
  return std::get_if<OpenRejection>(&outcome);
}

void expect_open_error(const std::variant<Negotiated, OpenRejection>& outcome, uint8_t subcode) {
  const OpenRejection* r = rejected(outcome);
  ASSERT_NE(r, nullptr) << "OPEN was accepted";
  EXPECT_EQ(r->notification.code, error_code::open_message);
  EXPECT_EQ(r->notification.subcode, subcode) << r->reason;
  EXPECT_FALSE(r->reason.empty());
}

TEST(BuildOpen, TwoOctetAndFourOctetLocalAs) {
  SessionConfig c = local_config();
  OpenMessage o = build_open(c);
  EXPECT_EQ(o.version, 4);
  EXPECT_EQ(o.my_as, 65001);
  EXPECT_EQ(o.hold_time, 90);
  EXPECT_EQ(o.bgp_identifier, testing::local_id);
  EXPECT_EQ(o.capabilities.four_octet_as, 65001u);
  EXPECT_TRUE(o.capabilities.route_refresh);
  EXPECT_FALSE(o.capabilities.graceful_restart.has_value());  // off by default
  ASSERT_EQ(o.capabilities.multiprotocol.size(), 1u);

  c.local_as = 4200000001;
  o = build_open(c);
  EXPECT_EQ(o.my_as, as_trans);  // RFC 6793 §4.1
  EXPECT_EQ(o.capabilities.four_octet_as, 4200000001u);
}

TEST(Negotiate, AcceptsAMatchingPeer) {
  SessionConfig c = local_config();
  auto outcome = negotiate(c, build_open(c), peer_open(30));
  ASSERT_TRUE(std::holds_alternative<Negotiated>(outcome));
  const Negotiated& n = std::get<Negotiated>(outcome);
  EXPECT_EQ(n.remote_as, 65002u);
  EXPECT_EQ(n.remote_id, testing::remote_id);
  EXPECT_EQ(n.hold_time, Duration::seconds(30));  // smaller of 90 and 30
  EXPECT_EQ(n.keepalive_time, Duration::seconds(10));
  EXPECT_TRUE(n.four_octet_as);
  EXPECT_TRUE(n.route_refresh);
  EXPECT_TRUE(n.enhanced_route_refresh);
  EXPECT_TRUE(n.extended_message);
  EXPECT_TRUE(n.codec.four_octet_as);
  EXPECT_TRUE(n.codec.extended_message);
  EXPECT_FALSE(n.codec.ibgp);
  EXPECT_EQ(n.codec.max_size(), extended_max_message_size);
  EXPECT_EQ(n.families, std::vector<AfiSafi>{AfiSafi::unicast(Family::ipv4)});
  EXPECT_NE(n.to_string().find("hold 30"), std::string::npos) << n.to_string();
}

TEST(Negotiate, HoldTimeZeroDisablesKeepalives) {
  SessionConfig c = local_config();
  auto outcome = negotiate(c, build_open(c), peer_open(0));
  ASSERT_TRUE(std::holds_alternative<Negotiated>(outcome));
  EXPECT_TRUE(std::get<Negotiated>(outcome).hold_time.is_zero());
  EXPECT_TRUE(std::get<Negotiated>(outcome).keepalive_time.is_zero());
}

TEST(Negotiate, ConfiguredKeepaliveIsUsedButNeverAboveAThirdOfHold) {
  SessionConfig c = local_config();
  c.keepalive = Duration::seconds(5);
  EXPECT_EQ(std::get<Negotiated>(negotiate(c, build_open(c), peer_open(90))).keepalive_time, Duration::seconds(5));
  c.keepalive = Duration::seconds(60);
  EXPECT_EQ(std::get<Negotiated>(negotiate(c, build_open(c), peer_open(9))).keepalive_time, Duration::seconds(3));
}

TEST(Negotiate, UnsupportedVersion) {
  SessionConfig c = local_config();
  OpenMessage o = peer_open();
  o.version = 3;
  auto outcome = negotiate(c, build_open(c), o);
  expect_open_error(outcome, open_subcode::unsupported_version);
  EXPECT_EQ(rejected(outcome)->notification.data, (std::vector<uint8_t>{0, 4}));  // largest version we support
}

TEST(Negotiate, BadPeerAs) {
  SessionConfig c = local_config();
  OpenMessage o = peer_open();
  o.my_as = 65003;
  o.capabilities.four_octet_as = 65003;
  expect_open_error(negotiate(c, build_open(c), o), open_subcode::bad_peer_as);

  o = peer_open();
  o.my_as = 0;  // RFC 7607
  expect_open_error(negotiate(c, build_open(c), o), open_subcode::bad_peer_as);

  o = peer_open();
  o.capabilities.four_octet_as = as_trans;  // RFC 6793: AS_TRANS is no real AS
  expect_open_error(negotiate(c, build_open(c), o), open_subcode::bad_peer_as);
}

TEST(Negotiate, FourOctetPeerAsComesFromTheCapability) {
  SessionConfig c = local_config();
  c.remote_as = 4200000002;
  OpenMessage o = peer_open();
  o.my_as = as_trans;
  o.capabilities.four_octet_as = 4200000002;
  auto outcome = negotiate(c, build_open(c), o);
  ASSERT_TRUE(std::holds_alternative<Negotiated>(outcome));
  EXPECT_EQ(std::get<Negotiated>(outcome).remote_as, 4200000002u);

  // A 2-octet speaker in a 4-octet AS can only say AS_TRANS: not the configured AS.
  o.capabilities.four_octet_as.reset();
  auto refused = negotiate(c, build_open(c), o);
  expect_open_error(refused, open_subcode::bad_peer_as);
  EXPECT_NE(rejected(refused)->reason.find("AS_TRANS"), std::string::npos) << rejected(refused)->reason;
}

TEST(Negotiate, WithoutOurFourOctetCapabilityThePeerIsSeenAsTwoOctet) {
  SessionConfig c = local_config();
  c.four_octet_as = false;
  c.remote_as = as_trans;
  OpenMessage o = peer_open();
  o.my_as = as_trans;
  o.capabilities.four_octet_as = 4200000002;
  auto outcome = negotiate(c, build_open(c), o);
  ASSERT_TRUE(std::holds_alternative<Negotiated>(outcome));
  EXPECT_FALSE(std::get<Negotiated>(outcome).four_octet_as);
  EXPECT_FALSE(std::get<Negotiated>(outcome).codec.four_octet_as);
}

TEST(Negotiate, BadBgpIdentifier) {
  SessionConfig c = local_config();
  OpenMessage o = peer_open();
  o.bgp_identifier = 0;
  expect_open_error(negotiate(c, build_open(c), o), open_subcode::bad_bgp_identifier);
}

TEST(Negotiate, OwnIdentifierIsRefusedForIbgpOnly) {
  // RFC 6286 §2.2: two eBGP speakers may share an identifier.
  SessionConfig c = local_config();
  OpenMessage o = peer_open();
  o.bgp_identifier = testing::local_id;
  EXPECT_TRUE(std::holds_alternative<Negotiated>(negotiate(c, build_open(c), o)));

  c.remote_as = 65001;
  o.my_as = 65001;
  o.capabilities.four_octet_as = 65001;
  expect_open_error(negotiate(c, build_open(c), o), open_subcode::bad_bgp_identifier);
  o.bgp_identifier = testing::remote_id;
  auto ibgp = negotiate(c, build_open(c), o);
  ASSERT_TRUE(std::holds_alternative<Negotiated>(ibgp));
  EXPECT_TRUE(std::get<Negotiated>(ibgp).codec.ibgp);
}

TEST(Negotiate, UnacceptableHoldTime) {
  SessionConfig c = local_config();
  expect_open_error(negotiate(c, build_open(c), peer_open(1)), open_subcode::unacceptable_hold_time);
  expect_open_error(negotiate(c, build_open(c), peer_open(2)), open_subcode::unacceptable_hold_time);
  EXPECT_TRUE(std::holds_alternative<Negotiated>(negotiate(c, build_open(c), peer_open(3))));

  c.min_hold_time = Duration::seconds(9);
  expect_open_error(negotiate(c, build_open(c), peer_open(6)), open_subcode::unacceptable_hold_time);
  expect_open_error(negotiate(c, build_open(c), peer_open(0)), open_subcode::unacceptable_hold_time);
  EXPECT_TRUE(std::holds_alternative<Negotiated>(negotiate(c, build_open(c), peer_open(9))));
}

TEST(Negotiate, UnsupportedOptionalParameter) {
  SessionConfig c = local_config();
  OpenMessage o = peer_open();
  o.other_parameters.push_back({1, {0, 0}});  // type 1: deprecated authentication
  expect_open_error(negotiate(c, build_open(c), o), open_subcode::unsupported_optional_parameter);
}

TEST(Negotiate, RequiredCapabilityMissing) {
  SessionConfig c = local_config();
  c.required_capabilities = {capability_code::four_octet_as, capability_code::route_refresh};
  OpenMessage o = peer_open();
  EXPECT_TRUE(std::holds_alternative<Negotiated>(negotiate(c, build_open(c), o)));
  o.capabilities.route_refresh = false;
  auto outcome = negotiate(c, build_open(c), o);
  expect_open_error(outcome, open_subcode::unsupported_capability);
  // RFC 5492 §3: the Data field names the missing capability.
  EXPECT_EQ(rejected(outcome)->notification.data, (std::vector<uint8_t>{capability_code::route_refresh, 0}));
}

TEST(Negotiate, FamiliesBothSidesAnnounced) {
  SessionConfig c = local_config();
  c.families = {AfiSafi::unicast(Family::ipv4), AfiSafi::unicast(Family::ipv6)};
  OpenMessage o = peer_open();
  o.capabilities.multiprotocol = {AfiSafi::unicast(Family::ipv6), AfiSafi{25, 70}};
  auto n = std::get<Negotiated>(negotiate(c, build_open(c), o));
  EXPECT_EQ(n.families, std::vector<AfiSafi>{AfiSafi::unicast(Family::ipv6)});
  EXPECT_TRUE(n.has_family(AfiSafi::unicast(Family::ipv6)));
  EXPECT_FALSE(n.has_family(AfiSafi::unicast(Family::ipv4)));
}

TEST(Negotiate, NoMultiprotocolCapabilityMeansIpv4Unicast) {
  // RFC 4760 §1: a speaker without Multiprotocol capabilities does IPv4 unicast.
  SessionConfig c = local_config();
  c.families = {AfiSafi::unicast(Family::ipv4), AfiSafi::unicast(Family::ipv6)};
  OpenMessage o = peer_open();
  o.capabilities.multiprotocol.clear();
  auto n = std::get<Negotiated>(negotiate(c, build_open(c), o));
  EXPECT_EQ(n.families, std::vector<AfiSafi>{AfiSafi::unicast(Family::ipv4)});
}

TEST(Negotiate, OptionalCapabilitiesNeedBothSides) {
  SessionConfig c = local_config();
  c.extended_message = false;
  OpenMessage o = peer_open();
  o.capabilities.enhanced_route_refresh = false;
  auto n = std::get<Negotiated>(negotiate(c, build_open(c), o));
  EXPECT_FALSE(n.extended_message);
  EXPECT_EQ(n.codec.max_size(), max_message_size);
  EXPECT_FALSE(n.enhanced_route_refresh);
  EXPECT_TRUE(n.route_refresh);
}

TEST(Negotiate, AddPathPerFamilyAndDirection) {
  SessionConfig c = local_config();
  AfiSafi v4 = AfiSafi::unicast(Family::ipv4);
  c.add_path = {AddPath{v4, true, true}};
  OpenMessage o = peer_open();
  o.capabilities.add_path = {AddPath{v4, false, true}};  // the peer only sends
  auto n = std::get<Negotiated>(negotiate(c, build_open(c), o));
  ASSERT_EQ(n.add_path.size(), 1u);
  EXPECT_TRUE(n.add_path[0].receive);
  EXPECT_FALSE(n.add_path[0].send);
  EXPECT_EQ(n.codec.add_path_receive, std::vector<AfiSafi>{v4});
  EXPECT_TRUE(n.codec.add_path_send.empty());
}

TEST(Negotiate, GracefulRestartOnlyWhenBothAnnounce) {
  SessionConfig c = local_config();
  OpenMessage o = peer_open();
  o.capabilities.graceful_restart = GracefulRestart{false, false, 120, {}};
  EXPECT_FALSE(std::get<Negotiated>(negotiate(c, build_open(c), o)).peer_graceful_restart.has_value());
  c.graceful_restart = GracefulRestart{false, false, 60, {}};
  EXPECT_EQ(std::get<Negotiated>(negotiate(c, build_open(c), o)).peer_graceful_restart->restart_time, 120);
}

TEST(SessionConfigValidate, RefusesWhatTheRfcsForbid) {
  EXPECT_TRUE(local_config().validate().ok());
  SessionConfig c = local_config();
  c.hold_time = Duration::seconds(2);
  EXPECT_FALSE(c.validate().ok());
  c = local_config();
  c.router_id = 0;
  EXPECT_FALSE(c.validate().ok());
  c = local_config();
  c.local_as = 4200000001;
  c.four_octet_as = false;
  EXPECT_FALSE(c.validate().ok());
  c = local_config();
  c.min_hold_time = Duration::seconds(120);
  EXPECT_FALSE(c.validate().ok());
  c = local_config();
  c.idle_hold.maximum = Duration::zero();
  EXPECT_FALSE(c.validate().ok());
  c = local_config();
  c.hold_time = Duration::zero();
  EXPECT_TRUE(c.validate().ok());
}

}  // namespace
}  // namespace halink::bgp
