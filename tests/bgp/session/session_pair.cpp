#include "session_pair.h"

#include <utility>

namespace halink::bgp::testing {

SessionPair::SessionPair(SessionConfig a, SessionConfig b, Session::RandomSource random_a,
                         Session::RandomSource random_b) {
  sessions_[0] = std::make_unique<Session>(std::move(a), std::move(random_a));
  sessions_[1] = std::make_unique<Session>(std::move(b), std::move(random_b));
}

void SessionPair::unlink(End end) {
  auto it = peer_of_.find(end);
  if (it == peer_of_.end()) return;
  peer_of_.erase(it->second);
  peer_of_.erase(it);
}

bool SessionPair::drain(int side) {
  std::vector<SessionAction> actions = session(side).take_actions();
  for (SessionAction& action : actions) {
    if (auto* connect = std::get_if<session::Connect>(&action)) {
      in_flight_.push_back(Delivery{Delivery::Kind::connect, now_ + latency, 1 - side, connect->connection, {}});
    } else if (auto* send = std::get_if<session::SendBytes>(&action)) {
      auto it = peer_of_.find({side, send->connection});
      if (it == peer_of_.end() || silenced[size_t(side)]) continue;
      in_flight_.push_back(Delivery{Delivery::Kind::bytes, now_ + latency, it->second.first, it->second.second,
                                    std::move(send->bytes)});
    } else if (auto* close = std::get_if<session::Close>(&action)) {
      auto it = peer_of_.find({side, close->connection});
      if (it == peer_of_.end()) {
        abandoned_connects_.insert({side, close->connection});
        continue;
      }
      in_flight_.push_back(Delivery{Delivery::Kind::close, now_ + latency, it->second.first, it->second.second, {}});
      unlink({side, close->connection});
    } else {
      events_[size_t(side)].push_back(Event{now_, std::move(action)});
    }
  }
  return !actions.empty();
}

bool SessionPair::deliver_due() {
  bool any = false;
  while (!in_flight_.empty() && in_flight_.front().at <= now_) {
    Delivery d = std::move(in_flight_.front());
    in_flight_.pop_front();
    any = true;
    Session& to = session(d.to_side);
    switch (d.kind) {
      case Delivery::Kind::connect: {
        int initiator = 1 - d.to_side;
        if (abandoned_connects_.erase({initiator, d.to})) break;  // the SYN of a dropped attempt
        ConnectionId accepted = to.on_incoming(now_);
        peer_of_[{initiator, d.to}] = {d.to_side, accepted};
        peer_of_[{d.to_side, accepted}] = {initiator, d.to};
        in_flight_.push_back(Delivery{Delivery::Kind::connected, now_ + latency, initiator, d.to, {}});
        break;
      }
      case Delivery::Kind::connected:
        // Even when the peer refused: its kernel accepted the connection
        // before the application closed it, as a real listener does.
        // (A session ignores ids it has already given up.)
        to.on_connected(now_, d.to);
        break;
      case Delivery::Kind::close:
        unlink({d.to_side, d.to});
        to.on_closed(now_, d.to);
        break;
      case Delivery::Kind::bytes:
        last_delivery_[size_t(d.to_side)] = now_;
        if (one_byte_at_a_time) {
          for (uint8_t byte : d.bytes) to.on_bytes(now_, d.to, std::span<const uint8_t>(&byte, 1));
        } else {
          to.on_bytes(now_, d.to, d.bytes);
        }
        break;
    }
  }
  return any;
}

void SessionPair::settle() {
  bool busy = true;
  while (busy) {
    busy = drain(0);
    busy = drain(1) || busy;
    busy = deliver_due() || busy;
  }
}

void SessionPair::run_until(Time t) {
  settle();
  for (;;) {
    Time next = earliest(a().next_deadline(), b().next_deadline());
    if (!in_flight_.empty()) next = earliest(next, in_flight_.front().at);
    if (next > t) break;
    now_ = std::max(now_, next);
    for (int side : {0, 1})
      if (session(side).next_deadline() <= now_) session(side).on_timer(now_);
    settle();
  }
  now_ = std::max(now_, t);
}

}  // namespace halink::bgp::testing
