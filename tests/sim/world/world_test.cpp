// The article's designs in the simulator, with halink's real speaker and BFD.
#include "sim/world/world.h"

#include <gtest/gtest.h>

#include "config/loader.h"
#include "sim/world/failure.h"

using namespace halink;
using namespace halink::sim;

namespace {
config::Topology load(const char* name) {
  auto t = config::load_topology(std::string(HALINK_SOURCE_DIR) + "/examples/" + name);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.message());
  return *t;
}
}  // namespace

TEST(World, ActiveActiveConvergesAndSpreadsOverAllFourTunnels) {
  auto world = World::build(load("active-active.yaml"), SimulationConfig{});
  ASSERT_TRUE(world.ok()) << world.message();
  auto converged = (*world)->run_until_converged(Duration::seconds(60));
  ASSERT_TRUE(converged.has_value());
  EXPECT_LT(*converged, Duration::seconds(5));
  (*world)->simulation().traffic().reset_volumes();
  (*world)->simulation().run_for(Duration::seconds(2));
  for (auto& share : (*world)->tunnel_shares()) {
    EXPECT_NEAR(share.share_from_a, 0.25, 0.12) << share.tunnel;
    EXPECT_NEAR(share.share_from_b, 0.25, 0.12) << share.tunnel;
  }
}

TEST(World, BlackholedTunnelCostsAboutTheBfdDetectionTime) {
  RunOptions options;
  options.failure_duration = Duration::seconds(15);
  auto run = run_failure(load("active-active.yaml"), Failure{Failure::Kind::tunnel_blackhole, "r1-g1"}, options);
  ASSERT_TRUE(run.ok()) << run.message();
  for (auto& d : run->failure_outage) {
    EXPECT_TRUE(d.recovered) << d.from_site << "->" << d.to_site;
    EXPECT_GT(d.flows_hit, 0u);
    EXPECT_LT(d.flows_hit, d.flows);  // only flows hashed onto that tunnel
    // BFD 100 ms x 3: detection 300 ms; the outage is detection plus a
    // sample or two, never the 9 s hold time.
    EXPECT_GE(d.worst, Duration::milliseconds(200));
    EXPECT_LE(d.worst, Duration::milliseconds(400));
  }
}

TEST(World, BfdLogOnlyLeavesDetectionToTheHoldTimer) {
  config::Topology topology = load("active-active.yaml");
  for (auto& r : topology.routers)
    for (auto& n : r.neighbors)
      if (n.bfd) n.bfd->log_only = true;
  RunOptions options;
  options.failure_duration = Duration::seconds(15);
  auto run = run_failure(topology, Failure{Failure::Kind::tunnel_blackhole, "r1-g1"}, options);
  ASSERT_TRUE(run.ok()) << run.message();
  for (auto& d : run->failure_outage) {
    EXPECT_TRUE(d.recovered);
    // keepalive 3 s / hold 9 s: 6–9 s after the last keepalive got through.
    EXPECT_GE(d.worst, Duration::seconds(6));
    EXPECT_LE(d.worst, Duration::milliseconds(9100));
  }
}
