#include "runtime/event_loop.h"

#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <thread>

using namespace halink;
using namespace halink::runtime;

TEST(EventLoop, TimersFireInDeadlineOrderAndCancelledOnesDoNot) {
  EventLoop loop;
  std::vector<int> fired;
  Time t0 = loop.now();
  loop.schedule(t0 + Duration::milliseconds(20), [&] { fired.push_back(2); });
  loop.schedule(t0 + Duration::milliseconds(5), [&] { fired.push_back(1); });
  auto cancelled = loop.schedule(t0 + Duration::milliseconds(10), [&] { fired.push_back(99); });
  loop.cancel(cancelled);
  loop.schedule(t0 + Duration::milliseconds(30), [&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
  EXPECT_GE(loop.now() - t0, Duration::milliseconds(30));
}

TEST(EventLoop, PostFromAnotherThreadRunsOnTheLoop) {
  EventLoop loop;
  std::thread::id ran_on;
  std::thread poster([&] { loop.post([&] { ran_on = std::this_thread::get_id(); loop.stop(); }); });
  loop.run();
  poster.join();
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(EventLoop, ReadableFdCallsHandler) {
  EventLoop loop;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string got;
  loop.watch(fds[0], EPOLLIN, [&](uint32_t) {
    char buf[16];
    ssize_t n = read(fds[0], buf, sizeof buf);
    got.assign(buf, size_t(n));
    loop.unwatch(fds[0]);
    loop.stop();
  });
  ASSERT_EQ(write(fds[1], "hi", 2), 2);
  loop.run_for(Duration::seconds(5));
  EXPECT_EQ(got, "hi");
  close(fds[0]);
  close(fds[1]);
}

TEST(DeadlineTimer, RearmingReplacesThePreviousDeadline) {
  EventLoop loop;
  int fired = 0;
  DeadlineTimer timer(loop, [&] { ++fired; });
  Time t0 = loop.now();
  timer.arm(t0 + Duration::milliseconds(5));
  timer.arm(t0 + Duration::milliseconds(15));
  loop.run_for(Duration::milliseconds(30));
  EXPECT_EQ(fired, 1);
  timer.arm(loop.now() + Duration::milliseconds(1));
  timer.disarm();
  loop.run_for(Duration::milliseconds(10));
  EXPECT_EQ(fired, 1);
}

// A BFD Down is posted urgently so that it is acted on before route slices
// already queued (ARCHITECTURE.md "Liveness never waits for route processing").
TEST(EventLoop, UrgentPostsRunBeforeQueuedPostsAndBetweenABatchsCallbacks) {
  EventLoop loop;
  std::vector<std::string> ran;
  loop.post([&] {
    ran.push_back("slice 1");
    // Arrives while slice 1 runs, as a BFD Down from the BFD thread would.
    loop.post_urgent([&] { ran.push_back("urgent 2"); });
  });
  loop.post([&] {
    ran.push_back("slice 2");
    loop.stop();
  });
  loop.post_urgent([&] { ran.push_back("urgent 1"); });
  loop.run();
  EXPECT_EQ(ran, (std::vector<std::string>{"urgent 1", "slice 1", "urgent 2", "slice 2"}));
}

TEST(EventLoop, UrgentPostsKeepTheirOrderAndWakeTheLoopFromAnotherThread) {
  EventLoop loop;
  std::vector<int> ran;
  std::thread poster([&] {
    loop.post_urgent([&] { ran.push_back(1); });
    loop.post_urgent([&] {
      ran.push_back(2);
      loop.stop();
    });
  });
  loop.run();
  poster.join();
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
}
