#include "bgp/session/session.h"

#include <algorithm>
#include <utility>

namespace halink::bgp {

// Records when state() changes, whatever path an input took through the FSM.
class Session::StateWatch {
public:
  StateWatch(Session& session, Time now) : session_(session), now_(now), before_(session.state()) {}
  ~StateWatch() {
    if (session_.state() != before_) session_.counters_.state_since = now_;
  }
  StateWatch(const StateWatch&) = delete;
  StateWatch& operator=(const StateWatch&) = delete;

private:
  Session& session_;
  Time now_;
  SessionState before_;
};

namespace {

Notification fsm_error(uint8_t subcode) { return Notification{error_code::fsm, subcode, {}}; }
Notification cease(uint8_t subcode) { return Notification{error_code::cease, subcode, {}}; }

// RFC 6608 §4: the subcode names the state that did not expect the message.
namespace fsm_subcode {
constexpr uint8_t unspecified = 0;
constexpr uint8_t unexpected_in_open_sent = 1;
constexpr uint8_t unexpected_in_open_confirm = 2;
constexpr uint8_t unexpected_in_established = 3;
}  // namespace fsm_subcode

// Calls `f(type)` for each whole message in `bytes`; false when `bytes` is
// not a sequence of whole BGP messages.
template <class F>
bool for_each_message(std::span<const uint8_t> bytes, F&& f) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    if (bytes.size() - pos < header_size) return false;
    size_t length = size_t(bytes[pos + 16]) << 8 | bytes[pos + 17];
    if (length < header_size || length > bytes.size() - pos) return false;
    f(bytes[pos + 18]);
    pos += length;
  }
  return true;
}

// The sentence for a message the decoder refused with a session reset.
std::string malformed_reason(const Decoded& decoded, uint8_t type) {
  for (auto it = decoded.problems.rbegin(); it != decoded.problems.rend(); ++it)
    if (it->action == ErrorAction::session_reset && !it->reason.empty()) return it->reason;
  return std::string("undecodable ") + message_type_name(type);
}

}  // namespace

const char* session_state_name(SessionState state) {
  switch (state) {
    case SessionState::idle: return "Idle";
    case SessionState::connect: return "Connect";
    case SessionState::active: return "Active";
    case SessionState::open_sent: return "OpenSent";
    case SessionState::open_confirm: return "OpenConfirm";
    case SessionState::established: return "Established";
  }
  return "?";
}

Session::Session(SessionConfig config, RandomSource random)
    : config_(std::move(config)), random_(std::move(random)), sent_open_(build_open(config_)) {}

// ---- Inspection ----------------------------------------------------------

SessionState Session::connection_state(const Connection& c) {
  switch (c.state) {
    case ConnectionState::connecting: return SessionState::connect;
    // RFC 4271 §8.2.2: DelayOpen runs in Connect (we connected) or Active (the peer did).
    case ConnectionState::delay_open: return c.outgoing ? SessionState::connect : SessionState::active;
    case ConnectionState::open_sent: return SessionState::open_sent;
    case ConnectionState::open_confirm: return SessionState::open_confirm;
    case ConnectionState::established: return SessionState::established;
  }
  return SessionState::idle;
}

SessionState Session::state() const {
  if (!outgoing_ && !incoming_) {
    if (!started_ || !idle_hold_deadline_.is_never()) return SessionState::idle;
    return SessionState::active;  // waiting for the peer or for ConnectRetry
  }
  SessionState best = SessionState::idle;
  for (const std::optional<Connection>* slot : {&outgoing_, &incoming_})
    if (*slot) best = std::max(best, connection_state(**slot));
  return best;
}

Time Session::next_deadline() const {
  Time t = earliest(idle_hold_deadline_, connect_retry_deadline_);
  for (const std::optional<Connection>* slot : {&outgoing_, &incoming_}) {
    if (!*slot) continue;
    const Connection& c = **slot;
    t = earliest(t, earliest(c.delay_open_deadline, earliest(c.hold_deadline, c.keepalive_deadline)));
  }
  return t;
}

std::vector<SessionAction> Session::take_actions() {
  std::vector<SessionAction> out;
  out.swap(actions_);
  return out;
}

// ---- Helpers -------------------------------------------------------------

Session::Connection* Session::find(ConnectionId id) {
  if (outgoing_ && outgoing_->id == id) return &*outgoing_;
  if (incoming_ && incoming_->id == id) return &*incoming_;
  return nullptr;
}

Session::Connection* Session::other_than(const Connection& c) {
  std::optional<Connection>& other = c.outgoing ? incoming_ : outgoing_;
  return other ? &*other : nullptr;
}

Session::Connection* Session::established_connection() {
  for (std::optional<Connection>* slot : {&outgoing_, &incoming_})
    if (*slot && (*slot)->state == ConnectionState::established) return &**slot;
  return nullptr;
}

bool Session::has_live_connection() const {
  for (const std::optional<Connection>* slot : {&outgoing_, &incoming_})
    if (*slot && (*slot)->state != ConnectionState::connecting) return true;
  return false;
}

Duration Session::jittered(Duration d) {
  // RFC 4271 §10: a random factor between 0.75 and 1.0.
  double r = random_ ? random_() : 1.0;
  if (!(r >= 0.0)) r = 0.0;  // also catches NaN from a broken generator
  if (r > 1.0) r = 1.0;
  return d.scaled(0.75 + 0.25 * r);
}

Duration Session::idle_hold_for(uint32_t failures) {
  const Duration maximum = config_.idle_hold.maximum;
  Duration d = config_.idle_hold.initial;
  // Doubling stops at the cap (and at once for a zero initial wait), so the
  // loop is short and cannot overflow whatever the failure count.
  for (uint32_t i = 1; i < failures && d < maximum && !d.is_zero(); ++i) d = d > maximum / 2 ? maximum : d * 2;
  return jittered(std::min(d, maximum));
}

// ---- Sending -------------------------------------------------------------

void Session::send_message(Connection& c, std::vector<uint8_t> bytes) {
  (void)for_each_message(bytes, [this](uint8_t type) { counters_.sent.count(type); });
  actions_.push_back(session::SendBytes{c.id, std::move(bytes)});
}

void Session::send_open(Time now, Connection& c) {
  send_message(c, encode(sent_open_));
  c.state = ConnectionState::open_sent;
  c.delay_open_deadline = Time::never();
  // RFC 4271 §8.2.2: a large hold time until the peer's OPEN tells the real one.
  c.hold_deadline = now + config_.open_hold_time;
}

void Session::restart_keepalive_timer(Time now, Connection& c) {
  bool running = c.negotiated && !c.negotiated->keepalive_time.is_zero();
  c.keepalive_deadline = running ? now + jittered(c.negotiated->keepalive_time) : Time::never();
}

void Session::restart_hold_timer(Time now, Connection& c) {
  bool running = c.negotiated && !c.negotiated->hold_time.is_zero();
  c.hold_deadline = running ? now + c.negotiated->hold_time : Time::never();
}

void Session::send_keepalive(Time now, Connection& c) {
  send_message(c, encode(Keepalive{}));
  restart_keepalive_timer(now, c);
}

void Session::close_connection(Connection& c, const std::optional<Notification>& notification, bool tell_caller) {
  if (notification) {
    send_message(c, encode(*notification));
    counters_.last_notification_sent = *notification;
  }
  if (tell_caller) actions_.push_back(session::Close{c.id});
  (c.outgoing ? outgoing_ : incoming_).reset();  // `c` is gone from here on
}

Status Session::send_update(Time now, const Update& update) {
  Connection* c = established_connection();
  if (!c) return Error{"cannot send an UPDATE: session is " + std::string(session_state_name(state()))};
  std::vector<uint8_t> bytes = encode(update, c->negotiated->codec);
  if (bytes.size() > c->negotiated->codec.max_size())
    return Error{"UPDATE of " + std::to_string(bytes.size()) + " bytes exceeds the negotiated maximum of " +
                 std::to_string(c->negotiated->codec.max_size())};
  send_message(*c, std::move(bytes));
  restart_keepalive_timer(now, *c);  // RFC 4271 §4.4
  return Status::success();
}

Status Session::send_raw(Time now, std::vector<uint8_t> bytes) {
  Connection* c = established_connection();
  if (!c) return Error{"cannot send: session is " + std::string(session_state_name(state()))};
  bool restarts_keepalive = false;
  bool whole = for_each_message(bytes, [&](uint8_t type) {
    if (type == uint8_t(MessageType::update) || type == uint8_t(MessageType::keepalive)) restarts_keepalive = true;
  });
  if (!whole || bytes.empty()) return Error{"send_raw needs one or more whole BGP messages"};
  send_message(*c, std::move(bytes));
  if (restarts_keepalive) restart_keepalive_timer(now, *c);
  return Status::success();
}

Status Session::send_route_refresh(Time, const RouteRefresh& refresh) {
  Connection* c = established_connection();
  if (!c) return Error{"cannot send a ROUTE-REFRESH: session is " + std::string(session_state_name(state()))};
  if (!c->negotiated->route_refresh) return Error{"the peer did not announce route refresh (RFC 2918)"};
  if (refresh.subtype != RouteRefresh::normal && !c->negotiated->enhanced_route_refresh)
    return Error{"the peer did not announce enhanced route refresh (RFC 7313)"};
  send_message(*c, encode(refresh));
  return Status::success();
}

// ---- Administrative events ----------------------------------------------

void Session::start(Time now) {
  StateWatch watch(*this, now);
  if (started_) return;
  started_ = true;
  counters_.consecutive_failures = 0;
  idle_hold_deadline_ = Time::never();
  begin_connecting(now);
}

void Session::stop(Time now, const std::string& shutdown_communication) {
  StateWatch watch(*this, now);
  if (!started_ && !outgoing_ && !incoming_) return;
  std::string text = down_reason_name(DownReason::admin_shutdown);
  if (!shutdown_communication.empty()) text += ": \"" + shutdown_communication + "\"";
  session_down(now,
               Failure{DownReason::admin_shutdown, std::move(text),
                       Notification::cease(cease_subcode::administrative_shutdown, shutdown_communication), {}},
               Afterwards::stay_idle);
}

void Session::reset(Time now, const std::string& shutdown_communication) {
  StateWatch watch(*this, now);
  if (!started_) return;
  std::string text = down_reason_name(DownReason::admin_reset);
  if (!shutdown_communication.empty()) text += ": \"" + shutdown_communication + "\"";
  session_down(now,
               Failure{DownReason::admin_reset, std::move(text),
                       Notification::cease(cease_subcode::administrative_reset, shutdown_communication), {}},
               Afterwards::restart_now);
}

void Session::bfd_down(Time now, const std::string& diagnostic) {
  StateWatch watch(*this, now);
  if (!has_live_connection()) return;
  std::string text = down_reason_name(DownReason::bfd_down);
  if (!diagnostic.empty()) text += ": " + diagnostic;
  session_down(now, Failure{DownReason::bfd_down, std::move(text), cease(cease_subcode::bfd_down), {}},
               Afterwards::back_off);
}

void Session::max_prefix_exceeded(Time now, AfiSafi family, uint32_t limit, std::optional<Duration> restart_after) {
  StateWatch watch(*this, now);
  if (!has_live_connection()) return;
  // RFC 4486 §4: Data is AFI (2), SAFI (1) and the prefix upper bound (4).
  Notification n = cease(cease_subcode::max_prefixes);
  n.data = {uint8_t(family.afi >> 8), uint8_t(family.afi), family.safi,
            uint8_t(limit >> 24), uint8_t(limit >> 16), uint8_t(limit >> 8), uint8_t(limit)};
  std::string text = std::string(down_reason_name(DownReason::max_prefix)) + ": " + family.to_string() + " limit " +
                     std::to_string(limit) +
                     (restart_after ? ", restarting in " + restart_after->to_string() : ", stays down until started");
  session_down(now, Failure{DownReason::max_prefix, std::move(text), std::move(n), {}},
               restart_after ? Afterwards::restart_later : Afterwards::stay_idle, restart_after);
}

void Session::update_live_settings(Time now, const SessionConfig& fresh) {
  StateWatch watch(*this, now);
  take_live_settings(config_, fresh);
  for (std::optional<Connection>* slot : {&outgoing_, &incoming_}) {
    if (!*slot || !(*slot)->negotiated) continue;
    Negotiated& n = *(*slot)->negotiated;
    n.keepalive_time = keepalive_interval(n.hold_time, fresh.keepalive);
    restart_keepalive_timer(now, **slot);
  }
  if (negotiated_) negotiated_->keepalive_time = keepalive_interval(negotiated_->hold_time, fresh.keepalive);
  // A lowered cap shortens a wait already running.
  if (!idle_hold_deadline_.is_never())
    idle_hold_deadline_ = std::min(idle_hold_deadline_, now + fresh.idle_hold.maximum);
  const bool waiting = outgoing_ || incoming_ || !connect_retry_deadline_.is_never() || !idle_hold_deadline_.is_never();
  if (started_ && !fresh.passive && !waiting) open_outgoing(now);
}

// ---- Transport events ----------------------------------------------------

void Session::begin_connecting(Time now) {
  connect_retry_deadline_ = Time::never();
  if (config_.passive) return;  // Active: wait for the peer (RFC 4271 §8.1.1 PassiveTcpEstablishment)
  open_outgoing(now);
}

void Session::open_outgoing(Time now) {
  outgoing_.emplace(next_id_++, true);
  actions_.push_back(session::Connect{outgoing_->id});
  connect_retry_deadline_ = now + jittered(config_.connect_retry);
}

void Session::tcp_established(Time now, Connection& c) {
  connect_retry_deadline_ = Time::never();  // RFC 4271 §8.2.2: stopped on the way to OpenSent
  if (config_.delay_open) {
    c.state = ConnectionState::delay_open;
    c.delay_open_deadline = now + *config_.delay_open;
  } else {
    send_open(now, c);
  }
}

ConnectionId Session::on_incoming(Time now) {
  StateWatch watch(*this, now);
  ConnectionId id = next_id_++;
  if (!started_ || (!idle_hold_deadline_.is_never() && !accept_during_idle_hold_)) {
    actions_.push_back(session::Close{id});  // Idle refuses connections (RFC 4271 §8.2.2)
    return id;
  }
  if (incoming_ || established_connection()) {
    // A second incoming connection, or one next to an Established one:
    // refused (RFC 4486 Connection Rejected), as BIRD does.
    Notification n = cease(cease_subcode::connection_rejected);
    counters_.sent.count(uint8_t(MessageType::notification));
    actions_.push_back(session::SendBytes{id, encode(n)});
    actions_.push_back(session::Close{id});
    return id;
  }
  // The back-off delays only our own connection attempts: a peer that backs
  // off too may be the first to try again, and two damped speakers that
  // refused each other would meet only by chance.
  idle_hold_deadline_ = Time::never();
  incoming_.emplace(id, false);
  tcp_established(now, *incoming_);
  return id;
}

void Session::on_connected(Time now, ConnectionId id) {
  StateWatch watch(*this, now);
  Connection* c = find(id);
  if (!c || !c->outgoing || c->state != ConnectionState::connecting) return;
  tcp_established(now, *c);
}

void Session::on_closed(Time now, ConnectionId id) {
  StateWatch watch(*this, now);
  Connection* c = find(id);
  if (!c) return;
  if (c->state == ConnectionState::connecting) {
    // The connect failed: Active until ConnectRetry (deviation noted in the header).
    bool other = other_than(*c) != nullptr;
    outgoing_.reset();
    if (!other && started_) connect_retry_deadline_ = now + jittered(config_.connect_retry);
    return;
  }
  std::string text = std::string(down_reason_name(DownReason::connection_closed)) + " in " +
                     session_state_name(connection_state(*c));
  connection_failed(now, *c, Failure{DownReason::connection_closed, std::move(text), {}, {}}, false);
}

void Session::on_bytes(Time now, ConnectionId id, std::span<const uint8_t> bytes) {
  StateWatch watch(*this, now);
  Connection* c = find(id);
  if (!c || c->state == ConnectionState::connecting) return;
  c->decoder.feed(bytes);
  // Each frame may close the connection, so look it up again every time.
  while ((c = find(id)) != nullptr) {
    StreamDecoder::FrameResult r = c->decoder.next();
    if (r.kind == StreamDecoder::FrameResult::Kind::need_more) return;
    if (r.kind == StreamDecoder::FrameResult::Kind::error) {
      connection_failed(now, *c,
                        Failure{DownReason::malformed_message,
                                std::string(down_reason_name(DownReason::malformed_message)) + ": " + r.reason,
                                r.error_notification, {}});
      return;
    }
    counters_.received.count(r.frame.type);
    handle_frame(now, *c, r.frame);
  }
}

// ---- Messages ------------------------------------------------------------

void Session::fail_malformed(Time now, Connection& c, const Decoded& decoded, uint8_t type) {
  Notification n = decoded.reset ? *decoded.reset : Notification{error_code::message_header, 0, {}};
  connection_failed(now, c,
                    Failure{DownReason::malformed_message,
                            std::string(down_reason_name(DownReason::malformed_message)) + ": " +
                                malformed_reason(decoded, type),
                            std::move(n), {}});
}

void Session::handle_frame(Time now, Connection& c, const StreamDecoder::Frame& frame) {
  const uint8_t type = frame.type;
  // RFC 4271 §4.4: in Established any message shows the peer is alive.
  if (c.state == ConnectionState::established) restart_hold_timer(now, c);
  CodecContext context = c.negotiated ? c.negotiated->codec : CodecContext{};

  switch (static_cast<MessageType>(type)) {
    case MessageType::notification: {
      // Never answered with a NOTIFICATION (RFC 4271 §6.4), even when malformed.
      Decoded decoded = decode_message(type, frame.body, context);
      Notification n;
      if (auto* got = std::get_if<Notification>(&decoded.message); got && !decoded.reset) {
        n = *got;
      } else {
        n.code = frame.body.size() > 0 ? frame.body[0] : 0;
        n.subcode = frame.body.size() > 1 ? frame.body[1] : 0;
      }
      counters_.last_notification_received = n;
      connection_failed(now, c,
                        Failure{DownReason::notification_received,
                                std::string(down_reason_name(DownReason::notification_received)) + ": " +
                                    n.describe(),
                                {}, n});
      return;
    }
    case MessageType::open: {
      if (c.state != ConnectionState::delay_open && c.state != ConnectionState::open_sent) break;
      Decoded decoded = decode_message(type, frame.body, context);
      auto* open = std::get_if<OpenMessage>(&decoded.message);
      if (decoded.action == ErrorAction::session_reset || !open) return fail_malformed(now, c, decoded, type);
      return handle_open(now, c, *open);
    }
    case MessageType::keepalive: {
      if (c.state != ConnectionState::open_confirm && c.state != ConnectionState::established) break;
      Decoded decoded = decode_message(type, frame.body, context);
      if (decoded.action == ErrorAction::session_reset) return fail_malformed(now, c, decoded, type);
      if (c.state == ConnectionState::open_confirm) enter_established(now, c);
      return;
    }
    case MessageType::update: {
      if (c.state != ConnectionState::established) break;
      Decoded decoded = decode_message(type, frame.body, context);
      auto* update = std::get_if<Update>(&decoded.message);
      if (decoded.action == ErrorAction::session_reset || !update) return fail_malformed(now, c, decoded, type);
      actions_.push_back(session::ReceivedUpdate{std::move(*update), decoded.action, std::move(decoded.problems)});
      return;
    }
    case MessageType::route_refresh: {
      if (c.state != ConnectionState::established) break;
      Decoded decoded = decode_message(type, frame.body, context);
      auto* refresh = std::get_if<RouteRefresh>(&decoded.message);
      if (decoded.action == ErrorAction::session_reset || !refresh) return fail_malformed(now, c, decoded, type);
      const Negotiated& n = *c.negotiated;
      // RFC 2918 §4 and RFC 7313 §5: ignore what was not negotiated.
      bool wanted = n.route_refresh && n.has_family(refresh->afi_safi) &&
                    (refresh->subtype == RouteRefresh::normal ||
                     (n.enhanced_route_refresh && refresh->subtype <= RouteRefresh::end_of_rib));
      if (wanted) actions_.push_back(session::ReceivedRouteRefresh{*refresh});
      return;
    }
    default: {
      // The stream decoder refuses unknown types; kept for a decoder that does not.
      Notification n{error_code::message_header, header_subcode::bad_message_type, {type}};
      connection_failed(now, c,
                        Failure{DownReason::malformed_message,
                                std::string(down_reason_name(DownReason::malformed_message)) +
                                    ": unknown message type " + std::to_string(type),
                                std::move(n), {}});
      return;
    }
  }
  unexpected_message(now, c, type);
}

void Session::unexpected_message(Time now, Connection& c, uint8_t type) {
  uint8_t subcode = fsm_subcode::unspecified;
  if (c.state == ConnectionState::open_sent) subcode = fsm_subcode::unexpected_in_open_sent;
  if (c.state == ConnectionState::open_confirm) subcode = fsm_subcode::unexpected_in_open_confirm;
  if (c.state == ConnectionState::established) subcode = fsm_subcode::unexpected_in_established;
  Notification n = fsm_error(subcode);
  std::string text = std::string(down_reason_name(DownReason::notification_sent)) + ": " + n.describe() +
                     ": unexpected " + message_type_name(type) + " in " + session_state_name(connection_state(c));
  connection_failed(now, c, Failure{DownReason::notification_sent, std::move(text), std::move(n), {}});
}

void Session::handle_open(Time now, Connection& c, const OpenMessage& open) {
  auto outcome = negotiate(config_, sent_open_, open);
  if (auto* rejection = std::get_if<OpenRejection>(&outcome)) {
    std::string text = std::string(down_reason_name(DownReason::notification_sent)) + ": " +
                       rejection->notification.describe() + ": " + rejection->reason;
    connection_failed(now, c,
                      Failure{DownReason::notification_sent, std::move(text), std::move(rejection->notification), {}});
    return;
  }
  // RFC 4271 §8.2.2: with DelayOpen, the peer's OPEN is answered with OPEN and KEEPALIVE.
  if (c.state == ConnectionState::delay_open) send_message(c, encode(sent_open_));
  enter_open_confirm(now, c, std::get<Negotiated>(std::move(outcome)));
}

void Session::enter_open_confirm(Time now, Connection& c, Negotiated negotiated) {
  c.state = ConnectionState::open_confirm;
  c.delay_open_deadline = Time::never();
  c.decoder.set_max_message(negotiated.codec.max_size());  // RFC 8654
  c.negotiated = std::move(negotiated);
  restart_hold_timer(now, c);
  send_keepalive(now, c);
  resolve_collision(c);
}

void Session::resolve_collision(Connection& c) {
  Connection* other = other_than(c);
  if (!other || other->state != ConnectionState::open_confirm) return;
  // RFC 4271 §6.8: keep the connection opened by the higher BGP Identifier;
  // RFC 6286 §2.3: with equal identifiers (eBGP), by the higher AS.
  uint32_t remote_id = c.negotiated->remote_id;
  bool keep_outgoing = config_.router_id != remote_id ? config_.router_id > remote_id
                                                      : config_.local_as > c.negotiated->remote_as;
  Connection& loser = c.outgoing == keep_outgoing ? *other : c;
  close_connection(loser, cease(cease_subcode::connection_collision_resolution));
}

void Session::enter_established(Time now, Connection& c) {
  c.state = ConnectionState::established;
  restart_hold_timer(now, c);
  if (Connection* other = other_than(c)) {
    std::optional<Notification> n;
    if (other->state != ConnectionState::connecting) n = cease(cease_subcode::connection_collision_resolution);
    close_connection(*other, n);
  }
  connect_retry_deadline_ = Time::never();
  negotiated_ = *c.negotiated;
  established_at_ = now;
  ++counters_.established_transitions;
  counters_.established_since = now;
  actions_.push_back(session::Established{*negotiated_});
}

// ---- Failures ------------------------------------------------------------

void Session::connection_failed(Time now, Connection& c, Failure failure, bool tell_caller) {
  bool was_established = c.state == ConnectionState::established;
  bool other = other_than(c) != nullptr;
  close_connection(c, failure.sent, tell_caller);
  // The session lives on with the other connection (e.g. the collision loser
  // closed by the peer); it goes down only with its last connection.
  if (other && !was_established) return;
  session_down(now, std::move(failure), Afterwards::back_off, {}, true);
}

void Session::session_down(Time now, Failure failure, Afterwards afterwards, std::optional<Duration> restart_after,
                           bool had_connection) {
  bool was_established = negotiated_.has_value();
  for (std::optional<Connection>* slot : {&outgoing_, &incoming_}) {
    if (!*slot) continue;
    bool live = (*slot)->state != ConnectionState::connecting;
    had_connection = had_connection || live;
    close_connection(**slot, live ? failure.sent : std::nullopt);
  }
  if (had_connection || was_established) {
    actions_.push_back(
        session::Down{failure.reason, failure.text, failure.sent, failure.received, was_established});
    counters_.last_down_reason = failure.reason;
    counters_.last_error = failure.text;
    counters_.last_down_at = now;
  }
  if (was_established) {
    ++counters_.flaps;
    counters_.established_since.reset();
  }
  negotiated_.reset();
  connect_retry_deadline_ = Time::never();
  idle_hold_deadline_ = Time::never();
  accept_during_idle_hold_ = afterwards == Afterwards::back_off;

  switch (afterwards) {
    case Afterwards::back_off:
      // Back-off policy: see IdleHoldBackoff in config.h.
      if (was_established && now - established_at_ >= config_.idle_hold.stable_after)
        counters_.consecutive_failures = 0;
      ++counters_.consecutive_failures;
      idle_hold_deadline_ = now + idle_hold_for(counters_.consecutive_failures);
      break;
    case Afterwards::stay_idle:
      started_ = false;
      counters_.consecutive_failures = 0;
      break;
    case Afterwards::restart_now:
      counters_.consecutive_failures = 0;
      begin_connecting(now);
      break;
    case Afterwards::restart_later:
      idle_hold_deadline_ = now + restart_after.value_or(Duration::zero());
      break;
  }
}

// ---- Timers --------------------------------------------------------------

void Session::on_timer(Time now) {
  StateWatch watch(*this, now);
  if (idle_hold_deadline_ <= now) {
    idle_hold_deadline_ = Time::never();
    if (started_) begin_connecting(now);
  }
  if (connect_retry_deadline_ <= now) {
    connect_retry_deadline_ = Time::never();
    // RFC 4271 §8.2.2: in Connect, drop the attempt and try again; in Active, connect.
    bool only_attempting = !incoming_ && (!outgoing_ || outgoing_->state == ConnectionState::connecting);
    if (started_ && !config_.passive && only_attempting) {
      if (outgoing_) close_connection(*outgoing_, std::nullopt);
      open_outgoing(now);
    }
  }
  on_timer_connection(now, true);
  on_timer_connection(now, false);
}

void Session::on_timer_connection(Time now, bool outgoing) {
  std::optional<Connection>& slot = outgoing ? outgoing_ : incoming_;
  if (!slot) return;
  Connection& c = *slot;
  if (c.hold_deadline <= now) {
    Duration held = c.negotiated ? c.negotiated->hold_time : config_.open_hold_time;
    std::string text = std::string(down_reason_name(DownReason::hold_timer_expired)) + ": nothing received for " +
                       held.to_string() + " in " + session_state_name(connection_state(c));
    connection_failed(now, c,
                      Failure{DownReason::hold_timer_expired, std::move(text),
                              Notification{error_code::hold_timer_expired, 0, {}}, {}});
    return;
  }
  if (c.delay_open_deadline <= now) send_open(now, c);
  if (c.keepalive_deadline <= now) send_keepalive(now, c);
}

}  // namespace halink::bgp
