#include "lab/probe/send_schedule.h"

#include <gtest/gtest.h>

namespace halink::lab {
namespace {

const Time start = Time::from_ns(5'000'000'000);

TEST(SendSchedule, FlowsAreStaggeredEvenlyAcrossTheInterval) {
  SendSchedule schedule(start, 4, Duration::milliseconds(1));
  for (uint64_t round = 0; round < 3; ++round)
    for (uint32_t flow = 0; flow < 4; ++flow) {
      SendSlot slot = schedule.pop();
      EXPECT_EQ(slot.flow, flow);
      EXPECT_EQ(slot.index, round);
      EXPECT_EQ(slot.due, start + Duration::microseconds(int64_t(round) * 1000 + flow * 250));
    }
}

TEST(SendSchedule, NoDriftOverALongRun) {
  // 3 flows at 1,000 packets/s: 333,333.3 ns between slots; the rounding of
  // one slot never accumulates.
  SendSchedule schedule(start, 3, Duration::milliseconds(1));
  SendSlot slot;
  for (int i = 0; i < 3 * 1000; ++i) slot = schedule.pop();
  EXPECT_EQ(slot.flow, 2u);
  EXPECT_EQ(slot.index, 999u);
  EXPECT_EQ(slot.due, start + Duration::milliseconds(999) + Duration::nanoseconds(666'666));
  slot = schedule.pop();
  EXPECT_EQ(slot.flow, 0u);
  EXPECT_EQ(slot.index, 1000u);
  EXPECT_EQ(slot.due, start + Duration::seconds(1));
}

TEST(SendSchedule, WakesAtMostOncePerTick) {
  SendSchedule schedule(start, 64, Duration::milliseconds(1));
  schedule.pop();  // next due 15.625 µs after start
  EXPECT_EQ(schedule.wake_at(start, Duration::microseconds(200)), start + Duration::microseconds(200));
  // A slot due later than the tick is waited for exactly.
  SendSchedule slow(start, 1, Duration::milliseconds(1));
  slow.pop();
  EXPECT_EQ(slow.wake_at(start, Duration::microseconds(200)), start + Duration::milliseconds(1));
}

TEST(SendSchedule, ResumesAfterAStallWithoutBurstingOrSkipping) {
  SendSchedule schedule(start, 2, Duration::milliseconds(1));
  schedule.pop();  // flow 0, packet 0
  // Not scheduled for 300 ms: the next slot resumes now, the ones after it
  // keep their spacing, and no packet number is skipped.
  Time now = start + Duration::milliseconds(300);
  EXPECT_EQ(schedule.resume_at(now), Duration::milliseconds(300) - Duration::microseconds(500));
  SendSlot slot = schedule.pop();
  EXPECT_EQ(slot.flow, 1u);
  EXPECT_EQ(slot.index, 0u);
  EXPECT_EQ(slot.due, now);
  slot = schedule.pop();
  EXPECT_EQ(slot.index, 1u);
  EXPECT_EQ(slot.due, now + Duration::microseconds(500));
  // Not behind: nothing to shift.
  EXPECT_EQ(schedule.resume_at(now), Duration::zero());
}

}  // namespace
}  // namespace halink::lab
