#include "lab/probe/probe_sender.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "lab/probe/probe_clock.h"
#include "lab/probe/probe_report.h"
#include "lab/probe/probe_socket_address.h"
#include "lab/probe/send_schedule.h"

namespace halink::lab {
namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

uint64_t new_run_id() {
  uint64_t id = 0;
  if (getrandom(&id, sizeof id, 0) != sizeof id) id = uint64_t(probe_clock_now().ns()) ^ (uint64_t(getpid()) << 32);
  return id;
}

void arm(int timer_fd, Time when) {
  itimerspec spec{};
  spec.it_value.tv_sec = when.ns() / 1'000'000'000;
  spec.it_value.tv_nsec = when.ns() % 1'000'000'000;
  timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void consume(int timer_fd) {
  uint64_t expirations = 0;
  [[maybe_unused]] auto n = read(timer_fd, &expirations, sizeof expirations);
}

void sleep_until(int timer_fd, Time when) {
  arm(timer_fd, when);
  pollfd fd{timer_fd, POLLIN, 0};
  while (poll(&fd, 1, -1) < 0 && errno == EINTR) {
  }
  consume(timer_fd);
}

}  // namespace

Status validate(const ProbeSenderOptions& o) {
  if (o.flows == 0) return Error{"--flows must be at least 1"};
  if (o.rate == 0 || o.rate > 1'000'000) return Error{"--rate must be between 1 and 1000000 packets/s"};
  if (o.size < probe_header_size || o.size > 65507)
    return Error{"--size must be between " + std::to_string(probe_header_size) + " and 65507 bytes"};
  if (o.from && o.from->family() != o.to.family()) return Error{"--from and --to are of different address families"};
  if (o.source_port_base != 0 && uint32_t(o.source_port_base) + o.flows - 1 > 65535)
    return Error{"--source-port-base + --flows exceeds port 65535"};
  if (o.port == 0) return Error{"--port must not be 0"};
  return {};
}

Result<ProbeSender> ProbeSender::open(const ProbeSenderOptions& options) {
  if (Status valid = validate(options); !valid) return valid.error();
  ProbeSender sender(options);
  sender.run_id_ = new_run_id();
  int family = options.to.is_v4() ? AF_INET : AF_INET6;
  IpAddress local = options.from ? *options.from : options.to.is_v4() ? IpAddress() : *IpAddress::parse("::");
  for (uint32_t flow = 0; flow < options.flows; ++flow) {
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Error{errno_text("socket")};
    sender.sockets_.push_back(fd);
    uint16_t port = options.source_port_base == 0 ? 0 : uint16_t(options.source_port_base + flow);
    sockaddr_storage address;
    socklen_t length = to_sockaddr({local, port}, address);
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) < 0)
      return Error{errno_text("bind " + ProbeEndpoint{local, port}.to_string())};
  }
  sender.timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (sender.timer_fd_ < 0) return Error{errno_text("timerfd_create")};
  return sender;
}

ProbeSender::ProbeSender(ProbeSender&& other) noexcept
    : options_(other.options_), sockets_(std::move(other.sockets_)), timer_fd_(other.timer_fd_), run_id_(other.run_id_) {
  other.sockets_.clear();
  other.timer_fd_ = -1;
}

ProbeSender::~ProbeSender() {
  for (int fd : sockets_) close(fd);
  if (timer_fd_ >= 0) close(timer_fd_);
}

bool ProbeSender::send(int socket, const uint8_t* bytes, size_t size, ProbeSenderResult& result) {
  sockaddr_storage to;
  socklen_t length = to_sockaddr({options_.to, options_.port}, to);
  if (sendto(socket, bytes, size, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), length) >= 0) return true;
  ++result.send_errors;
  result.last_error = errno_text("sendto");
  return false;
}

ProbeSenderResult ProbeSender::run(int stop_fd) {
  ProbeSenderResult result;
  result.run_id = run_id_;
  result.to = ProbeEndpoint{options_.to, options_.port}.to_string();
  result.flows = options_.flows;
  result.rate = options_.rate;
  for (int fd : sockets_) {
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
    result.source_ports.push_back(from_sockaddr(local).port);
  }

  const Duration interval = Duration::nanoseconds(1'000'000'000 / options_.rate);
  const Time start = probe_clock_now();
  const Time end = start + options_.duration;
  result.started_ns = start.ns();
  SendSchedule schedule(start, options_.flows, interval);
  std::vector<uint8_t> datagram(options_.size, 0);
  std::vector<ProbePacket> last_sent(options_.flows);
  std::vector<bool> any_sent(options_.flows, false);

  pollfd fds[2] = {{timer_fd_, POLLIN, 0}, {stop_fd, POLLIN, 0}};
  Time woke = start;
  for (;;) {
    Time now = probe_clock_now();
    if (now - schedule.next_due() > options_.max_behind) {
      ++result.stalls;
      result.stalled_ns += schedule.resume_at(now).ns();
    }
    while (schedule.next_due() <= now && schedule.next_due() < end) {
      SendSlot slot = schedule.pop();
      ProbePacket packet;
      packet.run_id = run_id_;
      packet.flow = slot.flow;
      packet.sequence = uint32_t(options_.first_sequence + slot.index);
      packet.interval_ns = uint32_t(interval.ns());
      packet.first_sequence = options_.first_sequence;
      packet.send_ns = probe_clock_now().ns();
      result.max_lateness_ns = std::max(result.max_lateness_ns, packet.send_ns - slot.due.ns());
      encode_probe_packet(packet, datagram);
      // A refused send still used its sequence number: the receiver counts
      // it as lost, as it was.
      if (send(sockets_[slot.flow], datagram.data(), datagram.size(), result)) ++result.packets;
      last_sent[slot.flow] = packet;
      any_sent[slot.flow] = true;
    }
    if (schedule.next_due() >= end) break;
    Time wake = schedule.wake_at(woke, options_.tick);
    arm(timer_fd_, wake);
    if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (fds[1].revents) break;
    if (fds[0].revents) consume(timer_fd_);
    woke = wake;
  }

  std::vector<ProbePacket> ends;
  for (uint32_t flow = 0; flow < options_.flows; ++flow)
    if (any_sent[flow]) {
      ProbePacket end_marker = last_sent[flow];
      end_marker.kind = ProbePacketKind::end;
      ends.push_back(end_marker);
    }
  send_end_markers(ends, result);
  result.stopped_ns = probe_clock_now().ns();
  return result;
}

void ProbeSender::send_end_markers(const std::vector<ProbePacket>& ends, ProbeSenderResult& result) {
  // Copies spaced apart so a short burst of loss does not take them all.
  for (int copy = 0; copy < options_.end_markers; ++copy) {
    if (copy > 0) sleep_until(timer_fd_, probe_clock_now() + Duration::milliseconds(5));
    for (const ProbePacket& end_marker : ends) {
      auto bytes = encode_probe_packet(end_marker);
      uint64_t errors = result.send_errors;
      send(sockets_[end_marker.flow], bytes.data(), bytes.size(), result);
      result.send_errors = errors;  // the data counters are about data packets
    }
  }
}

nlohmann::json sender_result_to_json(const ProbeSenderResult& r) {
  return {{"run_id", run_id_to_string(r.run_id)},
          {"to", r.to},
          {"flows", r.flows},
          {"rate", r.rate},
          {"source_ports", r.source_ports},
          {"packets", r.packets},
          {"send_errors", r.send_errors},
          {"last_error", r.last_error},
          {"max_lateness_ms", double(r.max_lateness_ns / 1000) / 1e3},
          {"stalls", r.stalls},
          {"stalled_ms", double(r.stalled_ns / 1000) / 1e3},
          {"started_ns", r.started_ns},
          {"stopped_ns", r.stopped_ns}};
}

std::string sender_result_to_text(const ProbeSenderResult& r) {
  char text[512];
  std::snprintf(text, sizeof text,
                "probe sender run %s to %s: %" PRIu32 " flows x %" PRIu32 " packets/s, %.3f s, "
                "%" PRIu64 " packets sent, %" PRIu64 " refused by the kernel%s%s, worst lateness %.3f ms, "
                "%" PRIu64 " stalls (%.3f ms not sent)\n",
                run_id_to_string(r.run_id).c_str(), r.to.c_str(), r.flows, r.rate, double(r.stopped_ns - r.started_ns) / 1e9, r.packets,
                r.send_errors, r.last_error.empty() ? "" : " (last: ", r.last_error.empty() ? "" : (r.last_error + ")").c_str(),
                double(r.max_lateness_ns) / 1e6, r.stalls, double(r.stalled_ns) / 1e6);
  return text;
}

}  // namespace halink::lab
