#include "lab/probe/probe_report.h"

#include <gtest/gtest.h>

namespace halink::lab {
namespace {

ProbeReport sample() {
  ProbeReport report;
  report.listen = "10.0.0.2:4000";
  report.started_ns = 1'000'000'000;
  report.stopped_ns = 4'000'000'000;
  FlowReport hit;
  hit.run_id = 0x1f;
  hit.flow = 3;
  hit.source = {IpAddress::v4(10, 0, 0, 1), 40003};
  hit.interval_ns = 1'000'000;
  hit.sent = 1000;
  hit.received = 700;
  hit.lost = 300;
  hit.outages.push_back({2'000'000'000, 2'300'123'456, 300, false});
  hit.longest_outage_ns = 300'123'456;
  hit.recovered_at_ns = 2'300'123'456;
  FlowReport clean = hit;
  clean.flow = 4;
  clean.received = 1000;
  clean.lost = 0;
  clean.outages.clear();
  clean.longest_outage_ns = 0;
  clean.recovered_at_ns.reset();
  report.flows = {hit, clean};
  report.totals = total_of(report.flows);
  return report;
}

TEST(ProbeReport, JsonCarriesFlowsOutagesAndTotals) {
  nlohmann::json j = report_to_json(sample());
  EXPECT_EQ(j["listen"], "10.0.0.2:4000");
  ASSERT_EQ(j["flows"].size(), 2u);
  const auto& f = j["flows"][0];
  EXPECT_EQ(f["run_id"], "000000000000001f");
  EXPECT_EQ(f["flow"], 3);
  EXPECT_EQ(f["source"], "10.0.0.1:40003");
  EXPECT_EQ(f["lost"], 300);
  EXPECT_EQ(f["outage_count"], 1);
  EXPECT_EQ(f["outages"][0]["start_ns"], 2'000'000'000);
  EXPECT_EQ(f["outages"][0]["end_ns"], 2'300'123'456);
  EXPECT_DOUBLE_EQ(f["outages"][0]["duration_ms"].get<double>(), 300.123);
  EXPECT_EQ(f["outages"][0]["open"], false);
  EXPECT_DOUBLE_EQ(f["longest_outage_ms"].get<double>(), 300.123);
  EXPECT_EQ(f["recovered_at_ns"], 2'300'123'456);
  EXPECT_TRUE(j["flows"][1]["recovered_at_ns"].is_null());
  EXPECT_EQ(j["totals"]["flows"], 2);
  EXPECT_EQ(j["totals"]["flows_hit"], 1);
  EXPECT_EQ(j["totals"]["lost"], 300);
  EXPECT_DOUBLE_EQ(j["totals"]["loss_percent"].get<double>(), 15.0);
  EXPECT_DOUBLE_EQ(j["totals"]["worst_outage_ms"].get<double>(), 300.123);
  EXPECT_EQ(j["totals"]["first_outage_start_ns"], 2'000'000'000);
}

TEST(ProbeReport, TextHasALinePerFlowAndTheTotals) {
  std::string text = report_to_text(sample());
  EXPECT_NE(text.find("10.0.0.1:40003"), std::string::npos);
  EXPECT_NE(text.find("300.123"), std::string::npos);
  EXPECT_NE(text.find("total: 2 flows, 1 hit"), std::string::npos);
  EXPECT_NE(text.find("lost 300 of 2000"), std::string::npos);
}

TEST(ProbeReport, Ipv6SourcesAreBracketed) {
  ProbeEndpoint e{*IpAddress::parse("2001:db8::1"), 4000};
  EXPECT_EQ(e.to_string(), "[2001:db8::1]:4000");
}

}  // namespace
}  // namespace halink::lab
