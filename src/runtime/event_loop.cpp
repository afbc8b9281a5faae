#include "runtime/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "runtime/clock.h"

namespace halink::runtime {
namespace {
void must(bool ok, const char* what) {
  // Resource exhaustion at start-up is not a user error we can recover from.
  if (!ok) throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}
}  // namespace

EventLoop::EventLoop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  must(epoll_fd_ >= 0, "epoll_create1");
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  must(timer_fd_ >= 0, "timerfd_create");
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  must(wake_fd_ >= 0, "eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = timer_fd_;
  must(epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &ev) == 0, "epoll_ctl timerfd");
  ev.data.fd = wake_fd_;
  must(epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) == 0, "epoll_ctl eventfd");
}

EventLoop::~EventLoop() {
  close(wake_fd_);
  close(timer_fd_);
  close(epoll_fd_);
}

void EventLoop::watch(int fd, uint32_t events, FdHandler handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  must(epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0, "epoll_ctl add");
  handlers_[fd] = std::make_shared<FdHandler>(std::move(handler));
}

void EventLoop::change(int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  must(epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) == 0, "epoll_ctl mod");
}

void EventLoop::unwatch(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  handlers_.erase(fd);
}

EventLoop::TimerId EventLoop::schedule(Time when, std::function<void()> callback) {
  TimerId id = next_timer_id_++;
  timers_.emplace(std::pair{when, id}, std::move(callback));
  timer_deadline_[id] = when;
  if (when < armed_for_) arm_timerfd();
  return id;
}

void EventLoop::cancel(TimerId id) {
  auto it = timer_deadline_.find(id);
  if (it == timer_deadline_.end()) return;
  timers_.erase({it->second, id});
  timer_deadline_.erase(it);
  // The timerfd may fire early for a cancelled timer; fire_due_timers re-arms.
}

void EventLoop::arm_timerfd() {
  Time next = timers_.empty() ? Time::never() : timers_.begin()->first.first;
  armed_for_ = next;
  itimerspec spec{};
  if (!next.is_never()) {
    int64_t ns = next.ns() > 0 ? next.ns() : 1;
    spec.it_value.tv_sec = ns / 1'000'000'000;
    spec.it_value.tv_nsec = ns % 1'000'000'000;
  }
  timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void EventLoop::fire_due_timers() {
  uint64_t expirations;
  while (read(timer_fd_, &expirations, sizeof expirations) > 0) {
  }
  Time now_ = now();
  while (!timers_.empty() && timers_.begin()->first.first <= now_) {
    auto node = timers_.extract(timers_.begin());
    timer_deadline_.erase(node.key().second);
    node.mapped()();
  }
  arm_timerfd();
}

void EventLoop::post(std::function<void()> callback) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(callback));
  }
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
}

void EventLoop::post_urgent(std::function<void()> callback) {
  {
    std::lock_guard lock(posted_mutex_);
    urgent_.push_back(std::move(callback));
  }
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
}

void EventLoop::drain_urgent() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(posted_mutex_);
    batch.swap(urgent_);
  }
  for (auto& callback : batch) callback();
}

void EventLoop::drain_posted() {
  uint64_t count;
  while (read(wake_fd_, &count, sizeof count) > 0) {
  }
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(posted_mutex_);
    batch.swap(posted_);
  }
  for (auto& callback : batch) {
    // An urgent event posted while this batch runs (a BFD Down during a
    // route slice) goes before the batch's next callback (the next slice).
    drain_urgent();
    callback();
  }
  drain_urgent();
}

void EventLoop::stop() {
  post([this] { stopping_ = true; });
}

void EventLoop::run() { run_until(Time::never()); }

void EventLoop::run_for(Duration d) { run_until(now() + d); }

void EventLoop::run_until(Time deadline) {
  stopping_ = false;
  epoll_event events[64];
  while (!stopping_) {
    int timeout_ms = -1;
    if (!deadline.is_never()) {
      Duration left = deadline - now();
      if (left <= Duration::zero()) break;
      timeout_ms = int(left.ms()) + 1;
    }
    int n = epoll_wait(epoll_fd_, events, 64, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      must(false, "epoll_wait");
    }
    // What arrived is handled before the timers that fell due in the same
    // wake-up: after a long step (a route slice on a loaded machine) a
    // KEEPALIVE or BFD packet already in the socket must restart the hold
    // or detection timer before that timer is judged expired. Posted work
    // (route slices) comes last; urgent posted work (a BFD Down) first.
    bool timers_due = false, posted = false;
    for (int i = 0; i < n; ++i)
      if (events[i].data.fd == wake_fd_) drain_urgent();
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == timer_fd_) {
        timers_due = true;
      } else if (fd == wake_fd_) {
        posted = true;
      } else if (auto it = handlers_.find(fd); it != handlers_.end()) {
        auto handler = it->second;  // keeps it alive if the handler unwatches itself
        (*handler)(events[i].events);
      }
    }
    if (timers_due) fire_due_timers();
    if (posted) drain_posted();
  }
}

Time EventLoop::now() const { return monotonic_now(); }

void DeadlineTimer::arm(Time deadline) {
  if (deadline == deadline_ && id_ != 0) return;
  loop_.cancel(id_);
  id_ = 0;
  deadline_ = deadline;
  if (deadline.is_never()) return;
  id_ = loop_.schedule(deadline, [this] {
    id_ = 0;
    deadline_ = Time::never();
    on_expiry_();
  });
}

void DeadlineTimer::disarm() { arm(Time::never()); }

}  // namespace halink::runtime
