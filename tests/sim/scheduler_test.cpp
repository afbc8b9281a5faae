#include "sim/scheduler.h"

#include <gtest/gtest.h>

#include "sim/trace.h"

namespace halink::sim {
namespace {

Time at_ms(int64_t ms) { return Time::zero() + Duration::milliseconds(ms); }

TEST(Scheduler, RunsByTimeThenInsertionOrder) {
  Scheduler s;
  std::string order;
  s.schedule_at(at_ms(20), [&] { order += 'c'; });
  s.schedule_at(at_ms(10), [&] { order += 'a'; });
  s.schedule_at(at_ms(10), [&] { order += 'b'; });
  s.schedule_at(at_ms(30), [&] { order += 'd'; });
  EXPECT_EQ(s.run_until(at_ms(25)), 3u);
  EXPECT_EQ(order, "abc");
  EXPECT_EQ(s.now(), at_ms(25));
  s.run_until(Time::never());
  EXPECT_EQ(order, "abcd");
  EXPECT_EQ(s.now(), at_ms(30));
}

TEST(Scheduler, EventsScheduledForNowRunAfterThoseAlreadyDue) {
  Scheduler s;
  std::string order;
  s.schedule_at(at_ms(5), [&] {
    order += 'a';
    s.schedule_after(Duration::zero(), [&] { order += 'c'; });
    s.schedule_at(at_ms(1), [&] { order += 'd'; });  // the past runs now, never earlier
  });
  s.schedule_at(at_ms(5), [&] { order += 'b'; });
  s.run_until(at_ms(5));
  EXPECT_EQ(order, "abcd");
  EXPECT_EQ(s.now(), at_ms(5));
}

TEST(Scheduler, CancelledEventsDoNotRun) {
  Scheduler s;
  int runs = 0;
  const EventId id = s.schedule_at(at_ms(1), [&] { ++runs; });
  s.schedule_at(at_ms(2), [&] { ++runs; });
  EXPECT_TRUE(s.is_pending(id));
  EXPECT_TRUE(s.cancel(id));
  EXPECT_FALSE(s.cancel(id));
  EXPECT_FALSE(s.cancel(no_event));
  EXPECT_EQ(s.next_event_time(), at_ms(2));
  s.run_until(at_ms(10));
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(s.executed(), 1u);
  EXPECT_EQ(s.pending(), 0u);
  EXPECT_EQ(s.next_event_time(), Time::never());
}

TEST(Scheduler, RunUntilLeavesLaterEventsPending) {
  Scheduler s;
  bool ran = false;
  s.schedule_at(at_ms(100), [&] { ran = true; });
  s.run_until(at_ms(99));
  EXPECT_FALSE(ran);
  EXPECT_EQ(s.now(), at_ms(99));
  EXPECT_TRUE(s.run_next());
  EXPECT_TRUE(ran);
  EXPECT_FALSE(s.run_next());
}

TEST(Trace, FormatsTimeWithMicrosecondsTruncated) {
  EXPECT_EQ(Trace::format_time(Time::zero()), "t=0.000000s");
  EXPECT_EQ(Trace::format_time(Time::from_ns(1'234'567'999)), "t=1.234567s");
  EXPECT_EQ(Trace::format_time(Time::from_ns(61'000'001'000)), "t=61.000001s");
  Trace trace;
  std::vector<std::string> echoed;
  trace.set_echo([&](const std::string& line) { echoed.push_back(line); });
  trace.record(Time::from_ns(250'000'000), "r1", "crash");
  EXPECT_EQ(trace.text(), "t=0.250000s r1 crash\n");
  EXPECT_EQ(echoed, std::vector<std::string>{"t=0.250000s r1 crash"});
  trace.set_enabled(false);
  trace.record(Time::zero(), "r1", "restart");
  EXPECT_EQ(trace.lines().size(), 1u);
  EXPECT_EQ(echoed.size(), 2u);
}

}  // namespace
}  // namespace halink::sim
