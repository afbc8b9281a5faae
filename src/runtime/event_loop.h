// A single-threaded epoll event loop with nanosecond timers (timerfd).
//
// halinkd runs two of these: one for BGP and route processing, one for BFD
// (ARCHITECTURE.md "Liveness never waits for route processing"). Threads talk
// only through post(), which is the one thread-safe entry point.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/time.h"

namespace halink::runtime {

class EventLoop {
public:
  using FdHandler = std::function<void(uint32_t epoll_events)>;
  using TimerId = uint64_t;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Registers `fd` for EPOLLIN/EPOLLOUT/...; the handler runs on this loop.
  void watch(int fd, uint32_t events, FdHandler handler);
  void change(int fd, uint32_t events);
  void unwatch(int fd);

  // One-shot timer at `when` (monotonic). Cancelling an expired or unknown
  // id is harmless, so owners may cancel unconditionally.
  TimerId schedule(Time when, std::function<void()> callback);
  void cancel(TimerId id);

  // Thread-safe: runs `callback` on the loop's thread soon.
  void post(std::function<void()> callback);
  // Thread-safe: like post(), but served at the start of the next wake-up,
  // before socket handlers, timers and every post()ed callback not yet
  // started. For events that must not wait behind queued route slices (a BFD
  // Down: the routes over the dead path are what the slices would delay).
  void post_urgent(std::function<void()> callback);

  // Runs until stop(). run_for() is for tests: returns after `d` at most.
  void run();
  void run_for(Duration d);
  void stop();  // thread-safe

  Time now() const;

private:
  void run_until(Time deadline);
  void arm_timerfd();
  void fire_due_timers();
  void drain_posted();
  void drain_urgent();

  int epoll_fd_ = -1;
  int timer_fd_ = -1;
  int wake_fd_ = -1;
  std::unordered_map<int, std::shared_ptr<FdHandler>> handlers_;
  std::map<std::pair<Time, TimerId>, std::function<void()>> timers_;
  std::unordered_map<TimerId, Time> timer_deadline_;
  TimerId next_timer_id_ = 1;
  Time armed_for_ = Time::never();
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::vector<std::function<void()>> urgent_;
  bool stopping_ = false;
};

// A re-armable timer for a sans-IO core: arm(core.next_deadline()) after
// every input; it calls back once when the deadline passes.
class DeadlineTimer {
public:
  DeadlineTimer(EventLoop& loop, std::function<void()> on_expiry) : loop_(loop), on_expiry_(std::move(on_expiry)) {}
  ~DeadlineTimer() { loop_.cancel(id_); }
  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;

  void arm(Time deadline);
  void disarm();

private:
  EventLoop& loop_;
  std::function<void()> on_expiry_;
  EventLoop::TimerId id_ = 0;
  Time deadline_ = Time::never();
};

}  // namespace halink::runtime
