// Same seed and inputs → byte-identical trace; another seed → another run.
// The nodes here behave like a BGP speaker with BFD in miniature: jittered
// keepalives over TCP, a liveness datagram per interval, reconnects after a
// jittered delay, and their own hold timer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>

#include "recording_node.h"
#include "sim/simulation.h"

namespace halink::sim {
namespace {

using testing::numbered;

Prefix pfx(const char* text) { return Prefix::parse(text).value(); }

struct PeerLink {
  LinkId link;
  bool initiator;
  ChannelId channel;
};

class Chatter : public Node {
public:
  Chatter(Simulation& sim, NodeId self, std::vector<PeerLink> peers) : sim_(sim), self_(self), peers_(std::move(peers)) {}

  void start(Time now) override {
    sessions_.clear();
    for (size_t i = 0; i < peers_.size(); ++i) {
      Session s;
      s.reconnect_at = peers_[i].initiator ? now + jitter(Duration::milliseconds(100)) : Time::never();
      sessions_.push_back(s);
    }
  }
  void crash(Time) override { sessions_.clear(); }

  Time next_deadline() const override {
    Time t = Time::never();
    for (const Session& s : sessions_) t = earliest(t, earliest(s.reconnect_at, earliest(s.keepalive_at, s.hold_at)));
    return t;
  }

  void on_timer(Time now) override {
    for (size_t i = 0; i < sessions_.size(); ++i) {
      Session& s = sessions_[i];
      if (s.reconnect_at <= now) {
        s.reconnect_at = Time::never();
        s.connection = sim_.tcp_connect(sim_.network().direct_path(self_, peers_[i].link), Duration::seconds(3));
        pending_[s.connection] = i;
      }
      if (s.keepalive_at <= now) {
        const std::string text = numbered("keepalive ", s.sent++);
        (void)sim_.tcp_send(self_, s.connection, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
        const uint8_t hello = 1;
        (void)sim_.send_datagram(self_, peers_[i].channel, std::span(&hello, 1));
        s.keepalive_at = now + jitter(Duration::seconds(1));
      }
      if (s.hold_at <= now) {
        sim_.note(self_, numbered("hold timer expired on session ", i));
        sim_.tcp_close(self_, s.connection);
        down(i, now);
      }
    }
  }

  void on_tcp_connected(Time now, ConnectionId c, const TcpConnectionInfo&) override { up(pending_.at(c), c, now); }
  void on_tcp_accepted(Time now, ConnectionId c, const TcpConnectionInfo& info) override {
    for (size_t i = 0; i < peers_.size(); ++i)
      if (info.path.links.front() == peers_[i].link) {
        if (sessions_[i].connection) sim_.tcp_close(self_, sessions_[i].connection);
        up(i, c, now);
      }
  }
  void on_tcp_bytes(Time now, ConnectionId c, std::span<const uint8_t>) override {
    for (Session& s : sessions_)
      if (s.connection == c) s.hold_at = now + Duration::seconds(3);
  }
  void on_tcp_closed(Time now, ConnectionId c, TcpCloseReason) override {
    for (size_t i = 0; i < sessions_.size(); ++i)
      if (sessions_[i].connection == c || pending_.count(c)) {
        down(pending_.count(c) ? pending_.at(c) : i, now);
        break;
      }
  }
  void on_datagram(Time, ChannelId, std::span<const uint8_t>) override { ++datagrams_; }

private:
  struct Session {
    ConnectionId connection = 0;
    uint64_t sent = 0;
    Time reconnect_at = Time::never();
    Time keepalive_at = Time::never();
    Time hold_at = Time::never();
  };
  Duration jitter(Duration base) { return base.scaled(0.75 + 0.25 * sim_.random(self_).uniform()); }
  void up(size_t i, ConnectionId c, Time now) {
    Session& s = sessions_[i];
    s.connection = c;
    s.keepalive_at = now;
    s.hold_at = now + Duration::seconds(3);
    pending_.erase(c);
    sim_.note(self_, numbered("session up ", i));
  }
  void down(size_t i, Time now) {
    Session& s = sessions_[i];
    pending_.erase(s.connection);
    s.connection = 0;
    s.keepalive_at = s.hold_at = Time::never();
    if (peers_[i].initiator) s.reconnect_at = now + jitter(Duration::seconds(2));
    sim_.note(self_, numbered("session down ", i));
  }

  Simulation& sim_;
  NodeId self_;
  std::vector<PeerLink> peers_;
  std::vector<Session> sessions_;
  std::map<ConnectionId, size_t> pending_;
  uint64_t datagrams_ = 0;
};

std::string run(uint64_t seed) {
  SimulationConfig config;
  config.seed = seed;
  config.trace_packets = true;
  Simulation sim(config);
  auto& net = sim.network();
  const NodeId r[2] = {sim.add_node("r1"), sim.add_node("r2")};
  const NodeId g[2] = {sim.add_node("g1"), sim.add_node("g2")};
  const UnderlayId isp[2] = {net.add_underlay("isp1", 1'000'000'000), net.add_underlay("isp2", 250'000'000)};
  std::map<NodeId, std::vector<PeerLink>> peers;
  for (int i = 0; i < 2; ++i) {
    sim.table(r[i]).add_local(pfx("10.1.0.0/16"));
    sim.table(g[i]).add_local(pfx("10.2.0.0/16"));
    std::vector<fib::NextHop> hops;
    for (int j = 0; j < 2; ++j) {
      LinkSpec spec;
      spec.name = numbered(numbered("r", i + 1) + "-g", j + 1);
      const auto k = static_cast<uint8_t>(i * 2 + j);
      spec.a = LinkEnd{r[i], numbered("wg", j), IpAddress::v4(169, 254, k, 1)};
      spec.b = LinkEnd{g[j], numbered("wg", i), IpAddress::v4(169, 254, k, 2)};
      spec.latency = Duration::milliseconds(5 + 3 * k);
      spec.capacity_bps = 100'000'000;
      spec.underlay = isp[j];
      const LinkId link = net.add_link(spec).value();
      const ChannelId channel = sim.open_channel(net.direct_path(r[i], link));
      peers[r[i]].push_back(PeerLink{link, true, channel});
      peers[g[j]].push_back(PeerLink{link, false, channel});
      hops.push_back(fib::NextHop{IpAddress::v4(169, 254, k, 2), numbered("wg", j)});
    }
    const fib::RouteChange route[] = {{pfx("10.2.0.0/16"), hops}};
    EXPECT_TRUE(sim.table(r[i]).apply(route).ok());
  }
  for (NodeId n : {r[0], r[1], g[0], g[1]}) sim.attach(n, std::make_unique<Chatter>(sim, n, peers[n]));
  for (int f = 0; f < 8; ++f) {
    Flow flow;
    flow.name = numbered("f", f);
    flow.ingress = r[f % 2];
    flow.tuple = FiveTuple{IpAddress::v4(10, 1, 0, 1), IpAddress::v4(10, 2, 0, 1), 6, static_cast<uint16_t>(50000 + f), 443};
    sim.traffic().add_flow(flow);
  }
  const LinkId r1g1 = *net.find_link("r1-g1");
  sim.at(Time::zero() + Duration::seconds(5), [&] { sim.set_link_state(r1g1, LinkState::blackhole); });
  sim.at(Time::zero() + Duration::seconds(12), [&] { sim.set_link_state(r1g1, LinkState::up); });
  sim.at(Time::zero() + Duration::seconds(20), [&] { sim.set_underlay_up(isp[1], false); });
  sim.at(Time::zero() + Duration::seconds(25), [&] { sim.set_underlay_up(isp[1], true); });
  sim.at(Time::zero() + Duration::seconds(30), [&] { sim.crash(g[1]); });
  sim.at(Time::zero() + Duration::seconds(33), [&] { sim.restart(g[1]); });
  sim.run_until(Time::zero() + Duration::seconds(60));
  return sim.trace().text();
}

TEST(Determinism, SameSeedGivesByteIdenticalTrace) {
  const std::string first = run(7);
  const std::string second = run(7);
  // HALINK_SIM_TRACE=FILE keeps the trace for reading.
  if (const char* path = std::getenv("HALINK_SIM_TRACE")) std::ofstream(path) << first;
  EXPECT_EQ(first, second);
  EXPECT_GT(std::count(first.begin(), first.end(), '\n'), 500);
  // The scenario really exercised failures and recoveries.
  EXPECT_NE(first.find("hold timer expired"), std::string::npos);
  EXPECT_NE(first.find("g2 crash"), std::string::npos);
  EXPECT_NE(first.find("session up"), std::string::npos);
  EXPECT_NE(first.find("dropped (blackhole)"), std::string::npos);
}

TEST(Determinism, AnotherSeedGivesAnotherRun) { EXPECT_NE(run(7), run(8)); }

}  // namespace
}  // namespace halink::sim
