// Timeline summaries: what each scenario step did to the flows.
#include "design/timeline.h"

#include <gtest/gtest.h>

namespace halink::design {
namespace {

Time at_ms(int64_t ms) { return Time::zero() + Duration::milliseconds(ms); }

Timeline two_phases() {
  Timeline t;
  t.start = at_ms(0);
  t.end = at_ms(10'000);
  t.phases = {{"fail: tunnel-blackhole r1-g1", at_ms(2'000), at_ms(5'000)},
              {"restore: tunnel-blackhole r1-g1", at_ms(5'000), at_ms(10'000)}};
  t.flows = {
      {"a→b #0", "a → b", {{at_ms(2'000), at_ms(2'300)}}},
      {"a→b #1", "a → b", {{at_ms(2'000), at_ms(2'250)}, {at_ms(9'000), Time::never()}}},
      {"a→b #2", "a → b", {}},
  };
  return t;
}

TEST(Timeline, EachOutageCountsInThePhaseWhereItStarts) {
  auto phases = summarize(two_phases());
  ASSERT_EQ(phases.size(), 2u);
  EXPECT_EQ(phases[0].flows, 3u);
  EXPECT_EQ(phases[0].flows_hit, 2u);
  EXPECT_EQ(phases[0].worst, Duration::milliseconds(300));
  EXPECT_EQ(phases[0].recovered_after, Duration::milliseconds(300));
  // The second phase's outage never ended: up to the timeline's end, not recovered.
  EXPECT_EQ(phases[1].flows_hit, 1u);
  EXPECT_EQ(phases[1].worst, Duration::milliseconds(1'000));
  EXPECT_FALSE(phases[1].recovered_after.has_value());
}

TEST(Timeline, AQuietPhaseHitsNothing) {
  Timeline t = two_phases();
  t.flows.pop_back();
  t.flows.erase(t.flows.begin());
  t.flows[0].outages.pop_back();
  auto phases = summarize(t);
  EXPECT_EQ(phases[1].flows_hit, 0u);
  EXPECT_EQ(phases[1].worst, Duration::zero());
  EXPECT_EQ(phases[1].recovered_after, Duration::zero());
}

TEST(Timeline, SummaryTableHasOneRowPerStep) {
  std::string table = render_summary_table(summarize(two_phases()));
  EXPECT_NE(table.find("fail: tunnel-blackhole r1-g1"), std::string::npos) << table;
  EXPECT_NE(table.find("2/3"), std::string::npos) << table;
  EXPECT_NE(table.find("300 ms"), std::string::npos) << table;
  EXPECT_NE(table.find("NOT RECOVERED"), std::string::npos) << table;
}

}  // namespace
}  // namespace halink::design
