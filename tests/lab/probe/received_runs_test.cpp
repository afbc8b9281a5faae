#include "lab/probe/received_runs.h"

#include <gtest/gtest.h>

#include <vector>

namespace halink::lab {
namespace {

std::vector<std::pair<uint64_t, uint64_t>> runs_of(const ReceivedRuns& runs) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  runs.for_each([&](const ReceivedRun& r) { out.push_back({r.first, r.last}); });
  return out;
}

TEST(ReceivedRuns, InOrderIsOneRun) {
  ReceivedRuns runs;
  for (uint64_t s = 10; s < 1000; ++s) EXPECT_TRUE(runs.insert(s, int64_t(s) * 100));
  EXPECT_EQ(runs_of(runs), (std::vector<std::pair<uint64_t, uint64_t>>{{10, 999}}));
  EXPECT_EQ(runs.lowest().first_send_ns, 1000);
  EXPECT_EQ(runs.highest().last_send_ns, 99900);
}

TEST(ReceivedRuns, HolesSplitAndLatePacketsJoin) {
  ReceivedRuns runs;
  for (uint64_t s : {1, 2, 3, 6, 7, 9}) runs.insert(s, int64_t(s));
  EXPECT_EQ(runs_of(runs), (std::vector<std::pair<uint64_t, uint64_t>>{{1, 3}, {6, 7}, {9, 9}}));
  runs.insert(5, 5);  // joins the run after it
  EXPECT_EQ(runs_of(runs), (std::vector<std::pair<uint64_t, uint64_t>>{{1, 3}, {5, 7}, {9, 9}}));
  EXPECT_EQ(runs.run_count(), 3u);
  runs.insert(4, 4);  // joins both neighbours
  runs.insert(8, 8);
  EXPECT_EQ(runs_of(runs), (std::vector<std::pair<uint64_t, uint64_t>>{{1, 9}}));
  EXPECT_EQ(runs.lowest().first_send_ns, 1);
  EXPECT_EQ(runs.lowest().last_send_ns, 9);
  runs.insert(0, 0);  // before everything
  EXPECT_EQ(runs_of(runs), (std::vector<std::pair<uint64_t, uint64_t>>{{0, 9}}));
}

TEST(ReceivedRuns, DuplicatesAreRefused) {
  ReceivedRuns runs;
  for (uint64_t s : {1, 2, 3, 7}) runs.insert(s, 0);
  EXPECT_FALSE(runs.insert(2, 0));
  EXPECT_FALSE(runs.insert(7, 0));
  EXPECT_TRUE(runs.contains(3));
  EXPECT_FALSE(runs.contains(5));
  EXPECT_FALSE(runs.contains(0));
  EXPECT_EQ(runs_of(runs), (std::vector<std::pair<uint64_t, uint64_t>>{{1, 3}, {7, 7}}));
}

}  // namespace
}  // namespace halink::lab
