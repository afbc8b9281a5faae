// Two Sessions connected back to back through in-memory byte pipes, driven
// by a virtual clock: the smallest "network" that runs the real FSM on both
// ends. A TCP connect reaches the peer's listener after `latency` and
// completes `latency` later (SYN, SYN-ACK); bytes and closes arrive after
// `latency`, in order, optionally one byte per on_bytes() call.
#pragma once

#include <array>
#include <deque>
#include <map>
#include <set>
#include <memory>
#include <vector>

#include "bgp/session/session.h"

namespace halink::bgp::testing {

class SessionPair {
public:
  SessionPair(SessionConfig a, SessionConfig b, Session::RandomSource random_a, Session::RandomSource random_b);

  Session& session(int side) { return *sessions_[size_t(side)]; }
  Session& a() { return session(0); }
  Session& b() { return session(1); }
  Time now() const { return now_; }

  // Actions other than transport ones (Established, Down, ReceivedUpdate,
  // ReceivedRouteRefresh) seen on each side, oldest first, with their time.
  struct Event {
    Time at;
    SessionAction action;
  };
  const std::vector<Event>& events(int side) const { return events_[size_t(side)]; }
  template <class T>
  std::vector<T> events_of(int side) const {
    std::vector<T> out;
    for (const Event& e : events(side))
      if (auto* t = std::get_if<T>(&e.action)) out.push_back(*t);
    return out;
  }
  // When `side` last received bytes that its session read.
  Time last_delivery_to(int side) const { return last_delivery_[size_t(side)]; }

  Duration latency = Duration::milliseconds(1);
  bool one_byte_at_a_time = false;
  // Bytes `side` sends are lost (the side went silent, e.g. a frozen process).
  std::array<bool, 2> silenced{false, false};

  // Runs both sessions until virtual time `t` (inclusive).
  void run_until(Time t);
  void run_for(Duration d) { run_until(now_ + d); }
  // Processes pending actions and deliveries at the current time.
  void settle();

private:
  struct Delivery {
    enum class Kind { bytes, close, connect, connected } kind = Kind::bytes;
    Time at;
    int to_side;
    ConnectionId to;  // for `connect`: the initiator's id
    std::vector<uint8_t> bytes;
  };
  using End = std::pair<int, ConnectionId>;

  bool drain(int side);
  bool deliver_due();
  void unlink(End end);

  std::array<std::unique_ptr<Session>, 2> sessions_;
  std::array<std::vector<Event>, 2> events_;
  std::array<Time, 2> last_delivery_{};
  std::map<End, End> peer_of_;
  std::set<End> abandoned_connects_;  // closed by the initiator before the peer accepted
  std::deque<Delivery> in_flight_;
  Time now_ = Time::zero();
};

}  // namespace halink::bgp::testing
