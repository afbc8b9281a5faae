#include "design/graph.h"

#include <gtest/gtest.h>

#include "design/sessions.h"
#include "topology_builder.h"

namespace halink::design {
namespace {

using test::DesignSpec;

TEST(SessionMatching, PairsEveryTunnelOfTheTwoByTwoDesign) {
  const config::Topology topology = test::load_design({});
  const SessionMap sessions = match_sessions(topology);
  EXPECT_EQ(sessions.sessions.size(), 4u);
  EXPECT_TRUE(sessions.one_sided.empty());
  for (const char* t : {"t1", "t2", "t3", "t4"}) EXPECT_TRUE(sessions.tunnel_carries_session(t)) << t;
}

TEST(SessionMatching, ReportsANeighbourWithoutOneBack) {
  DesignSpec spec;
  spec.g2_skip_tunnel = "t4";
  const config::Topology topology = test::load_design(spec);
  const SessionMap sessions = match_sessions(topology);
  EXPECT_EQ(sessions.sessions.size(), 3u);
  ASSERT_EQ(sessions.one_sided.size(), 1u);
  EXPECT_EQ(sessions.one_sided[0].side.router_name(), "r2");
  EXPECT_EQ(sessions.one_sided[0].peer_router, "g2");
  EXPECT_EQ(sessions.one_sided[0].tunnel, "t4");
}

TEST(SessionMatching, ManagedGatewayWithoutNeighboursAnswersEverySession) {
  DesignSpec spec;
  spec.cloud_profile = "azure-vpn-gateway";
  spec.cloud_neighbors = false;
  const config::Topology topology = test::load_design(spec);
  const SessionMap sessions = match_sessions(topology);
  ASSERT_EQ(sessions.sessions.size(), 4u);
  for (const Session& s : sessions.sessions) EXPECT_TRUE(s.b.implied());
}

TEST(TopologyGraph, DeviceStandsBetweenTheLanAndItsOutsideRouters) {
  DesignSpec spec;
  spec.single_firewall = true;
  const config::Topology topology = test::load_design(spec);
  const TopologyGraph graph = TopologyGraph::build(topology, match_sessions(topology));
  const ElementId lan = *graph.site_lan("onprem");
  const ElementId fw = *graph.find("fw1");
  const ElementId r1 = *graph.find("r1");
  const auto& lan_neighbours = graph.neighbours(lan);
  EXPECT_NE(std::find(lan_neighbours.begin(), lan_neighbours.end(), fw), lan_neighbours.end());
  EXPECT_EQ(std::find(lan_neighbours.begin(), lan_neighbours.end(), r1), lan_neighbours.end());
  EXPECT_TRUE(graph.connected(lan, *graph.site_lan("cloud"), {}));
  EXPECT_FALSE(graph.connected(lan, *graph.site_lan("cloud"), {fw}));
}

TEST(TopologyGraph, AnUnderlayTakesItsTunnelsDown) {
  const config::Topology topology = test::load_design({});
  const TopologyGraph graph = TopologyGraph::build(topology, match_sessions(topology));
  const ElementId isp1 = *graph.find("isp1");
  std::vector<std::string> names;
  for (ElementId t : graph.dependents(isp1)) names.push_back(graph.element(t).name);
  EXPECT_EQ(names, (std::vector<std::string>{"t1", "t2"}));
  const auto reach = graph.reachable_from(*graph.site_lan("onprem"), {isp1});
  EXPECT_FALSE(reach[*graph.find("t1")]);
  EXPECT_TRUE(reach[*graph.find("t3")]);
}

TEST(TopologyGraph, ATunnelWithoutSessionsCarriesNothing) {
  DesignSpec spec;
  spec.g2_skip_tunnel = "t4";
  const config::Topology topology = test::load_design(spec);
  const TopologyGraph graph = TopologyGraph::build(topology, match_sessions(topology));
  ASSERT_EQ(graph.idle_tunnels().size(), 1u);
  EXPECT_EQ(graph.element(graph.idle_tunnels()[0]).name, "t4");
  EXPECT_TRUE(graph.neighbours(*graph.find("t4")).empty());
}

}  // namespace
}  // namespace halink::design
