// The RFC 4271 §8 state machine of one Session, driven by hand: every
// transition of the table in session.h, every error path, the back-off.
#include <gtest/gtest.h>

#include <memory>

#include "bgp/session/session.h"
#include "test_support.h"

namespace halink::bgp {
namespace {

using namespace halink::bgp::testing;

class SessionFsm : public ::testing::Test {
protected:
  SessionConfig config = local_config();
  std::unique_ptr<Session> s;
  std::vector<SessionAction> actions;
  Time now = Time::zero();

  Session& make() {
    s = std::make_unique<Session>(config, no_jitter());
    return *s;
  }
  const std::vector<SessionAction>& drain() {
    actions = s->take_actions();
    return actions;
  }
  void feed(ConnectionId id, const std::vector<uint8_t>& bytes) {
    s->on_bytes(now, id, bytes);
    drain();
  }
  void advance_to(Time t) {
    now = t;
    s->on_timer(now);
    drain();
  }
  void advance_to_deadline() { advance_to(s->next_deadline()); }

  // The NOTIFICATIONs sent on `id` in the last drained actions.
  std::vector<Notification> notifications(ConnectionId id) {
    std::vector<Notification> out;
    for (const Message& m : sent_messages(actions, id))
      if (auto* n = std::get_if<Notification>(&m)) out.push_back(*n);
    return out;
  }
  bool closed(ConnectionId id) {
    for (const auto& c : all_of<session::Close>(actions))
      if (c.connection == id) return true;
    return false;
  }

  // start() and a successful outgoing connection: OpenSent.
  ConnectionId to_open_sent() {
    if (!s) make();
    s->start(now);
    drain();
    auto connect = only<session::Connect>(actions);
    EXPECT_TRUE(connect.has_value());
    s->on_connected(now, connect->connection);
    drain();
    EXPECT_EQ(s->state(), SessionState::open_sent);
    return connect->connection;
  }
  ConnectionId to_open_confirm(uint16_t hold = 90) {
    ConnectionId id = to_open_sent();
    feed(id, encode(peer_open(hold)));
    EXPECT_EQ(s->state(), SessionState::open_confirm);
    return id;
  }
  ConnectionId to_established(uint16_t hold = 90) {
    ConnectionId id = to_open_confirm(hold);
    feed(id, keepalive_bytes());
    EXPECT_EQ(s->state(), SessionState::established);
    return id;
  }
};

// ---- Idle, Connect, Active -----------------------------------------------

TEST_F(SessionFsm, IdleUntilStarted) {
  make();
  EXPECT_EQ(s->state(), SessionState::idle);
  EXPECT_TRUE(s->next_deadline().is_never());
  // RFC 4271 §8.2.2: Idle refuses incoming connections.
  ConnectionId id = s->on_incoming(now);
  drain();
  EXPECT_TRUE(closed(id));
  EXPECT_TRUE(all_of<session::SendBytes>(actions).empty());
  EXPECT_EQ(s->state(), SessionState::idle);
}

TEST_F(SessionFsm, StartConnectsAndArmsConnectRetry) {
  make().start(now);
  drain();
  ASSERT_TRUE(only<session::Connect>(actions).has_value());
  EXPECT_EQ(s->state(), SessionState::connect);
  EXPECT_EQ(s->next_deadline(), now + config.connect_retry);
}

TEST_F(SessionFsm, ConnectRetryExpiryInConnectDropsTheAttemptAndRetries) {
  make().start(now);
  ConnectionId first = only<session::Connect>(drain())->connection;
  advance_to(at_seconds(5));
  EXPECT_TRUE(closed(first));
  auto second = only<session::Connect>(actions);
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(second->connection, first);
  EXPECT_EQ(s->state(), SessionState::connect);
  EXPECT_EQ(s->next_deadline(), at_seconds(10));
}

TEST_F(SessionFsm, FailedConnectGoesActiveThenRetries) {
  make().start(now);
  ConnectionId first = only<session::Connect>(drain())->connection;
  now = at_seconds(1);
  s->on_closed(now, first);
  drain();
  EXPECT_EQ(s->state(), SessionState::active);
  EXPECT_TRUE(actions.empty());  // no Close for a connection the caller reported closed
  EXPECT_EQ(s->next_deadline(), at_seconds(6));
  advance_to(at_seconds(6));
  EXPECT_TRUE(only<session::Connect>(actions).has_value());
  EXPECT_EQ(s->state(), SessionState::connect);
  EXPECT_EQ(s->counters().consecutive_failures, 0u);  // no peer reached: no back-off
}

TEST_F(SessionFsm, ConnectRetryIsJittered) {
  // RFC 4271 §10: a factor between 0.75 and 1.0 from the random source.
  s = std::make_unique<Session>(config, [] { return 0.0; });
  s->start(now);
  EXPECT_EQ(s->next_deadline(), now + Duration::milliseconds(3750));
  s = std::make_unique<Session>(config, [] { return 0.5; });
  s->start(now);
  EXPECT_EQ(s->next_deadline(), now + Duration::milliseconds(4375));
}

TEST_F(SessionFsm, PassiveWaitsInActiveAndAnswersTheIncomingConnection) {
  config.passive = true;
  make().start(now);
  drain();
  EXPECT_TRUE(actions.empty());
  EXPECT_EQ(s->state(), SessionState::active);
  EXPECT_TRUE(s->next_deadline().is_never());
  ConnectionId id = s->on_incoming(now);
  drain();
  auto sent = sent_messages(actions, id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<OpenMessage>(sent[0]));
  EXPECT_EQ(s->state(), SessionState::open_sent);
  feed(id, encode(peer_open()));
  feed(id, keepalive_bytes());
  EXPECT_EQ(s->state(), SessionState::established);
}

// ---- OpenSent, OpenConfirm, Established -----------------------------------

TEST_F(SessionFsm, HappyPathToEstablished) {
  ConnectionId id = to_open_sent();
  auto sent = sent_messages(actions, id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(std::get<OpenMessage>(sent[0]), s->sent_open());
  // RFC 4271 §8.2.2: a large hold time (4 minutes) until the peer's OPEN arrives.
  EXPECT_EQ(s->next_deadline(), now + Duration::seconds(240));

  now = at_seconds(1);
  feed(id, encode(peer_open(30)));
  EXPECT_EQ(s->state(), SessionState::open_confirm);
  sent = sent_messages(actions, id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Keepalive>(sent[0]));
  EXPECT_EQ(s->next_deadline(), at_seconds(11));  // keepalive = 30 s / 3

  now = at_seconds(2);
  feed(id, keepalive_bytes());
  auto up = only<session::Established>(actions);
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(up->negotiated.hold_time, Duration::seconds(30));
  EXPECT_EQ(up->negotiated.remote_as, 65002u);
  ASSERT_NE(s->negotiated(), nullptr);
  EXPECT_EQ(s->counters().established_since, at_seconds(2));
  EXPECT_EQ(s->counters().uptime(at_seconds(62)), Duration::seconds(60));
  EXPECT_EQ(s->counters().established_transitions, 1u);
  EXPECT_EQ(s->counters().state_since, at_seconds(2));
  EXPECT_EQ(s->counters().received.open, 1u);
  EXPECT_EQ(s->counters().received.keepalive, 1u);
  EXPECT_EQ(s->counters().sent.open, 1u);
  EXPECT_EQ(s->counters().sent.keepalive, 1u);
}

TEST_F(SessionFsm, KeepalivesFollowTheNegotiatedIntervalAndUpdatesPostponeThem) {
  ConnectionId id = to_established(30);
  ASSERT_EQ(s->next_deadline(), now + Duration::seconds(10));
  advance_to(now + Duration::seconds(10));
  auto sent = sent_messages(actions, id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Keepalive>(sent[0]));

  now = now + Duration::seconds(4);
  Update u = Update::end_of_rib(AfiSafi::unicast(Family::ipv4));
  ASSERT_TRUE(s->send_update(now, u).ok());
  drain();
  EXPECT_EQ(s->counters().sent.update, 1u);
  // RFC 4271 §4.4: the UPDATE counts as a sign of life; the keepalive moves.
  EXPECT_EQ(s->next_deadline(), now + Duration::seconds(10));
}

// A configuration reload changing keepalive, connect_retry or passive
// takes effect on the running session, without a reset.
TEST_F(SessionFsm, LiveSettingsApplyToTheRunningSession) {
  to_established(30);
  ASSERT_EQ(s->next_deadline(), now + Duration::seconds(10));
  config.connect_retry = Duration::seconds(7);
  config.keepalive = Duration::seconds(4);
  s->update_live_settings(now, config);
  drain();
  EXPECT_EQ(s->state(), SessionState::established);
  EXPECT_EQ(s->next_deadline(), now + Duration::seconds(4));
  EXPECT_EQ(s->negotiated()->keepalive_time, Duration::seconds(4));
  // Longer than a third of the hold time: capped at it (RFC 4271 §10).
  config.keepalive = Duration::seconds(20);
  s->update_live_settings(now, config);
  EXPECT_EQ(s->negotiated()->keepalive_time, Duration::seconds(10));
  EXPECT_TRUE(all_of<session::Close>(drain()).empty());
}

TEST_F(SessionFsm, APassiveSessionMadeActiveConnectsAtOnce) {
  config.passive = true;
  make().start(now);
  drain();
  EXPECT_TRUE(actions.empty());
  now = at_seconds(3);
  config.passive = false;
  config.connect_retry = Duration::seconds(7);
  s->update_live_settings(now, config);
  drain();
  ASSERT_TRUE(only<session::Connect>(actions).has_value());
  EXPECT_EQ(s->state(), SessionState::connect);
  EXPECT_EQ(s->next_deadline(), at_seconds(10));  // the new connect_retry
}

TEST_F(SessionFsm, AnyMessageRestartsTheHoldTimerInEstablished) {
  ConnectionId id = to_established(9);
  Time hold_deadline = now + Duration::seconds(9);
  now = at_seconds(5);
  feed(id, encode(Update::end_of_rib(AfiSafi::unicast(Family::ipv4)), s->negotiated()->codec));
  ASSERT_TRUE(only<session::ReceivedUpdate>(actions).has_value());
  // The keepalive timer (3 s) and the hold timer (now 14 s) both run.
  advance_to(at_seconds(3));
  advance_to(hold_deadline);
  EXPECT_EQ(s->state(), SessionState::established);
  advance_to(at_seconds(14));
  EXPECT_EQ(s->state(), SessionState::idle);
}

TEST_F(SessionFsm, ReceivedUpdatesArePassedUp) {
  ConnectionId id = to_established();
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{{AsPathSegment{AsPathSegmentType::as_sequence, {65002}}}};
  u.attributes.next_hop = IpAddress::v4(10, 0, 0, 2);
  u.nlri.prefixes.push_back(Prefix::parse("192.0.2.0/24").value());
  feed(id, encode(u, s->negotiated()->codec));
  auto received = only<session::ReceivedUpdate>(actions);
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(received->update, u);
  EXPECT_EQ(received->action, ErrorAction::none);
  EXPECT_EQ(s->counters().received.update, 1u);
}

TEST_F(SessionFsm, RouteRefreshForNegotiatedFamiliesOnly) {
  ConnectionId id = to_established();
  feed(id, encode(RouteRefresh{AfiSafi::unicast(Family::ipv4), RouteRefresh::normal}));
  auto refresh = only<session::ReceivedRouteRefresh>(actions);
  ASSERT_TRUE(refresh.has_value());
  EXPECT_EQ(refresh->refresh.afi_safi, AfiSafi::unicast(Family::ipv4));
  // RFC 2918 §4: a family not negotiated is ignored, not an error.
  feed(id, encode(RouteRefresh{AfiSafi::unicast(Family::ipv6), RouteRefresh::normal}));
  EXPECT_TRUE(actions.empty());
  EXPECT_EQ(s->state(), SessionState::established);
  EXPECT_EQ(s->counters().received.route_refresh, 2u);
  ASSERT_TRUE(s->send_route_refresh(now, RouteRefresh{AfiSafi::unicast(Family::ipv4), RouteRefresh::normal}).ok());
  EXPECT_EQ(s->counters().sent.route_refresh, 1u);
}

TEST_F(SessionFsm, SendingNeedsEstablished) {
  to_open_confirm();
  EXPECT_FALSE(s->send_update(now, Update{}).ok());
  EXPECT_FALSE(s->send_raw(now, keepalive_bytes()).ok());
}

TEST_F(SessionFsm, SendRawChecksFramingAndCountsEachMessage) {
  ConnectionId id = to_established();
  std::vector<uint8_t> two = encode(Update::end_of_rib(AfiSafi::unicast(Family::ipv4)), s->negotiated()->codec);
  std::vector<uint8_t> second = keepalive_bytes();
  two.insert(two.end(), second.begin(), second.end());
  ASSERT_TRUE(s->send_raw(now, two).ok());
  drain();
  EXPECT_EQ(sent_messages(actions, id).size(), 2u);
  EXPECT_EQ(s->counters().sent.update, 1u);
  EXPECT_EQ(s->counters().sent.keepalive, 2u);
  EXPECT_FALSE(s->send_raw(now, std::vector<uint8_t>(10, 0xFF)).ok());
}

// ---- Unexpected messages: FSM Error with RFC 6608 subcodes -----------------

struct UnexpectedCase {
  SessionState state;
  MessageType type;
  uint8_t subcode;
};

class UnexpectedMessage : public SessionFsm, public ::testing::WithParamInterface<UnexpectedCase> {};

std::vector<uint8_t> message_of_type(MessageType type) {
  switch (type) {
    case MessageType::open: return encode(peer_open());
    case MessageType::update: return encode(Update::end_of_rib(AfiSafi::unicast(Family::ipv4)), CodecContext{});
    case MessageType::keepalive: return encode(Keepalive{});
    case MessageType::route_refresh: return encode(RouteRefresh{AfiSafi::unicast(Family::ipv4), 0});
    case MessageType::notification: break;
  }
  return {};
}

TEST_P(UnexpectedMessage, IsAnFsmErrorNamingTheState) {
  const UnexpectedCase& c = GetParam();
  ConnectionId id = 0;
  if (c.state == SessionState::open_sent) id = to_open_sent();
  if (c.state == SessionState::open_confirm) id = to_open_confirm();
  if (c.state == SessionState::established) id = to_established();
  feed(id, message_of_type(c.type));
  auto sent = notifications(id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].code, error_code::fsm);
  EXPECT_EQ(sent[0].subcode, c.subcode);
  EXPECT_TRUE(closed(id));
  auto down = only<session::Down>(actions);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->reason, DownReason::notification_sent);
  EXPECT_EQ(down->notification_sent, sent[0]);
  EXPECT_EQ(down->was_established, c.state == SessionState::established);
  EXPECT_NE(down->text.find(std::string("unexpected ") + message_type_name(uint8_t(c.type))), std::string::npos)
      << down->text;
  EXPECT_EQ(s->state(), SessionState::idle);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc6608, UnexpectedMessage,
    ::testing::Values(UnexpectedCase{SessionState::open_sent, MessageType::update, 1},
                      UnexpectedCase{SessionState::open_sent, MessageType::keepalive, 1},
                      UnexpectedCase{SessionState::open_sent, MessageType::route_refresh, 1},
                      UnexpectedCase{SessionState::open_confirm, MessageType::open, 2},
                      UnexpectedCase{SessionState::open_confirm, MessageType::update, 2},
                      UnexpectedCase{SessionState::open_confirm, MessageType::route_refresh, 2},
                      UnexpectedCase{SessionState::established, MessageType::open, 3}));

TEST_F(SessionFsm, UnexpectedMessageDuringDelayOpenIsAnUnspecifiedFsmError) {
  config.delay_open = Duration::seconds(5);
  make().start(now);
  ConnectionId id = only<session::Connect>(drain())->connection;
  s->on_connected(now, id);
  drain();
  feed(id, keepalive_bytes());
  auto sent = notifications(id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], (Notification{error_code::fsm, 0, {}}));
}

// ---- DelayOpen -----------------------------------------------------------

TEST_F(SessionFsm, DelayOpenSendsOpenWhenTheTimerExpires) {
  config.delay_open = Duration::seconds(5);
  make().start(now);
  ConnectionId id = only<session::Connect>(drain())->connection;
  s->on_connected(now, id);
  drain();
  EXPECT_TRUE(actions.empty());
  EXPECT_EQ(s->state(), SessionState::connect);
  EXPECT_EQ(s->next_deadline(), at_seconds(5));
  advance_to(at_seconds(5));
  auto sent = sent_messages(actions, id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<OpenMessage>(sent[0]));
  EXPECT_EQ(s->state(), SessionState::open_sent);
}

TEST_F(SessionFsm, DelayOpenAnswersThePeersOpenWithOpenAndKeepalive) {
  config.delay_open = Duration::seconds(5);
  config.passive = true;
  make().start(now);
  ConnectionId id = s->on_incoming(now);
  drain();
  EXPECT_EQ(s->state(), SessionState::active);
  now = at_seconds(1);
  feed(id, encode(peer_open()));
  auto sent = sent_messages(actions, id);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<OpenMessage>(sent[0]));
  EXPECT_TRUE(std::holds_alternative<Keepalive>(sent[1]));
  EXPECT_EQ(s->state(), SessionState::open_confirm);
}

// ---- OPEN errors through the session ----------------------------------------

TEST_F(SessionFsm, BadOpenIsRefusedWithTheOpenSubcode) {
  ConnectionId id = to_open_sent();
  OpenMessage o = peer_open();
  o.capabilities.four_octet_as = 65099;
  feed(id, encode(o));
  auto sent = notifications(id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].code, error_code::open_message);
  EXPECT_EQ(sent[0].subcode, open_subcode::bad_peer_as);
  auto down = only<session::Down>(actions);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->reason, DownReason::notification_sent);
  EXPECT_NE(down->text.find("AS65099"), std::string::npos) << down->text;
  EXPECT_EQ(s->counters().last_error, down->text);
  EXPECT_EQ(s->counters().last_notification_sent, sent[0]);
  EXPECT_EQ(s->state(), SessionState::idle);
}

TEST_F(SessionFsm, UnsupportedVersionThroughTheSession) {
  ConnectionId id = to_open_sent();
  OpenMessage o = peer_open();
  o.version = 3;
  feed(id, encode(o));
  auto sent = notifications(id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].code, error_code::open_message);
  EXPECT_EQ(sent[0].subcode, open_subcode::unsupported_version);
  EXPECT_EQ(s->state(), SessionState::idle);
}

TEST_F(SessionFsm, FourOctetPeerThroughTheSession) {
  config.remote_as = 4200000002;
  ConnectionId id = to_open_sent();
  OpenMessage o = peer_open();
  o.my_as = as_trans;
  o.capabilities.four_octet_as = 4200000002;
  feed(id, encode(o));
  feed(id, keepalive_bytes());
  ASSERT_EQ(s->state(), SessionState::established);
  EXPECT_EQ(s->negotiated()->remote_as, 4200000002u);
}

TEST_F(SessionFsm, UnacceptableHoldTimeThroughTheSession) {
  config.min_hold_time = Duration::seconds(9);
  ConnectionId id = to_open_sent();
  feed(id, encode(peer_open(6)));
  auto sent = notifications(id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].subcode, open_subcode::unacceptable_hold_time);
}

// ---- Hold timer ------------------------------------------------------------

TEST_F(SessionFsm, HoldTimerExpiresInOpenSent) {
  ConnectionId id = to_open_sent();
  advance_to(now + Duration::seconds(240) - Duration::nanoseconds(1));
  EXPECT_EQ(s->state(), SessionState::open_sent);
  advance_to(now + Duration::nanoseconds(1));
  auto sent = notifications(id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], (Notification{error_code::hold_timer_expired, 0, {}}));
  auto down = only<session::Down>(actions);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->reason, DownReason::hold_timer_expired);
  EXPECT_FALSE(down->was_established);
}

TEST_F(SessionFsm, HoldTimerExpiresInOpenConfirm) {
  ConnectionId id = to_open_confirm(9);
  Time deadline = now + Duration::seconds(9);
  advance_to(now + Duration::seconds(3));  // our keepalive, not a sign of the peer's life
  advance_to(now + Duration::seconds(3));
  advance_to(deadline);
  ASSERT_EQ(notifications(id).size(), 1u);
  EXPECT_EQ(notifications(id)[0].code, error_code::hold_timer_expired);
  EXPECT_EQ(only<session::Down>(actions)->reason, DownReason::hold_timer_expired);
}

TEST_F(SessionFsm, HoldTimerExpiresInEstablished) {
  ConnectionId id = to_established(9);
  Time established = now;
  while (s->state() == SessionState::established) advance_to_deadline();
  EXPECT_EQ(now, established + Duration::seconds(9));
  auto down = only<session::Down>(actions);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->reason, DownReason::hold_timer_expired);
  EXPECT_TRUE(down->was_established);
  EXPECT_EQ(down->text, "hold timer expired: nothing received for 9s in Established");
  EXPECT_EQ(notifications(id)[0].code, error_code::hold_timer_expired);
  EXPECT_EQ(s->counters().flaps, 1u);
  EXPECT_FALSE(s->counters().established_since.has_value());
  EXPECT_EQ(s->negotiated(), nullptr);
}

TEST_F(SessionFsm, HoldTimeZeroMeansNoTimers) {
  to_established(0);
  EXPECT_TRUE(s->next_deadline().is_never());
}

// ---- The peer ends the session ---------------------------------------------

TEST_F(SessionFsm, NotificationReceivedIsDescribed) {
  ConnectionId id = to_established();
  feed(id, encode(Notification::cease(cease_subcode::administrative_shutdown, "maintenance")));
  auto down = only<session::Down>(actions);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->reason, DownReason::notification_received);
  EXPECT_EQ(down->text, "NOTIFICATION received: Cease / Administrative Shutdown: \"maintenance\"");
  ASSERT_TRUE(down->notification_received.has_value());
  EXPECT_EQ(down->notification_received->shutdown_communication(), "maintenance");
  EXPECT_FALSE(down->notification_sent.has_value());
  EXPECT_TRUE(notifications(id).empty());  // never answer a NOTIFICATION
  EXPECT_TRUE(closed(id));
}

TEST_F(SessionFsm, ConnectionClosedByPeer) {
  ConnectionId id = to_established();
  s->on_closed(now, id);
  drain();
  auto down = only<session::Down>(actions);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->reason, DownReason::connection_closed);
  EXPECT_EQ(down->text, "connection closed by peer in Established");
  EXPECT_TRUE(all_of<session::Close>(actions).empty());
  EXPECT_EQ(s->state(), SessionState::idle);
}

TEST_F(SessionFsm, BadMarkerIsAHeaderError) {
  ConnectionId id = to_established();
  std::vector<uint8_t> bad = keepalive_bytes();
  bad[0] = 0;
  feed(id, bad);
  auto sent = notifications(id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].code, error_code::message_header);
  auto down = only<session::Down>(actions);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->reason, DownReason::malformed_message);
}

TEST_F(SessionFsm, UpdateNeedingSessionResetEndsTheSession) {
  ConnectionId id = to_established();
  // An UPDATE whose Withdrawn Routes Length runs past the message: the
  // message cannot be parsed at all, a session reset (RFC 7606 §4).
  std::vector<uint8_t> body = {0xFF, 0xFF, 0, 0};
  std::vector<uint8_t> msg(16, 0xFF);
  uint16_t length = uint16_t(header_size + body.size());
  msg.push_back(uint8_t(length >> 8));
  msg.push_back(uint8_t(length));
  msg.push_back(uint8_t(MessageType::update));
  msg.insert(msg.end(), body.begin(), body.end());
  feed(id, msg);
  auto sent = notifications(id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].code, error_code::update_message);
  auto down = only<session::Down>(actions);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->reason, DownReason::malformed_message);
  EXPECT_TRUE(all_of<session::ReceivedUpdate>(actions).empty());
}

TEST_F(SessionFsm, TreatAsWithdrawIsPassedUpAndTheSessionStays) {
  ConnectionId id = to_established();
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{{AsPathSegment{AsPathSegmentType::as_sequence, {65002}}}};
  u.attributes.next_hop = IpAddress::v4(10, 0, 0, 2);
  u.nlri.prefixes.push_back(Prefix::parse("192.0.2.0/24").value());
  std::vector<uint8_t> msg = encode(u, s->negotiated()->codec);
  // ORIGIN is the first attribute: flags, type 1, length 1, value. Value 7
  // is invalid: RFC 7606 §7.1 treat-as-withdraw.
  size_t attrs = header_size + 2 + 2;
  ASSERT_EQ(msg[attrs + 1], uint8_t(AttrType::origin));
  msg[attrs + 3] = 7;
  feed(id, msg);
  auto received = only<session::ReceivedUpdate>(actions);
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(received->action, ErrorAction::treat_as_withdraw);
  EXPECT_FALSE(received->problems.empty());
  EXPECT_EQ(s->state(), SessionState::established);
}

// ---- Administrative events ---------------------------------------------------

TEST_F(SessionFsm, AdminShutdownSendsRfc9003TextAndStaysIdle) {
  ConnectionId id = to_established();
  s->stop(now, "planned maintenance");
  drain();
  auto sent = notifications(id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].subcode, cease_subcode::administrative_shutdown);
  EXPECT_EQ(sent[0].shutdown_communication(), "planned maintenance");
  auto down = only<session::Down>(actions);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->reason, DownReason::admin_shutdown);
  EXPECT_EQ(down->text, "administrative shutdown: \"planned maintenance\"");
  EXPECT_TRUE(closed(id));
  EXPECT_EQ(s->state(), SessionState::idle);
  EXPECT_TRUE(s->next_deadline().is_never());
  EXPECT_EQ(s->counters().consecutive_failures, 0u);
  s->start(now);
  EXPECT_TRUE(only<session::Connect>(drain()).has_value());
}

TEST_F(SessionFsm, StopWithoutAConnectionIsQuiet) {
  make().start(now);
  ConnectionId id = only<session::Connect>(drain())->connection;
  s->stop(now);
  drain();
  EXPECT_TRUE(closed(id));
  EXPECT_TRUE(all_of<session::Down>(actions).empty());
  EXPECT_TRUE(all_of<session::SendBytes>(actions).empty());
  EXPECT_EQ(s->state(), SessionState::idle);
}

TEST_F(SessionFsm, AdminResetReconnectsAtOnce) {
  ConnectionId id = to_established();
  s->reset(now, "new policy");
  drain();
  EXPECT_EQ(notifications(id).at(0).subcode, cease_subcode::administrative_reset);
  EXPECT_EQ(only<session::Down>(actions)->reason, DownReason::admin_reset);
  EXPECT_TRUE(only<session::Connect>(actions).has_value());
  EXPECT_EQ(s->state(), SessionState::connect);
}

TEST_F(SessionFsm, BfdDownIsACeaseAndAFailure) {
  ConnectionId id = to_established();
  s->bfd_down(now, "neighbor signaled session down");
  drain();
  EXPECT_EQ(notifications(id).at(0), (Notification{error_code::cease, cease_subcode::bfd_down, {}}));
  auto down = only<session::Down>(actions);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->reason, DownReason::bfd_down);
  EXPECT_EQ(down->text, "BFD down: neighbor signaled session down");
  EXPECT_EQ(s->counters().consecutive_failures, 1u);
  EXPECT_EQ(s->idle_hold_until(), now + config.idle_hold.initial);
}

TEST_F(SessionFsm, MaxPrefixRestartsAfterTheInterval) {
  ConnectionId id = to_established();
  s->max_prefix_exceeded(now, AfiSafi::unicast(Family::ipv4), 1000, Duration::seconds(30));
  drain();
  Notification n = notifications(id).at(0);
  EXPECT_EQ(n.subcode, cease_subcode::max_prefixes);
  EXPECT_EQ(n.data, (std::vector<uint8_t>{0, 1, 1, 0, 0, 0x03, 0xE8}));  // RFC 4486 §4
  EXPECT_EQ(only<session::Down>(actions)->reason, DownReason::max_prefix);
  EXPECT_EQ(s->next_deadline(), now + Duration::seconds(30));
  advance_to(now + Duration::seconds(30));
  EXPECT_TRUE(only<session::Connect>(actions).has_value());
}

TEST_F(SessionFsm, MaxPrefixWithoutRestartStaysDown) {
  to_established();
  s->max_prefix_exceeded(now, AfiSafi::unicast(Family::ipv4), 10, std::nullopt);
  drain();
  EXPECT_EQ(s->state(), SessionState::idle);
  EXPECT_TRUE(s->next_deadline().is_never());
}

// ---- Back-off ----------------------------------------------------------------

TEST_F(SessionFsm, BackOffSequence) {
  config.idle_hold = IdleHoldBackoff{Duration::seconds(1), Duration::seconds(10), Duration::seconds(60)};
  make().start(now);
  std::vector<int64_t> waits_ms;
  for (int i = 0; i < 6; ++i) {
    auto connect = only<session::Connect>(drain());
    ASSERT_TRUE(connect.has_value()) << "round " << i;
    s->on_connected(now, connect->connection);
    drain();
    s->on_closed(now, connect->connection);  // the peer hangs up right after connecting
    auto down = only<session::Down>(drain());
    ASSERT_TRUE(down.has_value());
    EXPECT_EQ(down->reason, DownReason::connection_closed);
    EXPECT_EQ(s->state(), SessionState::idle);
    EXPECT_EQ(s->counters().consecutive_failures, uint32_t(i + 1));
    waits_ms.push_back((s->idle_hold_until() - now).ms());
    EXPECT_EQ(s->next_deadline(), s->idle_hold_until());
    now = s->idle_hold_until();
    s->on_timer(now);
  }
  EXPECT_EQ(waits_ms, (std::vector<int64_t>{1000, 2000, 4000, 8000, 10000, 10000}));
}

// An operator who lowers idle_hold_max by reload does not wait out the old cap.
TEST_F(SessionFsm, ALoweredIdleHoldCapShortensTheWaitInProgress) {
  config.idle_hold = IdleHoldBackoff{Duration::seconds(100), Duration::seconds(100), Duration::seconds(60)};
  ConnectionId id = to_open_sent();
  s->on_closed(now, id);
  drain();
  ASSERT_EQ(s->idle_hold_until(), now + Duration::seconds(100));
  now = now + Duration::seconds(1);
  config.idle_hold.maximum = Duration::seconds(5);
  s->update_live_settings(now, config);
  EXPECT_EQ(s->idle_hold_until(), now + Duration::seconds(5));
  advance_to(now + Duration::seconds(5));
  EXPECT_TRUE(only<session::Connect>(actions).has_value());
}

TEST_F(SessionFsm, TheBackOffDelaysOnlyOurOwnAttempts) {
  ConnectionId id = to_open_sent();
  s->on_closed(now, id);
  drain();
  ASSERT_EQ(s->state(), SessionState::idle);
  ASSERT_FALSE(s->idle_hold_until().is_never());
  // The peer tries first: accepted, and our own attempt is no longer pending.
  now = now + Duration::milliseconds(200);
  ConnectionId incoming = s->on_incoming(now);
  drain();
  EXPECT_FALSE(closed(incoming));
  EXPECT_EQ(s->state(), SessionState::open_sent);
  EXPECT_TRUE(s->idle_hold_until().is_never());
  feed(incoming, encode(peer_open()));
  feed(incoming, keepalive_bytes());
  EXPECT_EQ(s->state(), SessionState::established);
  EXPECT_TRUE(all_of<session::Connect>(actions).empty());
}

TEST_F(SessionFsm, TheMaxPrefixRestartIntervalRefusesThePeer) {
  to_established();
  s->max_prefix_exceeded(now, AfiSafi::unicast(Family::ipv4), 10, Duration::seconds(60));
  drain();
  ConnectionId incoming = s->on_incoming(now + Duration::seconds(1));
  drain();
  EXPECT_TRUE(closed(incoming));
  EXPECT_EQ(s->state(), SessionState::idle);
}

TEST_F(SessionFsm, ZeroInitialIdleHoldDisablesTheBackOff) {
  config.idle_hold.initial = Duration::zero();
  make().start(now);
  for (int i = 0; i < 1000; ++i) {
    ConnectionId id = only<session::Connect>(drain())->connection;
    s->on_connected(now, id);
    s->on_closed(now, id);
    drain();
    ASSERT_EQ(s->idle_hold_until(), now);
    s->on_timer(now);
  }
  EXPECT_EQ(s->counters().consecutive_failures, 1000u);
}

TEST_F(SessionFsm, BackOffIsJittered) {
  config.idle_hold = IdleHoldBackoff{Duration::seconds(4), Duration::seconds(60), Duration::seconds(60)};
  s = std::make_unique<Session>(config, [] { return 0.0; });
  ConnectionId id = to_open_sent();
  s->on_closed(now, id);
  drain();
  EXPECT_EQ(s->idle_hold_until() - now, Duration::seconds(3));  // 0.75 × 4 s
}

TEST_F(SessionFsm, StableEstablishedPeriodResetsTheBackOff) {
  config.idle_hold = IdleHoldBackoff{Duration::seconds(1), Duration::seconds(60), Duration::seconds(60)};
  // Two quick failures: 1 s, then 2 s.
  for (int i = 0; i < 2; ++i) {
    ConnectionId id = i == 0 ? to_established() : ConnectionId{0};
    if (i == 1) {
      advance_to(s->idle_hold_until());
      id = only<session::Connect>(actions)->connection;
      s->on_connected(now, id);
      feed(id, encode(peer_open()));
      feed(id, keepalive_bytes());
      ASSERT_EQ(s->state(), SessionState::established);
    }
    now = now + Duration::seconds(10);  // established, but not for long
    s->on_closed(now, id);
    drain();
  }
  EXPECT_EQ(s->counters().consecutive_failures, 2u);
  EXPECT_EQ(s->idle_hold_until() - now, Duration::seconds(2));

  // Then up for two minutes: the next failure starts the count again.
  advance_to(s->idle_hold_until());
  ConnectionId id = only<session::Connect>(actions)->connection;
  s->on_connected(now, id);
  feed(id, encode(peer_open(0)));  // no hold timer: nothing expires meanwhile
  feed(id, keepalive_bytes());
  ASSERT_EQ(s->state(), SessionState::established);
  now = now + Duration::seconds(120);
  s->on_closed(now, id);
  drain();
  EXPECT_EQ(s->counters().consecutive_failures, 1u);
  EXPECT_EQ(s->idle_hold_until() - now, Duration::seconds(1));
  EXPECT_EQ(s->counters().flaps, 3u);
}

// ---- Collisions (RFC 4271 §6.8) -----------------------------------------------

class Collision : public SessionFsm {
protected:
  ConnectionId outgoing = 0;
  ConnectionId incoming = 0;

  // Both connections in OpenSent, then the peer's OPEN on both.
  void both_in_open_confirm(uint32_t peer_id) {
    make().start(now);
    outgoing = only<session::Connect>(drain())->connection;
    s->on_connected(now, outgoing);
    drain();
    incoming = s->on_incoming(now);
    drain();
    ASSERT_FALSE(closed(incoming));
    EXPECT_EQ(sent_messages(actions, incoming).size(), 1u);  // our OPEN
    OpenMessage o = peer_open();
    o.bgp_identifier = peer_id;
    feed(outgoing, encode(o));
    EXPECT_TRUE(notifications(outgoing).empty());
    feed(incoming, encode(o));
  }
};

TEST_F(Collision, HigherLocalIdentifierKeepsTheOutgoingConnection) {
  both_in_open_confirm(0x0A000000);  // 10.0.0.0 < our 10.0.0.1
  auto sent = notifications(incoming);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], (Notification{error_code::cease, cease_subcode::connection_collision_resolution, {}}));
  EXPECT_TRUE(closed(incoming));
  EXPECT_FALSE(closed(outgoing));
  EXPECT_TRUE(all_of<session::Down>(actions).empty());
  feed(outgoing, keepalive_bytes());
  EXPECT_EQ(s->state(), SessionState::established);
}

TEST_F(Collision, HigherRemoteIdentifierKeepsTheIncomingConnection) {
  both_in_open_confirm(0x0A000002);
  // Our keepalive on the new connection is sent, then the old one is closed.
  EXPECT_EQ(notifications(outgoing).size(), 1u);
  EXPECT_TRUE(closed(outgoing));
  EXPECT_FALSE(closed(incoming));
  EXPECT_EQ(s->state(), SessionState::open_confirm);
  feed(incoming, keepalive_bytes());
  EXPECT_EQ(s->state(), SessionState::established);
}

TEST_F(Collision, EqualIdentifiersFallBackToTheAsNumber) {
  // RFC 6286 §2.3: the connection initiated by the larger AS (the peer's 65002) is kept.
  both_in_open_confirm(local_id);
  EXPECT_TRUE(closed(outgoing));
  EXPECT_FALSE(closed(incoming));
}

TEST_F(Collision, EstablishedClosesTheOtherConnection) {
  make().start(now);
  outgoing = only<session::Connect>(drain())->connection;
  s->on_connected(now, outgoing);
  drain();
  incoming = s->on_incoming(now);
  drain();
  feed(incoming, encode(peer_open()));
  feed(incoming, keepalive_bytes());
  EXPECT_EQ(s->state(), SessionState::established);
  EXPECT_TRUE(closed(outgoing));
  EXPECT_EQ(notifications(outgoing).at(0).subcode, cease_subcode::connection_collision_resolution);
  // Further incoming connections are rejected while Established.
  ConnectionId third = s->on_incoming(now);
  drain();
  EXPECT_TRUE(closed(third));
  EXPECT_EQ(notifications(third).at(0).subcode, cease_subcode::connection_rejected);
  EXPECT_EQ(s->state(), SessionState::established);
}

TEST_F(Collision, ThePeerClosingOneConnectionIsNotASessionDown) {
  // A pending outgoing attempt and an incoming connection; the peer closes
  // the incoming one (e.g. it resolved the collision first).
  make().start(now);
  outgoing = only<session::Connect>(drain())->connection;
  incoming = s->on_incoming(now);
  drain();
  feed(incoming, encode(Notification{error_code::cease, cease_subcode::connection_collision_resolution, {}}));
  EXPECT_TRUE(closed(incoming));
  EXPECT_TRUE(all_of<session::Down>(actions).empty());
  EXPECT_EQ(s->state(), SessionState::connect);
  s->on_connected(now, outgoing);
  drain();
  EXPECT_EQ(s->state(), SessionState::open_sent);
}

}  // namespace
}  // namespace halink::bgp
