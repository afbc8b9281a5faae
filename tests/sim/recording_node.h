// A sim::Node for tests: records every event it receives, as text, with
// the time; scripted behaviour is added by the tests through callbacks.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/simulation.h"

namespace halink::sim::testing {

// "wg" + 3 → "wg3". (g++ 12 at -O3 warns falsely, -Wrestrict, on
// operator+(const char*, std::string&&).)
inline std::string numbered(std::string prefix, uint64_t n) {
  prefix += std::to_string(n);
  return prefix;
}

struct Received {
  Time at;
  ConnectionId connection;
  std::string bytes;
};

class RecordingNode : public Node {
public:
  RecordingNode(Simulation& sim, NodeId self) : sim_(sim), self_(self) {}

  void start(Time now) override {
    log("start", now);
    if (on_start) on_start(now);
  }
  void crash(Time now) override {
    log("crash", now);
    deadline = Time::never();
  }
  Time next_deadline() const override { return deadline; }
  void on_timer(Time now) override {
    deadline = Time::never();
    log("timer", now);
    if (on_timer_fired) on_timer_fired(now);
  }
  void on_tcp_connected(Time now, ConnectionId c, const TcpConnectionInfo&) override {
    connected.push_back(c);
    log(numbered("connected ", c), now);
  }
  void on_tcp_accepted(Time now, ConnectionId c, const TcpConnectionInfo&) override {
    accepted.push_back(c);
    log(numbered("accepted ", c), now);
  }
  void on_tcp_bytes(Time now, ConnectionId c, std::span<const uint8_t> bytes) override {
    received.push_back(Received{now, c, std::string(bytes.begin(), bytes.end())});
    log(numbered("bytes ", c), now);
    if (on_bytes) on_bytes(now, c, received.back().bytes);
  }
  void on_tcp_closed(Time now, ConnectionId c, TcpCloseReason reason) override {
    closed.push_back({c, reason});
    close_times.push_back(now);
    log(std::string("closed ") + std::to_string(c) + " " + tcp_close_reason_name(reason), now);
  }
  void on_datagram(Time now, ChannelId channel, std::span<const uint8_t> bytes) override {
    datagrams.push_back(Received{now, channel, std::string(bytes.begin(), bytes.end())});
    log("datagram", now);
  }
  void on_interface(Time now, LinkId link, bool up) override {
    interface_events.push_back({link, up});
    log(numbered("interface ", link) + (up ? " up" : " down"), now);
  }

  void send(ConnectionId c, const std::string& text) {
    auto status = sim_.tcp_send(self_, c, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    if (!status) send_errors.push_back(status.message());
  }

  Time deadline = Time::never();
  std::function<void(Time)> on_start;
  std::function<void(Time)> on_timer_fired;
  std::function<void(Time, ConnectionId, const std::string&)> on_bytes;
  std::vector<ConnectionId> connected, accepted;
  std::vector<std::pair<ConnectionId, TcpCloseReason>> closed;
  std::vector<Time> close_times;
  std::vector<Received> received, datagrams;
  std::vector<std::pair<LinkId, bool>> interface_events;
  std::vector<std::string> events, send_errors;

private:
  void log(const std::string& what, Time now) { events.push_back(Trace::format_time(now) + " " + what); }
  Simulation& sim_;
  NodeId self_;
};

// Attaches a RecordingNode to `node` and returns it (owned by the simulation).
inline RecordingNode& attach_recorder(Simulation& sim, NodeId node) {
  auto owned = std::make_unique<RecordingNode>(sim, node);
  RecordingNode& ref = *owned;
  sim.attach(node, std::move(owned));
  return ref;
}

inline Time ms(int64_t n) { return Time::zero() + Duration::milliseconds(n); }

}  // namespace halink::sim::testing
