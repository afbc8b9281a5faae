// The state machine as one table: every (state, event) pair of RFC 4271 §8.2.2
// that a peer or a timer can cause, with the state that follows, the
// NOTIFICATION sent (if any) and the reason of the Down (if any). The rows
// mirror the table at the top of session.h.
#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <ostream>

#include "bgp/session/session.h"
#include "test_support.h"

namespace halink::bgp {
namespace {

using namespace halink::bgp::testing;

enum class Start { connect_delay_open, active_delay_open, open_sent, open_confirm, established };
enum class Event { open, keepalive, update, route_refresh, notification, tcp_closed, bad_marker, timer };

struct Row {
  Start start;
  Event event;
  SessionState next;
  std::optional<std::pair<uint8_t, uint8_t>> notification_sent;  // code, subcode
  std::optional<DownReason> down;
  std::optional<MessageType> also_sends = {};  // a message we must send besides any NOTIFICATION
};

const char* start_name(Start s) {
  switch (s) {
    case Start::connect_delay_open: return "Connect(DelayOpen)";
    case Start::active_delay_open: return "Active(DelayOpen)";
    case Start::open_sent: return "OpenSent";
    case Start::open_confirm: return "OpenConfirm";
    case Start::established: return "Established";
  }
  return "?";
}

const char* event_name(Event e) {
  switch (e) {
    case Event::open: return "OPEN";
    case Event::keepalive: return "KEEPALIVE";
    case Event::update: return "UPDATE";
    case Event::route_refresh: return "ROUTE-REFRESH";
    case Event::notification: return "NOTIFICATION";
    case Event::tcp_closed: return "TCP closed";
    case Event::bad_marker: return "bad marker";
    case Event::timer: return "next timer";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const Row& r) {
  return os << start_name(r.start) << " + " << event_name(r.event) << " -> " << session_state_name(r.next);
}

constexpr auto none = std::nullopt;
using N = std::pair<uint8_t, uint8_t>;
const N fsm0{error_code::fsm, 0}, fsm1{error_code::fsm, 1}, fsm2{error_code::fsm, 2}, fsm3{error_code::fsm, 3};
const N header{error_code::message_header, header_subcode::connection_not_synchronized};
const N hold{error_code::hold_timer_expired, 0};

// Shorthands for the table.
constexpr SessionState Idle = SessionState::idle, OpenSent = SessionState::open_sent,
                       OpenConfirm = SessionState::open_confirm, Established = SessionState::established;
constexpr DownReason sent = DownReason::notification_sent, received = DownReason::notification_received,
                     closed = DownReason::connection_closed, malformed = DownReason::malformed_message,
                     expired = DownReason::hold_timer_expired;

const Row table[] = {
    // DelayOpen running (RFC 4271 §8.2.2 Connect and Active with DelayOpenTimer).
    {Start::connect_delay_open, Event::open, OpenConfirm, none, none, MessageType::open},
    {Start::connect_delay_open, Event::keepalive, Idle, fsm0, sent},
    {Start::connect_delay_open, Event::update, Idle, fsm0, sent},
    {Start::connect_delay_open, Event::route_refresh, Idle, fsm0, sent},
    {Start::connect_delay_open, Event::notification, Idle, none, received},
    {Start::connect_delay_open, Event::tcp_closed, Idle, none, closed},
    {Start::connect_delay_open, Event::bad_marker, Idle, header, malformed},
    {Start::connect_delay_open, Event::timer, OpenSent, none, none, MessageType::open},  // DelayOpen expiry
    {Start::active_delay_open, Event::open, OpenConfirm, none, none, MessageType::keepalive},
    {Start::active_delay_open, Event::keepalive, Idle, fsm0, sent},
    {Start::active_delay_open, Event::update, Idle, fsm0, sent},
    {Start::active_delay_open, Event::route_refresh, Idle, fsm0, sent},
    {Start::active_delay_open, Event::notification, Idle, none, received},
    {Start::active_delay_open, Event::tcp_closed, Idle, none, closed},
    {Start::active_delay_open, Event::bad_marker, Idle, header, malformed},
    {Start::active_delay_open, Event::timer, OpenSent, none, none, MessageType::open},
    // OpenSent.
    {Start::open_sent, Event::open, OpenConfirm, none, none, MessageType::keepalive},
    {Start::open_sent, Event::keepalive, Idle, fsm1, sent},
    {Start::open_sent, Event::update, Idle, fsm1, sent},
    {Start::open_sent, Event::route_refresh, Idle, fsm1, sent},
    {Start::open_sent, Event::notification, Idle, none, received},
    {Start::open_sent, Event::tcp_closed, Idle, none, closed},
    {Start::open_sent, Event::bad_marker, Idle, header, malformed},
    {Start::open_sent, Event::timer, Idle, hold, expired},  // the 4-minute hold timer
    // OpenConfirm.
    {Start::open_confirm, Event::open, Idle, fsm2, sent},
    {Start::open_confirm, Event::keepalive, Established, none, none},
    {Start::open_confirm, Event::update, Idle, fsm2, sent},
    {Start::open_confirm, Event::route_refresh, Idle, fsm2, sent},
    {Start::open_confirm, Event::notification, Idle, none, received},
    {Start::open_confirm, Event::tcp_closed, Idle, none, closed},
    {Start::open_confirm, Event::bad_marker, Idle, header, malformed},
    {Start::open_confirm, Event::timer, OpenConfirm, none, none, MessageType::keepalive},  // keepalive timer: we send one
    // Established.
    {Start::established, Event::open, Idle, fsm3, sent},
    {Start::established, Event::keepalive, Established, none, none},
    {Start::established, Event::update, Established, none, none},
    {Start::established, Event::route_refresh, Established, none, none},
    {Start::established, Event::notification, Idle, none, received},
    {Start::established, Event::tcp_closed, Idle, none, closed},
    {Start::established, Event::bad_marker, Idle, header, malformed},
    {Start::established, Event::timer, Established, none, none, MessageType::keepalive},  // keepalive timer
};

class TransitionTable : public ::testing::TestWithParam<Row> {
protected:
  std::unique_ptr<Session> s;
  ConnectionId id = 0;
  Time now = Time::zero();
  std::vector<SessionAction> actions;

  void feed(const std::vector<uint8_t>& bytes) {
    s->on_bytes(now, id, bytes);
    actions = s->take_actions();
  }

  void reach(Start start) {
    SessionConfig config = local_config();
    if (start == Start::connect_delay_open || start == Start::active_delay_open)
      config.delay_open = Duration::seconds(5);
    if (start == Start::active_delay_open) config.passive = true;
    s = std::make_unique<Session>(config, no_jitter());
    s->start(now);
    if (config.passive) {
      id = s->on_incoming(now);
    } else {
      id = only<session::Connect>(s->take_actions())->connection;
      s->on_connected(now, id);
    }
    (void)s->take_actions();
    if (start == Start::open_confirm || start == Start::established) feed(encode(peer_open()));
    if (start == Start::established) feed(encode(Keepalive{}));
    (void)s->take_actions();
  }
};

TEST_P(TransitionTable, Row) {
  const Row& row = GetParam();
  reach(row.start);
  CodecContext ctx = s->negotiated() ? s->negotiated()->codec : CodecContext{};
  switch (row.event) {
    case Event::open: feed(encode(peer_open())); break;
    case Event::keepalive: feed(encode(Keepalive{})); break;
    case Event::update: feed(encode(Update::end_of_rib(AfiSafi::unicast(Family::ipv4)), ctx)); break;
    case Event::route_refresh: feed(encode(RouteRefresh{AfiSafi::unicast(Family::ipv4), 0})); break;
    case Event::notification: feed(encode(Notification{error_code::cease, cease_subcode::peer_deconfigured, {}})); break;
    case Event::tcp_closed:
      s->on_closed(now, id);
      actions = s->take_actions();
      break;
    case Event::bad_marker: {
      std::vector<uint8_t> bytes = encode(Keepalive{});
      bytes[3] = 0;
      feed(bytes);
      break;
    }
    case Event::timer:
      now = s->next_deadline();
      s->on_timer(now);
      actions = s->take_actions();
      break;
  }
  EXPECT_EQ(s->state(), row.next);

  std::optional<N> notification;
  bool sent_expected = !row.also_sends;
  for (const Message& m : sent_messages(actions, id)) {
    if (auto* n = std::get_if<Notification>(&m)) notification = N{n->code, n->subcode};
    // Message's alternatives are in type-code order (OPEN = 1 ... ROUTE-REFRESH = 5).
    if (row.also_sends && m.index() + 1 == size_t(*row.also_sends)) sent_expected = true;
  }
  EXPECT_EQ(notification, row.notification_sent);
  EXPECT_TRUE(sent_expected) << "expected a " << message_type_name(uint8_t(*row.also_sends));

  auto downs = all_of<session::Down>(actions);
  if (row.down) {
    ASSERT_EQ(downs.size(), 1u);
    EXPECT_EQ(downs[0].reason, *row.down);
    EXPECT_EQ(downs[0].was_established, row.start == Start::established);
    EXPECT_EQ(s->counters().consecutive_failures, 1u);  // every failure counts for the back-off
    EXPECT_FALSE(s->idle_hold_until().is_never());
    // Closed by us unless the peer closed it.
    bool closed_by_us = !all_of<session::Close>(actions).empty();
    EXPECT_EQ(closed_by_us, row.event != Event::tcp_closed);
  } else {
    EXPECT_TRUE(downs.empty());
    EXPECT_TRUE(all_of<session::Close>(actions).empty());
  }
}

std::string row_name(const ::testing::TestParamInfo<Row>& info) {
  std::string name = std::string(start_name(info.param.start)) + "_" + event_name(info.param.event);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Rfc4271, TransitionTable, ::testing::ValuesIn(table), row_name);

}  // namespace
}  // namespace halink::bgp
