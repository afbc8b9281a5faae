// The checks on the topology files in examples/ (skipped while a file is not there yet).
#include <gtest/gtest.h>

#include <filesystem>

#include "config/loader.h"
#include "design/check.h"
#include "design/sessions.h"
#include "design/spof.h"

namespace halink::design {
namespace {

std::optional<config::Topology> example(const std::string& name) {
  const std::string path = std::string(HALINK_SOURCE_DIR) + "/examples/" + name;
  if (!std::filesystem::exists(path)) return std::nullopt;
  auto loaded = config::load_topology(path);
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.message());
  if (!loaded.ok()) return std::nullopt;
  return std::move(loaded).value();
}

std::vector<std::string> single_points(const Report& report) {
  std::vector<std::string> out;
  for (const Finding* f : report.of_kind(FindingKind::single_point_of_failure)) out.push_back(f->elements[0]);
  return out;
}

TEST(Examples, ActiveActiveHasNoRouterGatewayOrTunnelSinglePoint) {
  auto topology = example("active-active.yaml");
  if (!topology) GTEST_SKIP() << "examples/active-active.yaml is not there yet";
  const Report report = check_design(*topology);
  // Every tunnel of this example rides the one underlay isp1, which is
  // therefore the only single point of failure left.
  for (const std::string& name : single_points(report)) EXPECT_EQ(name, "isp1") << render_text(report);
  const SessionMap sessions = match_sessions(*topology);
  const TopologyGraph graph = TopologyGraph::build(*topology, sessions);
  const FailureAnalysis failures = analyse_failures(*topology, graph);
  EXPECT_TRUE(pairs_lost(graph, failures, {"r1", "g2"}).empty());
  for (const TunnelShare& s : report.traffic) EXPECT_DOUBLE_EQ(s.share, 0.25) << s.tunnel;
  // Each site's routers hand each other their flows over the LAN (site_pairs.h),
  // and those iBGP sessions are matched end to end.
  EXPECT_EQ(report.count(FindingKind::no_site_pair_session), 0u) << render_text(report);
  EXPECT_EQ(report.count(FindingKind::session_one_sided), 0u) << render_text(report);
}

TEST(Examples, SingleFirewallReportsTheFirewall) {
  auto topology = example("single-firewall.yaml");
  if (!topology) GTEST_SKIP() << "examples/single-firewall.yaml is not there yet";
  const Report report = check_design(*topology);
  const auto spofs = single_points(report);
  EXPECT_NE(std::find(spofs.begin(), spofs.end(), "fw1"), spofs.end()) << render_text(report);
}

TEST(Examples, ActivePassiveSurvivesIsp1AndKeepsIsp2Standby) {
  auto topology = example("active-passive.yaml");
  if (!topology) GTEST_SKIP() << "examples/active-passive.yaml is not there yet";
  const Report report = check_design(*topology);
  EXPECT_TRUE(single_points(report).empty()) << render_text(report);
  const SessionMap sessions = match_sessions(*topology);
  const TopologyGraph graph = TopologyGraph::build(*topology, sessions);
  const FailureAnalysis failures = analyse_failures(*topology, graph);
  EXPECT_TRUE(pairs_lost(graph, failures, {"isp1"}).empty());
  for (const TunnelShare& s : report.traffic) {
    if (s.from_site != "onprem") continue;
    EXPECT_DOUBLE_EQ(s.share, s.underlay == "isp1" ? 0.25 : 0.0) << s.tunnel;
  }
  EXPECT_EQ(report.count(FindingKind::no_site_pair_session), 0u) << render_text(report);
}

}  // namespace
}  // namespace halink::design
