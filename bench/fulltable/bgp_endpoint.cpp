#include "bgp_endpoint.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace halink::bench {

Time monotonic_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Time::from_ns(static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec);
}

namespace {

socklen_t to_sockaddr(const IpAddress& address, uint16_t port, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (address.is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, address.bytes().data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port);
  std::memcpy(&in6->sin6_addr, address.bytes().data(), 16);
  return sizeof(sockaddr_in6);
}

IpAddress from_sockaddr(const sockaddr_storage& in) {
  if (in.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&in);
    return IpAddress::from_bytes(Family::ipv4, {reinterpret_cast<const uint8_t*>(&a->sin_addr), 4});
  }
  const auto* a = reinterpret_cast<const sockaddr_in6*>(&in);
  return IpAddress::from_bytes(Family::ipv6, {reinterpret_cast<const uint8_t*>(&a->sin6_addr), 16});
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

int milliseconds_until(Time now, Time deadline) {
  if (deadline == Time::never()) return 1000;
  const int64_t ns = deadline.ns() - now.ns();
  if (ns <= 0) return 0;
  return static_cast<int>(std::min<int64_t>(ns / 1'000'000 + 1, 1000));
}

bgp::SessionConfig session_config(const EndpointConfig& c, bool passive) {
  bgp::SessionConfig s;
  s.local_as = c.local_as;
  s.remote_as = c.remote_as;
  s.router_id = c.router_id;
  s.hold_time = c.hold_time;
  s.connect_retry = Duration::seconds(1);
  s.passive = passive;
  s.families = {bgp::AfiSafi::unicast(c.family)};
  // The blaster's UPDATEs are encoded for 4096 octets, what every peer takes.
  s.extended_message = false;
  return s;
}

}  // namespace

BgpEndpoint::BgpEndpoint(EndpointConfig config)
    : config_(std::move(config)), session_(session_config(config_, config_.passive), [] { return 0.9; }) {
  read_buffer_.resize(256 * 1024);
}

BgpEndpoint::~BgpEndpoint() {
  if (socket_ >= 0) close(socket_);
  if (listener_ >= 0) close(listener_);
}

bool BgpEndpoint::connect(Time deadline, std::string& error) {
  sockaddr_storage local{}, remote{};
  socklen_t local_size = to_sockaddr(config_.local_address, 0, local);
  socklen_t remote_size = to_sockaddr(config_.remote_address, config_.port, remote);
  for (;;) {
    int fd = socket(local.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&local), local_size) != 0) {
      error = std::string("socket/bind: ") + std::strerror(errno);
      if (fd >= 0) close(fd);
      return false;
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&remote), remote_size) == 0) {
      socket_ = fd;
      break;
    }
    error = std::string("connect to ") + config_.remote_address.to_string() + ": " + std::strerror(errno);
    close(fd);
    if (monotonic_now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  set_nonblocking(socket_);
  const Time now = monotonic_now();
  session_.start(now);
  for (auto& action : session_.take_actions())
    if (auto* c = std::get_if<bgp::session::Connect>(&action)) connection_ = c->connection;
  session_.on_connected(now, connection_);
  drain_actions(now);
  return flush_session_bytes(deadline);
}

bool BgpEndpoint::accept(Time deadline, std::string& error) {
  sockaddr_storage local{};
  socklen_t local_size = to_sockaddr(config_.local_address, config_.port, local);
  listener_ = socket(local.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&local), local_size) != 0 ||
      listen(listener_, 4) != 0) {
    error = "listen on " + config_.local_address.to_string() + ": " + std::strerror(errno);
    return false;
  }
  session_.start(monotonic_now());
  session_.take_actions();
  while (socket_ < 0) {
    const Time now = monotonic_now();
    if (now >= deadline) {
      error = "no connection from " + config_.remote_address.to_string();
      return false;
    }
    pollfd p{listener_, POLLIN, 0};
    if (poll(&p, 1, milliseconds_until(now, deadline)) <= 0) continue;
    sockaddr_storage from{};
    socklen_t from_size = sizeof from;
    int fd = ::accept4(listener_, reinterpret_cast<sockaddr*>(&from), &from_size, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (from_sockaddr(from) != config_.remote_address) {
      close(fd);
      continue;
    }
    socket_ = fd;
  }
  close(listener_);
  listener_ = -1;
  set_nonblocking(socket_);
  const Time now = monotonic_now();
  connection_ = session_.on_incoming(now);
  drain_actions(now);
  return flush_session_bytes(deadline);
}

bool BgpEndpoint::establish(Time deadline, std::string& error) {
  while (!session_.established()) {
    const Time now = monotonic_now();
    if (down_ || now >= deadline) {
      error = down_ ? down_reason_ : "no Established before the deadline";
      return false;
    }
    serve(Duration::milliseconds(100));
  }
  return true;
}

void BgpEndpoint::drain_actions(Time now) {
  for (auto& action : session_.take_actions()) {
    if (auto* send = std::get_if<bgp::session::SendBytes>(&action)) {
      pending_.insert(pending_.end(), send->bytes.begin(), send->bytes.end());
    } else if (auto* update = std::get_if<bgp::session::ReceivedUpdate>(&action)) {
      if (on_update) on_update(now, update->update);
    } else if (auto* down = std::get_if<bgp::session::Down>(&action)) {
      down_ = true;
      down_reason_ = down->text;
    } else if (std::holds_alternative<bgp::session::Close>(action)) {
      down_ = true;
      if (down_reason_.empty()) down_reason_ = "session closed the connection";
    }
  }
}

bool BgpEndpoint::write_all(const uint8_t* data, size_t size, bool serve_input) {
  size_t written = 0;
  while (written < size) {
    ssize_t n = ::send(socket_, data + written, size - written, MSG_NOSIGNAL);
    if (n > 0) {
      written += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      down_ = true;
      down_reason_ = std::string("write: ") + std::strerror(errno);
      return false;
    }
    pollfd p{socket_, static_cast<short>(POLLOUT | (serve_input ? POLLIN : 0)), 0};
    poll(&p, 1, 1000);
    if (serve_input && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
      const Time now = monotonic_now();
      if (!read_available(now)) return false;
    }
  }
  return true;
}

bool BgpEndpoint::flush_session_bytes(Time) {
  if (pending_.empty()) return !down_;
  std::vector<uint8_t> bytes;
  bytes.swap(pending_);
  return write_all(bytes.data(), bytes.size(), false);
}

bool BgpEndpoint::read_available(Time now) {
  for (;;) {
    ssize_t n = ::recv(socket_, read_buffer_.data(), read_buffer_.size(), 0);
    if (n > 0) {
      last_bytes_at_ = now;
      if (discard_after_established && session_.established()) {
        discarded_bytes_ += static_cast<uint64_t>(n);
      } else {
        session_.on_bytes(now, connection_, {read_buffer_.data(), static_cast<size_t>(n)});
        drain_actions(now);
      }
      if (static_cast<size_t>(n) < read_buffer_.size()) return !down_;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return !down_;
    session_.on_closed(now, connection_);
    drain_actions(now);
    down_ = true;
    if (down_reason_.empty()) down_reason_ = "the peer closed the connection";
    return false;
  }
}

bool BgpEndpoint::serve(Duration timeout) {
  Time now = monotonic_now();
  const Time until = std::min(now + timeout, session_.next_deadline());
  pollfd p{socket_, POLLIN, 0};
  if (poll(&p, 1, milliseconds_until(now, until)) > 0) read_available(monotonic_now());
  now = monotonic_now();
  if (session_.next_deadline() <= now) {
    session_.on_timer(now);
    drain_actions(now);
  }
  return flush_session_bytes(Time::never()) && !down_;
}

Time BgpEndpoint::write_messages(const std::vector<uint8_t>& bytes, const std::vector<size_t>& chunk_ends) {
  const Time first = monotonic_now();
  size_t start = 0;
  for (size_t end : chunk_ends) {
    if (!write_all(bytes.data() + start, end - start, true)) break;
    start = end;
    // Between whole messages: the session's KEEPALIVEs, if one is due.
    const Time now = monotonic_now();
    if (session_.next_deadline() <= now) {
      session_.on_timer(now);
      drain_actions(now);
    }
    if (!flush_session_bytes(Time::never())) break;
  }
  return first;
}

}  // namespace halink::bench
