#include "design/traffic.h"

#include <gtest/gtest.h>

#include "design/check.h"
#include "topology_builder.h"

namespace halink::design {
namespace {

using test::DesignSpec;

Report traffic_of(const DesignSpec& spec) {
  Report report;
  const config::Topology topology = test::load_design(spec);
  analyse_traffic(topology, match_sessions(topology), report);
  return report;
}

TEST(Traffic, ActiveActiveSpreadsAQuarterOverEachTunnel) {
  const Report report = traffic_of({});
  for (const char* t : {"t1", "t2", "t3", "t4"}) {
    EXPECT_DOUBLE_EQ(report.share("onprem", "cloud", t), 0.25) << t;
    EXPECT_DOUBLE_EQ(report.share("cloud", "onprem", t), 0.25) << t;
  }
  EXPECT_EQ(report.count(FindingKind::unequal_bandwidth), 0u);
  EXPECT_EQ(report.count(FindingKind::active_passive), 0u);
  EXPECT_EQ(report.count(FindingKind::reverse_path_filter), 0u);
}

TEST(Traffic, ActivePassiveUsesOnlyIsp1) {
  DesignSpec spec;
  spec.active_passive = true;
  const Report report = traffic_of(spec);
  for (const char* t : {"t1", "t2", "t3", "t4"}) EXPECT_DOUBLE_EQ(report.share("onprem", "cloud", t), 0.25) << t;
  for (const char* t : {"t5", "t6", "t7", "t8"}) EXPECT_DOUBLE_EQ(report.share("onprem", "cloud", t), 0.0) << t;
  for (const char* t : {"t1", "t2", "t3", "t4"}) EXPECT_DOUBLE_EQ(report.share("cloud", "onprem", t), 0.25) << t;
  EXPECT_EQ(report.count(FindingKind::unequal_bandwidth), 0u);
  const auto standby = report.of_kind(FindingKind::active_passive);
  ASSERT_EQ(standby.size(), 2u);  // one per direction
  EXPECT_NE(standby[0]->message.find("t5, t6, t7, t8 (underlay isp2) stay warm as standby"), std::string::npos)
      << standby[0]->message;
  EXPECT_NE(standby[0]->message.find("only 250 Mbit/s are left instead of 1000 Mbit/s"), std::string::npos);
  EXPECT_EQ(report.count(FindingKind::reverse_path_filter), 0u);
}

TEST(Traffic, ActiveActiveOverUnequalIspsWithoutPrependIsAWarning) {
  DesignSpec spec;
  spec.active_passive = true;
  spec.prepend_isp2_cloud = false;  // the cloud side announces equally over both ISPs
  const Report report = traffic_of(spec);
  for (const char* t : {"t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"})
    EXPECT_DOUBLE_EQ(report.share("onprem", "cloud", t), 0.125) << t;
  const auto unequal = report.of_kind(FindingKind::unequal_bandwidth);
  ASSERT_EQ(unequal.size(), 1u);
  EXPECT_EQ(unequal[0]->severity, Severity::warning);
  EXPECT_NE(unequal[0]->message.find("traffic onprem -> cloud is spread over isp1 (1000 Mbit/s, 50 %) and isp2 "
                                     "(250 Mbit/s, 50 %): isp2 saturates when the total reaches 500 Mbit/s"),
            std::string::npos)
      << unequal[0]->message;
  EXPECT_NE(unequal[0]->advice.find("prepend on the sessions over isp2 in the export policy of site cloud"),
            std::string::npos);
  // The other direction still prefers isp1, so replies arrive on tunnels r1
  // does not send on: strict rp_filter would drop them.
  EXPECT_EQ(report.count(FindingKind::reverse_path_filter), 2u);
}

TEST(Traffic, MaxPathsOneUsesOneTunnelPerRouter) {
  DesignSpec spec;
  std::string yaml = test::design_yaml(spec);
  for (size_t at = yaml.find("max_paths: 8"); at != std::string::npos; at = yaml.find("max_paths: 8"))
    yaml.replace(at, 12, "max_paths: 1");
  Report report;
  const config::Topology topology = test::load_yaml(yaml);
  analyse_traffic(topology, match_sessions(topology), report);
  EXPECT_DOUBLE_EQ(report.share("onprem", "cloud", "t1"), 0.5);
  EXPECT_DOUBLE_EQ(report.share("onprem", "cloud", "t2"), 0.0);
  EXPECT_GE(report.count(FindingKind::active_passive), 1u);
}

TEST(Traffic, AwsVgwUsesOneTunnel) {
  DesignSpec spec;
  spec.cloud_profile = "aws-vgw";
  spec.cloud_neighbors = false;
  const Report report = traffic_of(spec);
  // g1 and g2 each pick one of their two tunnels.
  EXPECT_DOUBLE_EQ(report.share("cloud", "onprem", "t1"), 0.5);
  EXPECT_DOUBLE_EQ(report.share("cloud", "onprem", "t3"), 0.0);
  EXPECT_GE(report.count(FindingKind::provider_limit), 2u);
}

TEST(Traffic, NoExportPolicyMeansNoRoute) {
  DesignSpec spec;
  std::string yaml = test::design_yaml(spec);
  for (size_t at = yaml.find("      export: all\n"); at != std::string::npos; at = yaml.find("      export: all\n"))
    yaml.erase(at, 18);
  Report report;
  const config::Topology topology = test::load_yaml(yaml);
  analyse_traffic(topology, match_sessions(topology), report);
  const auto no_route = report.of_kind(FindingKind::no_route);
  ASSERT_EQ(no_route.size(), 2u);
  EXPECT_NE(no_route[0]->message.find("RFC 8212"), std::string::npos) << no_route[0]->message;
}

TEST(Traffic, RoutersBehindDifferentFirewallsRiskAsymmetricFlows) {
  DesignSpec spec;
  std::string yaml = test::design_yaml(spec);
  yaml.replace(yaml.find("hosts:"), 6,
               "devices:\n  fw1: {kind: firewall, site: onprem, outside: [r1]}\n"
               "  fw2: {kind: firewall, site: onprem, outside: [r2]}\nhosts:");
  const Report report = check_design(test::load_yaml(yaml));
  const auto asymmetric = report.of_kind(FindingKind::asymmetric_stateful);
  ASSERT_EQ(asymmetric.size(), 1u);
  EXPECT_NE(asymmetric[0]->message.find("fw1 (r1)"), std::string::npos) << asymmetric[0]->message;
  EXPECT_EQ(report.count(FindingKind::single_point_of_failure), 0u);
}

TEST(Traffic, OneFirewallInFrontOfBothRoutersSeesBothDirections) {
  DesignSpec spec;
  spec.single_firewall = true;
  const Report report = traffic_of(spec);
  EXPECT_EQ(report.count(FindingKind::asymmetric_stateful), 0u);
}

}  // namespace
}  // namespace halink::design
