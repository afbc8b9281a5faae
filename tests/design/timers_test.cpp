#include "design/timers.h"

#include <gtest/gtest.h>

#include "design/check.h"
#include "topology_builder.h"

namespace halink::design {
namespace {

using test::DesignSpec;

struct Timed {
  Report report;
  TimerAnalysis timers;
};

Timed analyse(const DesignSpec& spec) {
  Timed t;
  const config::Topology topology = test::load_design(spec);
  const SessionMap sessions = match_sessions(topology);
  const TopologyGraph graph = TopologyGraph::build(topology, sessions);
  t.timers = analyse_timers(topology, sessions, graph, t.report);
  return t;
}

TEST(Timers, EqualSettingsGiveNoFindingsAndEqualDetection) {
  DesignSpec spec;
  spec.onprem_neighbor_keys = "bfd: {interval_ms: 100, multiplier: 3}";
  spec.cloud_neighbor_keys = "bfd: {interval_ms: 100, multiplier: 3}";
  const Timed t = analyse(spec);
  EXPECT_TRUE(t.report.findings.empty()) << render_text(t.report);
  ASSERT_EQ(t.timers.sessions.size(), 4u);
  const SessionTimers& s = *t.timers.find("t1");
  EXPECT_TRUE(s.bfd_up);
  EXPECT_EQ(s.a.detection, Duration::milliseconds(300));
  EXPECT_EQ(s.b.detection, Duration::milliseconds(300));
  EXPECT_EQ(s.a.mechanism, "BFD");
  ASSERT_EQ(t.report.detection.size(), 4u);
}

TEST(Timers, HoldTimeMismatchReportsWhatEachSideGets) {
  DesignSpec spec;
  spec.onprem_neighbor_keys = "hold_time: 9\nkeepalive: 3";
  spec.cloud_neighbor_keys = "hold_time: 90\nkeepalive: 30";
  const Timed t = analyse(spec);
  const SessionTimers& s = *t.timers.find("t1");
  EXPECT_EQ(s.negotiated_hold, Duration::seconds(9));
  EXPECT_EQ(s.a.keepalive, Duration::seconds(3));
  EXPECT_EQ(s.b.keepalive, Duration::seconds(3));  // a third of the negotiated hold time
  EXPECT_EQ(s.a.detection, Duration::seconds(9));
  EXPECT_EQ(s.b.detection, Duration::seconds(9));
  const auto mismatches = t.report.of_kind(FindingKind::hold_time_mismatch);
  ASSERT_EQ(mismatches.size(), 4u);
  EXPECT_NE(mismatches[0]->message.find("r1 proposes hold time 9s, g1 90s; both use 9s"), std::string::npos)
      << mismatches[0]->message;
}

TEST(Timers, BfdOnOneSideNeverComesUp) {
  DesignSpec spec;
  spec.onprem_neighbor_keys = "bfd: true";
  const Timed t = analyse(spec);
  const SessionTimers& s = *t.timers.find("t1");
  EXPECT_FALSE(s.bfd_up);
  EXPECT_EQ(s.a.detection, Duration::seconds(30));  // the default hold time
  const auto one_sided = t.report.of_kind(FindingKind::bfd_one_sided);
  ASSERT_EQ(one_sided.size(), 4u);
  EXPECT_EQ(one_sided[0]->severity, Severity::warning);
  EXPECT_NE(one_sided[0]->message.find("BFD runs on r1 only"), std::string::npos) << one_sided[0]->message;
  EXPECT_NE(one_sided[0]->advice.find("enable BFD on g1"), std::string::npos);
}

TEST(Timers, BfdMultiplierMismatchGivesDetectionPerDirection) {
  DesignSpec spec;
  spec.onprem_neighbor_keys = "bfd: {interval_ms: 1000, multiplier: 3}";
  spec.cloud_neighbor_keys = "bfd: {interval_ms: 1000, multiplier: 10}";
  const Timed t = analyse(spec);
  const SessionTimers& s = *t.timers.find("t1");
  ASSERT_TRUE(s.bfd_up);
  // RFC 5880 §6.8.4: the remote Detect Mult times the agreed interval.
  EXPECT_EQ(s.a.detection, Duration::seconds(10));  // r1 waits for 10 of g1's packets
  EXPECT_EQ(s.b.detection, Duration::seconds(3));
  EXPECT_EQ(t.report.count(FindingKind::bfd_mismatch), 4u);
  const auto asymmetric = t.report.of_kind(FindingKind::detection_asymmetry);
  ASSERT_EQ(asymmetric.size(), 4u);
  EXPECT_NE(asymmetric[0]->message.find("g1 stops using it after 3s (BFD) but r1 keeps sending into it for up to 10s"),
            std::string::npos)
      << asymmetric[0]->message;
  EXPECT_NE(asymmetric[0]->message.find("lost for 7s longer"), std::string::npos);
}

TEST(Timers, BfdIntervalMismatchUsesTheSlowerInterval) {
  DesignSpec spec;
  spec.onprem_neighbor_keys = "bfd: {interval_ms: 100, multiplier: 3}";
  spec.cloud_neighbor_keys = "bfd: {interval_ms: 300, multiplier: 5}";
  const Timed t = analyse(spec);
  const SessionTimers& s = *t.timers.find("t1");
  EXPECT_EQ(s.a.detection, Duration::milliseconds(1500));
  EXPECT_EQ(s.b.detection, Duration::milliseconds(900));
  // 0.6 s apart: reported as a BFD mismatch, not as a detection asymmetry.
  EXPECT_EQ(t.report.count(FindingKind::bfd_mismatch), 4u);
  EXPECT_EQ(t.report.count(FindingKind::detection_asymmetry), 0u);
}

TEST(Timers, MissingSessionAtOneEnd) {
  DesignSpec spec;
  spec.g2_skip_tunnel = "t4";
  const Timed t = analyse(spec);
  const auto missing = t.report.of_kind(FindingKind::session_one_sided);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0]->severity, Severity::error);
  EXPECT_EQ(missing[0]->elements, (std::vector<std::string>{"r2", "g2"}));
  EXPECT_NE(missing[0]->advice.find("with remote_as 65001"), std::string::npos);
  EXPECT_EQ(t.report.count(FindingKind::idle_tunnel), 0u);  // the one-sided finding explains t4
}

TEST(Timers, RemoteAsMismatchByAddress) {
  DesignSpec spec;
  spec.r1_extra = "";
  std::string yaml = test::design_yaml(spec);
  // r1's neighbour over t1 by address, expecting the wrong AS.
  const std::string needle = "      - tunnel: t1\n";
  yaml.replace(yaml.find(needle), needle.size(), "      - {name: g1-t1, address: 169.254.21.2, remote_as: 65999}\n");
  const config::Topology topology = test::load_yaml(yaml);
  const SessionMap sessions = match_sessions(topology);
  ASSERT_EQ(sessions.sessions.size(), 4u);
  Report report;
  analyse_timers(topology, sessions, TopologyGraph::build(topology, sessions), report);
  const auto mismatch = report.of_kind(FindingKind::remote_as_mismatch);
  ASSERT_EQ(mismatch.size(), 1u);
  EXPECT_NE(mismatch[0]->message.find("r1 expects AS 65999 on tunnel t1 but g1 is AS 65010"), std::string::npos)
      << mismatch[0]->message;
}

TEST(ProviderProfiles, AzureWithBfdConfiguredIsAFinding) {
  DesignSpec spec;
  spec.cloud_profile = "azure-vpn-gateway";
  spec.onprem_neighbor_keys = "hold_time: 180\nkeepalive: 60";
  spec.cloud_neighbor_keys = "bfd: true";
  const Timed t = analyse(spec);
  const auto limits = t.report.of_kind(FindingKind::provider_limit);
  ASSERT_FALSE(limits.empty());
  EXPECT_EQ(limits[0]->severity, Severity::error);
  EXPECT_NE(limits[0]->message.find("does not offer BFD"), std::string::npos) << limits[0]->message;
  EXPECT_FALSE(t.timers.find("t1")->bfd_up);
}

TEST(ProviderProfiles, OnPremBfdTowardsAzureIsOneSided) {
  DesignSpec spec;
  spec.cloud_profile = "azure-vpn-gateway";
  spec.cloud_neighbors = false;
  spec.onprem_neighbor_keys = "hold_time: 180\nkeepalive: 60\nbfd: true";
  const Timed t = analyse(spec);
  const auto one_sided = t.report.of_kind(FindingKind::bfd_one_sided);
  ASSERT_EQ(one_sided.size(), 4u);
  EXPECT_NE(one_sided[0]->message.find("provider gateway without BFD"), std::string::npos);
  const SessionTimers& s = *t.timers.find("t1");
  EXPECT_EQ(s.negotiated_hold, Duration::seconds(180));
  EXPECT_EQ(s.b.keepalive, Duration::seconds(60));
}

TEST(ProviderProfiles, AzureFixedKeepaliveAgainstAShortHoldTimeFlaps) {
  DesignSpec spec;
  spec.cloud_profile = "azure-vpn-gateway";
  spec.cloud_neighbors = false;
  spec.onprem_neighbor_keys = "hold_time: 30\nkeepalive: 10";
  const Timed t = analyse(spec);
  const SessionTimers& s = *t.timers.find("t1");
  EXPECT_EQ(s.negotiated_hold, Duration::seconds(30));
  EXPECT_EQ(s.b.keepalive, Duration::seconds(60));  // Azure does not follow the negotiation
  const auto slow = t.report.of_kind(FindingKind::keepalive_too_slow);
  ASSERT_EQ(slow.size(), 4u);
  EXPECT_EQ(slow[0]->severity, Severity::error);
  EXPECT_NE(slow[0]->message.find("g1 sends keepalives every 60s but the negotiated hold time is 30s"),
            std::string::npos)
      << slow[0]->message;
  EXPECT_NE(slow[0]->advice.find("to at least 180s"), std::string::npos) << slow[0]->advice;
}

TEST(ProviderProfiles, AwsDeadPeerDetectionAgainstSlowOnPremHoldTime) {
  DesignSpec spec;
  spec.cloud_profile = "aws-transit-gateway";
  spec.cloud_neighbors = false;
  spec.onprem_neighbor_keys = "hold_time: 90\nkeepalive: 30";
  const Timed t = analyse(spec);
  const SessionTimers& s = *t.timers.find("t1");
  // AWS proposes 30 s: both ends use it; the gateway's DPD (30 s) is no faster.
  EXPECT_EQ(s.negotiated_hold, Duration::seconds(30));
  EXPECT_EQ(s.a.detection, Duration::seconds(30));
  EXPECT_EQ(s.b.detection, Duration::seconds(30));
  EXPECT_EQ(t.report.count(FindingKind::hold_time_mismatch), 4u);
}

TEST(ProviderProfiles, ReservedAsnOfThePeerIsAnError) {
  DesignSpec spec;
  spec.cloud_profile = "azure-vpn-gateway";
  spec.cloud_neighbors = false;
  spec.onprem_neighbor_keys = "hold_time: 180\nkeepalive: 60";
  std::string yaml = test::design_yaml(spec);
  for (size_t at = yaml.find("local_as: 65001"); at != std::string::npos; at = yaml.find("local_as: 65001"))
    yaml.replace(at, 15, "local_as: 65515");
  const config::Topology topology = test::load_yaml(yaml);
  const Report report = check_design(topology);
  bool reserved = false;
  for (const Finding* f : report.of_kind(FindingKind::provider_limit))
    reserved = reserved || f->message.find("AS 65515, which Azure VPN Gateway reserves") != std::string::npos;
  EXPECT_TRUE(reserved) << render_text(report);
}

}  // namespace
}  // namespace halink::design

namespace halink::design {
namespace {

TEST(Timers, SlowDetectionWithoutBfdIsAWarningWhenBfdCouldFixIt) {
  test::DesignSpec spec;
  spec.onprem_neighbor_keys = "hold_time: 90\nkeepalive: 30";
  spec.cloud_neighbor_keys = "hold_time: 90\nkeepalive: 30";
  Report report;
  const config::Topology topology = test::load_design(spec);
  const SessionMap sessions = match_sessions(topology);
  analyse_timers(topology, sessions, TopologyGraph::build(topology, sessions), report);
  const auto slow = report.of_kind(FindingKind::slow_detection);
  ASSERT_EQ(slow.size(), 1u);
  EXPECT_EQ(slow[0]->severity, Severity::warning);
  EXPECT_NE(slow[0]->message.find("4 of 4 sessions notice a silent tunnel failure only after up to 90s"),
            std::string::npos)
      << slow[0]->message;
}

TEST(Timers, SlowDetectionAgainstAzureIsANoteOnly) {
  test::DesignSpec spec;
  spec.cloud_profile = "azure-vpn-gateway";
  spec.cloud_neighbors = false;
  spec.onprem_neighbor_keys = "hold_time: 180\nkeepalive: 60";
  const Report report = check_design(test::load_design(spec));
  const auto slow = report.of_kind(FindingKind::slow_detection);
  ASSERT_EQ(slow.size(), 1u);
  EXPECT_EQ(slow[0]->severity, Severity::info);
  EXPECT_NE(slow[0]->message.find("up to 180s"), std::string::npos);
  EXPECT_FALSE(report.has_errors()) << render_text(report);
  // The only warnings: r1 and r2 have no site pair session (site_pairs.h).
  EXPECT_EQ(report.count(Severity::warning), report.count(FindingKind::no_site_pair_session)) << render_text(report);
}

TEST(Timers, VeryFastBfdIsNotedWithTheLabFigures) {
  test::DesignSpec spec;
  spec.onprem_neighbor_keys = "bfd: {interval_ms: 50, multiplier: 3}";
  spec.cloud_neighbor_keys = "bfd: {interval_ms: 50, multiplier: 3}";
  const Report report = check_design(test::load_design(spec));
  EXPECT_EQ(report.count(FindingKind::aggressive_bfd), 4u);
  EXPECT_EQ(report.detection[0].detection_at_a, Duration::milliseconds(150));
}

}  // namespace
}  // namespace halink::design
