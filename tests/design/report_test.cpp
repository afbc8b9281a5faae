#include "design/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "design/check.h"
#include "topology_builder.h"

namespace halink::design {
namespace {

using test::DesignSpec;

TEST(Report, VerdictCountsProblemsByGroup) {
  Report report;
  EXPECT_EQ(report.verdict(), "OK: no single points of failure (0 errors, 0 warnings, 0 notes)");
  report.add({Severity::error, FindingKind::single_point_of_failure, {"fw1"}, "m", ""});
  report.add({Severity::error, FindingKind::single_point_of_failure, {"isp1"}, "m", ""});
  report.add({Severity::warning, FindingKind::hold_time_mismatch, {"r1", "g1"}, "m", ""});
  report.add({Severity::info, FindingKind::active_passive, {}, "m", ""});
  EXPECT_EQ(report.verdict(),
            "FAIL: 2 single points of failure, 1 timer or session mismatch (2 errors, 1 warning, 1 note)");
  EXPECT_TRUE(report.has_errors());
}

TEST(Report, TextGroupsFindingsUnderTheVerdict) {
  DesignSpec spec;
  spec.single_firewall = true;
  spec.onprem_neighbor_keys = "bfd: true";
  const Report report = check_design(test::load_design(spec));
  const std::string text = render_text(report);
  EXPECT_EQ(text.rfind("halink check: test-design (test.yaml)\nFAIL: 1 single point of failure", 0), 0u) << text;
  const size_t failures = text.find("Single points of failure and redundancy\n  ERROR   firewall fw1");
  const size_t timers = text.find("Sessions, timers and failure detection\n  WARNING");
  const size_t traffic = text.find("Expected traffic share per tunnel");
  ASSERT_NE(failures, std::string::npos) << text;
  ASSERT_NE(timers, std::string::npos) << text;
  ASSERT_NE(traffic, std::string::npos) << text;
  EXPECT_LT(failures, timers);
  EXPECT_LT(timers, traffic);
  EXPECT_NE(text.find("    t1           isp1        25.0 %  (sent by r1)"), std::string::npos) << text;
  EXPECT_NE(text.find("Simulated failover\n  not run"), std::string::npos);
}

TEST(Report, JsonCarriesFindingsTablesAndSimulatedFailover) {
  DesignSpec spec;
  spec.single_firewall = true;
  Report report = check_design(test::load_design(spec));
  report.simulated_failover.push_back({"firewall fw1 lost", {"fw1"}, "onprem", "cloud", Duration::infinite(),
                                       Duration::infinite(), false,
                                       {{"h1:40000 -> 10.2.0.10:443/tcp", "onprem", "cloud", Duration::infinite(), ""}}});
  report.simulated_failover.push_back(
      {"tunnel t1 blackholed", {"t1"}, "onprem", "cloud", Duration::milliseconds(320), Duration::milliseconds(256), true, {}});
  const auto json = nlohmann::json::parse(render_json(report));
  EXPECT_EQ(json["topology"], "test-design");
  EXPECT_EQ(json["errors"], report.count(Severity::error));
  EXPECT_EQ(json["verdict"], report.verdict());
  ASSERT_FALSE(json["findings"].empty());
  EXPECT_EQ(json["findings"][0]["kind"], "single-point-of-failure");
  EXPECT_EQ(json["findings"][0]["severity"], "error");
  EXPECT_EQ(json["findings"][0]["elements"][0], "fw1");
  EXPECT_EQ(json["traffic"].size(), 8u);
  EXPECT_EQ(json["detection"].size(), 4u);
  EXPECT_EQ(json["detection"][0]["detection_at_a_ms"], 30000.0);
  EXPECT_TRUE(json["simulated_failover"][0]["outage_a_to_b_ms"].is_null());
  EXPECT_EQ(json["simulated_failover"][1]["outage_a_to_b_ms"], 320.0);
  EXPECT_EQ(json["simulated_failover"][1]["survived"], true);
  const std::string text = render_text(report);
  EXPECT_NE(text.find("firewall fw1 lost: onprem -> cloud never, cloud -> onprem never  NOT RECOVERED"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tunnel t1 blackholed: onprem -> cloud 320ms, cloud -> onprem 256ms"), std::string::npos);
}

}  // namespace
}  // namespace halink::design
