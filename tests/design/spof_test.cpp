#include "design/spof.h"

#include <gtest/gtest.h>

#include "design/check.h"
#include "design/sessions.h"
#include "topology_builder.h"

namespace halink::design {
namespace {

using test::DesignSpec;

struct Analysed {
  config::Topology topology;
  TopologyGraph graph;
  FailureAnalysis failures;
};

Analysed analyse(const DesignSpec& spec) {
  Analysed a{test::load_design(spec), {}, {}};
  a.graph = TopologyGraph::build(a.topology, match_sessions(a.topology));
  a.failures = analyse_failures(a.topology, a.graph, 2);
  return a;
}

TEST(SinglePointsOfFailure, ArticleActiveActiveDesignHasNone) {
  const Analysed a = analyse({});
  EXPECT_TRUE(a.failures.disconnected.empty());
  EXPECT_TRUE(a.failures.single_points.empty());
  // The article: it keeps working with 50 % of the routers or 75 % of the tunnels down.
  EXPECT_TRUE(pairs_lost(a.graph, a.failures, {"r1", "g2"}).empty());
  EXPECT_TRUE(pairs_lost(a.graph, a.failures, {"t1", "t2", "t3"}).empty());
  EXPECT_FALSE(pairs_lost(a.graph, a.failures, {"r1", "r2"}).empty());
  const Report report = check_design(a.topology);
  EXPECT_EQ(report.count(FindingKind::single_point_of_failure), 0u);
  EXPECT_FALSE(report.has_errors()) << render_text(report);
}

TEST(SinglePointsOfFailure, SingleFirewallIsReportedWithWhy) {
  DesignSpec spec;
  spec.single_firewall = true;
  const Analysed a = analyse(spec);
  ASSERT_EQ(a.failures.single_points.size(), 1u);
  const SinglePointOfFailure* fw = a.failures.single_point(a.graph, "fw1");
  ASSERT_NE(fw, nullptr);
  EXPECT_EQ(fw->why,
            "firewall fw1 is the only path between site onprem's LAN and routers r1, r2 "
            "(site onprem <-> site cloud)");
  EXPECT_EQ(fw->pairs_lost, std::vector<std::string>{"site onprem <-> site cloud"});

  const Report report = check_design(a.topology);
  ASSERT_EQ(report.count(FindingKind::single_point_of_failure), 1u);
  const Finding& finding = *report.of_kind(FindingKind::single_point_of_failure)[0];
  EXPECT_EQ(finding.severity, Severity::error);
  EXPECT_EQ(finding.elements, std::vector<std::string>{"fw1"});
  EXPECT_NE(finding.advice.find("second firewall"), std::string::npos);
  EXPECT_EQ(report.verdict().rfind("FAIL: 1 single point of failure", 0), 0u) << report.verdict();
}

TEST(SinglePointsOfFailure, AHostBehindTheFirewallIsAPlaceOfItsOwn) {
  DesignSpec spec;
  spec.single_firewall = true;
  spec.firewall_extra = "inside: [h1]";
  const Analysed a = analyse(spec);
  ASSERT_EQ(a.failures.pairs.size(), 1u);  // nothing is left on the on-prem LAN itself
  EXPECT_EQ(a.failures.pairs[0].description, "host h1 <-> site cloud");
  const SinglePointOfFailure* fw = a.failures.single_point(a.graph, "fw1");
  ASSERT_NE(fw, nullptr);
  EXPECT_EQ(fw->why, "firewall fw1 is the only path between host h1 and routers r1, r2 (host h1 <-> site cloud)");
}

TEST(SinglePointsOfFailure, ActivePassiveOverTwoIspsSurvivesLosingIsp1) {
  DesignSpec spec;
  spec.active_passive = true;
  const Analysed a = analyse(spec);
  EXPECT_TRUE(a.failures.single_points.empty());
  EXPECT_TRUE(pairs_lost(a.graph, a.failures, {"isp1"}).empty());
  EXPECT_TRUE(pairs_lost(a.graph, a.failures, {"isp2"}).empty());
  EXPECT_FALSE(pairs_lost(a.graph, a.failures, {"isp1", "isp2"}).empty());
}

TEST(SinglePointsOfFailure, SingleIspIsReportedAsSharedByEveryTunnel) {
  DesignSpec spec;
  spec.single_isp = true;
  const Analysed a = analyse(spec);
  ASSERT_EQ(a.failures.single_points.size(), 1u);
  const SinglePointOfFailure* isp = a.failures.single_point(a.graph, "isp1");
  ASSERT_NE(isp, nullptr);
  EXPECT_NE(isp->why.find("its tunnels t1, t2, t3, t4 fail together with it"), std::string::npos) << isp->why;
  const Report report = check_design(a.topology);
  const Finding& finding = *report.of_kind(FindingKind::single_point_of_failure)[0];
  EXPECT_EQ(finding.elements, (std::vector<std::string>{"isp1", "t1", "t2", "t3", "t4"}));
  EXPECT_NE(finding.advice.find("second underlay"), std::string::npos);
}

TEST(SinglePointsOfFailure, DoubleFailuresShowTheMarginOfARedundantDesign) {
  const Analysed a = analyse({});
  bool routers_pair = false;
  for (const DoubleFailure& d : a.failures.double_failures)
    if (a.graph.element(d.first).name == "r1" && a.graph.element(d.second).name == "r2") routers_pair = true;
  EXPECT_TRUE(routers_pair);
  const Report report = check_design(a.topology, {.max_failures = 2});
  EXPECT_EQ(report.failure_order, 2);
  bool listed = false;
  for (const DoubleFailureCut& cut : report.double_failures)
    listed = listed || (cut.elements == std::vector<std::string>{"r1", "r2"} &&
                        cut.pairs_lost == std::vector<std::string>{"site onprem <-> site cloud"});
  EXPECT_TRUE(listed);
  EXPECT_NE(render_text(report).find("Pairs of failures that disconnect (k = 2)\n"), std::string::npos);
  EXPECT_GE(report.count(FindingKind::reduced_redundancy), 1u);
  for (const Finding* f : report.of_kind(FindingKind::reduced_redundancy)) EXPECT_EQ(f->severity, Severity::info);
}

TEST(SinglePointsOfFailure, MissingSessionLeavesTheOtherTunnelsCarrying) {
  DesignSpec spec;
  spec.g2_skip_tunnel = "t4";
  const Analysed a = analyse(spec);
  // t4 carries nothing, so r2 reaches the cloud through t3 only: t3 and g1 are
  // not single points (r1 still has t1, t2), but r2's redundancy is gone.
  EXPECT_TRUE(a.failures.single_points.empty());
  EXPECT_TRUE(pairs_lost(a.graph, a.failures, {"r1", "t3"}).size() > 0);
}

TEST(StaticRoutes, ARouteToOneRouterIsASinglePointByConfiguration) {
  DesignSpec spec;
  spec.single_firewall = true;
  spec.firewall_extra = "static_routes:\n  - {prefix: 10.2.0.0/16, via: r1}";
  const Report report = check_design(test::load_design(spec));
  const auto routes = report.of_kind(FindingKind::static_route);
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0]->severity, Severity::error);
  EXPECT_EQ(routes[0]->elements, (std::vector<std::string>{"fw1", "r1"}));
  EXPECT_NE(routes[0]->message.find("firewall fw1 sends 10.2.0.0/16 (site cloud) to r1 only"), std::string::npos)
      << routes[0]->message;
  EXPECT_NE(routes[0]->message.find("by hand"), std::string::npos);
}

TEST(StaticRoutes, StaticRoutesOverSeveralNextHopsStillNeedAHumanOnSilentFailure) {
  DesignSpec spec;
  spec.single_firewall = true;
  spec.firewall_extra = "static_routes:\n  - {prefix: 0.0.0.0/0, via: r1}\n  - {prefix: 0.0.0.0/0, via: r2}";
  const Report report = check_design(test::load_design(spec));
  const auto routes = report.of_kind(FindingKind::static_route);
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0]->severity, Severity::warning);
  EXPECT_EQ(routes[0]->elements, (std::vector<std::string>{"fw1", "r1", "r2"}));
}

TEST(StaticRoutes, AStaticRouteIntoATunnelNamesThePeer) {
  DesignSpec spec;
  spec.r1_extra = "static_routes:\n  - {prefix: 10.2.0.0/16, via: 169.254.21.2}";
  const Report report = check_design(test::load_design(spec));
  const auto routes = report.of_kind(FindingKind::static_route);
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0]->elements, (std::vector<std::string>{"r1", "g1 over t1"}));
}

}  // namespace
}  // namespace halink::design
