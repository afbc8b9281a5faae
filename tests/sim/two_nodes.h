// Two recording nodes joined by one link (10 ms one way), for transport tests.
#pragma once

#include <gtest/gtest.h>

#include "recording_node.h"
#include "sim/simulation.h"

namespace halink::sim::testing {

class TwoNodes : public ::testing::Test {
protected:
  explicit TwoNodes(uint64_t capacity_bps = 0, SimulationConfig config = {}) : sim(config) {
    a = sim.add_node("a");
    b = sim.add_node("b");
    LinkSpec spec;
    spec.name = "ab";
    spec.a = LinkEnd{a, "eth0", IpAddress::v4(10, 0, 0, 1)};
    spec.b = LinkEnd{b, "eth0", IpAddress::v4(10, 0, 0, 2)};
    spec.latency = Duration::milliseconds(10);
    spec.capacity_bps = capacity_bps;
    link = sim.network().add_link(spec).value();
    ra = &attach_recorder(sim, a);
    rb = &attach_recorder(sim, b);
    a_to_b = sim.network().direct_path(a, link);
  }

  // Connects a → b at `when` and returns the id the connection will get.
  ConnectionId connect_at(Time when, std::optional<Duration> timeout = std::nullopt) {
    ConnectionId id = 0;
    sim.at(when, [this, timeout, &id] { id = sim.tcp_connect(a_to_b, timeout); });
    sim.run_until(when);
    return id;
  }
  void blackhole(Time from, Time until) {
    sim.at(from, [this] { sim.set_link_state(link, LinkState::blackhole); });
    if (!until.is_never()) sim.at(until, [this] { sim.set_link_state(link, LinkState::up); });
  }
  void send_at(Time when, RecordingNode* node, const ConnectionId& c, std::string text) {
    sim.at(when, [node, &c, text] { node->send(c, text); });
  }

  Simulation sim;
  NodeId a = 0, b = 0;
  LinkId link = 0;
  RecordingNode* ra = nullptr;
  RecordingNode* rb = nullptr;
  Path a_to_b;
};

}  // namespace halink::sim::testing
